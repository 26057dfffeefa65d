#include "names.h"

#include "runner_errors.h"

#include <algorithm>

namespace e4mext::runner {

namespace {

// The value as a message can show it: control characters as \n, \xNN.
std::string shown(const std::string &value)
{
	std::string out;
	for (const unsigned char c : value.substr(0, 80))
		if (c == '\n')
			out += "\\n";
		else if (c < 0x20 || c == 0x7f) {
			static const char hex[] = "0123456789abcdef";
			out += std::string("\\x") + hex[c >> 4] + hex[c & 15];
		} else
			out += char(c);
	return value.size() > 80 ? out + "..." : out;
}

} // namespace

void check_path_name(const std::string &what, const std::string &name)
{
	const bool allowed = std::all_of(name.begin(), name.end(), [](unsigned char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		       c == '+' || c == '-';
	});
	if (name.empty())
		throw UsageError(what + " is empty: give a name of letters, digits and . _ + -");
	if (!allowed || name == "." || name == ".." || name.size() > 128)
		throw UsageError(what + " '" + shown(name) +
				 "' cannot name a directory: use letters, digits and . _ + - only (not . or .., at most 128)");
}

void check_job_value(const std::string &what, const std::string &value)
{
	if (value.empty())
		throw UsageError(what + " is empty");
	if (std::any_of(value.begin(), value.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
		throw UsageError(what + " '" + shown(value) +
				 "' holds a line break or control character, which would change the fio job: remove it");
}

} // namespace e4mext::runner
