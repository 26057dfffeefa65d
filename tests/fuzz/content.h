// The data the fuzzer lays out: a pure function of (seed, case, path, offset), so the expected bytes
// of any file are made again for the comparison instead of being kept in a copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace e4mext::jobfuzz {

// The key of one file's content: splitmix64 over the seed, the case and the path's bytes.
uint64_t content_key(uint64_t seed, uint64_t index, std::string_view path);

// The bytes [offset, offset + length) of the content with that key: byte p is byte (p mod 8) of
// splitmix64(key + (p / 8) * 0x9e3779b97f4a7c15), little-endian.
void fill_content(uint64_t key, uint64_t offset, unsigned char *out, size_t length);

// Creates path (it must not exist) and writes size bytes of content (the caller syncs: one syncfs
// for a case's files). Throws std::runtime_error naming the path and the errno.
void lay_out_file(const std::string &path, uint64_t key, uint64_t size);

// How a file compares with the content it was laid out with.
struct ContentCheck {
	bool missing = false;
	bool same = false;
	uint64_t size = 0; // found
	uint64_t expected_size = 0;
	uint64_t first_difference = 0; // byte offset, when not the same
	uint64_t blocks_differing = 0; // 4 KiB blocks, within the shorter of the two sizes
	std::string first_block_holds; // what the first differing 4 KiB block holds now: "zeros", ...

	std::string describe() const; // one line, for a failure message
};

ContentCheck check_content(const std::string &path, uint64_t key, uint64_t expected_size);

} // namespace e4mext::jobfuzz
