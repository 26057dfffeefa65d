#include "file_text.h"

#include <fstream>
#include <sstream>

namespace e4mext::runner {

std::optional<std::string> read_file(const std::filesystem::path &path)
{
	std::ifstream in(path, std::ios::binary);
	if (!in)
		return std::nullopt;
	std::ostringstream text;
	text << in.rdbuf();
	if (in.bad())
		return std::nullopt;
	return text.str();
}

std::string read_text(const std::filesystem::path &path)
{
	return read_file(path).value_or("");
}

} // namespace e4mext::runner
