#include "donor.h"

#include "checks.h"
#include "error.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <cerrno>
#include <vector>

namespace e4mext {

namespace {

bool has_donor_xattr(int fd)
{
	char value[8];
	return ::fgetxattr(fd, kDonorXattr, value, sizeof value) >= 0;
}

// What written donor blocks hold: a recognisable pattern, never the original's data.
constexpr unsigned char kDonorPattern = 0xd0;

int write_pattern(int fd, uint64_t offset, uint64_t length) noexcept
{
	static const std::vector<unsigned char> chunk(1 << 20, kDonorPattern);
	while (length > 0) {
		const size_t n = length < chunk.size() ? length : chunk.size();
		const ssize_t written = ::pwrite(fd, chunk.data(), n, static_cast<off_t>(offset));
		if (written < 0)
			return -errno;
		offset += static_cast<uint64_t>(written);
		length -= static_cast<uint64_t>(written);
	}
	return ::fdatasync(fd) == 0 ? 0 : -errno;
}

} // namespace

Donor::Donor(const DonorSpec &spec, const FileFacts &orig, uint64_t offset, uint64_t end) : spec_(spec)
{
	open_or_create();
	try {
		const std::vector<Problem> problems = check_donor(orig, inspect_file(fd_.get(), spec_.path));
		if (!problems.empty())
			throw Error(problems.front().errnum, problems.front().message);
		if (spec_.inplace) {
			make_holes(offset, end);
		} else if (spec_.mode == DonorMode::written) {
			make_written(offset, end - offset);
		} else {
			make_unwritten(offset, end - offset);
		}
	} catch (...) {
		if (created_)
			::unlink(spec_.path.c_str());
		throw;
	}
}

Donor::~Donor()
{
	remove();
}

int Donor::remove() noexcept
{
	if (!created_ || spec_.keep)
		return 0;
	created_ = false; // once, whatever the outcome
	return ::unlink(spec_.path.c_str()) == 0 || errno == ENOENT ? 0 : errno;
}

void Donor::open_or_create()
{
	fd_.reset(::open(spec_.path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
	if (fd_.valid()) {
		created_ = true;
		::fsetxattr(fd_.get(), kDonorXattr, "1", 1, 0); // best effort: only helps recognise it later
		return;
	}
	if (errno != EEXIST)
		throw_errno(errno, "create donor " + spec_.path,
			    errno == ENOENT ? "its directory does not exist: create it or change donorname=/directory="
			    : errno == EACCES ? "the directory is not writable: fix its permissions or change donorname="
			    : errno == ENOSPC ? "the filesystem is full: free space or use a smaller size="
					      : "");
	fd_.reset(::open(spec_.path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
	if (!fd_.valid())
		throw_errno(errno, "open existing donor " + spec_.path, "check its permissions or choose another donorname=");
	const bool made_by_e4mext = has_donor_xattr(fd_.get());
	if (spec_.default_name && !made_by_e4mext)
		throw Error(EEXIST, "donor " + spec_.path + " already exists and was not created by e4mext; refusing to "
				    "touch it: remove it yourself, or name a donor with donorname=");
	if (made_by_e4mext) {
		// Left behind by an interrupted run (or made by another job sharing the name): ours to reset
		// now and to remove at the end.
		created_ = true;
		notice_ = "reset the donor " + spec_.path + ", which e4mext created before (left behind by an earlier, "
			  "interrupted run, or by another job sharing it); it is removed at the end";
	} else {
		notice_ = "used the existing file " + spec_.path + " as donor (its range reset to " +
			  (spec_.inplace ? "holes" : donor_mode_name(spec_.mode)) + "); e4mext does not remove files it did not create";
	}
}

// In place mode: holes now; each move allocates its range (acquire) and frees it (release).
void Donor::make_holes(uint64_t offset, uint64_t end)
{
	struct stat st;
	if (::fstat(fd_.get(), &st) == 0 && static_cast<uint64_t>(st.st_size) < end &&
	    ::ftruncate(fd_.get(), static_cast<off_t>(end)) != 0)
		throw_errno(errno, "donor " + spec_.path + ": extend to " + std::to_string(end) + " bytes");
	// Under the range lock: a sibling job sharing this donor may already be moving into it.
	if (spec_.shared && lock_range(offset, end - offset, F_WRLCK) != 0)
		throw_errno(errno, "donor " + spec_.path + ": lock its range");
	const int rc = ::fallocate(fd_.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
				   static_cast<off_t>(end - offset));
	const int punch_errno = errno;
	if (spec_.shared)
		lock_range(offset, end - offset, F_UNLCK);
	if (rc != 0)
		throw_errno(punch_errno, "donor " + spec_.path + ": free its range");
}

void Donor::make_unwritten(uint64_t offset, uint64_t length)
{
	// Punch first: a donor written by an earlier run must not turn an unwritten (U) run into M.
	if (::fallocate(fd_.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
			static_cast<off_t>(length)) != 0)
		throw_errno(errno, "donor " + spec_.path + ": free its range before preallocating");
	if (::fallocate(fd_.get(), 0, static_cast<off_t>(offset), static_cast<off_t>(length)) != 0)
		throw_errno(errno, "donor " + spec_.path + ": preallocate " + std::to_string(length) + " bytes",
			    errno == ENOSPC ? "the filesystem needs room for a donor as large as the moved range" : "");
}

void Donor::make_written(uint64_t offset, uint64_t length)
{
	if (int rc = write_pattern(fd_.get(), offset, length); rc != 0)
		throw_errno(-rc, "donor " + spec_.path + ": write " + std::to_string(length) + " bytes of data",
			    -rc == ENOSPC ? "the filesystem needs room for a donor as large as the moved range" : "");
	// Drop the donor's pages: the measurement must not depend on what this setup left cached.
	::posix_fadvise(fd_.get(), static_cast<off_t>(offset), static_cast<off_t>(length), POSIX_FADV_DONTNEED);
}

int Donor::lock_range(uint64_t offset, uint64_t length, short type) noexcept
{
	struct flock lock{};
	lock.l_type = type;
	lock.l_whence = SEEK_SET;
	lock.l_start = static_cast<off_t>(offset);
	lock.l_len = static_cast<off_t>(length);
	return ::fcntl(fd_.get(), F_OFD_SETLKW, &lock) == 0 ? 0 : -errno;
}

int Donor::acquire(uint64_t offset, uint64_t length) noexcept
{
	if (spec_.shared) {
		// Another job's move into the same range must not see it allocated or freed under it.
		if (int rc = lock_range(offset, length, F_WRLCK); rc != 0)
			return rc;
	}
	int rc;
	if (spec_.mode == DonorMode::written)
		rc = write_pattern(fd_.get(), offset, length);
	else
		rc = ::fallocate(fd_.get(), 0, static_cast<off_t>(offset), static_cast<off_t>(length)) == 0 ? 0 : -errno;
	if (rc != 0 && spec_.shared)
		lock_range(offset, length, F_UNLCK);
	return rc;
}

int Donor::release(uint64_t offset, uint64_t length) noexcept
{
	// Free only this move's range: truncating the whole donor (as fio's built-in does) would pull
	// blocks from under a sibling's move.
	int rc = ::fallocate(fd_.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
			     static_cast<off_t>(length)) == 0 ? 0 : -errno;
	if (spec_.shared)
		lock_range(offset, length, F_UNLCK);
	return rc;
}

} // namespace e4mext
