// The bench's results directory and the files in it: made atomically (two runs with one label
// cannot share it) and written with every error checked (a full disk fails the run, exit 3).
#pragma once

#include "runner_errors.h"

#include <stdexcept>
#include <string>

namespace e4mext::runner {

// Makes `path` (its parents as needed) as a new, empty directory; throws UsageError when it exists
// already, also when another run made it a moment ago.
void create_results_dir(const std::string &path);

// Writes `text` to `path` (replacing it, or appending); throws WriteFailed with the reason.
void write_text_file(const std::string &path, const std::string &text, bool append = false);

// Throws WriteFailed unless `path` is a non-empty file (what another program, fio, wrote there).
void expect_written(const std::string &path, const std::string &what);

} // namespace e4mext::runner
