// The one error type for bad input (unreadable, malformed or unexpected files) and bad usage.
// Its message is complete and fit for one line on stderr: which file, what is wrong, what to do.
#pragma once

#include <stdexcept>
#include <string>

namespace e4mext::report {

class InputError : public std::runtime_error {
public:
	using std::runtime_error::runtime_error;
};

class UsageError : public std::runtime_error {
public:
	using std::runtime_error::runtime_error;
};

} // namespace e4mext::report
