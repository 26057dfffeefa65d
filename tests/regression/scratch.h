// The state the regression suite creates on the machine, and the guarantee that it goes away:
// loop-mounted ext4 filesystems (made by scripts/loopfs, which only touches what it made), extra
// mounts (a bind mount, a tmpfs) and active swapfiles. Each is owned by an RAII object, and each is
// also listed in a fixed-size registry that a SIGINT/SIGTERM/SIGHUP handler walks with
// async-signal-safe calls only (swapoff, umount2, fork+execv of `loopfs destroy`).
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace regress {

struct CommandResult {
	int status = -1; // exit status, or 128+signal
	std::string out;
	std::string err;
};

// Runs argv (no shell) and collects its output.
CommandResult run_command(const std::vector<std::string> &argv);

// Installs the signal handlers; `loopfs` is the path of scripts/loopfs.
void install_cleanup_handlers(const std::string &loopfs);

// An ext4 filesystem on a loop device of its own: `scripts/loopfs create` in the constructor,
// `scripts/loopfs destroy` in the destructor.
class LoopFs {
public:
	LoopFs(const std::string &loopfs, const std::string &size, const std::string &mkfs_opts, const std::string &mount_opts);
	~LoopFs();
	LoopFs(const LoopFs &) = delete;
	LoopFs &operator=(const LoopFs &) = delete;

	const std::string &mnt() const { return mnt_; }
	const std::string &work() const { return work_; }
	std::string device() const; // /dev/loopN, from `loopfs info`
	void remount(const std::string &options);

private:
	std::string loopfs_;
	std::string work_;
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

} // namespace regress
