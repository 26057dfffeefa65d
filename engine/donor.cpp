#include "donor.h"

#include "checks.h"
#include "engine_error.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

namespace e4mext {

namespace {

// The run token in the donor tag, or nullopt when the file carries none (a user's file).
std::optional<std::string> donor_tag(int fd)
{
	char value[128];
	const ssize_t n = ::fgetxattr(fd, kDonorXattr, value, sizeof value);
	if (n < 0)
		return errno == ERANGE ? std::optional<std::string>("?") : std::nullopt;
	return std::string(value, static_cast<size_t>(n));
}

// What written donor blocks hold: a recognisable pattern, never the original's data.
constexpr unsigned char kDonorPattern = 0xd0;

std::string parent_directory(const std::string &path)
{
	const size_t slash = path.rfind('/');
	if (slash == std::string::npos)
		return ".";
	return slash == 0 ? "/" : path.substr(0, slash);
}

// Returns 0 or the errno.
int write_pattern(int fd, uint64_t offset, uint64_t length) noexcept
{
	static const std::vector<unsigned char> chunk(1 << 20, kDonorPattern);
	while (length > 0) {
		const size_t n = length < chunk.size() ? length : chunk.size();
		const ssize_t written = ::pwrite(fd, chunk.data(), n, static_cast<off_t>(offset));
		if (written < 0)
			return errno;
		offset += static_cast<uint64_t>(written);
		length -= static_cast<uint64_t>(written);
	}
	return ::fdatasync(fd) == 0 ? 0 : errno;
}

} // namespace

std::string this_run_token()
{
	// Field 22 of /proc/self/stat is the start time; the name before it (field 2) may hold spaces.
	std::ifstream in("/proc/self/stat");
	std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
	std::string start = "0";
	if (const size_t paren = stat.rfind(')'); paren != std::string::npos) {
		std::istringstream fields(stat.substr(paren + 2));
		std::string field;
		for (int i = 3; i <= 22 && fields >> field; ++i)
			if (i == 22)
				start = field;
	}
	return "run " + std::to_string(::getpid()) + "." + start;
}

Result<std::unique_ptr<Donor>> Donor::open(const DonorSpec &spec, const FileFacts &orig, uint64_t offset, uint64_t end)
{
	std::unique_ptr<Donor> donor(new Donor(spec));
	if (Status s = donor->open_or_create(); !s)
		return s.error();
	if (Status s = donor->prepare(orig, offset, end); !s) {
		// Even with keep_donor: a donor that never served is not worth keeping.
		if (donor->created_)
			::unlink(donor->spec_.path.c_str());
		donor->created_ = false;
		return s.error();
	}
	return donor;
}

Status Donor::prepare(const FileFacts &orig, uint64_t offset, uint64_t end)
{
	const Result<FileFacts> facts = inspect_file(fd_.get(), spec_.path);
	if (!facts)
		return facts.error();
	if (const std::vector<Error> problems = check_donor(orig, *facts); !problems.empty())
		return problems.front();
	if (untagged_) {
		if (Status accepted = accept_untagged(); !accepted)
			return accepted;
	}
	if (spec_.inplace)
		return make_holes(offset, end);
	if (spec_.mode == DonorMode::written)
		return make_written(offset, end - offset);
	return make_unwritten(offset, end - offset);
}

Donor::~Donor()
{
	static_cast<void>(remove()); // what could not be removed was reported by finish(), or cannot be now
}

Status Donor::remove()
{
	if (!created_ || spec_.keep)
		return {};
	created_ = false; // once, whatever the outcome
	if (::unlink(spec_.path.c_str()) == 0 || errno == ENOENT)
		return {};
	return errno_error(errno, "remove the donor " + spec_.path);
}

Status Donor::open_or_create()
{
	// Look before opening: opening a device node read-write has effects of its own (a loop device
	// node creates the device), and a link or a directory is never what a donor name should be.
	struct stat st;
	if (::lstat(spec_.path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
		return Error{
			S_ISDIR(st.st_mode) ? EISDIR : EINVAL,
			"donor " + spec_.path + " is " + file_kind(st.st_mode) +
				", not a regular file; e4mext only uses regular files as donors (and follows no symbolic link): "
				"name a regular file, or a new name, with donorname="};
	const std::string dir = parent_directory(spec_.path);
	const Result<bool> created = create_tagged(dir.c_str());
	if (!created)
		return created.error();
	return *created ? Status() : open_existing();
}

// Creates the donor with its tag already set, so that a job sharing the name never sees it
// untagged: an unnamed O_TMPFILE inode gets the xattr, then its name. Returns false when a file of
// that name exists.
Result<bool> Donor::create_tagged(const char *dir)
{
	UniqueFd tmp(::open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
	if (!tmp.valid()) {
		const int err = errno;
		if (err == EOPNOTSUPP || err == EISDIR)
			return create_then_tag(); // a filesystem without O_TMPFILE
		return errno_error(err, "create donor " + spec_.path,
				   err == ENOENT   ? "its directory does not exist: create it or change donorname=/directory="
				   : err == EACCES ? "the directory is not writable: fix its permissions or change donorname="
				   : err == ENOSPC ? "the filesystem is full: free space or use a smaller size="
						   : "");
	}
	tag(tmp.get());
	// Held from before the donor has a name: another run never sees it tagged and unheld.
	::flock(tmp.get(), LOCK_SH);
	const std::string by_fd = "/proc/self/fd/" + std::to_string(tmp.get());
	if (::linkat(AT_FDCWD, by_fd.c_str(), AT_FDCWD, spec_.path.c_str(), AT_SYMLINK_FOLLOW) != 0) {
		if (errno == EEXIST)
			return false;
		if (errno == ENOENT)
			return create_then_tag(); // no /proc to name the unnamed inode by
		return errno_error(errno, "create donor " + spec_.path);
	}
	fd_ = std::move(tmp);
	created_ = true;
	return true;
}

Result<bool> Donor::create_then_tag()
{
	fd_.reset(::open(spec_.path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
	if (!fd_.valid()) {
		const int err = errno;
		if (err == EEXIST)
			return false;
		return errno_error(err, "create donor " + spec_.path,
				   err == ENOSPC ? "the filesystem is full: free space or use a smaller size=" : "");
	}
	created_ = true;
	::flock(fd_.get(), LOCK_SH);
	tag(fd_.get());
	return true;
}

// Best effort: the tag only helps recognise the donor later.
void Donor::tag(int fd) const
{
	const std::string value = spec_.run_token.empty() ? "1" : spec_.run_token;
	::fsetxattr(fd, kDonorXattr, value.data(), value.size(), 0);
}

Status Donor::open_existing()
{
	// O_NONBLOCK: should a FIFO have taken the name since the look, the open must not hang on it.
	fd_.reset(::open(spec_.path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
	if (!fd_.valid()) {
		const int err = errno;
		return Error{err, "open existing donor " + spec_.path + " read-write: " + errno_text(err) + "; " +
					  write_open_advice(spec_.path, err, "choose another donorname=")};
	}
	struct stat st;
	if (::fstat(fd_.get(), &st) != 0 || !S_ISREG(st.st_mode))
		return Error{EINVAL, "donor " + spec_.path +
					     " was replaced by something that is not a regular file while e4mext "
					     "opened it; name a regular file with donorname="};
	const std::optional<std::string> tag = donor_tag(fd_.get());
	if (tag)
		return adopt_tagged(*tag);
	if (spec_.default_name)
		return Error{EEXIST, "donor " + spec_.path +
					     " already exists and was not created by e4mext; refusing to "
					     "touch it: remove it yourself, or name a donor with donorname="};
	untagged_ = true; // a user's file: accept_untagged() decides, once check_donor() has looked at it
	return {};
}

// An existing file e4mext did not create serves only when the user gives its contents up.
Status Donor::accept_untagged()
{
	const std::string reset_to = spec_.inplace ? "holes" : donor_mode_name(spec_.mode);
	if (!spec_.overwrite)
		return Error{EEXIST, "donor " + spec_.path +
					     " already exists and was not created by e4mext; serving as donor would give up "
					     "its contents (its range is reset to " +
					     reset_to +
					     " and then receives the original's old blocks), so e4mext refuses it: name a new "
					     "file with donorname=, or set donor_overwrite=1 to give its contents up"};
	notice_ = "donor_overwrite=1: gave up the contents of the existing file " + spec_.path +
		  ", which e4mext did not create: its range was reset to " + reset_to +
		  " to serve as donor; it is kept at the end (e4mext does not remove files it did not create)";
	return {};
}

// A donor carrying e4mext's tag: made by another job of this run that shares it, or left behind by
// an interrupted run - or the live donor of another run, which is refused. Whoever uses it holds a
// shared flock() on it; a free one is taken over (its tag rewritten under an exclusive lock).
Status Donor::adopt_tagged(const std::string &tag)
{
	const std::string mine = spec_.run_token.empty() ? "1" : spec_.run_token;
	bool left_behind = false;
	if (tag != mine) {
		if (::flock(fd_.get(), LOCK_EX | LOCK_NB) == 0) {
			left_behind = true;
			this->tag(fd_.get());
		} else if (errno != EWOULDBLOCK) {
			return errno_error(errno, "donor " + spec_.path + ": lock it");
		}
	}
	// Shared from here on (a sibling taking the donor over holds it exclusively for a moment).
	if (::flock(fd_.get(), LOCK_SH) != 0)
		return errno_error(errno, "donor " + spec_.path + ": lock it");
	if (!left_behind && donor_tag(fd_.get()) != mine)
		return Error{EBUSY, "donor " + spec_.path + " is in use by another e4mext run that is still running (" + tag +
					    " holds it); resetting it would wreck that run's moves, so e4mext refuses "
					    "the job: wait for that run to end, or name another donor with donorname= (two "
					    "runs on one file share the default donor name of the same job number)"};
	// Ours to reset now and to remove at the end.
	created_ = true;
	if (left_behind)
		notice_ = "reset the donor " + spec_.path + ", which an earlier, interrupted e4mext run left behind (tagged " +
			  kDonorXattr + ", held by no running job); it is removed at the end";
	else if (spec_.shared_by <= 1)
		notice_ = "reset the donor " + spec_.path +
			  ", which e4mext created for another job of this run that names the same donor; it is removed "
			  "at the end";
	return {};
}

// In place mode: holes now; each move allocates its range (acquire) and frees it (release).
Status Donor::make_holes(uint64_t offset, uint64_t end)
{
	struct stat st;
	if (::fstat(fd_.get(), &st) == 0 && static_cast<uint64_t>(st.st_size) < end &&
	    ::ftruncate(fd_.get(), static_cast<off_t>(end)) != 0)
		return errno_error(errno, "donor " + spec_.path + ": extend to " + std::to_string(end) + " bytes");
	// Under the range lock: a sibling job sharing this donor may already be moving into it.
	if (spec_.lock_ranges) {
		if (Status locked = lock_range(offset, end - offset, F_WRLCK); !locked)
			return locked;
	}
	const int rc = ::fallocate(fd_.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
				   static_cast<off_t>(end - offset));
	const int punch_errno = errno;
	if (spec_.lock_ranges)
		static_cast<void>(lock_range(offset, end - offset, F_UNLCK));
	if (rc != 0)
		return errno_error(punch_errno, "donor " + spec_.path + ": free its range");
	return {};
}

Status Donor::make_unwritten(uint64_t offset, uint64_t length)
{
	// Punch first: a donor written by an earlier run must not turn an unwritten (U) run into M.
	if (::fallocate(fd_.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
			static_cast<off_t>(length)) != 0)
		return errno_error(errno, "donor " + spec_.path + ": free its range before preallocating");
	if (::fallocate(fd_.get(), 0, static_cast<off_t>(offset), static_cast<off_t>(length)) != 0) {
		const int err = errno;
		return errno_error(err, "donor " + spec_.path + ": preallocate " + std::to_string(length) + " bytes",
				   err == ENOSPC ? "the filesystem needs room for a donor as large as the moved range" : "");
	}
	return {};
}

Status Donor::make_written(uint64_t offset, uint64_t length)
{
	if (int err = write_pattern(fd_.get(), offset, length); err != 0)
		return errno_error(err, "donor " + spec_.path + ": write " + std::to_string(length) + " bytes of data",
				   err == ENOSPC ? "the filesystem needs room for a donor as large as the moved range" : "");
	// Drop the donor's pages: the measurement must not depend on what this setup left cached.
	::posix_fadvise(fd_.get(), static_cast<off_t>(offset), static_cast<off_t>(length), POSIX_FADV_DONTNEED);
	return {};
}

Status Donor::lock_range(uint64_t offset, uint64_t length, short type)
{
	struct flock lock {};
	lock.l_type = type;
	lock.l_whence = SEEK_SET;
	lock.l_start = static_cast<off_t>(offset);
	lock.l_len = static_cast<off_t>(length);
	if (::fcntl(fd_.get(), F_OFD_SETLKW, &lock) == 0)
		return {};
	return errno_error(errno, "donor " + spec_.path + ": " + (type == F_UNLCK ? "unlock" : "lock") + " its range");
}

Status Donor::acquire(uint64_t offset, uint64_t length)
{
	if (spec_.lock_ranges) {
		// Another job's move into the same range must not see it allocated or freed under it.
		if (Status locked = lock_range(offset, length, F_WRLCK); !locked)
			return locked;
	}
	int err;
	if (spec_.mode == DonorMode::written)
		err = write_pattern(fd_.get(), offset, length);
	else
		err = ::fallocate(fd_.get(), 0, static_cast<off_t>(offset), static_cast<off_t>(length)) == 0 ? 0 : errno;
	if (err == 0)
		return {};
	if (spec_.lock_ranges)
		static_cast<void>(lock_range(offset, length, F_UNLCK));
	return errno_error(err, "donor " + spec_.path + ": allocate its range at offset " + std::to_string(offset) + ", length " +
					std::to_string(length));
}

Status Donor::release(uint64_t offset, uint64_t length)
{
	// Free only this move's range: truncating the whole donor (as fio's built-in does) would pull
	// blocks from under a sibling's move.
	const int err = ::fallocate(fd_.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
				    static_cast<off_t>(length)) == 0
				? 0
				: errno;
	if (spec_.lock_ranges)
		static_cast<void>(lock_range(offset, length, F_UNLCK));
	if (err == 0)
		return {};
	return errno_error(err, "donor " + spec_.path + ": free its range at offset " + std::to_string(offset) + ", length " +
					std::to_string(length));
}

} // namespace e4mext
