#include "loop_fs.h"

#include "process.h"
#include "runner_errors.h"

#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace e4mext::runner {

namespace fs = std::filesystem;

namespace {

std::string default_parent()
{
	const char *dir = std::getenv("E4MEXT_TMPDIR");
	return dir && *dir ? dir : "/tmp";
}

void run_or_throw(const std::vector<std::string> &argv, const std::string &what)
{
	const CommandResult r = run_command(argv, std::chrono::minutes(10));
	if (!r.ok())
		throw std::runtime_error(what + " failed (" + (r.timed_out ? "timed out" : r.status.describe()) +
					 "): " + last_lines(r.err.empty() ? r.out : r.err, 3));
}

} // namespace

LoopFilesystem::LoopFilesystem(LoopFsOptions options) : options_(std::move(options))
{
	if (::geteuid() != 0)
		throw UsageError(
			"a loop filesystem needs root (mkfs, losetup, mount): run as root, or use --dir on an existing ext4 mount");
	if (options_.parent.empty())
		options_.parent = default_parent();
	struct statvfs st {};
	if (::statvfs(options_.parent.c_str(), &st) != 0)
		throw UsageError(options_.parent + ": " + std::strerror(errno) + " (set E4MEXT_TMPDIR to a writable directory)");
	const uint64_t free_bytes = uint64_t(st.f_bavail) * st.f_frsize;
	if (options_.size > free_bytes)
		throw UsageError("a loop image of " + std::to_string(options_.size >> 20) + " MiB does not fit in the " +
				 std::to_string(free_bytes >> 20) + " MiB free in " + options_.parent +
				 " (set E4MEXT_TMPDIR to a roomier place)");
	std::string templ = options_.parent + "/e4mext-loopfs.XXXXXX";
	if (!::mkdtemp(templ.data()))
		throw std::system_error(errno, std::generic_category(), "cannot make a directory in " + options_.parent);
	workdir_ = templ;
	try {
		fs::create_directory(mount_point());
		std::ofstream(workdir_ + "/.e4mext-loopfs") << "made by e4mext (runner/shared/loop_fs.cpp)\n";
		std::ofstream(image()).close();
		fs::resize_file(image(), options_.size); // sparse
		make_filesystem();
		mount();
	} catch (...) {
		unmount();
		std::error_code ignored;
		fs::remove_all(workdir_, ignored);
		throw;
	}
}

LoopFilesystem::~LoopFilesystem()
{
	try {
		unmount();
	} catch (...) {
	}
	// Only when nothing is mounted there any more: never remove what a mount shows.
	if (::rmdir(mount_point().c_str()) == 0 || errno == ENOENT) {
		std::error_code ignored;
		fs::remove_all(workdir_, ignored);
	}
}

std::vector<std::string> LoopFilesystem::mkfs_command() const
{
	std::vector<std::string> argv = {"mkfs.ext4", "-q", "-F", "-E", "nodiscard,lazy_itable_init=0,lazy_journal_init=0"};
	argv.insert(argv.end(), options_.mkfs_options.begin(), options_.mkfs_options.end());
	argv.push_back(image());
	return argv;
}

void LoopFilesystem::make_filesystem()
{
	run_or_throw(mkfs_command(), "mkfs.ext4 on " + image());
}

bool LoopFilesystem::device_is_ours() const
{
	if (device_.empty())
		return false;
	const CommandResult r = run_command({"losetup", "-n", "-O", "BACK-FILE", device_}, std::chrono::seconds(30));
	return r.ok() && trim_output(r.out) == image();
}

void LoopFilesystem::mount()
{
	if (!device_.empty())
		return;
	const CommandResult r = run_command({"losetup", "--find", "--show", image()}, std::chrono::seconds(60));
	if (!r.ok())
		throw std::runtime_error("losetup could not attach " + image() + ": " + last_lines(r.err, 2));
	device_ = trim_output(r.out);
	std::vector<std::string> argv = {"mount", "-t", "ext4"};
	if (!options_.mount_options.empty())
		argv.insert(argv.end(), {"-o", options_.mount_options});
	argv.insert(argv.end(), {device_, mount_point()});
	const CommandResult m = run_command(argv, std::chrono::minutes(2));
	if (!m.ok()) {
		unmount();
		throw std::runtime_error("mount of " + image() + " failed (mount options: " +
					 (options_.mount_options.empty() ? "none" : options_.mount_options) +
					 "): " + last_lines(m.err, 2));
	}
}

void LoopFilesystem::unmount()
{
	if (device_.empty())
		return;
	const CommandResult src =
		run_command({"findmnt", "-n", "-o", "SOURCE", "--mountpoint", mount_point()}, std::chrono::seconds(30));
	if (src.ok() && trim_output(src.out) == device_ && ::umount(mount_point().c_str()) != 0)
		::umount2(mount_point().c_str(), MNT_DETACH);
	if (device_is_ours())
		run_command({"losetup", "-d", device_}, std::chrono::seconds(60));
	device_.clear();
}

void LoopFilesystem::fresh()
{
	unmount();
	make_filesystem();
	mount();
}

void LoopFilesystem::remount(const std::string &options)
{
	run_or_throw({"mount", "-o", "remount," + options, mount_point()}, "remount " + options + " of " + mount_point());
}

int LoopFilesystem::check()
{
	unmount();
	const CommandResult r = run_command({"e2fsck", "-fn", image()}, std::chrono::minutes(10));
	return r.status.exited() ? r.status.exit_code() : 8;
}

} // namespace e4mext::runner
