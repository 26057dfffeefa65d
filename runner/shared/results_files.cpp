#include "results_files.h"

#include "runner_errors.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace e4mext::runner {

namespace fs = std::filesystem;

void create_results_dir(const std::string &path)
{
	const fs::path parent = fs::path(path).parent_path();
	std::error_code ec;
	fs::create_directories(parent, ec);
	if (ec)
		throw WriteFailed("cannot make " + parent.string() + ": " + ec.message());
	if (::mkdir(path.c_str(), 0777) == 0)
		return;
	if (errno == EEXIST)
		throw UsageError(
			path +
			" already exists (or another bench with this --label has just made it): pick another --label or remove it");
	throw WriteFailed("cannot make " + path + ": " + std::strerror(errno));
}

void write_text_file(const std::string &path, const std::string &text, bool append)
{
	const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0644);
	if (fd < 0)
		throw WriteFailed("cannot write " + path + ": " + std::strerror(errno));
	size_t done = 0;
	while (done < text.size()) {
		const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			const int error = n < 0 ? errno : ENOSPC;
			::close(fd);
			throw WriteFailed("cannot write " + path + ": " + std::strerror(error));
		}
		done += size_t(n);
	}
	if (::close(fd) != 0)
		throw WriteFailed("cannot write " + path + ": " + std::strerror(errno));
}

void expect_written(const std::string &path, const std::string &what)
{
	std::error_code ec;
	const auto size = fs::file_size(path, ec);
	if (ec || size == 0)
		throw WriteFailed(what + " left " + path + (ec ? " missing" : " empty") + ": is the results filesystem full? (df " +
				  fs::path(path).parent_path().string() + ")");
}

} // namespace e4mext::runner
