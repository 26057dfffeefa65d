#include "guest.h"

#include <sys/vfs.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace e4mext::regress {

namespace {

constexpr long kFuseSuperMagic = 0x65735546; // virtiofs is a FUSE filesystem

void write_proc(const std::string &path, const std::string &text)
{
	std::ofstream out(path);
	out << text << std::flush;
}

} // namespace

bool in_e4mext_guest()
{
	const char *disks = std::getenv("E4MEXT_DISKS");
	struct statfs root {};
	return disks && *disks && ::statfs("/", &root) == 0 && root.f_type == kFuseSuperMagic;
}

void mark_case_start(const std::string &id)
{
	static bool unlimited = false;
	if (!unlimited) {
		// Otherwise the kernel drops all but 10 lines per 5 s from user space.
		write_proc("/proc/sys/kernel/printk_devkmsg", "on\n");
		unlimited = true;
	}
	// <5>: notice, above the console's default log level, so it reaches the serial console.
	write_proc("/dev/kmsg", std::string("<5>") + kCaseStartMarker + id + "\n");
}

void crash_kernel_with_sysrq(const std::string &id)
{
	if (!in_e4mext_guest())
		throw std::runtime_error("--sysrq-crash-in panics the kernel: refused outside an e4mext VM guest");
	write_proc("/proc/sys/kernel/sysrq", "1\n");
	::sync();
	write_proc("/proc/sysrq-trigger", "c");
	throw std::runtime_error("case " + id + ": writing c to /proc/sysrq-trigger did not panic the kernel");
}

} // namespace e4mext::regress
