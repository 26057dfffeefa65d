// The guest's initramfs, built at run time: busybox (static, from Debian's busybox-static) and an
// /init that mounts the host's root read-only over virtiofs, a writable share of the results
// directory, proc/sys/dev/tmp for a chroot into the host's root, runs one command there, writes
// its exit status to the results share and powers the VM off.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace e4mext::runner {

// An archive in the kernel's initramfs format (cpio "newc", uncompressed).
// Written by hand, not with libarchive (issue 22, weighed in session 8): newc is a 110-byte header of
// 13 hex fields with name and data padded to 4 bytes: add_entry (12 lines) and two helpers. libarchive's
// writer (archive_write_set_format_cpio_newc) takes as many calls per entry (entry_new, set_pathname,
// set_mode, set_size, set_rdevmajor/minor, write_header, write_data, each checked), a write callback
// into the string, block padding turned off and an owned handle, plus a build dependency for every
// build and package: no simplification, so kept. test_initramfs.cpp reads it back as init/initramfs.c
// does, and every VM test boots it.
class CpioArchive {
public:
	void add_directory(const std::string &path, uint32_t mode = 0755);
	void add_file(const std::string &path, const std::string &content, uint32_t mode);
	void add_char_device(const std::string &path, uint32_t mode, uint32_t major, uint32_t minor);
	// The archive with its trailer.
	std::string finish();

private:
	void add_entry(const std::string &path, uint32_t mode, const std::string &content, uint32_t rmajor, uint32_t rminor);
	std::string data_;
	uint32_t next_inode_ = 1;
};

// Console lines /init prints, which the host waits for and parses.
inline constexpr const char *kInitUpMarker = "e4mext-init: up";
inline constexpr const char *kInitErrorMarker = "e4mext-init: error: ";
inline constexpr const char *kCommandStartMarker = "e4mext-init: running the command";

// virtiofs tags and the guest paths of the shares.
inline constexpr const char *kHostRootTag = "hostroot";
inline constexpr const char *kResultsTag = "results";
inline constexpr const char *kGuestResultsDir = "/tmp/e4mext-results"; // inside the chroot

// What the guest runs.
struct GuestPlan {
	std::string command;                  // a bash -c string
	std::string workdir;                  // the host directory the command starts in (visible through the shared root)
	unsigned disks = 1;                   // /dev/nvme0n1 .. n<disks>, listed in E4MEXT_DISKS
	std::string modules_dir;              // host path of lib/modules/<release> for the guest kernel; "" = none
	std::vector<std::string> hidden_dirs; // host directories the guest must not see (the VM's own files)
	bool pmem = false;                    // the kernel has a memmap= pmem region: load its drivers, E4MEXT_PMEM=/dev/pmem0
	std::string modules_missing = {};     // without modules_dir: why the kernel has none (the package's story), or ""
};

// The /init script (busybox sh). The command's stdout and stderr go to the second serial port
// (ttyS1), the kernel's console is ttyS0; the exit status is written to <results>/exit-status.
// With plan.modules_dir, the chroot's /lib/modules holds just that release, so modprobe works.
std::string guest_init_script(const GuestPlan &plan);

// The part of /init that gives the chroot its /tmp: a tmpfs on which every entry of the host's
// /tmp appears at its own path (bound, read-only), the results share's name excepted; then
// plan.hidden_dirs covered by empty read-only tmpfs.
std::string guest_tmp_script(const GuestPlan &plan);

// The part of /init that finds the pmem device of a memmap= region: loads nd_e820 and nd_pmem where
// the kernel has modules, waits for /dev/pmem0, and sets $pmem (the device) or $pmem_missing (why
// not) for the command's E4MEXT_PMEM / E4MEXT_PMEM_MISSING.
std::string guest_pmem_script(const GuestPlan &plan);

// The script bash runs in the chroot: cd to plan.workdir (exit 125 when it is missing), then the command.
std::string guest_command_script(const GuestPlan &plan);

// The initramfs: /init, /e4mext-command, /bin/busybox (read from `busybox`, a static binary), /dev/console.
std::string build_initramfs(const GuestPlan &plan, const std::string &busybox);

// The contents of the static busybox for an initramfs; throws MissingRequirement when unreadable.
std::string read_busybox(const std::string &path);

} // namespace e4mext::runner
