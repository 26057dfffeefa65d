#include "stress_checks.h"

#include "loop_fs.h"
#include "process.h"
#include "stress_donors.h"
#include "stress_fio.h"
#include "stress_kernel_log.h"

#include <fstream>
#include <regex>

namespace e4mext::runner {

namespace {

const char *const kCrashPattern = "Segmentation fault|core dumped|terminate called|stack smashing|double free|Assertion";

std::vector<std::string> file_lines(const std::string &path)
{
	std::vector<std::string> lines;
	std::ifstream in(path);
	for (std::string line; std::getline(in, line);)
		lines.push_back(line);
	return lines;
}

std::string indented(const std::vector<std::string> &lines, size_t max)
{
	std::string out;
	for (size_t i = 0; i < lines.size() && i < max; ++i)
		out += "\n      " + lines[i];
	return out;
}

} // namespace

std::string join(const std::vector<std::string> &items, const std::string &separator)
{
	std::string out;
	for (const std::string &item : items)
		out += (out.empty() ? "" : separator) + item;
	return out;
}

std::vector<std::string> fio_lines_matching(const FioProcess &fio, const std::string &regex, size_t max, bool ignore_case)
{
	const std::regex re(regex, ignore_case ? std::regex::extended | std::regex::icase : std::regex::extended);
	std::vector<std::string> found;
	for (const std::string &path : {fio.err_path(), fio.out_path()}) {
		for (const std::string &line : file_lines(path)) {
			if (found.size() >= max)
				return found;
			if (std::regex_search(line, re))
				found.push_back(line);
		}
	}
	return found;
}

std::string fio_excerpt(const FioProcess &fio, const std::string &regex)
{
	return join(fio_lines_matching(fio, regex, 3), " ");
}

void StressChecks::no_crash(const FioProcess &fio, int deliberate)
{
	const int rc = fio.status();
	if (rc == 124)
		fail("fio did not finish in time and was killed (hung?): see " + fio.err_path());
	else if (rc > 128 && rc != deliberate)
		fail("fio died of signal " + std::to_string(rc - 128) + " (a crash?): see " + fio.err_path());
	const std::vector<std::string> crash = fio_lines_matching(fio, kCrashPattern, 1);
	if (!crash.empty())
		fail("fio crashed: " + crash.front());
}

void StressChecks::fio_failed(const FioProcess &fio)
{
	if (fio.status() == 0)
		fail("fio exited 0: it should have stopped with an error");
}

void StressChecks::fio_ok(const FioProcess &fio)
{
	if (fio.status() != 0)
		fail("fio exited " + std::to_string(fio.status()) +
		     " instead of 0: " + fio_excerpt(fio, "e4mext: [a-z].*[A-Z]{4}|err=|error|verify"));
}

std::string StressChecks::error_shown(const FioProcess &fio, const std::string &regex, const std::string &what)
{
	const std::vector<std::string> lines = fio_lines_matching(fio, regex, 1);
	if (lines.empty()) {
		fail("expected " + what + " in fio's output (/" + regex +
		     "/); it said: " + fio_excerpt(fio, "e4mext: [a-z].*[A-Z]{4}|err="));
		return "";
	}
	return lines.front();
}

int fsck_into(LoopFilesystem &fs, const std::string &output)
{
	// LoopFilesystem::check() gives the status only; the messages quote e2fsck's output.
	fs.unmount();
	const CommandResult r = run_command({"e2fsck", "-fn", fs.image()}, std::chrono::minutes(10));
	std::ofstream(output) << r.out << r.err;
	return r.status.exited() && !r.timed_out ? r.status.exit_code() : 8;
}

void StressChecks::fsck_clean(LoopFilesystem &fs, const std::string &log)
{
	const std::string output = log + "/e2fsck.out";
	if (fsck_into(fs, output) == 0)
		return;
	static const std::regex progress(R"(^(Pass [1-5]|e2fsck [0-9]))");
	std::vector<std::string> lines;
	for (const std::string &line : file_lines(output))
		if (!std::regex_search(line, progress))
			lines.push_back(line);
	fail("e2fsck -fn of " + fs.image() + " is not clean (" + output + "):" + indented(lines, 15));
}

void StressChecks::no_donors(const std::string &dir)
{
	const std::vector<std::string> left = donors_left(dir);
	if (!left.empty())
		fail("donors e4mext created are left behind: " + join(left, " "));
}

void StressChecks::kernel_log_clean(uint64_t since, const std::string &device, bool ext4_errors_injected)
{
	const std::vector<std::string> bad = kernel_log_problems(kernel_log_since(since), device, ext4_errors_injected);
	if (!bad.empty())
		fail("new kernel warnings or errors in dmesg (a warning may come from another process on this machine: see its Comm: line):" +
		     indented(bad, 20));
}

} // namespace e4mext::runner
