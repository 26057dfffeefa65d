#include "vm_report.h"

#include "process.h"
#include "sizes.h"
#include "time_text.h"

#include <sstream>

namespace e4mext::runner {

namespace {

std::string status_word(const VmOutcome &o)
{
	switch (o.end) {
	case VmEnd::finished:
		return o.crashes.empty()
			       ? "finished: command exit status " + std::to_string(o.command_status)
			       : "crashed: " + std::string(crash_kind_name(o.crashes.front().kind)) +
					 " (the command finished with exit status " + std::to_string(o.command_status) + ")";
	case VmEnd::crashed: return "crashed: " + std::string(crash_kind_name(o.crashes.front().kind));
	case VmEnd::hung: return "hung: " + o.problem;
	case VmEnd::boot_failed: return "did not boot: " + o.problem;
	case VmEnd::host_disk_failed: return "host disk failed: " + o.problem;
	}
	return "unknown";
}

} // namespace

std::string metadata_block(const RunFacts &f)
{
	const VmOutcome &o = f.outcome;
	std::ostringstream s;
	s << "kernel: " << f.kernel.label << " (" << f.kernel.origin << ")\n"
	  << "guest kernel: " << (o.guest_kernel.empty() ? "unknown (the guest wrote no uname -r)" : o.guest_kernel) << "\n"
	  << "accelerator: " << accelerator_name(f.accel.accel) << " (" << f.accel.reason << ")\n"
	  << "vcpus: " << f.request.cpus << "\n"
	  << "memory: " << format_size(f.request.memory) << "\n"
	  << "disks: " << f.request.plan.disks << " x " << format_size(f.request.disk_size)
	  << ", qemu NVMe namespaces (one nvme controller) on sparse raw images, cache=" << o.disk_cache << ", aio=threads\n"
	  << "modules: "
	  << (f.request.plan.modules_dir.empty() ? std::string("none (built-in drivers only)")
						 : f.request.plan.modules_dir + " (modprobe works in the guest)")
	  << "\n"
	  << (f.request.pmem
		      ? "pmem: " + format_size(f.request.pmem) + " of the memory as legacy pmem (" +
				pmem_kernel_argument(f.request.memory, f.request.pmem) + "), /dev/pmem0 with nd_e820 and nd_pmem\n"
		      : std::string())
	  << "qemu: " << f.qemu_version << "\n"
	  << "boot to /init: " << (o.boot_seconds > 0 ? format_seconds(o.boot_seconds) : std::string("not reached")) << "\n"
	  << "wall time: " << format_seconds(o.total_seconds) << "\n"
	  << "status: " << status_word(o) << "\n";
	return s.str();
}

int exit_status_of(const VmOutcome &o)
{
	switch (o.end) {
	case VmEnd::boot_failed:
	case VmEnd::host_disk_failed: return kExitRunFailed;
	case VmEnd::crashed:
	case VmEnd::hung: return kExitGuestCrashed;
	case VmEnd::finished: return o.crashes.empty() ? o.command_status : kExitGuestCrashed;
	}
	return kExitRunFailed;
}

std::string verdict(const VmOutcome &o)
{
	std::ostringstream s;
	s << status_word(o) << "\n";
	for (const CrashReport &c : o.crashes) {
		s << "  " << crash_kind_name(c.kind) << ": " << c.first_line << "\n";
		for (const std::string &line : c.trace)
			s << "    " << line << "\n";
	}
	if (o.end == VmEnd::host_disk_failed) {
		std::istringstream console(o.console);
		for (std::string line; std::getline(console, line);)
			if (line.find("critical medium error") != std::string::npos ||
			    line.find("I/O error, dev") != std::string::npos) {
				s << "  the guest's kernel said: " << line.substr(0, line.find_last_not_of('\r') + 1) << "\n";
				break;
			}
	}
	if (o.end == VmEnd::boot_failed || o.end == VmEnd::hung)
		s << "  the console's last lines:\n"
		  << last_lines(o.console, 15) << (o.console.empty() || o.console.back() == '\n' ? "" : "\n");
	return s.str();
}

} // namespace e4mext::runner
