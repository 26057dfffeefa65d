// One command in one throwaway VM: disk images and an initramfs in a private temporary directory,
// two virtiofsd (the host's root, read-only in the guest; the results directory, writable), qemu
// with the console read live for crash reports, and everything stopped and removed at the end -
// on return, on an exception, or on SIGINT/SIGTERM (through the cleanup registry).
#pragma once

#include "console_scan.h"
#include "initramfs.h"
#include "kernel_spec.h"
#include "qemu_command.h"

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

namespace e4mext::runner {

inline constexpr const char *kVirtiofsd = "/usr/lib/qemu/virtiofsd"; // Debian's qemu-system-common
inline constexpr const char *kBusybox = "/bin/busybox";              // Debian's busybox-static

struct VmRequest {
	GuestPlan plan;
	unsigned cpus = 2;
	uint64_t memory = 2ull << 30;
	uint64_t disk_size = 1ull << 30;        // per disk; plan.disks of them
	std::chrono::seconds timeout{600};      // the whole run; a guest still running then is "hung"
	std::chrono::seconds boot_timeout{120}; // from qemu's start to /init's first line
	uint64_t pmem = 0;                      // an emulated pmem region (memmap=) of this size; 0 = none
	std::string results_dir;                // created; the guest's writable share
	std::string busybox = kBusybox;
};

// How the accelerator was chosen, for the metadata.
struct AcceleratorChoice {
	Accelerator accel = Accelerator::tcg;
	std::string reason; // "KVM probe: booted to /init in 0.9 s" / "KVM probe failed: ..." / "--accel tcg"
};

// A short boot of `kernel_image` under KVM (to /init's first line, at most 30 s): KVM when it
// gets there, TCG otherwise, with the reason.
AcceleratorChoice probe_accelerator(const std::string &kernel_image, const std::string &busybox);

// --accel auto|kvm|tcg: the one given, or (auto) the probe's answer for `kernel_image`.
AcceleratorChoice choose_accelerator(const std::string &option, const std::string &kernel_image,
				     const std::string &busybox = kBusybox);

enum class VmEnd {
	finished,    // the command ran to its end and /init powered off
	boot_failed, // no line from /init in time, qemu failed, or /init could not set the guest up
	crashed,     // the guest panicked (qemu ended without the command's status)
	hung,        // still running at the timeout: killed
	// qemu could not write the VM's disk images on the host (TMPDIR full, above all): the guest saw
	// I/O errors ("critical medium error") that are not its kernel's fault, whatever the command said.
	host_disk_failed,
};

struct VmOutcome {
	VmEnd end = VmEnd::boot_failed;
	int command_status = -1;          // from the results share; -1 when the guest wrote none
	std::vector<CrashReport> crashes; // also with VmEnd::finished (an oops that did not panic)
	std::string problem;              // boot_failed, host_disk_failed: what went wrong
	std::string console;              // the whole console (also in <results>/console.log)
	std::string guest_kernel;         // uname -r in the guest
	std::string disk_cache;           // the qemu cache mode used
	bool reached_init = false;        // /init printed its first line (e4mext's part of the boot began)
	double boot_seconds = 0;          // qemu start to /init's first line
	double total_seconds = 0;
};

// Runs req.plan in a VM booting `kernel`; the command's output is copied to `guest_output` as it
// arrives (and kept in <results>/output.txt). Throws MissingRequirement when virtiofsd
// is missing, RunFailed when it or the disks cannot be set up.
VmOutcome run_in_vm(const Kernel &kernel, const VmRequest &req, Accelerator accel, std::ostream &guest_output);

// The first line of qemu's stderr saying that an image could not be written or read on the host
// ("aio failed: No space left on device"), "" when there is none.
std::string host_disk_error(const std::string &qemu_stderr);

// The first line of `qemu-system-x86_64 --version`.
std::string qemu_version();

} // namespace e4mext::runner
