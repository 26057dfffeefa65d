#include "block_range.h"

#include <cerrno>

namespace e4mext {

Status check_aligned(const char *what, uint64_t bytes, uint64_t block_size)
{
	if (bytes % block_size == 0)
		return {};
	return Error{EINVAL, std::string(what) + "=" + std::to_string(bytes) + " is not a multiple of the filesystem block size " +
				     std::to_string(block_size) +
				     ": a move covers whole blocks, so neighbouring I/Os would move the same "
				     "block twice; use a multiple of " +
				     std::to_string(block_size)};
}

Status check_block_limit(uint64_t offset, uint64_t length, unsigned shift)
{
	const BlockRange range = blocks_covering(offset, length, shift);
	if (range.start < kMaxMoveBlocks && range.count < kMaxMoveBlocks && range.start + range.count < kMaxMoveBlocks)
		return {};
	return Error{EINVAL, "the range ends at block " + std::to_string(range.start + range.count) +
				     ", beyond EXT4_IOC_MOVE_EXT's limit of 2^32-1 blocks; use a smaller file or size="};
}

} // namespace e4mext
