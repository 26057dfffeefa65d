#include "mover.h"

#include "block_range.h"

#include <algorithm>
#include <cerrno>

namespace e4mext {

MoveOutcome Mover::move(int orig_fd, int donor_fd, uint64_t offset, uint64_t length) noexcept
{
	const BlockRange range = blocks_covering(offset, length, block_shift_);
	++stats_.moves;
	stats_.bytes_requested += length;
	stats_.blocks_requested += range.count;
	uint64_t done = 0;
	unsigned retries_left = busy_retries_;
	for (;;) {
		const uint64_t first = range.start + done;
		uint64_t moved = 0;
		const int rc = move_fn_(orig_fd, donor_fd, {first, first, range.count - done}, &moved);
		done += std::min(moved, range.count - done); // never trust more than was asked
		if (rc == EBUSY && retries_left > 0 && done < range.count) {
			--retries_left;
			++stats_.retries;
			if (write_back_) {
				const uint64_t from = (range.start + done) << block_shift_;
				if (const int wb = write_back_(orig_fd, from, (range.count - done) << block_shift_); wb != 0)
					return finish(done, range.count, length, wb);
				++stats_.write_backs;
			}
			continue; // resume where the kernel stopped: nothing is moved twice
		}
		return finish(done, range.count, length, rc);
	}
}

MoveOutcome Mover::finish(uint64_t blocks_done, uint64_t blocks_asked, uint64_t length, int rc) noexcept
{
	stats_.blocks_moved += blocks_done;
	if (blocks_done > 0 && blocks_done < blocks_asked)
		++stats_.partial_moves;
	const uint64_t bytes = std::min(blocks_done << block_shift_, length);
	int error = rc;
	if (rc == 0 && blocks_done == 0)
		error = ENODATA; // the kernel succeeded but moved nothing (holes, or past EOF)
	switch (error) {
	case 0: break;
	case EBUSY: ++stats_.ebusy; break;
	case ENODATA: ++stats_.enodata; break;
	default: ++stats_.other_errors; break;
	}
	return {bytes, error};
}

} // namespace e4mext
