#include "vm_report.h"

#include <catch2/catch.hpp>

using namespace e4mext::runner;

TEST_CASE("exit status: the command's, 3 for no boot, 4 for any crash or a hang", "[report]")
{
	VmOutcome o;
	o.end = VmEnd::finished;
	o.command_status = 7;
	CHECK(exit_status_of(o) == 7);
	o.crashes.push_back(CrashReport{CrashKind::warning, "WARNING: CPU: 0 PID: 1 at x", {}});
	CHECK(exit_status_of(o) == kExitGuestCrashed);
	CHECK(verdict(o).find("crashed: WARNING (the command finished with exit status 7)") == 0);
	o.end = VmEnd::crashed;
	CHECK(exit_status_of(o) == 4);
	o.crashes.clear();
	o.end = VmEnd::hung;
	CHECK(exit_status_of(o) == 4);
	o.end = VmEnd::boot_failed;
	o.problem = "no line from /init within 1 s of starting qemu";
	o.console = "l1\nl2\nKernel panic - not syncing: VFS\n";
	CHECK(exit_status_of(o) == 3);
	const std::string v = verdict(o);
	CHECK(v.find("did not boot: no line from /init within 1 s") == 0);
	CHECK(v.find("Kernel panic - not syncing: VFS") != std::string::npos);
}

TEST_CASE("host disk failed: qemu's write error on the host is the verdict, exit 3, whatever the command said", "[report]")
{
	CHECK(host_disk_error("qemu-system-x86_64: warning: x\nqemu-system-x86_64: aio failed: No space left on device\n") ==
	      "qemu-system-x86_64: aio failed: No space left on device");
	CHECK(host_disk_error("qemu-system-x86_64: terminating on signal 2\n").empty());
	VmOutcome o;
	o.end = VmEnd::host_disk_failed;
	o.command_status = 0; // a command that ignored its I/O errors
	o.problem = "qemu could not write the VM's disk images in /tmp/small (the host's TMPDIR, 0 MiB free now): "
		    "qemu-system-x86_64: aio failed: No space left on device";
	o.console =
		"[   9.1] nvme0n1: I/O Cmd(0x1) @ LBA 2048, 8 blocks, I/O Error (sct 0x2 / sc 0x80)\r\n"
		"[   9.2] critical medium error, dev nvme0n1, sector 2048 op 0x1:(WRITE) flags 0x8800 phys_seg 1 prio class 2\r\n";
	CHECK(exit_status_of(o) == kExitRunFailed);
	const std::string v = verdict(o);
	CHECK(v.find("host disk failed: qemu could not write the VM's disk images in /tmp/small") == 0);
	CHECK(v.find("  the guest's kernel said: [   9.2] critical medium error, dev nvme0n1, sector 2048") != std::string::npos);
	CHECK(v.find('\r') == std::string::npos);
}

TEST_CASE("metadata: what ran where", "[report]")
{
	Kernel k{"6.19.13", "6.19.13", "/c/vmlinuz", "Debian linux-binary-6.19.13+deb13-cloud-amd64", "", {}};
	VmRequest req;
	req.plan.disks = 2;
	req.disk_size = 1ull << 30;
	AcceleratorChoice accel{Accelerator::tcg, "KVM probe failed (x); TCG"};
	VmOutcome o;
	o.end = VmEnd::finished;
	o.command_status = 0;
	o.guest_kernel = "6.19.13+deb13-cloud-amd64";
	o.disk_cache = "none";
	o.boot_seconds = 4.25;
	o.total_seconds = 12;
	const std::string m = metadata_block(RunFacts{k, req, accel, o, "QEMU emulator version 7.2.22"});
	CHECK(m.find("kernel: 6.19.13 (Debian linux-binary-6.19.13+deb13-cloud-amd64)\n") == 0);
	CHECK(m.find("guest kernel: 6.19.13+deb13-cloud-amd64\n") != std::string::npos);
	CHECK(m.find("accelerator: tcg (KVM probe failed (x); TCG)\n") != std::string::npos);
	CHECK(m.find("vcpus: 2\nmemory: 2G\n") != std::string::npos);
	CHECK(m.find("disks: 2 x 1G, qemu NVMe namespaces (one nvme controller) on sparse raw images, cache=none, aio=threads\n") !=
	      std::string::npos);
	CHECK(m.find("modules: none (built-in drivers only)\nqemu: QEMU emulator version 7.2.22\n") != std::string::npos);
	CHECK(m.find("boot to /init: 4.2 s\n") != std::string::npos);
	CHECK(m.find("status: finished: command exit status 0\n") != std::string::npos);
}
