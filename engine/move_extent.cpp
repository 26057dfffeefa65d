#include "move_extent.h"

#include <fcntl.h>

#include <cerrno>

namespace e4mext {

int move_extent_ioctl(int orig_fd, int donor_fd, const MoveRequest &request, uint64_t *moved_len) noexcept
{
	MoveExtentArgs args{};
	args.donor_fd = static_cast<__u32>(donor_fd);
	args.orig_start = request.orig_start;
	args.donor_start = request.donor_start;
	args.len = request.len;
	int rc = ::ioctl(orig_fd, kMoveExtIoctl, &args);
	*moved_len = args.moved_len;
	return rc == 0 ? 0 : errno;
}

int write_back_range(int fd, uint64_t offset, uint64_t length) noexcept
{
	const unsigned flags = SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER;
	return ::sync_file_range(fd, static_cast<off_t>(offset), static_cast<off_t>(length), flags) == 0 ? 0 : errno;
}

} // namespace e4mext
