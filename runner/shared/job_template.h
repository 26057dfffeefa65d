// fio job files with ${NAME} variables (jobs/*.fio) filled in by the runner, one way for every
// command: the bench's template, the overhead's jobs/coverletter.fio.
#pragma once

#include <map>
#include <string>

namespace e4mext::runner {

// The template with every ${NAME} replaced from `values`; throws UsageError naming a variable that
// has no value.
std::string expand_template(const std::string &text, const std::map<std::string, std::string> &values, const std::string &source);

} // namespace e4mext::runner
