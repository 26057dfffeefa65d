// A loop-mounted ext4 filesystem e4mext made itself, and touches nothing else: a private directory
// ${E4MEXT_TMPDIR:-/tmp}/e4mext-loopfs.XXXXXX holding `image` and the mount point `mnt`, attached
// through a loop device of its own (losetup --find), and on destruction unmounted, detached (only
// while that device is still backed by this image) and removed. Needs root. The one loop filesystem
// of e4mext: the bench, stress, overhead, the regression suite, the job fuzzer and the `loopfs`
// program for the shell tests (regression/loopfs_main.cpp) all use this class.
//
// The directory holds `.e4mext-loopfs` (the options it was made with: the mark that e4mext made it)
// and the owner mark (owner_mark.h) of the process it belongs to. While mounted it is in the
// cleanup registry, so a SIGINT/SIGTERM/SIGHUP removes it too. A SIGKILL leaves it behind: making a
// loop filesystem first names on stderr and removes those whose owner no longer runs (unmounting
// only a mount of a loop device backed by their image, detaching only such devices).
#pragma once

#include <sys/types.h>

#include "cleanup_registry.h"
#include "owner_mark.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace e4mext::runner {

struct LoopFsOptions {
	uint64_t size = 1ull << 30;
	std::vector<std::string> mkfs_options; // extra mkfs.ext4 arguments, e.g. {"-b", "1024"}
	std::string mount_options;             // e.g. "data=journal"; empty: none
	std::string parent;                    // empty: ${E4MEXT_TMPDIR:-/tmp}
	bool owned = true; // this process's (owner_mark.h): a leftover once it ended; false: kept until destroyed
};

// mkfs.ext4 as e4mext makes every filesystem it measures on (loop images, a VM's disks), so that
// they share one geometry: `options` (e.g. {"-b", "1024"}) then `target`.
std::vector<std::string> mkfs_ext4_command(const std::vector<std::string> &options, const std::string &target);

class LoopFilesystem {
public:
	// Throws UsageError when not root or the parent has too little space, std::runtime_error
	// naming the failing step (truncate, mkfs, losetup, mount) otherwise; nothing is left behind.
	explicit LoopFilesystem(LoopFsOptions options);
	// One made earlier (by `loopfs create`), from its work directory. Throws UsageError naming why
	// when the directory was not made by e4mext ("refusing to touch it").
	static LoopFilesystem open(const std::string &workdir);
	~LoopFilesystem();
	LoopFilesystem(LoopFilesystem &&other) noexcept;
	LoopFilesystem &operator=(LoopFilesystem &&) = delete;
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
	void mount();                             // attach and mount again (after check; no-op when mounted)
	void unmount();                           // unmount and detach
	void destroy();                           // unmount, detach, remove the directory (as the destructor)
	void release();                           // keep it: the destructor leaves it (`loopfs create`)

	// The mkfs.ext4 command line used (for metadata).
	std::vector<std::string> mkfs_command() const;

private:
	LoopFilesystem() = default;
	bool device_is_ours(const std::string &device) const;
	void make_filesystem();

	LoopFsOptions options_;
	std::string workdir_; // empty once released or destroyed
	std::string device_;
	Registration listed_workdir_; // the directory, until destroyed or released
	Registration listed_device_;  // the mount and loop device, while attached
	std::optional<OwnerMark> mark_;
};

} // namespace e4mext::runner
