#include "kernel_log.h"

#include "process.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace e4mext::runner {

namespace {

UniqueFd open_kmsg()
{
	return UniqueFd(::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC));
}

} // namespace

std::optional<KernelLogRecord> parse_kernel_log_record(std::string_view record)
{
	const auto first_comma = record.find(',');
	const auto semicolon = record.find(';');
	if (first_comma == std::string_view::npos || semicolon == std::string_view::npos || first_comma > semicolon)
		return std::nullopt;
	KernelLogRecord r;
	std::from_chars(record.data() + first_comma + 1, record.data() + semicolon, r.sequence);
	const auto end = record.find('\n', semicolon);
	r.text = std::string(
		record.substr(semicolon + 1, end == std::string_view::npos ? std::string_view::npos : end - semicolon - 1));
	return r;
}

std::string kernel_log_unreadable()
{
	if (open_kmsg())
		return "";
	return std::string("cannot open /dev/kmsg: ") + std::strerror(errno);
}

// Each read() returns one record; EAGAIN at the end; EPIPE when records were overwritten while
// reading (they are gone: go on with the next).
std::vector<KernelLogRecord> kernel_log_records(uint64_t sequence)
{
	std::vector<KernelLogRecord> records;
	const UniqueFd fd = open_kmsg();
	if (!fd)
		return records;
	char buf[8192];
	for (;;) {
		const ssize_t n = ::read(fd.get(), buf, sizeof buf);
		if (n < 0 && (errno == EPIPE || errno == EINTR))
			continue;
		if (n <= 0)
			break;
		if (auto r = parse_kernel_log_record(std::string_view(buf, static_cast<size_t>(n))); r && r->sequence > sequence)
			records.push_back(std::move(*r));
	}
	return records;
}

uint64_t kernel_log_sequence()
{
	const std::vector<KernelLogRecord> records = kernel_log_records();
	return records.empty() ? 0 : records.back().sequence;
}

std::vector<std::string> kernel_log_since(uint64_t sequence)
{
	std::vector<std::string> lines;
	for (KernelLogRecord &r : kernel_log_records(sequence))
		lines.push_back(std::move(r.text));
	return lines;
}

} // namespace e4mext::runner
