// The qemu-system-x86_64 command line of a guest, built from what it needs; pure, so tests can
// read it. The console is the first serial port on qemu's stdout, the command's output the second
// serial port written to a file, the disks NVMe namespaces of one controller on raw images, the
// host's root and the results directory virtiofs shares (vhost-user-fs, which needs the guest's
// memory in a shared memfd).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace e4mext::runner {

enum class Accelerator { kvm, tcg };
const char *accelerator_name(Accelerator accel); // "kvm", "tcg"

struct VmConfig {
	std::string qemu = "qemu-system-x86_64";
	Accelerator accel = Accelerator::tcg;
	unsigned cpus = 2;
	uint64_t memory = 2ull << 30;
	std::string kernel_image;
	std::string initramfs;
	// no_timer_check: on a loaded host TCG is slow enough that the boot's IO-APIC timer test fails
	// and panics ("IO-APIC + timer doesn't work!") although the guest's timer works.
	std::string append = "console=ttyS0 panic=-1 no_timer_check";
	std::vector<std::string> disk_images;
	std::string disk_cache = "none"; // none needs O_DIRECT on the images' filesystem, else writeback
	std::string root_socket;         // virtiofsd of the host's root; "" = no shares
	std::string results_socket;      // virtiofsd of the results directory
	std::string output_file;         // the second serial port; "" = none
	uint64_t pmem = 0;               // bytes of guest RAM given to the kernel as legacy pmem (memmap=); 0 = none
};

// Guest memory from `text` (a size such as 2G): whole MiB, at least 256M, and no more than this
// host's memory (qemu would fail to start, which looks like a kernel that did not boot).
// Throws UsageError naming `what`.
uint64_t parse_guest_memory(const std::string &text, const std::string &what);

// A value inside one of qemu's "key=value,..." options: every comma doubled, as qemu reads ",," as one.
std::string qemu_option_value(const std::string &value);

// virtiofsd's command sharing `source` through `socket`. Its -o list is split at commas (libfuse's
// option parser); a backslash escapes the next character, so a comma or backslash in the path is
// escaped: unescaped, "source=/tmp/a,b" shares /tmp/a or fails as "did not boot".
std::vector<std::string> virtiofsd_argv(const std::string &virtiofsd, const std::string &socket, const std::string &source);

// The kernel parameter that makes `pmem` bytes of the guest's `memory` an emulated persistent
// memory region (e820 type 12, /dev/pmem0 with the nd_e820 and nd_pmem drivers): "memmap=256M!1536M",
// the region ending 256M below the top of RAM. Throws UsageError when it does not fit (whole 128M
// units, at least 512M of RAM left below it).
std::string pmem_kernel_argument(uint64_t memory, uint64_t pmem);

std::vector<std::string> qemu_argv(const VmConfig &config);

} // namespace e4mext::runner
