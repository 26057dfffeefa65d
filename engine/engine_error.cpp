#include "engine_error.h"

#include <cstring>

namespace e4mext {

std::string errno_name(int errnum)
{
	const char *name = ::strerrorname_np(errnum); // glibc >= 2.32
	return name ? name : "errno " + std::to_string(errnum);
}

std::string errno_text(int errnum)
{
	return errno_name(errnum) + " (" + std::strerror(errnum) + ")";
}

Error errno_error(int errnum, const std::string &what, const std::string &advice)
{
	std::string message = what + ": " + errno_text(errnum);
	if (!advice.empty())
		message += "; " + advice;
	return {errnum, std::move(message)};
}

} // namespace e4mext
