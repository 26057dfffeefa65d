// The state the regression suite creates on the machine, and the guarantee that it goes away:
// ext4 filesystems (on the host loop-mounted by regression/loopfs, which only touches what it made; in
// an e4mext VM guest made with mkfs on the VM's fresh disks, listed in $E4MEXT_DISKS), extra
// mounts (a bind mount, a tmpfs) and active swapfiles. Each is owned by an RAII object, and each is
// also listed in a fixed-size registry that a SIGINT/SIGTERM/SIGHUP handler walks with
// async-signal-safe calls only (swapoff, umount2, fork+execv of `loopfs destroy`).
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace e4mext::regress {

struct CommandResult {
	int status = -1; // exit status, or 128+signal
	std::string out;
	std::string err;
};

// Runs argv (no shell) and collects its output.
CommandResult run_command(const std::vector<std::string> &argv);

// Installs the signal handlers; `loopfs` is the path of regression/loopfs.
void install_cleanup_handlers(const std::string &loopfs);

// An ext4 filesystem the suite made for its cases, mounted on mnt().
class ScratchFs {
public:
	virtual ~ScratchFs() = default;
	virtual const std::string &mnt() const = 0;
	virtual std::string device() const = 0; // the block device it is on
	virtual void remount(const std::string &options) = 0;
};

// On a loop device of its own: `regression/loopfs create` in the constructor, `regression/loopfs destroy`
// in the destructor.
class LoopFs : public ScratchFs {
public:
	LoopFs(const std::string &loopfs, const std::string &size, const std::string &mkfs_opts, const std::string &mount_opts);
	~LoopFs() override;
	LoopFs(const LoopFs &) = delete;
	LoopFs &operator=(const LoopFs &) = delete;

	const std::string &mnt() const override { return mnt_; }
	const std::string &work() const { return work_; } // the loopfs work directory (for `loopfs fresh`)
	std::string device() const override;              // /dev/loopN, from `loopfs info`
	void remount(const std::string &options) override;

private:
	std::string loopfs_;
	std::string work_;
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

// On a whole disk of the pool: mkfs.ext4 (the same options regression/loopfs uses, `size` of the disk)
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
};

// A private directory under /tmp for mount points, removed (when empty) in the destructor.
class ScratchDir {
public:
	ScratchDir();
	~ScratchDir();
	ScratchDir(const ScratchDir &) = delete;
	ScratchDir &operator=(const ScratchDir &) = delete;
	const std::string &path() const { return path_; }

private:
	std::string path_;
};

} // namespace e4mext::regress
