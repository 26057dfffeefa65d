// Donors e4mext created: files tagged with the user.e4mext.donor attribute, or named like its
// default donors (<original>.e4mext-donor.<n>). What a run must not leave behind.
#pragma once

#include <string>
#include <vector>

namespace e4mext::runner {

bool has_donor_tag(const std::string &path);

// Such files under dir (not crossing into other filesystems), sorted.
std::vector<std::string> donors_left(const std::string &dir);

} // namespace e4mext::runner
