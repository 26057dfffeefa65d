#include "time_text.h"

#include <unistd.h>

#include <cstdlib>
#include <ctime>

namespace e4mext::runner {

namespace {

std::string format_now(const char *format, bool utc)
{
	char text[32];
	const std::time_t now = std::time(nullptr);
	std::tm parts{};
	if (utc)
		::gmtime_r(&now, &parts);
	else
		::localtime_r(&now, &parts);
	std::strftime(text, sizeof text, format, &parts);
	return text;
}

} // namespace

std::string local_stamp()
{
	return format_now("%Y%m%d-%H%M%S", false);
}

std::string utc_iso8601()
{
	return format_now("%Y-%m-%dT%H:%M:%SZ", true);
}

std::string temporary_results_dir(const std::string &command)
{
	const char *tmpdir = std::getenv("TMPDIR");
	return std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/e4mext-" + command + "." + local_stamp() + "." +
	       std::to_string(::getpid());
}

} // namespace e4mext::runner
