#include "file_facts.h"

#include "engine_error.h"
#include "unique_fd.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace e4mext {

namespace {

struct MountEntry {
	std::string fs_type;
	std::string source;
	std::string options; // per-mount options and superblock options, comma separated
};

// The /proc/self/mountinfo line of the filesystem holding dev (any mount of it: the superblock
// options we look at are the same for every bind mount).
std::optional<MountEntry> find_mount(dev_t dev)
{
	std::ifstream in("/proc/self/mountinfo");
	const std::string want = std::to_string(major(dev)) + ":" + std::to_string(minor(dev));
	for (std::string line; std::getline(in, line);) {
		std::istringstream fields(line);
		std::string id, parent, devno, root, mount_point, mount_options, field;
		fields >> id >> parent >> devno >> root >> mount_point >> mount_options;
		if (devno != want)
			continue;
		while (fields >> field && field != "-") {
		}
		MountEntry entry;
		std::string super_options;
		fields >> entry.fs_type >> entry.source >> super_options;
		entry.options = mount_options + "," + super_options;
		return entry;
	}
	return std::nullopt;
}

bool has_option(const std::string &options, const std::string &option)
{
	return ("," + options + ",").find("," + option + ",") != std::string::npos;
}

// ext4's bigalloc is a read-only-compatible feature bit of the superblock, which no mount option
// shows; reading it needs read access to the block device.
std::optional<bool> read_bigalloc(const std::string &device)
{
	constexpr off_t kSuperblockOffset = 1024;
	constexpr size_t kMagicOffset = 0x38, kRoCompatOffset = 0x64;
	constexpr uint32_t kRoCompatBigalloc = 0x0200;
	UniqueFd fd(::open(device.c_str(), O_RDONLY | O_CLOEXEC));
	unsigned char sb[1024];
	if (!fd.valid() || ::pread(fd.get(), sb, sizeof sb, kSuperblockOffset) != static_cast<ssize_t>(sizeof sb))
		return std::nullopt;
	uint16_t magic;
	uint32_t ro_compat;
	std::memcpy(&magic, sb + kMagicOffset, sizeof magic);
	std::memcpy(&ro_compat, sb + kRoCompatOffset, sizeof ro_compat);
	if (magic != 0xEF53)
		return std::nullopt;
	return (ro_compat & kRoCompatBigalloc) != 0;
}

bool is_active_swapfile(dev_t dev, ino_t ino)
{
	std::ifstream in("/proc/swaps");
	std::string line;
	std::getline(in, line); // header
	while (std::getline(in, line)) {
		const std::string path = line.substr(0, line.find_first_of(" \t"));
		struct stat st;
		if (::stat(path.c_str(), &st) == 0 && st.st_dev == dev && st.st_ino == ino)
			return true;
	}
	return false;
}

} // namespace

std::optional<uint32_t> read_inode_flags(const std::string &path)
{
	UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC));
	int flags = 0;
	if (!fd.valid() || ::ioctl(fd.get(), FS_IOC_GETFLAGS, &flags) != 0)
		return std::nullopt;
	return static_cast<uint32_t>(flags);
}

Result<FileFacts> inspect_file(int fd, const std::string &path)
{
	FileFacts f;
	f.path = path;
	struct stat st;
	if (::fstat(fd, &st) != 0)
		return errno_error(errno, "fstat " + path);
	f.dev = st.st_dev;
	f.ino = st.st_ino;
	f.mode = st.st_mode;
	f.size = static_cast<uint64_t>(st.st_size);
	f.block_size = static_cast<uint64_t>(st.st_blksize);
	f.access_mode = ::fcntl(fd, F_GETFL) & O_ACCMODE;

	struct statvfs vfs;
	if (::fstatvfs(fd, &vfs) == 0) {
		f.read_only_mount = (vfs.f_flag & ST_RDONLY) != 0;
		f.block_size = vfs.f_bsize;
	}
	if (auto mount = find_mount(st.st_dev)) {
		f.fs_type = mount->fs_type;
		f.data_journal_mount = has_option(mount->options, "data=journal");
		f.dax_mount = has_option(mount->options, "dax") || has_option(mount->options, "dax=always");
		if (f.fs_type == "ext4")
			f.bigalloc = read_bigalloc(mount->source);
	}
	struct statx stx;
	if (::statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) == 0)
		f.dax_file = (stx.stx_attributes_mask & STATX_ATTR_DAX) && (stx.stx_attributes & STATX_ATTR_DAX);
	int flags = 0;
	if (S_ISREG(st.st_mode) && ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0)
		f.inode_flags = static_cast<uint32_t>(flags);
	f.active_swapfile = S_ISREG(st.st_mode) && is_active_swapfile(st.st_dev, st.st_ino);
	return f;
}

} // namespace e4mext
