// One fio write = one move of the blocks covering [offset, offset+length) from the original into the
// donor at the same offset. Honours moved_len (partial progress is counted once and reported as a
// short transfer) and optionally retries EBUSY from where the kernel stopped, after writing the
// rest of the range back when given a WriteBackFn (a buffered writer's dirty pages are busy).
#pragma once

#include "move_extent.h"

#include <cstdint>

namespace e4mext {

struct MoveStats {
	uint64_t moves = 0;         // fio writes handled
	uint64_t blocks_moved = 0;  // sum of moved_len over all calls
	uint64_t partial_moves = 0; // moves that moved some but not all blocks
	uint64_t ebusy = 0;         // EBUSY results handed to fio (after retries)
	uint64_t enodata = 0;       // ENODATA results, including "nothing to move"
	uint64_t other_errors = 0;
	uint64_t retries = 0;     // EBUSY retries issued
	uint64_t write_backs = 0; // ranges written back before a retry (busy_flush)
	// What was asked of the kernel: blocks_requested * block size == bytes_requested proves that no
	// move covered bytes fio did not ask for (a misaligned range is rounded out to whole blocks).
	uint64_t bytes_requested = 0;
	uint64_t blocks_requested = 0;
};

// What one fio write did - not an Error (engine_error.h): a short transfer and an errno may come
// together, and the per-write path has no message to build.
struct MoveOutcome {
	uint64_t bytes_moved = 0; // at most the requested length
	int error = 0;            // 0 or a positive errno for fio (io_u->error)
};

class Mover {
public:
	Mover(MoveExtentFn move_fn, unsigned block_shift, unsigned busy_retries, WriteBackFn write_back = nullptr) noexcept
		: move_fn_(move_fn), write_back_(write_back), block_shift_(block_shift), busy_retries_(busy_retries)
	{
	}

	MoveOutcome move(int orig_fd, int donor_fd, uint64_t offset, uint64_t length) noexcept;
	const MoveStats &stats() const noexcept { return stats_; }

private:
	MoveOutcome finish(uint64_t blocks_done, uint64_t blocks_asked, uint64_t length, int rc) noexcept;

	MoveExtentFn move_fn_;
	WriteBackFn write_back_; // nullptr: retry at once
	unsigned block_shift_;
	unsigned busy_retries_;
	MoveStats stats_;
};

} // namespace e4mext
