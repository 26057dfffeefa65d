#include "run_output.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <iostream>

namespace e4mext::regress {

namespace {

// What the JUnit file says until the run reaches its end: a crash, kill or timeout leaves it so.
constexpr const char *kUnfinished =
	"the run did not finish: it was stopped (killed, timed out, or the kernel crashed) after the cases listed here";

// Writes `text` as the whole content of `path`; "" on success, else why not.
std::string write_file(const std::string &path, const std::string &text)
{
	const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return std::strerror(errno);
	for (size_t done = 0; done < text.size();) {
		const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			const std::string why = std::strerror(n < 0 ? errno : EIO);
			::close(fd);
			return why;
		}
		done += static_cast<size_t>(n);
	}
	return ::close(fd) == 0 ? "" : std::strerror(errno);
}

std::string local_timestamp()
{
	char stamp[32];
	const std::time_t now = std::time(nullptr);
	std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", std::localtime(&now));
	return stamp;
}

std::string host_name()
{
	char name[256] = {};
	return ::gethostname(name, sizeof name - 1) == 0 ? name : "";
}

} // namespace

RunOutput::RunOutput(bool tap, const std::string &junit_path) : tap_(tap), junit_path_(junit_path)
{
	if (junit_path_.empty())
		return;
	junit_.timestamp = local_timestamp();
	junit_.hostname = host_name();
	junit_.error = kUnfinished;
	const std::string why = write_file(junit_path_, junit_xml(junit_));
	if (!why.empty())
		throw JunitUnwritable("--junit " + junit_path_ + ": cannot write it (" + why +
				      "): give a file in a directory that exists and is writable");
}

void RunOutput::property(const std::string &name, const std::string &value)
{
	junit_.properties.emplace_back(name, value);
}

void RunOutput::skip_all(const std::string &reason)
{
	if (tap_)
		std::cout << tap_skip_all(reason) << std::flush;
	else
		std::cout << "move-ext-regression: SKIP: " << reason << "\n";
	junit_.error.reset();
	junit_.skipped = reason;
	write_junit();
}

void RunOutput::plan(size_t count)
{
	if (tap_)
		std::cout << tap_header(count) << std::flush;
}

void RunOutput::comment(const std::string &text)
{
	std::cout << "# " << text << "\n";
}

void RunOutput::result(const CaseReport &report, const std::string &default_line)
{
	if (tap_)
		std::cout << tap_test_point(next_number_++, report) << std::flush;
	else
		std::cout << default_line << std::endl;
	junit_.cases.push_back(report);
	write_junit();
}

void RunOutput::abort_run(const std::string &why, std::ostream &plain)
{
	if (tap_)
		std::cout << tap_bail_out(why) << std::flush;
	else
		plain << "move-ext-regression: " << why << "\n";
	junit_.error = why;
	write_junit();
}

bool RunOutput::finish(const std::string &summary)
{
	std::cout << (tap_ ? "# " : "") << summary << "\n" << std::flush;
	junit_.error.reset();
	return write_junit();
}

bool RunOutput::write_junit()
{
	if (junit_path_.empty())
		return true;
	junit_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
	const std::string why = write_file(junit_path_, junit_xml(junit_));
	if (!why.empty())
		std::cerr << "move-ext-regression: cannot write the JUnit file " << junit_path_ << ": " << why << "\n";
	return why.empty();
}

} // namespace e4mext::regress
