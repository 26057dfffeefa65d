// One fio run of the stress suite. fio runs in a process group of its own (a Ctrl-C meant for us
// reaches us, and we decide what fio gets), in its log directory, where it leaves its verify state
// and the dumps of blocks that failed to verify; its outputs go to fio.out and fio.err there.
// fio runs each job in a process (and session) of its own, a child of fio: a signal to fio's group
// does not reach them, so this class finds them by parent pid to kill them too.
#pragma once

#include "process.h"

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace e4mext::runner {

class FioProcess {
public:
	FioProcess() = default;
	~FioProcess();
	FioProcess(const FioProcess &) = delete;
	FioProcess &operator=(const FioProcess &) = delete;

	// Starts `command` (fio, or a command that execs it, such as setpriv) with `env` (NAME=value)
	// added to our environment, in `log`.
	void start(const std::vector<std::string> &command, const std::string &log, const std::vector<std::string> &env = {});
	// Waits at most `limit`; the exit status as a shell reports it, 124 when fio did not finish in
	// time (it and its jobs are then killed). On our own interruption: fio got SIGINT from the
	// cleanup registry; waits for it a little, kills what is left and throws Interrupted.
	int wait(std::chrono::seconds limit);
	bool running();
	int status() const { return status_; } // of the last wait
	const std::string &log() const { return log_; }
	std::string out_path() const { return log_ + "/fio.out"; }
	std::string err_path() const { return log_ + "/fio.err"; }

	std::vector<pid_t> pids(); // fio's, then its job processes'
	// Sends sig to fio, or to fio and its jobs; returns the pids signalled (none once fio ended).
	std::vector<pid_t> signal(int sig, bool jobs_too);
	// SIGKILL to fio and its jobs; returns once they are gone (at most 2 minutes).
	void kill_all();

private:
	std::optional<Process> process_;
	std::string log_;
	int status_ = 0;
};

// Waits until these processes have exited (a job killed in a move leaves it first), at most 2 min.
void wait_gone(const std::vector<pid_t> &pids);

// Children of pid, from /proc.
std::vector<pid_t> child_pids(pid_t pid);

} // namespace e4mext::runner
