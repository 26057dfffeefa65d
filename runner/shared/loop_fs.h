// A loop-mounted ext4 filesystem the runner made itself, and touches nothing else: a private
// directory ${E4MEXT_TMPDIR:-/tmp}/e4mext-loopfs.XXXXXX holding `image` and the mount point `mnt`,
// attached through a loop device of its own (losetup --find), and on destruction unmounted,
// detached (only while that device is still backed by this image) and removed. Needs root.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace e4mext::runner {

struct LoopFsOptions {
	uint64_t size = 1ull << 30;
	std::vector<std::string> mkfs_options; // extra mkfs.ext4 arguments, e.g. {"-b", "1024"}
	std::string mount_options;             // e.g. "data=journal"; empty: none
	std::string parent;                    // empty: ${E4MEXT_TMPDIR:-/tmp}
};

class LoopFilesystem {
public:
	// Throws UsageError when not root or the parent has too little space, std::runtime_error
	// naming the failing step (truncate, mkfs, losetup, mount) otherwise; nothing is left behind.
	explicit LoopFilesystem(LoopFsOptions options);
	~LoopFilesystem();
	LoopFilesystem(const LoopFilesystem &) = delete;
	LoopFilesystem &operator=(const LoopFilesystem &) = delete;

	const std::string &workdir() const { return workdir_; }
	std::string image() const { return workdir_ + "/image"; }
	std::string mount_point() const { return workdir_ + "/mnt"; }
	const std::string &device() const { return device_; } // empty while detached
	const LoopFsOptions &options() const { return options_; }

	void fresh();                             // unmount, mkfs again with the same options, mount
	void remount(const std::string &options); // mount -o remount,OPTIONS
	int check();                              // unmount, e2fsck -fn the image (its status); stays unmounted
	void mount();                             // attach and mount again (after check)
	void unmount();                           // unmount and detach

	// The mkfs.ext4 command line used (for metadata).
	std::vector<std::string> mkfs_command() const;

private:
	bool device_is_ours() const;
	void make_filesystem();

	LoopFsOptions options_;
	std::string workdir_;
	std::string device_;
};

} // namespace e4mext::runner
