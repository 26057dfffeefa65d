#include "kernel_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace e4mext::jobfuzz {

KernelLog::KernelLog() : fd_(::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC))
{
	if (!fd_.valid()) {
		why_unreadable_ = std::string("cannot open /dev/kmsg: ") + std::strerror(errno);
		return;
	}
	skip_to_end();
}

void KernelLog::skip_to_end()
{
	if (fd_.valid())
		::lseek(fd_.get(), 0, SEEK_END);
}

std::vector<std::string> KernelLog::new_complaints()
{
	std::vector<std::string> out;
	if (!fd_.valid())
		return out;
	char record[8192];
	for (;;) {
		// One record per read.
		const ssize_t n = ::read(fd_.get(), record, sizeof record - 1);
		if (n < 0 && errno == EPIPE)
			continue; // records were overwritten before we read them: go on with the next
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; // EAGAIN: nothing new
		if (std::string complaint = kernel_complaint(std::string_view(record, static_cast<size_t>(n))); !complaint.empty())
			out.push_back(std::move(complaint));
	}
	return out;
}

std::string kernel_complaint(std::string_view record)
{
	const size_t semicolon = record.find(';');
	std::string_view message = semicolon == std::string_view::npos ? record : record.substr(semicolon + 1);
	message = message.substr(0, message.find('\n'));
	for (const char *mark : {"WARNING:", "BUG:", "Oops"})
		if (message.find(mark) != std::string_view::npos)
			return std::string(message);
	return "";
}

} // namespace e4mext::jobfuzz
