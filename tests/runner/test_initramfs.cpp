#include "initramfs.h"
#include "shell_quote.h"

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <map>

using namespace e4mext::runner;

namespace {

struct CpioEntry {
	uint32_t mode, rmajor, rminor;
	std::string data;
};

uint32_t field(const std::string &a, size_t at, int index)
{
	return static_cast<uint32_t>(std::stoul(a.substr(at + 6 + 8 * static_cast<size_t>(index), 8), nullptr, 16));
}

// Reads a newc archive back (as the kernel's init/initramfs.c does).
std::map<std::string, CpioEntry> read_newc(const std::string &a)
{
	std::map<std::string, CpioEntry> out;
	size_t at = 0;
	for (;;) {
		REQUIRE(a.substr(at, 6) == "070701");
		const uint32_t mode = field(a, at, 1), size = field(a, at, 6), namesize = field(a, at, 11);
		const std::string name = a.substr(at + 110, namesize - 1);
		size_t data = (at + 110 + namesize + 3) & ~size_t(3);
		if (name == "TRAILER!!!")
			break;
		out[name] = CpioEntry{mode, field(a, at, 9), field(a, at, 10), a.substr(data, size)};
		at = (data + size + 3) & ~size_t(3);
	}
	return out;
}

} // namespace

TEST_CASE("cpio newc: directories, files, a device node, 4-byte alignment, trailer", "[initramfs]")
{
	CpioArchive c;
	c.add_directory("bin");
	c.add_file("bin/x", "12345", 0755);
	c.add_char_device("dev/console", 0600, 5, 1);
	const std::string a = c.finish();
	CHECK(a.size() % 4 == 0);
	const auto e = read_newc(a);
	REQUIRE(e.size() == 3);
	CHECK(S_ISDIR(e.at("bin").mode));
	CHECK(e.at("bin/x").data == "12345");
	CHECK((e.at("bin/x").mode & 07777) == 0755);
	CHECK(S_ISCHR(e.at("dev/console").mode));
	CHECK(e.at("dev/console").rmajor == 5);
	CHECK(e.at("dev/console").rminor == 1);
}

TEST_CASE("the guest's /init: shares, chroot mounts, the command on ttyS1, status to the results share", "[initramfs]")
{
	GuestPlan plan{"echo it's here", "/work/main", 3, "", {}};
	const std::string init = guest_init_script(plan);
	CHECK(init.rfind("#!/bin/busybox sh\n", 0) == 0);
	CHECK(init.find("mount -t virtiofs -o ro hostroot /host ||") != std::string::npos);
	CHECK(init.find("mount -t virtiofs results $R ||") != std::string::npos);
	CHECK(init.find("R=/host/tmp/e4mext-results") != std::string::npos);
	for (const char *m : {"/host/proc", "/host/sys", "/host/dev", "/host/tmp", "/host/run"})
		CHECK(init.find(m) != std::string::npos);
	CHECK(init.find("E4MEXT_DISKS='/dev/nvme0n1 /dev/nvme0n2 /dev/nvme0n3'") != std::string::npos);
	CHECK(init.find(">/dev/ttyS1 2>&1") != std::string::npos);
	CHECK(init.find("echo $status > $R/exit-status") != std::string::npos);
	CHECK(init.find(std::string("echo '") + kInitUpMarker + "'") < init.find("mount -t virtiofs"));
	CHECK(init.find("poweroff -f") != std::string::npos);
	CHECK(init.find("/bin/bash /run/e4mext-command") != std::string::npos);
	CHECK(guest_command_script(plan) == "cd -- '/work/main' || exit 125\necho it's here\n");
}

TEST_CASE("shell quoting survives quotes", "[initramfs]")
{
	CHECK(shell_quote("a b") == "'a b'");
	CHECK(shell_quote("it's") == "'it'\\''s'");
}

TEST_CASE("the guest's /init: a Debian kernel's modules become the chroot's /lib/modules", "[initramfs]")
{
	GuestPlan plan{"true", "/", 1, "/root/.cache/e4mext/kernels/6.18.15/lib/modules/6.18.15+deb13-cloud-amd64", {}};
	const std::string init = guest_init_script(plan);
	const std::string from = "'/host/root/.cache/e4mext/kernels/6.18.15/lib/modules/6.18.15+deb13-cloud-amd64'";
	CHECK(init.find("mount --bind " + from + " /lib/modules/6.18.15+deb13-cloud-amd64 ||") != std::string::npos);
	CHECK(init.find("echo /sbin/modprobe > /proc/sys/kernel/modprobe") != std::string::npos);
	CHECK(init.find("grep -v '^#' /lib/modules/6.18.15+deb13-cloud-amd64/modules.devname") != std::string::npos);
	CHECK(init.find("mknod \"/host/dev/$node\"") != std::string::npos);
	CHECK(init.find(
		      "mount -t tmpfs tmpfs /host/lib/modules && mkdir /host/lib/modules/6.18.15+deb13-cloud-amd64 && mount --bind " +
		      from) != std::string::npos);
	CHECK(guest_init_script(GuestPlan{"true", "/", 1, "", {}}).find("/lib/modules") == std::string::npos);
}

TEST_CASE("the guest's /tmp: a tmpfs showing the host's /tmp entries, the VM's own files hidden", "[initramfs]")
{
	GuestPlan plan{"true", "/tmp/tmp.Xy1", 1, "", {"/tmp/e4mext-vm.abc", "/var/tmp/it's"}};
	const std::string tmp = guest_tmp_script(plan);
	const size_t bind = tmp.find("mount --bind /host/tmp /hosttmp");
	const size_t tmpfs = tmp.find("mount -t tmpfs tmpfs /host/tmp");
	const size_t entries = tmp.find("for e in /hosttmp/* /hosttmp/.[!.]* /hosttmp/..?*; do");
	REQUIRE(bind != std::string::npos);
	REQUIRE(tmpfs != std::string::npos);
	REQUIRE(entries != std::string::npos);
	CHECK(bind < tmpfs);
	CHECK(tmpfs < entries);
	CHECK(tmp.find("mkdir \"$t\" && mount --bind \"$e\" \"$t\"") != std::string::npos);
	CHECK(tmp.find("if [ \"$e\" = /hosttmp/e4mext-results ]; then continue") != std::string::npos);
	CHECK(tmp.find("mount -t tmpfs -o size=4k,mode=0500 e4mext-hidden '/host/tmp/e4mext-vm.abc'") > entries);
	CHECK(tmp.find("'/host/var/tmp/it'\\''s'") != std::string::npos);
	CHECK(guest_init_script(plan).find(tmp) != std::string::npos);
}

TEST_CASE("the guest's /init: with pmem, nd_e820 and nd_pmem loaded and E4MEXT_PMEM or the reason passed on", "[initramfs]")
{
	GuestPlan plan{"true", "/", 1, "", {}, true};
	const std::string init = guest_init_script(plan);
	CHECK(init.find("modprobe nd_e820 && modprobe nd_pmem") != std::string::npos);
	CHECK(init.find("if [ -b /dev/pmem0 ]; then pmem=/dev/pmem0") != std::string::npos);
	CHECK(init.find("E4MEXT_PMEM=\"$pmem\" E4MEXT_PMEM_MISSING=\"$pmem_missing\"") != std::string::npos);
	CHECK(init.find(guest_pmem_script(plan)) < init.find("chroot /host"));
	plan.pmem = false;
	CHECK(guest_init_script(plan).find("E4MEXT_PMEM") == std::string::npos);
}
