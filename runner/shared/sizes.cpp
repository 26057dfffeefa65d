#include "sizes.h"
#include "runner_errors.h"

#include <cctype>
#include <cstdlib>

namespace e4mext::runner {

uint64_t parse_size(const std::string &text, const std::string &what)
{
	char *end = nullptr;
	const unsigned long long n = std::strtoull(text.c_str(), &end, 10);
	int shift = -1;
	if (end && end != text.c_str() && end[0] && !end[1]) {
		switch (std::tolower(static_cast<unsigned char>(end[0]))) {
		case 'k': shift = 10; break;
		case 'm': shift = 20; break;
		case 'g': shift = 30; break;
		case 't': shift = 40; break;
		}
	}
	if (shift < 0 || n == 0 || n > (~0ull >> shift) || text[0] == '-')
		throw UsageError(what + " " + text + ": not a size; give a number with a unit, e.g. 512M or 2G");
	return static_cast<uint64_t>(n) << shift;
}

std::string format_size(uint64_t bytes)
{
	static const char units[] = {'T', 'G', 'M', 'k'};
	static const int shifts[] = {40, 30, 20, 10};
	for (int i = 0; i < 4; ++i)
		if (bytes >= (1ull << shifts[i]) && bytes % (1ull << shifts[i]) == 0)
			return std::to_string(bytes >> shifts[i]) + units[i];
	return std::to_string(bytes);
}

std::string format_mib(uint64_t bytes)
{
	return std::to_string(bytes >> 20) + " MiB";
}

} // namespace e4mext::runner
