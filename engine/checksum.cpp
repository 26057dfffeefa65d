#include "checksum.h"

#include "error.h"
#include "unique_fd.h"

#include <fcntl.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace e4mext {

void ContentHash::update(const unsigned char *data, size_t length)
{
	constexpr uint64_t kPrime = 0x100000001b3ULL * 0x9e3779b1ULL | 1;
	size_t i = 0;
	for (; i + 8 <= length; i += 8) {
		uint64_t word;
		std::memcpy(&word, data + i, 8);
		state_ = (state_ ^ word) * kPrime;
		state_ ^= state_ >> 29;
	}
	for (; i < length; ++i)
		state_ = (state_ ^ data[i]) * kPrime;
	length_ += length;
}

uint64_t ContentHash::value() const
{
	uint64_t h = state_ ^ length_;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

FileChecksum checksum_file_direct(int open_fd, const std::string &path)
{
	constexpr size_t kChunk = 1 << 20; // a multiple of every logical block size
	const std::string by_fd = "/proc/self/fd/" + std::to_string(open_fd);
	UniqueFd fd(::open(by_fd.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC));
	if (!fd.valid())
		throw_errno(errno, "verify_data: open " + path + " with O_DIRECT");
	void *raw = nullptr;
	if (::posix_memalign(&raw, 4096, kChunk) != 0)
		throw_errno(ENOMEM, "verify_data: buffer for " + path);
	std::unique_ptr<unsigned char, decltype(&std::free)> buffer(static_cast<unsigned char *>(raw), &std::free);

	ContentHash hash;
	FileChecksum sum;
	for (off_t offset = 0;;) {
		const ssize_t n = ::pread(fd.get(), buffer.get(), kChunk, offset);
		if (n < 0)
			throw_errno(errno, "verify_data: read " + path + " at offset " + std::to_string(offset));
		if (n == 0)
			break;
		hash.update(buffer.get(), static_cast<size_t>(n));
		sum.bytes += static_cast<uint64_t>(n);
		offset += n;
	}
	sum.hash = hash.value();
	return sum;
}

FileChecksum checksum_file_direct(const std::string &path)
{
	UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd.valid())
		throw_errno(errno, "verify_data: open " + path);
	return checksum_file_direct(fd.get(), path);
}

} // namespace e4mext
