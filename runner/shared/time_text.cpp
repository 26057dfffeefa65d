#include "time_text.h"

#include <unistd.h>

#include "runner_errors.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <regex>

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

double parse_duration_seconds(const std::string &text, const std::string &what)
{
	static const std::regex bare("[0-9]+"), whole("([0-9]+[hms])+"), piece("([0-9]+)([hms])");
	double seconds = 0;
	if (std::regex_match(text, bare) && text.size() < 10) {
		seconds = std::stod(text);
	} else if (std::regex_match(text, whole) && text.size() < 30) {
		for (std::sregex_iterator it(text.begin(), text.end(), piece), end; it != end; ++it)
			seconds += std::stod((*it)[1]) * ((*it)[2] == "h" ? 3600 : (*it)[2] == "m" ? 60 : 1);
	} else {
		throw UsageError(what + " must be a duration such as 25m, 90s or 1h30m, not '" + text + "'");
	}
	if (seconds <= 0)
		throw UsageError(what + " must be longer than 0, not '" + text + "'");
	return seconds;
}

std::string format_duration(double seconds)
{
	const long s = long(seconds + 0.5);
	char text[32];
	std::snprintf(text, sizeof text, "%ld:%02ld", s / 60, s % 60);
	return text;
}

std::string format_seconds(double seconds)
{
	char text[32];
	std::snprintf(text, sizeof text, "%.1f s", seconds);
	return text;
}

} // namespace e4mext::runner
