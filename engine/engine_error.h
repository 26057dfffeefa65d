// The one error convention of the fio-free core. A function that can fail returns Result<T> (its
// value or an Error) or Status (nothing or an Error); the core throws nothing of its own (only the
// standard library's std::bad_alloc). An Error carries a positive errno - what fio is handed, as
// io_u->error or through td_verror - and a message a person can act on (what failed, on which
// path, why, what to do). The fio glue converts at the callback boundary.
//
// The per-write path has no message to carry: a move's result is MoveOutcome (mover.h), bytes
// moved and a positive errno, and the injected ioctl returns 0 or a positive errno likewise.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace e4mext {

struct Error {
	int errnum = 0;      // positive: ENOENT, EINVAL, ...
	std::string message; // complete: shown as is after "e4mext: "
};

// Nothing, or why not.
class [[nodiscard]] Status {
public:
	Status() = default; // success
	Status(Error error) : error_(std::move(error)) {}

	explicit operator bool() const noexcept { return !error_; }
	const Error &error() const { return *error_; }

private:
	std::optional<Error> error_;
};

// A value, or why there is none.
template <typename T> class [[nodiscard]] Result {
public:
	Result(T value) : v_(std::move(value)) {}
	Result(Error error) : v_(std::move(error)) {}

	explicit operator bool() const noexcept { return std::holds_alternative<T>(v_); }
	const Error &error() const { return std::get<Error>(v_); }
	T &value() & { return std::get<T>(v_); }
	const T &value() const & { return std::get<T>(v_); }
	T &&value() && { return std::get<T>(std::move(v_)); }
	T *operator->() { return &value(); }
	const T *operator->() const { return &value(); }
	T &operator*() & { return value(); }
	const T &operator*() const & { return value(); }
	// The error as a Status, for a caller that returns one.
	Status status() const { return *this ? Status() : Status(error()); }

private:
	std::variant<T, Error> v_;
};

// "ENOENT"; "errno N" for a number libc has no name for.
std::string errno_name(int errnum);
// "ENOENT (No such file or directory)"
std::string errno_text(int errnum);
// Error{errnum, "<what>: ENOENT (No such file or directory)[; <advice>]"}.
Error errno_error(int errnum, const std::string &what, const std::string &advice = {});

} // namespace e4mext
