// The one exception type of the fio-free core. It carries the errno to hand to fio and a message a
// person can act on (what failed, on which path, why, what to do). The fio glue catches it.
#pragma once

#include <cstring>
#include <stdexcept>
#include <string>

namespace e4mext {

class Error : public std::runtime_error {
public:
	Error(int errnum, const std::string &message) : std::runtime_error(message), errnum_(errnum) {}
	int errnum() const noexcept { return errnum_; }

private:
	int errnum_;
};

// "ENOENT"; "errno N" for a number libc has no name for.
std::string errno_name(int errnum);
// "ENOENT (No such file or directory)"
std::string errno_text(int errnum);
[[noreturn]] void throw_errno(int errnum, const std::string &what, const std::string &advice = {});

} // namespace e4mext
