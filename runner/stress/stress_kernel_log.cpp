#include "stress_kernel_log.h"

#include "process.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <regex>

namespace e4mext::runner {

namespace {

struct KmsgRecord {
	uint64_t sequence = 0;
	std::string text; // the first line (continuation lines are the record's dictionary)
};

// Every record still in the buffer. Each read() returns one record; EAGAIN at the end; EPIPE when
// records were overwritten while reading (they are gone: go on with the next).
std::vector<KmsgRecord> read_kmsg()
{
	std::vector<KmsgRecord> records;
	UniqueFd fd(::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC));
	if (!fd)
		return records;
	char buf[8192];
	for (;;) {
		const ssize_t n = ::read(fd.get(), buf, sizeof buf);
		if (n < 0 && (errno == EPIPE || errno == EINTR))
			continue;
		if (n <= 0)
			break;
		const std::string_view record(buf, static_cast<size_t>(n));
		const auto first_comma = record.find(',');
		const auto semicolon = record.find(';');
		if (first_comma == std::string_view::npos || semicolon == std::string_view::npos)
			continue;
		KmsgRecord r;
		std::from_chars(record.data() + first_comma + 1, record.data() + record.size(), r.sequence);
		const auto end = record.find('\n', semicolon);
		r.text = std::string(
			record.substr(semicolon + 1, end == std::string_view::npos ? std::string_view::npos : end - semicolon - 1));
		records.push_back(std::move(r));
	}
	return records;
}

} // namespace

uint64_t kernel_log_sequence()
{
	const std::vector<KmsgRecord> records = read_kmsg();
	return records.empty() ? 0 : records.back().sequence;
}

std::vector<std::string> kernel_log_since(uint64_t sequence)
{
	std::vector<std::string> lines;
	for (KmsgRecord &r : read_kmsg())
		if (r.sequence > sequence)
			lines.push_back(std::move(r.text));
	return lines;
}

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
