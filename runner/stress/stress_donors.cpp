#include "stress_donors.h"

#include <sys/stat.h>
#include <sys/xattr.h>

#include <algorithm>
#include <filesystem>

namespace e4mext::runner {

namespace fs = std::filesystem;

bool has_donor_tag(const std::string &path)
{
	return ::lgetxattr(path.c_str(), "user.e4mext.donor", nullptr, 0) >= 0;
}

std::vector<std::string> donors_left(const std::string &dir)
{
	std::vector<std::string> found;
	struct stat top {};
	if (::stat(dir.c_str(), &top) != 0)
		return found;
	std::error_code ec;
	fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
	for (; !ec && it != end; it.increment(ec)) {
		struct stat st {};
		if (::lstat(it->path().c_str(), &st) != 0)
			continue;
		if (st.st_dev != top.st_dev) { // as find -xdev
			if (S_ISDIR(st.st_mode))
				it.disable_recursion_pending();
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		const std::string path = it->path();
		if (it->path().filename().string().find(".e4mext-donor.") != std::string::npos || has_donor_tag(path))
			found.push_back(path);
	}
	std::sort(found.begin(), found.end());
	return found;
}

} // namespace e4mext::runner
