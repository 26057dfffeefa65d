// A whole file's bytes, read one way for every part: the runner's logs, job files and configs
// (runner/shared/file_text.h), the report's inputs (report::read_file_text, which names what is
// wrong). Header-only, like everything in common/.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

namespace e4mext {

struct FileRead {
	enum class Failure { none, directory, open, read, too_large };
	std::optional<std::string> text; // the whole file; nothing on a failure
	Failure failure = Failure::none;
	int error = 0; // errno of an open or read failure
};

// Reads `path` whole, at most `limit` bytes (a larger file is too_large, read no further, so
// /dev/zero or a runaway file is an error rather than a hang).
inline FileRead read_whole_file(const std::filesystem::path &path, std::size_t limit = SIZE_MAX)
{
	FileRead r;
	std::error_code ec;
	if (std::filesystem::is_directory(path, ec)) {
		r.failure = FileRead::Failure::directory;
		return r;
	}
	std::ifstream in(path, std::ios::binary);
	if (!in) {
		r.failure = FileRead::Failure::open;
		r.error = errno;
		return r;
	}
	std::string text;
	char chunk[65536];
	while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
		text.append(chunk, std::size_t(in.gcount()));
		if (text.size() > limit) {
			r.failure = FileRead::Failure::too_large;
			return r;
		}
	}
	if (in.bad()) {
		r.failure = FileRead::Failure::read;
		r.error = errno;
		return r;
	}
	r.text = std::move(text);
	return r;
}

} // namespace e4mext
