// job-fuzz's command line (CLI11, as e4mext's).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace e4mext::jobfuzz {

inline constexpr uint64_t kDefaultCases = 100;
inline constexpr uint64_t kSoakCases = 20000;
inline constexpr unsigned kMaxJobs = 16;

struct CommandLine {
	uint64_t cases = kDefaultCases;
	uint64_t first = 0;                // --first K: cases K to K+cases-1 (a soak in parts)
	unsigned jobs = 1;                 // cases at once, each worker process on a filesystem of its own
	std::optional<unsigned> worker;    // set in a worker: it runs the cases (K - first) % jobs == worker
	std::optional<uint64_t> seed;      // default: from the clock
	std::optional<uint64_t> only_case; // --case K
	std::optional<double> time_limit;  // seconds: no new case after this
	bool soak = false;
	bool keep_going = false;
	std::vector<std::string> replay; // files or directories of *.fio
	bool replay_mode = false;
	std::string engine;
	std::string fio;
	std::string save_failures; // "": do not save
};

// Parses argv; on --help prints the usage and exits 0, on a mistake says what was wrong and exits 2.
CommandLine parse_command_line(int argc, char **argv);

} // namespace e4mext::jobfuzz
