#include "shell_quote.h"

namespace e4mext::runner {

std::string shell_quote(const std::string &s)
{
	std::string out = "'";
	for (char c : s)
		out += c == '\'' ? std::string("'\\''") : std::string(1, c);
	return out + "'";
}

} // namespace e4mext::runner
