// Byte ranges of fio I/Os to filesystem block ranges. Block sizes are powers of two (ext4: 1k-64k),
// so the hot path shifts instead of dividing.
#pragma once

#include "engine_error.h"

#include <cstdint>

namespace e4mext {

struct BlockRange {
	uint64_t start = 0; // first block
	uint64_t count = 0; // number of blocks
	bool operator==(const BlockRange &) const = default;
};

// log2 of a power-of-two block size, or -1 when block_size is not one.
constexpr int block_shift_of(uint64_t block_size)
{
	if (block_size == 0 || (block_size & (block_size - 1)) != 0)
		return -1;
	int shift = 0;
	while ((uint64_t{1} << shift) != block_size)
		++shift;
	return shift;
}

// The blocks covering the bytes [offset, offset + length).
constexpr BlockRange blocks_covering(uint64_t offset, uint64_t length, unsigned shift)
{
	const uint64_t mask = (uint64_t{1} << shift) - 1;
	const uint64_t first = offset >> shift;
	const uint64_t end = (offset + length + mask) >> shift;
	return {first, end - first};
}

// The kernel refuses starts or lengths at or above 2^32-1 blocks (EINVAL).
inline constexpr uint64_t kMaxMoveBlocks = 0xffffffffULL;

// An I/O geometry value that is not whole blocks is refused (EINVAL, saying why): a move covers
// whole blocks. `what` names the fio option the value came from (e.g. "bs", "offset").
Status check_aligned(const char *what, uint64_t bytes, uint64_t block_size);

// [offset, offset+length) beyond the ioctl's 2^32-1 block limits is refused (EINVAL).
Status check_block_limit(uint64_t offset, uint64_t length, unsigned shift);

} // namespace e4mext
