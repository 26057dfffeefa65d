#include "bench_target.h"

#include "process.h"
#include "runner_errors.h"
#include "sizes.h"

#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>

namespace e4mext::runner {

namespace fs = std::filesystem;

namespace {

std::string command_output(const std::vector<std::string> &argv)
{
	const CommandResult r = run_command(argv, std::chrono::seconds(30));
	return r.ok() ? trim_output(r.out) : "";
}

uint64_t free_bytes(const std::string &path)
{
	struct statvfs st {};
	if (::statvfs(path.c_str(), &st) != 0)
		throw UsageError(path + ": " + std::strerror(errno));
	return uint64_t(st.f_bavail) * st.f_frsize;
}

// What dumpe2fs says of the filesystem's layout, one line.
std::string mkfs_features(const std::string &device)
{
	const CommandResult r = run_command({"dumpe2fs", "-h", device}, std::chrono::seconds(30));
	if (!r.ok())
		return "unavailable (dumpe2fs could not read " + device + ")";
	std::istringstream in(r.out);
	std::string line, out;
	for (const char *key : {"Filesystem features:", "Block size:", "Inode size:", "Journal size:", "Flex block group size:"}) {
		in.clear();
		in.seekg(0);
		while (std::getline(in, line))
			if (line.rfind(key, 0) == 0) {
				std::string value = line.substr(std::strlen(key));
				value.erase(0, value.find_first_not_of(" \t"));
				out += (out.empty() ? "" : "; ") + std::string(key) + " " + value;
			}
	}
	return out;
}

// A command line as the metadata shows it: its words, space-separated.
std::string command_line_text(const std::vector<std::string> &argv)
{
	std::string line;
	for (const std::string &a : argv)
		line += (line.empty() ? "" : " ") + a;
	return line;
}

std::vector<std::string> filesystem_lines(const std::string &device, const std::string &dir)
{
	return {"mkfs features: " + mkfs_features(device),
		"mount options: " + command_output({"findmnt", "-n", "-o", "OPTIONS", "--target", dir}),
		"free space before: " + format_mib(free_bytes(dir))};
}

class LoopTarget : public BenchTarget {
public:
	explicit LoopTarget(LoopFsOptions options) : fs_(std::move(options)) {}
	void fresh() override { fs_.fresh(); }
	std::string directory() const override { return fs_.mount_point(); }
	bool can_drop_caches() const override { return true; }
	std::vector<std::string> describe() const override
	{
		const std::string backing = command_output({"findmnt", "-n", "-o", "SOURCE", "--target", fs_.workdir()});
		std::vector<std::string> lines = {
			"filesystem: loop image " + format_mib(fs_.options().size) + " on " + fs_.device() +
				", re-made with mkfs.ext4 before every run",
			"image size: " + std::to_string(fs_.options().size),
			"mkfs command: " + command_line_text(fs_.mkfs_command()),
			"block device: " + backing + " (" +
				command_output({"lsblk", "-n", "-d", "-P", "-o", "MODEL,SIZE,ROTA", backing}) + ")"};
		for (std::string &l : filesystem_lines(fs_.device(), directory()))
			lines.push_back(std::move(l));
		return lines;
	}

private:
	LoopFilesystem fs_;
};

class DirTarget : public BenchTarget {
public:
	explicit DirTarget(const std::string &dir)
	{
		std::string templ = dir + "/e4mext-bench.XXXXXX";
		if (!::mkdtemp(templ.data()))
			throw UsageError("--dir " + dir + ": cannot make a private directory there: " + std::strerror(errno));
		work_ = templ;
		parent_ = dir;
	}
	~DirTarget() override
	{
		std::error_code ignored;
		fs::remove_all(work_, ignored);
	}
	void fresh() override
	{
		for (const auto &entry : fs::directory_iterator(work_))
			fs::remove_all(entry.path());
		::sync();
	}
	std::string directory() const override { return work_; }
	bool can_drop_caches() const override { return ::geteuid() == 0; }
	std::vector<std::string> describe() const override
	{
		const std::string device = command_output({"findmnt", "-n", "-o", "SOURCE", "--target", parent_});
		std::vector<std::string> lines = {"filesystem: " + parent_ + " (existing ext4 mount), fresh files in " +
							  fs::path(work_).filename().string() + " per run",
						  "block device: " + device};
		for (std::string &l : filesystem_lines(device, work_))
			lines.push_back(std::move(l));
		return lines;
	}

private:
	std::string parent_;
	std::string work_;
};

class GuestDiskTarget : public BenchTarget {
public:
	GuestDiskTarget(std::string device, std::vector<std::string> mkfs_options)
		: device_(std::move(device)), mkfs_options_(std::move(mkfs_options))
	{
		std::string templ = "/tmp/e4mext-bench-disk.XXXXXX";
		if (!::mkdtemp(templ.data()))
			throw std::runtime_error("cannot make a mount point in /tmp: " + std::string(std::strerror(errno)));
		mnt_ = templ;
	}
	~GuestDiskTarget() override
	{
		unmount();
		::rmdir(mnt_.c_str());
	}
	void fresh() override
	{
		unmount();
		const CommandResult r = run_command(mkfs_command(), std::chrono::minutes(5));
		if (!r.ok())
			throw std::runtime_error("mkfs.ext4 on " + device_ + " failed: " + last_lines(r.err, 3));
		if (::mount(device_.c_str(), mnt_.c_str(), "ext4", 0, nullptr) != 0)
			throw std::runtime_error("mount of " + device_ + " failed: " + std::strerror(errno));
		mounted_ = true;
	}
	std::string directory() const override { return mnt_; }
	bool can_drop_caches() const override { return true; }
	std::vector<std::string> describe() const override
	{
		std::vector<std::string> lines = {"filesystem: " + device_ +
							  " (the VM's emulated NVMe disk), re-made with mkfs.ext4 before every run",
						  "mkfs command: " + command_line_text(mkfs_command())};
		for (std::string &l : filesystem_lines(device_, mnt_))
			lines.push_back(std::move(l));
		return lines;
	}

private:
	// As loop_fs.h makes every filesystem e4mext measures on: host and guest runs share one geometry.
	std::vector<std::string> mkfs_command() const { return mkfs_ext4_command(mkfs_options_, device_); }
	void unmount()
	{
		if (mounted_ && ::umount(mnt_.c_str()) != 0)
			::umount2(mnt_.c_str(), MNT_DETACH);
		mounted_ = false;
	}
	std::string device_;
	std::vector<std::string> mkfs_options_;
	std::string mnt_;
	bool mounted_ = false;
};

} // namespace

uint64_t default_image_size(uint64_t file_size)
{
	const char *tmp = std::getenv("E4MEXT_TMPDIR");
	const uint64_t half_free = free_bytes(tmp && *tmp ? tmp : "/tmp") / 2 / (1 << 20) * (1 << 20);
	return std::min(std::max(4 * file_size, uint64_t(2) << 30), half_free);
}

std::unique_ptr<BenchTarget> make_loop_target(uint64_t image_size, const std::vector<std::string> &mkfs_options)
{
	LoopFsOptions options;
	options.size = image_size;
	options.mkfs_options = mkfs_options;
	return std::make_unique<LoopTarget>(std::move(options));
}

std::unique_ptr<BenchTarget> make_dir_target(const std::string &dir, uint64_t file_size)
{
	std::error_code ec;
	if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
		throw UsageError("--dir " + dir + ": not a directory; give a directory on an ext4 mount");
	if (!fs::is_directory(dir, ec))
		throw UsageError("--dir " + dir + ": no such directory");
	const std::string fstype = command_output({"findmnt", "-n", "-o", "FSTYPE", "--target", dir});
	if (fstype != "ext4")
		throw UsageError(
			"--dir " + dir + " is on " + (fstype.empty() ? "an unknown filesystem" : fstype) +
			", not ext4: EXT4_IOC_MOVE_EXT exists only on ext4; give a directory on an ext4 mount, or run without --dir as root to use a loop image");
	if (::access(dir.c_str(), W_OK) != 0)
		throw UsageError("--dir " + dir + " is not writable by this user");
	const uint64_t free = free_bytes(dir);
	if (free < 2 * file_size + file_size / 4)
		throw UsageError("--dir " + dir + " has " + format_mib(free) +
				 " free; the original and its donor need 2.25 x --size: use a smaller --size");
	return std::make_unique<DirTarget>(fs::canonical(dir).string());
}

std::unique_ptr<BenchTarget> make_guest_disk_target(const std::string &device, const std::vector<std::string> &mkfs_options)
{
	// Only a disk e4mext's own VM made: its /init lists them in E4MEXT_DISKS. Never a host disk.
	const char *disks = std::getenv("E4MEXT_DISKS");
	std::istringstream listed(disks ? disks : "");
	std::string d;
	bool ours = false;
	while (listed >> d)
		ours = ours || d == device;
	if (!ours)
		throw UsageError(
			"--guest-disk " + device +
			" is not a disk of an e4mext VM (not in $E4MEXT_DISKS): it would be re-made with mkfs; use --kernel to run in a VM");
	return std::make_unique<GuestDiskTarget>(device, mkfs_options);
}

} // namespace e4mext::runner
