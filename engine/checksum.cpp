#include "checksum.h"

#include "engine_error.h"
#include "unique_fd.h"

#include <fcntl.h>
#include <xxhash.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

namespace e4mext {

ContentHash::ContentHash() : state_(XXH64_createState())
{
	if (!state_)
		throw std::bad_alloc();
	XXH64_reset(state_, 0);
}

ContentHash::~ContentHash()
{
	XXH64_freeState(state_);
}

void ContentHash::update(const unsigned char *data, size_t length)
{
	XXH64_update(state_, data, length);
}

uint64_t ContentHash::value() const
{
	return XXH64_digest(state_);
}

std::string hash_hex(uint64_t hash)
{
	char text[17];
	std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
	return text;
}

Result<FileChecksum> checksum_file_direct(int open_fd, const std::string &path)
{
	constexpr size_t kChunk = 1 << 20; // a multiple of every logical block size
	const std::string by_fd = "/proc/self/fd/" + std::to_string(open_fd);
	UniqueFd fd(::open(by_fd.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC));
	if (!fd.valid())
		return errno_error(errno, "verify_data: open " + path + " with O_DIRECT");
	void *raw = nullptr;
	if (::posix_memalign(&raw, 4096, kChunk) != 0)
		return errno_error(ENOMEM, "verify_data: buffer for " + path);
	std::unique_ptr<unsigned char, decltype(&std::free)> buffer(static_cast<unsigned char *>(raw), &std::free);

	ContentHash hash;
	FileChecksum sum;
	for (off_t offset = 0;;) {
		const ssize_t n = ::pread(fd.get(), buffer.get(), kChunk, offset);
		if (n < 0)
			return errno_error(errno, "verify_data: read " + path + " at offset " + std::to_string(offset));
		if (n == 0)
			break;
		hash.update(buffer.get(), static_cast<size_t>(n));
		sum.bytes += static_cast<uint64_t>(n);
		offset += n;
	}
	sum.hash = hash.value();
	return sum;
}

Result<FileChecksum> checksum_file_direct(const std::string &path)
{
	UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd.valid())
		return errno_error(errno, "verify_data: open " + path);
	return checksum_file_direct(fd.get(), path);
}

} // namespace e4mext
