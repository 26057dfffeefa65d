// Names that become paths or fio job lines (labels, cases.json groups and factor values, hosts):
// checked once, here, so none can leave the results directory or add a section to a job file.
#pragma once

#include <string>

namespace e4mext::runner {

// A name used as one path component under a results directory: letters, digits and . _ + - only,
// not empty, not "." or "..", at most 128 bytes. Throws UsageError naming `what` and the value.
void check_path_name(const std::string &what, const std::string &name);

// A value written into a fio job line: no line break, NUL or other control character, not empty.
// Throws UsageError naming `what` and the value.
void check_job_value(const std::string &what, const std::string &value);

} // namespace e4mext::runner
