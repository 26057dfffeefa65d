// The XXH64 checksum (seed 0, as `xxhsum -H64` prints it) of a file read with O_DIRECT, so that
// proving the data survived a move neither warms nor trusts the page cache (dirty pages are written
// back before the read), and anyone can check the recorded value with a standard tool.
#pragma once

#include "engine_error.h"

#include <cstddef>
#include <cstdint>
#include <string>

struct XXH64_state_s; // libxxhash's streaming state

namespace e4mext {

// XXH64 over a stream of bytes, fed in pieces of any size (libxxhash). Out of memory for its
// state is std::bad_alloc, as for any allocation.
class ContentHash {
public:
	ContentHash();
	~ContentHash();
	ContentHash(const ContentHash &) = delete;
	ContentHash &operator=(const ContentHash &) = delete;
	void update(const unsigned char *data, size_t length);
	uint64_t value() const;

private:
	::XXH64_state_s *state_;
};

// 16 lowercase hex digits, as xxhsum prints an XXH64 value.
std::string hash_hex(uint64_t hash);

struct FileChecksum {
	uint64_t hash = 0;
	uint64_t bytes = 0;
	bool operator==(const FileChecksum &) const = default;
};

// Checksums the whole file open as `fd` through a second, O_DIRECT descriptor of the same inode
// (so it works after the name is gone, e.g. fio's unlink=1). Errors name `path`.
Result<FileChecksum> checksum_file_direct(int fd, const std::string &path);
// The same for a file by name.
Result<FileChecksum> checksum_file_direct(const std::string &path);

} // namespace e4mext
