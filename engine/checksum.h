// A fast 64-bit content checksum of a file read with O_DIRECT, so that proving the data survived a
// move neither warms nor trusts the page cache (dirty pages are written back before the read).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace e4mext {

// Streaming multiply-xor hash over 8-byte words (not cryptographic: it detects corruption).
class ContentHash {
public:
	void update(const unsigned char *data, size_t length);
	uint64_t value() const;

private:
	uint64_t state_ = 0x9e3779b97f4a7c15ULL;
	uint64_t length_ = 0;
};

struct FileChecksum {
	uint64_t hash = 0;
	uint64_t bytes = 0;
	bool operator==(const FileChecksum &) const = default;
};

// Checksums the whole file open as `fd` through a second, O_DIRECT descriptor of the same inode
// (so it works after the name is gone, e.g. fio's unlink=1). Throws Error naming `path`.
FileChecksum checksum_file_direct(int fd, const std::string &path);
// The same for a file by name.
FileChecksum checksum_file_direct(const std::string &path);

} // namespace e4mext
