// A fuzz case: the fio job file that runs, plus what the fuzzer lays out before it and checks after.
// A case is always handled as the text of its job file - generated, saved and replayed cases go
// through the same parser - so a saved case is exactly what ran.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace e4mext::jobfuzz {

// Paths the job file leaves to the environment; fio expands ${VAR} in option values.
inline constexpr const char *kMountVar = "E4MEXT_FUZZ_MNT";
inline constexpr const char *kEngineVar = "E4MEXT_ENGINE";
inline constexpr const char *kStatsVar = "E4MEXT_FUZZ_STATS";

enum class FileRole {
	original, // named by a job's filename=: must keep its data whatever the jobs do
	outside,  // no job's file: may change only when a job names it as donor
};

struct FileSpec {
	std::string path; // relative to the mount
	uint64_t size = 0;
	FileRole role = FileRole::original;
};

// A second name for a file of the case, made after the files: a hard link, or a symbolic link
// whose text is `target` (the link's directory is the mount's root, so both read the same).
struct LinkSpec {
	bool hard = true;
	std::string path;   // relative to the mount
	std::string target; // relative to the mount
};

using Options = std::vector<std::pair<std::string, std::string>>;

struct Section {
	std::string name;
	Options options; // in file order; a key given twice counts with its last value
	const std::string *find(std::string_view key) const;
};

struct CaseSpec {
	uint64_t seed = 0;             // the run's seed
	uint64_t index = 0;            // the case number within the run
	std::vector<std::string> dirs; // relative to the mount, made before the files
	std::vector<FileSpec> files;
	std::vector<LinkSpec> links; // made after the files
	Section global{"global", {}};
	std::vector<Section> jobs;

	// A job's option as fio sees it: the job's own value, else [global]'s, else fallback.
	std::string option(const Section &job, std::string_view key, std::string_view fallback = "") const;
};

// The job file: a header saying what the case is and how to run it (plus `why`, the failures, when
// it is saved), the "; fuzz:" lines the fuzzer reads back, then the sections fio reads.
std::string to_job_file(const CaseSpec &c, const std::vector<std::string> &why = {});

// Reads a job file written by to_job_file (or edited by hand). Throws std::runtime_error naming
// source:line and what is wrong.
CaseSpec parse_job_file(std::string_view text, const std::string &source);

} // namespace e4mext::jobfuzz
