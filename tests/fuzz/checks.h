// The verdicts of the checks that need no filesystem, as pure functions: what the engine's
// statistics say about its ioctls, and what a file that appeared during a run is.
#pragma once

#include "job_model.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace e4mext::jobfuzz {

// The mark engine/donor.h puts on the donors e4mext creates.
inline constexpr const char *kDonorXattr = "user.e4mext.donor";

struct Failure {
	std::string kind;   // short, for the saved case's file name: "original-changed", ...
	std::string detail; // one line: which file or job, what is wrong
};

struct StatsVerdict {
	std::vector<Failure> failures;
	unsigned records = 0;
	unsigned records_without_requests = 0; // lines without the ioctl request sums: not checked
	bool misaligned_refused = false;       // the engine refused I/Os as not on block boundaries
};

// Every line that has block_size, bytes_requested and blocks_requested must have asked the ioctl
// for exactly its bytes: a range off block boundaries asks for more blocks than it has bytes.
// A side file that does not read is a failure too.
StatsVerdict check_engine_stats(std::string_view text, const std::string &source);

// A file found in the mount after the run that is not one of the case's files: a donor e4mext left
// behind (marked with user.e4mext.donor, named "*.e4mext-donor.*", or named by a donorname=)
// is a failure unless a job naming it has keep_donor=1; any other file is unexpected.
struct ExtraFile {
	bool donor = false; // to be removed by the fuzzer
	std::optional<Failure> failure;
};
ExtraFile judge_extra_file(const std::string &path, bool marked, const std::vector<JobView> &jobs);

} // namespace e4mext::jobfuzz
