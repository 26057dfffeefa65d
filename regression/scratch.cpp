#include "scratch.h"

#include "cleanup_registry.h"
#include "sizes.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace e4mext::regress {

using runner::SignalBlock;

namespace {

runner::LoopFsOptions loop_options(const std::string &size, const std::string &mkfs_opts, const std::string &mount_opts)
{
	runner::LoopFsOptions o;
	o.size = runner::parse_size(size, "a scratch filesystem's size");
	o.mkfs_options = runner::split_words(mkfs_opts);
	o.mount_options = mount_opts;
	return o;
}

} // namespace

// ---- LoopFs ----

LoopFs::LoopFs(const std::string &size, const std::string &mkfs_opts, const std::string &mount_opts)
	: fs_(loop_options(size, mkfs_opts, mount_opts)), mnt_(fs_.mount_point())
{
}

// ---- DiskPool, DiskFs ----

DiskPool DiskPool::from_environment(const char *variable)
{
	DiskPool pool;
	const char *disks = std::getenv(variable);
	pool.variable_ = variable;
	std::istringstream words(disks ? disks : "");
	for (std::string d; words >> d;)
		pool.all_.push_back(d);
	// Taken from the back: the first disk is used first.
	pool.free_.assign(pool.all_.rbegin(), pool.all_.rend());
	return pool;
}

std::string DiskPool::take()
{
	if (free_.empty())
		throw std::runtime_error("all " + std::to_string(all_.size()) + " disks of $" + variable_ +
					 " hold a filesystem already: give the VM more disks");
	std::string d = free_.back();
	free_.pop_back();
	return d;
}

DiskFs::DiskFs(DiskPool &pool, const std::string &size, const std::string &mkfs_opts, const std::string &mount_opts,
	       const std::string &parent)
	: pool_(&pool), device_(pool.take())
{
	// The disk goes back to the pool whatever fails below.
	struct GiveBack {
		DiskFs *fs;
		bool armed = true;
		~GiveBack()
		{
			if (armed)
				fs->pool_->give_back(fs->device_);
		}
	} give_back{this};
	// As runner::LoopFilesystem makes its images, so that host and guest runs see the same geometry.
	std::vector<std::string> mkfs = runner::mkfs_ext4_command(runner::split_words(mkfs_opts), device_);
	mkfs.push_back(size);
	CommandResult r = run_command(mkfs);
	if (!r.ok())
		throw std::runtime_error("mkfs.ext4 " + mkfs_opts + " " + device_ + " " + size +
					 " failed: " + runner::trim_output(r.err));
	mnt_ = parent + "/disk-" + device_.substr(device_.rfind('/') + 1);
	if (::mkdir(mnt_.c_str(), 0700) != 0)
		throw std::runtime_error("mkdir " + mnt_ + ": " + std::strerror(errno));
	{
		SignalBlock blocked; // mounted and listed at once
		std::vector<std::string> mount{"mount", "-t", "ext4"};
		if (!mount_opts.empty())
			mount.insert(mount.end(), {"-o", mount_opts});
		mount.insert(mount.end(), {device_, mnt_});
		r = run_command(mount);
		if (r.ok())
			listed_ = runner::register_mount(mnt_);
	}
	if (!r.ok()) {
		::rmdir(mnt_.c_str());
		throw std::runtime_error("mount " + device_ + " (mount options: " + (mount_opts.empty() ? "none" : mount_opts) +
					 ") failed: " + runner::trim_output(r.err));
	}
	give_back.armed = false;
}

DiskFs::~DiskFs()
{
	if (::umount2(mnt_.c_str(), 0) != 0) {
		::dprintf(STDERR_FILENO, "regression: warning: umount %s: %s; detaching it\n", mnt_.c_str(), std::strerror(errno));
		::umount2(mnt_.c_str(), MNT_DETACH);
	}
	::rmdir(mnt_.c_str());
	pool_->give_back(device_);
}

void DiskFs::remount(const std::string &options)
{
	CommandResult r = run_command({"mount", "-o", "remount," + options, mnt_});
	if (!r.ok())
		throw std::runtime_error("mount -o remount," + options + " " + mnt_ + " failed: " + runner::trim_output(r.err));
}

// ---- ExtraMount ----

ExtraMount::ExtraMount(const std::string &source, const std::string &target) : target_(target)
{
	if (::mkdir(target.c_str(), 0700) != 0)
		throw std::runtime_error("mkdir " + target + ": " + std::strerror(errno));
	SignalBlock blocked;
	int rc = source.empty() ? ::mount("e4mext-regress", target.c_str(), "tmpfs", 0, "size=64m")
				: ::mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr);
	if (rc != 0) {
		int err = errno;
		::rmdir(target.c_str());
		throw std::runtime_error((source.empty() ? "mount tmpfs on " : "bind mount " + source + " on ") + target + ": " +
					 std::strerror(err));
	}
	listed_ = runner::register_mount(target_);
}

ExtraMount::ExtraMount(const std::string &fstype, const std::string &target, int) : target_(target)
{
	if (::mkdir(target.c_str(), 0700) != 0)
		throw std::runtime_error("mkdir " + target + ": " + std::strerror(errno));
	SignalBlock blocked;
	if (::mount(fstype.c_str(), target.c_str(), fstype.c_str(), MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
		int err = errno;
		::rmdir(target.c_str());
		throw std::runtime_error("mount " + fstype + " on " + target + ": " + std::strerror(err));
	}
	listed_ = runner::register_mount(target_);
}

std::unique_ptr<ExtraMount> ExtraMount::pseudo(const std::string &fstype, const std::string &target)
{
	return std::unique_ptr<ExtraMount>(new ExtraMount(fstype, target, 0));
}

ExtraMount::~ExtraMount()
{
	if (::umount2(target_.c_str(), 0) != 0)
		::umount2(target_.c_str(), MNT_DETACH);
	::rmdir(target_.c_str());
}

// ---- ActiveSwapfile ----

ActiveSwapfile::ActiveSwapfile(const std::string &path) : path_(path)
{
	SignalBlock blocked;
	if (::swapon(path.c_str(), 0) != 0)
		throw std::runtime_error("swapon " + path + ": " + std::strerror(errno));
	listed_ = runner::register_swapfile(path_);
}

ActiveSwapfile::~ActiveSwapfile()
{
	if (::swapoff(path_.c_str()) != 0)
		::dprintf(STDERR_FILENO, "regression: warning: swapoff %s: %s\n", path_.c_str(), std::strerror(errno));
}

} // namespace e4mext::regress
