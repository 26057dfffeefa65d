// Runs fio through the runner's Process (runner/shared/process.h: a process group of its own, dies
// with the fuzzer, listed in the cleanup registry) with a hard time limit. Only the fio it started is
// ever stopped (on the time limit, and when the fuzzer is interrupted): SIGINT first, which fio
// passes on to its job processes, then SIGKILL to its process group. Job processes a dead fio left
// behind (they run in sessions of their own) are killed by pid: the fuzzer is their child subreaper.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace e4mext::jobfuzz {

struct FioCommand {
	std::string fio; // the fio binary
	std::string job_file;
	std::string json_path;                                // --output
	std::string log_path;                                 // fio's stdout and stderr
	std::vector<std::pair<std::string, std::string>> env; // added to the fuzzer's environment
	std::chrono::seconds timeout{60};
};

struct FioExit {
	int exit_status = -1; // when fio exited
	int signal = 0;       // when a signal ended it
	bool timed_out = false;
	std::string log; // what fio printed (stdout and stderr)
};

// Throws runner::Interrupted once fio has stopped when the fuzzer got SIGINT/SIGTERM/SIGHUP.
FioExit run_fio(const FioCommand &cmd);

// The runner's interrupt handling (the first SIGINT/SIGTERM/SIGHUP sends SIGINT to fio, and run_fio
// ends the run; a second removes everything at once) and the fuzzer as child subreaper of fio's job
// processes.
void handle_interrupts();

} // namespace e4mext::jobfuzz
