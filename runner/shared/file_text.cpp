#include "file_text.h"

#include "whole_file.h"

namespace e4mext::runner {

std::optional<std::string> read_file(const std::filesystem::path &path)
{
	return read_whole_file(path).text;
}

std::string read_text(const std::filesystem::path &path)
{
	return read_file(path).value_or("");
}

} // namespace e4mext::runner
