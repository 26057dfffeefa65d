// EXT4_IOC_MOVE_EXT as the kernel defines it (most distributions' uapi headers do not export it).
// All positions and lengths are in filesystem blocks.
#pragma once

#include <linux/types.h>
#include <sys/ioctl.h>

#include <cstdint>

namespace e4mext {

struct MoveExtentArgs {
	__u32 reserved;    // must be zero
	__u32 donor_fd;    // donor file descriptor
	__u64 orig_start;  // first block of the original
	__u64 donor_start; // first block of the donor
	__u64 len;         // blocks to move
	__u64 moved_len;   // out: blocks actually moved (also on error: partial progress)
};
static_assert(sizeof(MoveExtentArgs) == 40, "struct move_extent is 40 bytes in the kernel ABI");

inline constexpr unsigned long kMoveExtIoctl = _IOWR('f', 15, MoveExtentArgs);

struct MoveRequest {
	uint64_t orig_start;
	uint64_t donor_start;
	uint64_t len;
};

// Issues one EXT4_IOC_MOVE_EXT on orig_fd. Returns 0 or the errno (positive, as everywhere in the
// core: engine_error.h); *moved_len always receives what the kernel reported (0 when the call
// failed before the kernel touched the structure).
int move_extent_ioctl(int orig_fd, int donor_fd, const MoveRequest &request, uint64_t *moved_len) noexcept;

// The shape of move_extent_ioctl, so the mover can be driven by a fake in unit tests.
using MoveExtentFn = int (*)(int orig_fd, int donor_fd, const MoveRequest &request, uint64_t *moved_len);

// Writes the dirty pages of [offset, offset+length) of fd back and waits for them
// (sync_file_range: wait, write, wait). Returns 0 or the errno. The move refuses a page whose
// buffers are dirty (EBUSY: filemap_release_folio fails on them), and a page a buffered writer
// dirtied stays dirty until writeback, up to dirty_expire_centisecs (30 s by default) later.
int write_back_range(int fd, uint64_t offset, uint64_t length) noexcept;

// The shape of write_back_range, for the same fakes.
using WriteBackFn = int (*)(int fd, uint64_t offset, uint64_t length);

} // namespace e4mext
