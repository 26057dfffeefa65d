// The state the regression suite creates on the machine, and the guarantee that it goes away:
// ext4 filesystems (on the host loop filesystems of runner/shared/loop_fs.h; in an e4mext VM guest
// made with mkfs on the VM's fresh disks, listed in $E4MEXT_DISKS), extra mounts (a bind mount, a
// tmpfs) and active swapfiles. Each is owned by an RAII object and listed in the runner's cleanup
// registry (runner/shared/cleanup_registry.h), whose signal handler removes them on
// SIGINT/SIGTERM/SIGHUP; a SIGKILLed run's loop filesystems are removed by the next run.
#pragma once

#include "cleanup_registry.h"
#include "loop_fs.h"
#include "process.h"

#include <memory>
#include <string>
#include <vector>

namespace e4mext::regress {

using runner::CommandResult;
using runner::run_command;

// An ext4 filesystem the suite made for its cases, mounted on mnt().
class ScratchFs {
public:
	virtual ~ScratchFs() = default;
	virtual const std::string &mnt() const = 0;
	virtual std::string device() const = 0; // the block device it is on
	virtual void remount(const std::string &options) = 0;
};

// On a loop device of its own (runner::LoopFilesystem), removed in the destructor.
class LoopFs : public ScratchFs {
public:
	LoopFs(const std::string &size, const std::string &mkfs_opts, const std::string &mount_opts);

	const std::string &mnt() const override { return mnt_; }
	std::string device() const override { return fs_.device(); } // /dev/loopN
	void remount(const std::string &options) override { fs_.remount(options); }
	runner::LoopFilesystem &filesystem() { return fs_; }

private:
	runner::LoopFilesystem fs_;
	std::string mnt_;
};

// The block devices a VM guest gives the suite ($E4MEXT_DISKS: "/dev/nvme0n1 /dev/nvme0n2 ..."),
// each holding at most one filesystem at a time. Empty on the host: there the suite uses loop devices.
class DiskPool {
public:
	static DiskPool from_environment(const char *variable = "E4MEXT_DISKS");
	bool empty() const { return all_.empty(); }
	size_t size() const { return all_.size(); }
	size_t free_count() const { return free_.size(); }
	std::string take(); // throws std::runtime_error when every disk is in use
	void give_back(const std::string &device) { free_.push_back(device); }

private:
	std::string variable_;
	std::vector<std::string> all_;
	std::vector<std::string> free_;
};

// On a whole disk of the pool: mkfs.ext4 (the same options runner::LoopFilesystem uses, `size` of the disk)
// and mount on a directory under `parent` in the constructor; unmount and the disk back to the
// pool in the destructor. The next filesystem on that disk is made afresh by mkfs.
class DiskFs : public ScratchFs {
public:
	DiskFs(DiskPool &pool, const std::string &size, const std::string &mkfs_opts, const std::string &mount_opts,
	       const std::string &parent);
	~DiskFs() override;
	DiskFs(const DiskFs &) = delete;
	DiskFs &operator=(const DiskFs &) = delete;

	const std::string &mnt() const override { return mnt_; }
	std::string device() const override { return device_; }
	void remount(const std::string &options) override;

private:
	DiskPool *pool_;
	std::string device_;
	std::string mnt_;
	runner::Registration listed_;
};

// A mount made by the suite (bind mount or tmpfs) on a directory it made; unmounted and removed
// in the destructor.
class ExtraMount {
public:
	// source == "" mounts a tmpfs; otherwise a bind mount of source.
	ExtraMount(const std::string &source, const std::string &target);
	// A pseudo filesystem of that type (e.g. "tracefs").
	static std::unique_ptr<ExtraMount> pseudo(const std::string &fstype, const std::string &target);
	~ExtraMount();
	ExtraMount(const ExtraMount &) = delete;
	ExtraMount &operator=(const ExtraMount &) = delete;
	const std::string &path() const { return target_; }

private:
	ExtraMount(const std::string &fstype, const std::string &target, int);
	std::string target_;
	runner::Registration listed_;
};

// swapon(2) on a file the suite made; swapoff(2) in the destructor.
class ActiveSwapfile {
public:
	explicit ActiveSwapfile(const std::string &path);
	~ActiveSwapfile();
	ActiveSwapfile(const ActiveSwapfile &) = delete;
	ActiveSwapfile &operator=(const ActiveSwapfile &) = delete;

private:
	std::string path_;
	runner::Registration listed_;
};

} // namespace e4mext::regress
