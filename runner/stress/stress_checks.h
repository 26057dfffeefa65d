// The checks of one workload or fault. Each records what failed and carries on, so that one run
// reports everything; the verdict is PASS when nothing was recorded.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace e4mext::runner {

class FioProcess;
class LoopFilesystem;

class StressChecks {
public:
	void fail(const std::string &what) { failures_.push_back(what); }
	const std::vector<std::string> &failures() const { return failures_; }
	bool passed() const { return failures_.empty(); }

	// fio neither hung (status 124) nor died of a signal other than `deliberate` (its shell status,
	// 137 after our SIGKILL), and printed no crash.
	void no_crash(const FioProcess &fio, int deliberate = -1);
	void fio_failed(const FioProcess &fio);
	void fio_ok(const FioProcess &fio);
	// The clear error the user must see: an extended regular expression in fio's output. Returns
	// the first line matching it ("" when none: then a failure says what fio said instead).
	std::string error_shown(const FioProcess &fio, const std::string &regex, const std::string &what);

	// Unmounts, runs e2fsck -fn on the image (its output in log/e2fsck.out).
	void fsck_clean(LoopFilesystem &fs, const std::string &log);
	void no_donors(const std::string &dir);
	void kernel_log_clean(uint64_t since, const std::string &device, bool ext4_errors_injected);

private:
	std::vector<std::string> failures_;
};

// fio's output lines (fio.err, then fio.out) matching an extended regular expression, at most `max`.
std::vector<std::string> fio_lines_matching(const FioProcess &fio, const std::string &regex, size_t max, bool ignore_case = false);
// The first lines matching, on one line (for messages).
std::string fio_excerpt(const FioProcess &fio, const std::string &regex);

// e2fsck -fn of fs's image after unmounting it, its output written to `output`; its exit status.
int fsck_into(LoopFilesystem &fs, const std::string &output);

std::string join(const std::vector<std::string> &items, const std::string &separator);

} // namespace e4mext::runner
