#include "qemu_command.h"
#include "runner_errors.h"
#include "sizes.h"
#include "time_text.h"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace e4mext::runner;

namespace {

bool has_pair(const std::vector<std::string> &a, const std::string &flag, const std::string &value)
{
	for (size_t i = 0; i + 1 < a.size(); ++i)
		if (a[i] == flag && a[i + 1] == value)
			return true;
	return false;
}

} // namespace

TEST_CASE("qemu: TCG, NVMe namespaces on one controller, console and output serial ports, virtiofs", "[qemu]")
{
	VmConfig c;
	c.kernel_image = "/k/vmlinuz";
	c.initramfs = "/t/initramfs.cpio";
	c.disk_images = {"/t/disk1.img", "/t/disk2.img"};
	c.disk_cache = "writeback";
	c.root_socket = "/t/root.sock";
	c.results_socket = "/t/results.sock";
	c.output_file = "/r/output.txt";
	c.memory = 3ull << 30;
	const auto a = qemu_argv(c);
	CHECK(a.front() == "qemu-system-x86_64");
	CHECK(has_pair(a, "-accel", "tcg"));
	CHECK(has_pair(a, "-cpu", "max"));
	CHECK(has_pair(a, "-m", "3072M"));
	CHECK(has_pair(a, "-append", "console=ttyS0 panic=-1 no_timer_check"));
	CHECK(has_pair(a, "-serial", "stdio"));
	CHECK(has_pair(a, "-serial", "file:/r/output.txt"));
	CHECK(std::find(a.begin(), a.end(), "-no-reboot") != a.end());
	CHECK(has_pair(a, "-device", "nvme,id=nvme0,serial=e4mext0"));
	CHECK(has_pair(a, "-drive", "file=/t/disk2.img,if=none,id=disk2,format=raw,cache=writeback,aio=threads"));
	CHECK(has_pair(a, "-device", "nvme-ns,drive=disk2,bus=nvme0,nsid=2"));
	CHECK(has_pair(a, "-object", "memory-backend-memfd,id=mem,size=3072M,share=on"));
	CHECK(has_pair(a, "-numa", "node,memdev=mem"));
	CHECK(has_pair(a, "-device", "vhost-user-fs-pci,chardev=fsroot,tag=hostroot"));
	CHECK(has_pair(a, "-device", "vhost-user-fs-pci,chardev=fsresults,tag=results"));
}

TEST_CASE("qemu: KVM with the host CPU; no shares, no disks for a probe", "[qemu]")
{
	VmConfig c;
	c.accel = Accelerator::kvm;
	const auto a = qemu_argv(c);
	CHECK(has_pair(a, "-accel", "kvm"));
	CHECK(has_pair(a, "-cpu", "host"));
	CHECK(std::find(a.begin(), a.end(), "-numa") == a.end());
	CHECK(std::find(a.begin(), a.end(), "-drive") == a.end());
	CHECK(std::string(accelerator_name(Accelerator::kvm)) == "kvm");
}

TEST_CASE("sizes: binary units, refused without one", "[qemu]")
{
	CHECK(parse_size("2G", "--memory") == 2ull << 30);
	CHECK(parse_size("512m", "--memory") == 512ull << 20);
	CHECK(parse_size("64k", "--disk-size") == 64ull << 10);
	CHECK(format_size(2ull << 30) == "2G");
	CHECK(format_size(1536ull << 20) == "1536M");
	CHECK(format_mib(2ull << 30) == "2048 MiB");
	CHECK(format_mib((3ull << 20) - 1) == "2 MiB"); // rounded down: free space is never overstated
	CHECK(format_seconds(10.44) == "10.4 s");
	for (const char *bad : {"2", "2GB", "G", "-1G", "0G", ""})
		CHECK_THROWS_AS(parse_size(bad, "--memory"), UsageError);
	CHECK_THROWS_WITH(parse_size("2", "--disk-size"), "--disk-size 2: not a size; give a number with a unit, e.g. 512M or 2G");
}

TEST_CASE("qemu: a comma in a path is escaped qemu's way (,,), not taken as the next option", "[qemu]")
{
	VmConfig c;
	c.kernel_image = "/k/vmlinuz";
	c.initramfs = "/t/initramfs.cpio";
	c.disk_images = {"/tmp/a,b/disk1.img"};
	c.disk_cache = "writeback";
	c.root_socket = "/tmp/a,b/root.sock";
	c.results_socket = "/r,x/results.sock";
	c.memory = 1ull << 30;
	const auto a = qemu_argv(c);
	CHECK(has_pair(a, "-drive", "file=/tmp/a,,b/disk1.img,if=none,id=disk1,format=raw,cache=writeback,aio=threads"));
	CHECK(has_pair(a, "-chardev", "socket,id=fsroot,path=/tmp/a,,b/root.sock"));
	CHECK(has_pair(a, "-chardev", "socket,id=fsresults,path=/r,,x/results.sock"));
}

TEST_CASE("virtiofsd: a comma or backslash in the shared path is escaped for its -o list", "[qemu]")
{
	const auto a = virtiofsd_argv("/usr/lib/qemu/virtiofsd", "/tmp/a,b/results.sock", "/r,x\\y");
	CHECK(a == std::vector<std::string>{"/usr/lib/qemu/virtiofsd", "--socket-path=/tmp/a,b/results.sock", "-o",
					    "source=/r\\,x\\\\y", "-o", "cache=auto", "-o", "sandbox=chroot"});
}

TEST_CASE("guest memory: more than the host has is a usage error, not a failed boot", "[qemu]")
{
	CHECK(parse_guest_memory("256M", "--memory") == 256ull << 20);
	CHECK_THROWS_WITH(parse_guest_memory("1T", "--memory"), Catch::Contains("more than this machine's"));
	CHECK_THROWS_WITH(parse_guest_memory("100M", "--memory"), Catch::Contains("at least 256M"));
	CHECK_THROWS_AS(parse_guest_memory("lots", "--memory"), UsageError);
}

TEST_CASE("pmem: a memmap= region 256M below the top of RAM, in 128M units, refused when it does not fit", "[qemu]")
{
	CHECK(pmem_kernel_argument(2ull << 30, 256ull << 20) == "memmap=256M!1536M");
	CHECK(pmem_kernel_argument(4ull << 30, 1ull << 30) == "memmap=1G!2816M");
	CHECK_THROWS_AS(pmem_kernel_argument(2ull << 30, 100ull << 20), UsageError);
	CHECK_THROWS_AS(pmem_kernel_argument(1ull << 30, 512ull << 20), UsageError);
	VmConfig c;
	c.kernel_image = "bzImage";
	c.initramfs = "initramfs.cpio";
	c.pmem = 256ull << 20;
	CHECK(has_pair(qemu_argv(c), "-append", c.append + " memmap=256M!1536M"));
	c.pmem = 0;
	CHECK(has_pair(qemu_argv(c), "-append", c.append));
}
