#include "loop_fs.h"

#include "cleanup_registry.h"
#include "process.h"
#include "runner_errors.h"
#include "sizes.h"

#include <nlohmann/json.hpp>

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <system_error>

namespace e4mext::runner {

namespace fs = std::filesystem;

namespace {

struct Leftover {
	std::string path;
	std::string who; // the owner's marker text, for the message
};

constexpr const char *kPrefix = "e4mext-loopfs.";
constexpr const char *kMark = "/.e4mext-loopfs"; // the options it was made with: e4mext made it

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

// The loop devices backed by `image` (losetup -j): e4mext's own, whatever a record says.
std::vector<std::string> devices_backed_by(const std::string &image)
{
	const CommandResult r = run_command({"losetup", "-n", "-O", "NAME", "-j", image}, std::chrono::seconds(30));
	return r.ok() ? split_words(r.out) : std::vector<std::string>{};
}

// The source of the mount at `mount_point`, "" when nothing is mounted there.
std::string mount_source(const std::string &mount_point)
{
	const CommandResult r =
		run_command({"findmnt", "-n", "-o", "SOURCE", "--mountpoint", mount_point}, std::chrono::seconds(30));
	return r.ok() ? trim_output(r.out) : "";
}

void unmount_path(const std::string &mount_point)
{
	if (::umount(mount_point.c_str()) != 0)
		::umount2(mount_point.c_str(), MNT_DETACH);
}

// A SIGKILLed run leaves its loop filesystem: the image, its loop device and the mount. Those whose
// owner no longer runs are named and removed - only the mount of a loop device backed by their
// image and only such devices, never anything without both of e4mext's markers.
void remove_leftovers_of_killed_runs(const std::string &parent)
{
	std::error_code ec;
	for (const auto &entry : fs::directory_iterator(parent, ec)) {
		if (entry.path().filename().string().rfind(kPrefix, 0) != 0 || entry.is_symlink(ec) ||
		    !fs::exists(entry.path().string() + kMark))
			continue;
		const Owner owner = owner_of(entry.path().string());
		if (owner.state != OwnerState::ended)
			continue;
		const Leftover left{entry.path().string(), owner.who};
		const std::string image = left.path + "/image", mnt = left.path + "/mnt";
		const std::vector<std::string> devices = devices_backed_by(image);
		std::string done;
		const std::string source = mount_source(mnt);
		if (!source.empty()) {
			if (std::find(devices.begin(), devices.end(), source) == devices.end()) {
				std::cerr
					<< "e4mext: " << left.path << " was left by an earlier e4mext run (" << left.who
					<< ") that did not clean up (killed?); " << source
					<< " is mounted on it, not its own image's device, so it stays: unmount it and remove it\n";
				continue;
			}
			unmount_path(mnt);
			done += "unmounted " + mnt + ", ";
		}
		for (const std::string &device : devices)
			if (run_command({"losetup", "-d", device}, std::chrono::seconds(60)).ok())
				done += "detached " + device + ", ";
		std::error_code removed;
		if (!has_mount_below(left.path))
			fs::remove_all(left.path, removed);
		std::cerr << "e4mext: " << left.path << " was left by an earlier e4mext run (" << left.who
			  << ") that ended without cleaning up (killed?): " << done
			  << (removed || fs::exists(left.path)
				      ? "could not remove it" + (removed ? ": " + removed.message() : std::string())
				      : std::string("removed it"))
			  << "\n";
	}
}

void write_mark(const std::string &workdir, const LoopFsOptions &o)
{
	const nlohmann::json mark = {{"made_by", "e4mext (runner/shared/loop_fs.cpp)"},
				     {"size", o.size},
				     {"mkfs_options", o.mkfs_options},
				     {"mount_options", o.mount_options}};
	std::ofstream out(workdir + kMark);
	out << mark.dump() << "\n";
	if (!out.flush())
		throw std::runtime_error("cannot write " + workdir + kMark);
}

} // namespace

LoopFilesystem::LoopFilesystem(LoopFsOptions options) : options_(std::move(options))
{
	if (::geteuid() != 0)
		throw UsageError(
			"a loop filesystem needs root (mkfs, losetup, mount): run as root, or use --dir on an existing ext4 mount");
	if (options_.parent.empty())
		options_.parent = default_parent();
	remove_leftovers_of_killed_runs(options_.parent);
	struct statvfs st {};
	if (::statvfs(options_.parent.c_str(), &st) != 0)
		throw UsageError(options_.parent + ": " + std::strerror(errno) + " (set E4MEXT_TMPDIR to a writable directory)");
	const uint64_t free_bytes = uint64_t(st.f_bavail) * st.f_frsize;
	if (options_.size > free_bytes)
		throw UsageError("a loop image of " + format_mib(options_.size) + " does not fit in the " + format_mib(free_bytes) +
				 " free in " + options_.parent + " (set E4MEXT_TMPDIR to a roomier place)");
	std::string templ = options_.parent + "/" + kPrefix + "XXXXXX";
	{
		SignalBlock blocked; // made and listed at once
		if (!::mkdtemp(templ.data()))
			throw std::system_error(errno, std::generic_category(), "cannot make a directory in " + options_.parent);
		workdir_ = templ;
		listed_workdir_ = register_directory(workdir_);
	}
	try {
		fs::create_directory(mount_point());
		write_mark(workdir_, options_);
		if (options_.owned)
			mark_.emplace(workdir_);
		std::ofstream(image()).close();
		fs::resize_file(image(), options_.size); // sparse
		make_filesystem();
		mount();
	} catch (...) {
		destroy();
		throw;
	}
}

LoopFilesystem LoopFilesystem::open(const std::string &workdir)
{
	std::error_code ec;
	const fs::path dir = fs::canonical(workdir, ec);
	if (ec || !fs::is_directory(dir))
		throw UsageError(workdir + ": no such directory");
	const std::string refuse =
		dir.string() + " was not made by 'loopfs create' (no valid " + (kMark + 1) + "): refusing to touch it";
	std::ifstream in(dir.string() + kMark);
	nlohmann::json mark = nlohmann::json::parse(in, nullptr, false);
	if (!in || mark.is_discarded() || !mark.is_object() || !mark.contains("size") || !mark.contains("mkfs_options") ||
	    !mark.contains("mount_options"))
		throw UsageError(refuse);
	LoopFilesystem f;
	try {
		f.options_.size = mark.at("size").get<uint64_t>();
		f.options_.mkfs_options = mark.at("mkfs_options").get<std::vector<std::string>>();
		f.options_.mount_options = mark.at("mount_options").get<std::string>();
	} catch (const nlohmann::json::exception &) {
		throw UsageError(refuse);
	}
	f.options_.parent = dir.parent_path().string();
	struct stat image {};
	if (::lstat((dir / "image").c_str(), &image) != 0 || !S_ISREG(image.st_mode))
		throw UsageError(dir.string() + "/image is not a regular file: refusing to touch it");
	f.workdir_ = dir.string();
	// Its device: the one mounted on mnt, else any backed by its image.
	const std::vector<std::string> devices = devices_backed_by(f.image());
	const std::string source = mount_source(f.mount_point());
	if (std::find(devices.begin(), devices.end(), source) != devices.end())
		f.device_ = source;
	else if (!devices.empty())
		f.device_ = devices.front();
	return f;
}

LoopFilesystem::LoopFilesystem(LoopFilesystem &&other) noexcept
	: options_(std::move(other.options_)), workdir_(std::move(other.workdir_)), device_(std::move(other.device_)),
	  listed_workdir_(std::move(other.listed_workdir_)), listed_device_(std::move(other.listed_device_)),
	  mark_(std::move(other.mark_))
{
	other.workdir_.clear();
	other.device_.clear();
}

LoopFilesystem::~LoopFilesystem()
{
	try {
		destroy();
	} catch (...) {
	}
}

void LoopFilesystem::destroy()
{
	if (workdir_.empty())
		return;
	try {
		unmount();
	} catch (...) {
	}
	// Only when nothing is mounted there any more: never remove what a mount shows.
	if (!has_mount_below(workdir_)) {
		std::error_code ignored;
		fs::remove_all(workdir_, ignored);
	}
	listed_workdir_.reset();
	workdir_.clear();
}

void LoopFilesystem::release()
{
	listed_device_.reset();
	listed_workdir_.reset();
	workdir_.clear();
	device_.clear();
}

std::vector<std::string> mkfs_ext4_command(const std::vector<std::string> &options, const std::string &target)
{
	std::vector<std::string> argv = {"mkfs.ext4", "-q", "-F", "-E", "nodiscard,lazy_itable_init=0,lazy_journal_init=0"};
	argv.insert(argv.end(), options.begin(), options.end());
	argv.push_back(target);
	return argv;
}

std::vector<std::string> LoopFilesystem::mkfs_command() const
{
	return mkfs_ext4_command(options_.mkfs_options, image());
}

void LoopFilesystem::make_filesystem()
{
	run_or_throw(mkfs_command(), "mkfs.ext4 on " + image());
}

bool LoopFilesystem::device_is_ours(const std::string &device) const
{
	if (device.empty())
		return false;
	const CommandResult r = run_command({"losetup", "-n", "-O", "BACK-FILE", device}, std::chrono::seconds(30));
	return r.ok() && trim_output(r.out) == image();
}

void LoopFilesystem::mount()
{
	if (!device_.empty())
		return;
	struct stat image_stat {};
	if (::stat(image().c_str(), &image_stat) != 0)
		throw std::system_error(errno, std::generic_category(), image());
	// Blocked from attaching to listing: a signal in between would leave an unlisted device.
	SignalBlock blocked;
	const CommandResult r = run_command({"losetup", "--find", "--show", image()}, std::chrono::seconds(60));
	if (!r.ok())
		throw std::runtime_error("losetup could not attach " + image() + ": " + last_lines(r.err, 2));
	device_ = trim_output(r.out);
	listed_device_ = register_loop_filesystem(workdir_, device_, image_stat.st_dev, image_stat.st_ino);
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
	if (mount_source(mount_point()) == device_)
		unmount_path(mount_point());
	if (device_is_ours(device_))
		run_command({"losetup", "-d", device_}, std::chrono::seconds(60));
	listed_device_.reset();
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
	if (has_mount_below(mount_point()))
		throw std::runtime_error(mount_point() + " is still mounted (not by e4mext?): refusing to check a mounted image");
	const CommandResult r = run_command({"e2fsck", "-fn", image()}, std::chrono::minutes(10));
	return r.status.exited() ? r.status.exit_code() : 8;
}

} // namespace e4mext::runner
