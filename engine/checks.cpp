#include "checks.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>

namespace e4mext {

namespace {

std::string dev_text(dev_t dev)
{
	return std::to_string(major(dev)) + ":" + std::to_string(minor(dev));
}

bool has_flag(const FileFacts &f, uint32_t flag)
{
	return f.inode_flags && (*f.inode_flags & flag);
}

// Checks that apply to both files, phrased with the file's role ("original" or "donor").
void check_common(const FileFacts &f, const char *role, std::vector<Error> &out)
{
	const std::string who = std::string(role) + " " + f.path;
	if (f.fs_type != "ext4") {
		out.push_back({ENOTTY,
			       who + " is on " + (f.fs_type.empty() ? "an unknown filesystem" : f.fs_type) +
				       ", not ext4: EXT4_IOC_MOVE_EXT exists only on ext4; put it on an ext4 mount (directory=)"});
		return; // the ext4-specific checks below mean nothing elsewhere
	}
	if (!S_ISREG(f.mode))
		out.push_back(
			{EINVAL, who + " is not a regular file: only regular files can exchange extents; name a regular file"});
	if (f.read_only_mount)
		out.push_back({EROFS, who + " is on a read-only mount: remount it read-write (mount -o remount,rw)"});
	if (f.bigalloc.value_or(false))
		out.push_back(
			{EOPNOTSUPP,
			 who + " is on a bigalloc filesystem, where online defrag is not supported; use a filesystem made without -O bigalloc"});
	if (f.dax_mount || f.dax_file || has_flag(f, kFlagDax))
		out.push_back(
			{EOPNOTSUPP,
			 who + " uses DAX, where online defrag is refused (it once lost data through the page cache); use a mount without dax"});
	if (f.data_journal_mount || has_flag(f, kFlagJournalData))
		out.push_back(
			{EOPNOTSUPP,
			 who + " uses data journaling (data=journal or chattr +j), where extents cannot be moved; mount with data=ordered and chattr -j"});
	if (has_flag(f, kFlagEncrypted))
		out.push_back({EOPNOTSUPP,
			       who + " is encrypted, and encrypted files cannot exchange extents; use an unencrypted directory"});
	if (has_flag(f, kFlagInlineData))
		out.push_back(
			{EOPNOTSUPP,
			 who + " keeps its data inline in the inode (inline_data), so it has no extents to move; use a larger file or a filesystem without inline_data"});
	else if (f.inode_flags && !has_flag(f, kFlagExtents))
		out.push_back(
			{EOPNOTSUPP,
			 who + " is not extent-mapped (indirect blocks, e.g. from ext2/ext3); copy it to a new file on an ext4 filesystem with the extent feature"});
	if (f.active_swapfile)
		out.push_back({ETXTBSY, who + " is an active swap file; swapoff it first"});
}

} // namespace

std::string file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "a regular file";
	case S_IFDIR: return "a directory";
	case S_IFLNK: return "a symbolic link";
	case S_IFBLK: return "a block device node";
	case S_IFCHR: return "a character device node";
	case S_IFIFO: return "a FIFO";
	case S_IFSOCK: return "a socket";
	default: return "not a regular file";
	}
}

std::string write_open_advice(const std::string &path, int errnum, const std::string &otherwise)
{
	if (errnum == EPERM) {
		const std::optional<uint32_t> flags = read_inode_flags(path);
		if (flags && (*flags & kFlagImmutable))
			return "it is immutable (chattr +i): chattr -i it, or " + otherwise;
		if (flags && (*flags & kFlagAppend))
			return "it is append-only (chattr +a), and extents cannot move out of it: chattr -a it, or " + otherwise;
	}
	if (errnum == EACCES)
		return "no write permission: chmod u+w it, or " + otherwise;
	if (errnum == EROFS)
		return "its filesystem is mounted read-only: remount it read-write, or " + otherwise;
	return "check its permissions and attributes (lsattr), or " + otherwise;
}

std::vector<Error> check_original(const FileFacts &orig)
{
	std::vector<Error> out;
	check_common(orig, "original", out);
	return out;
}

Status check_original_access(const std::string &path, int access_mode)
{
	if (access_mode == O_RDWR)
		return {};
	return Error{
		EBADF,
		"original " + path +
			" is not open for reading and writing, which EXT4_IOC_MOVE_EXT requires; do not set readonly= for a defrag job"};
}

std::vector<Error> check_donor(const FileFacts &orig, const FileFacts &donor)
{
	std::vector<Error> out;
	if (donor.dev != orig.dev) {
		// Never let the kernel see a cross-filesystem move: a 6.19-rc posting read out of bounds on one.
		out.push_back(
			{EXDEV,
			 "donor " + donor.path + " is on another filesystem (device " + dev_text(donor.dev) +
				 ") than the original " + orig.path + " (device " + dev_text(orig.dev) +
				 "); extents only move within one filesystem: put the donor next to the original (donorname= relative to directory=)"});
		return out;
	}
	if (donor.ino == orig.ino) {
		out.push_back({EINVAL, "donor " + donor.path + " is the original " + orig.path + " itself (inode " +
					       std::to_string(orig.ino) +
					       ": the same name or a hard link); choose another donorname="});
		return out;
	}
	check_common(donor, "donor", out);
	if (donor.access_mode != O_RDWR && donor.access_mode != O_WRONLY)
		out.push_back(
			{EBADF, "donor " + donor.path +
					" is not open for writing; e4mext opens donors read-write, so check its permissions"});
	if (donor.mode & (S_ISUID | S_ISGID))
		out.push_back(
			{EINVAL,
			 "donor " + donor.path +
				 " is setuid or setgid, and the kernel refuses such donors; chmod ug-s it or choose another donorname="});
	if (has_flag(donor, kFlagImmutable))
		out.push_back(
			{EPERM, "donor " + donor.path + " is immutable (chattr +i): chattr -i it, or choose another donorname="});
	if (has_flag(donor, kFlagAppend))
		out.push_back(
			{EPERM, "donor " + donor.path + " is append-only (chattr +a): chattr -a it, or choose another donorname="});
	return out;
}

} // namespace e4mext
