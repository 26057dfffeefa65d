// Sizes on the command line and in cases.json, read and written one way for every command.
#pragma once

#include <cstdint>
#include <string>

namespace e4mext::runner {

// "2G", "512M", "64k", "1T" (binary units, case-insensitive). Throws UsageError naming `what`.
uint64_t parse_size(const std::string &text, const std::string &what);
// The shortest exact form: 2147483648 -> "2G", 536870912 -> "512M".
std::string format_size(uint64_t bytes);
// A size in a message (free space, an image), whole MiB rounded down: 2147483648 -> "2048 MiB".
std::string format_mib(uint64_t bytes);

} // namespace e4mext::runner
