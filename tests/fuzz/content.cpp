#include "content.h"

#include "unique_fd.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace e4mext::jobfuzz {

namespace {

constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ULL;
constexpr size_t kChunk = 1 << 20;
constexpr size_t kBlock = 4096;
// What written donor blocks hold (engine/donor.cpp): seen in an original, a donor's data leaked in.
constexpr unsigned char kDonorPattern = 0xd0;

uint64_t splitmix64(uint64_t x)
{
	x += kGolden;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

[[noreturn]] void fail_errno(const std::string &what, const std::string &path)
{
	throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

bool all_bytes(const unsigned char *p, size_t n, unsigned char value)
{
	return std::all_of(p, p + n, [value](unsigned char c) { return c == value; });
}

std::string block_contents(const unsigned char *p, size_t n)
{
	if (all_bytes(p, n, 0))
		return "zeros";
	if (all_bytes(p, n, kDonorPattern))
		return "the engine's written-donor pattern 0xd0";
	return "other data";
}

// Reads up to n bytes at offset; returns how many (short only at the end of the file).
size_t read_at(int fd, unsigned char *buf, size_t n, uint64_t offset, const std::string &path)
{
	size_t done = 0;
	while (done < n) {
		const ssize_t got = ::pread(fd, buf + done, n - done, static_cast<off_t>(offset + done));
		if (got < 0) {
			if (errno == EINTR)
				continue;
			fail_errno("read", path);
		}
		if (got == 0)
			break;
		done += static_cast<size_t>(got);
	}
	return done;
}

// Byte by byte: byte p is byte (p mod 8) of its word, little-endian on any machine.
void fill_content_bytes(uint64_t key, uint64_t offset, unsigned char *out, size_t length)
{
	size_t i = 0;
	while (i < length) {
		const uint64_t pos = offset + i;
		const uint64_t word = splitmix64(key + (pos >> 3) * kGolden);
		unsigned char bytes[8];
		for (unsigned b = 0; b < 8; ++b)
			bytes[b] = static_cast<unsigned char>(word >> (8 * b));
		const size_t skip = pos & 7;
		const size_t n = std::min<size_t>(8 - skip, length - i);
		std::memcpy(out + i, bytes + skip, n);
		i += n;
	}
}

// One buffer of kChunk bytes each, made once: a new one per file cost more (zeroing, page faults)
// than filling it.
struct Buffers {
	std::vector<unsigned char> content = std::vector<unsigned char>(kChunk);
	std::vector<unsigned char> seen = std::vector<unsigned char>(kChunk);
};

Buffers &buffers()
{
	static thread_local Buffers b;
	return b;
}

} // namespace

uint64_t content_key(uint64_t seed, uint64_t index, std::string_view path)
{
	uint64_t key = splitmix64(seed ^ splitmix64(index));
	for (unsigned char c : path)
		key = splitmix64(key ^ c);
	return key;
}

void fill_content(uint64_t key, uint64_t offset, unsigned char *out, size_t length)
{
	if constexpr (std::endian::native != std::endian::little)
		return fill_content_bytes(key, offset, out, length);
	// Whole words where the offset is a multiple of 8: a word's bytes lie in memory in that order here.
	size_t i = std::min<size_t>(length, (8 - (offset & 7)) & 7);
	fill_content_bytes(key, offset, out, i);
	for (; i + 8 <= length; i += 8) {
		const uint64_t word = splitmix64(key + ((offset + i) >> 3) * kGolden);
		std::memcpy(out + i, &word, 8);
	}
	fill_content_bytes(key, offset + i, out + i, length - i);
}

void lay_out_file(const std::string &path, uint64_t key, uint64_t size)
{
	e4mext::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
	if (!fd.valid())
		fail_errno("create", path);
	std::vector<unsigned char> &buf = buffers().content;
	for (uint64_t offset = 0; offset < size;) {
		const size_t n = static_cast<size_t>(std::min<uint64_t>(kChunk, size - offset));
		fill_content(key, offset, buf.data(), n);
		const ssize_t written = ::pwrite(fd.get(), buf.data(), n, static_cast<off_t>(offset));
		if (written < 0 && errno == EINTR)
			continue;
		if (written <= 0)
			fail_errno("write", path);
		offset += static_cast<uint64_t>(written);
	}
}

ContentCheck check_content(const std::string &path, uint64_t key, uint64_t expected_size)
{
	ContentCheck r;
	r.expected_size = expected_size;
	e4mext::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd.valid()) {
		if (errno != ENOENT)
			fail_errno("open", path);
		r.missing = true;
		return r;
	}
	const off_t end = ::lseek(fd.get(), 0, SEEK_END);
	if (end < 0)
		fail_errno("seek in", path);
	r.size = static_cast<uint64_t>(end);
	const uint64_t common = std::min(r.size, expected_size);
	std::vector<unsigned char> &seen = buffers().seen, &expected = buffers().content;
	bool found_difference = false;
	for (uint64_t offset = 0; offset < common; offset += kChunk) {
		const size_t n = static_cast<size_t>(std::min<uint64_t>(kChunk, common - offset));
		if (read_at(fd.get(), seen.data(), n, offset, path) != n)
			throw std::runtime_error("read " + path + ": the file shrank while being compared");
		fill_content(key, offset, expected.data(), n);
		for (size_t b = 0; b < n; b += kBlock) {
			const size_t len = std::min(kBlock, n - b);
			if (std::memcmp(seen.data() + b, expected.data() + b, len) == 0)
				continue;
			++r.blocks_differing;
			if (!found_difference) {
				found_difference = true;
				size_t at = b;
				while (seen[at] == expected[at])
					++at;
				r.first_difference = offset + at;
				r.first_block_holds = block_contents(seen.data() + b, len);
			}
		}
	}
	r.same = !found_difference && r.size == expected_size;
	return r;
}

std::string ContentCheck::describe() const
{
	std::ostringstream out;
	if (missing)
		return "is missing";
	if (same)
		return "is unchanged";
	if (size != expected_size)
		out << "is " << size << " bytes instead of " << expected_size;
	if (blocks_differing > 0) {
		out << (size != expected_size ? ", and " : "") << blocks_differing << " of its 4 KiB blocks hold other data, "
		    << "the first from byte " << first_difference << " (the block holds " << first_block_holds << ")";
	}
	return out.str();
}

} // namespace e4mext::jobfuzz
