// Words put into a shell command line (the guest's /init, commands run in a VM) quoted one way.
#pragma once

#include <string>

namespace e4mext::runner {

// A string quoted for sh/bash ('...', with embedded quotes escaped).
std::string shell_quote(const std::string &s);

} // namespace e4mext::runner
