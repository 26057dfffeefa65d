// Engine option values that fio hands over as strings: the donor mode and donor/stats file names.
#pragma once

#include "engine_error.h"

#include <string>
#include <string_view>

namespace e4mext {

enum class DonorMode { unwritten, written };

// donor_mode= as given ("" is the default, unwritten); anything else is refused (EINVAL).
Result<DonorMode> parse_donor_mode(std::string_view text);
const char *donor_mode_name(DonorMode mode);

// What a file name may refer to.
struct NameContext {
	std::string jobname;
	unsigned jobnum = 0;        // clone index within the job (fio's $jobnum)
	unsigned thread_number = 0; // unique across all jobs of one fio run (1-based)
	std::string filename;       // the original file's path as fio names it
	std::string directory;      // the one directory of directory= that holds this file (may be empty)
};

// directory=a:b:c names several directories and fio puts each file in one of them. Returns the
// entry fio prefixed to file_name (entries split as fio splits them: at ':' not preceded by a
// backslash), or the first entry when none is a prefix. Empty when directory is empty.
std::string directory_of_file(std::string_view directory_option, std::string_view file_name);

// Replaces $jobnum, $jobname and $filename (the original's last path component).
std::string expand_name(std::string_view pattern, const NameContext &ctx);

// Where the donor lives. An empty donorname gives a private donor per job clone and file, next to
// the original (so on the same filesystem): "<original>.e4mext-donor.<thread_number>". An explicit
// name is expanded and, when relative, placed under directory= as fio's built-in engine does.
std::string donor_path(std::string_view donorname, const NameContext &ctx);

// True when a donor name is e4mext's default form (the only names e4mext may reset unasked).
inline constexpr std::string_view kDefaultDonorInfix = ".e4mext-donor.";

} // namespace e4mext
