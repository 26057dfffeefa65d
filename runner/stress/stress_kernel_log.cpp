#include "stress_kernel_log.h"

#include <regex>

namespace e4mext::runner {

std::vector<std::string> kernel_log_problems(const std::vector<std::string> &lines, const std::string &device,
					     bool ext4_errors_injected)
{
	static const std::regex crash(R"(WARNING:|BUG:|Oops|Call Trace|KASAN|UBSAN|general protection fault|Kernel panic)");
	// The device name is a plain "loopN": no regex characters in it.
	const std::regex ext4_error("EXT4-fs (error|warning) \\(device " + device + "\\)|Aborting journal on device " + device);
	std::vector<std::string> bad;
	for (const std::string &line : lines)
		if (std::regex_search(line, crash))
			bad.push_back(line);
	if (!ext4_errors_injected)
		for (const std::string &line : lines)
			if (std::regex_search(line, ext4_error))
				bad.push_back(line);
	return bad;
}

} // namespace e4mext::runner
