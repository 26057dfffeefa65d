// A whole file as text for the runner (logs, job files, kernel configs, apt sources, busybox),
// through common/whole_file.h, the one file reader; the report's report::read_file_text reads
// through it too and names what is wrong.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace e4mext::runner {

// The file's bytes, or nothing when it cannot be opened or read.
std::optional<std::string> read_file(const std::filesystem::path &path);

// The file's bytes, or "" when it cannot be read (a log a failed program never wrote).
std::string read_text(const std::filesystem::path &path);

} // namespace e4mext::runner
