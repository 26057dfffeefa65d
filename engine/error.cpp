#include "error.h"

#include <cerrno>

namespace e4mext {

namespace {
const char *errno_name(int errnum)
{
	switch (errnum) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EIO: return "EIO";
	case EBADF: return "EBADF";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EXDEV: return "EXDEV";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case ETXTBSY: return "ETXTBSY";
	case EFBIG: return "EFBIG";
	case ENOSPC: return "ENOSPC";
	case EROFS: return "EROFS";
	case ENOTTY: return "ENOTTY";
	case ENODATA: return "ENODATA";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ESTALE: return "ESTALE";
	case EDQUOT: return "EDQUOT";
	default: return nullptr;
	}
}
} // namespace

std::string errno_text(int errnum)
{
	const char *name = errno_name(errnum);
	std::string text = name ? name : "errno " + std::to_string(errnum);
	return text + " (" + std::strerror(errnum) + ")";
}

void throw_errno(int errnum, const std::string &what, const std::string &advice)
{
	std::string message = what + ": " + errno_text(errnum);
	if (!advice.empty())
		message += "; " + advice;
	throw Error(errnum, message);
}

} // namespace e4mext
