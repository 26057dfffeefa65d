#include "initramfs.h"
#include "file_text.h"

#include "runner_errors.h"
#include "shell_quote.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace e4mext::runner {

namespace {

std::string hex8(uint32_t v)
{
	char buf[9];
	std::snprintf(buf, sizeof buf, "%08X", v);
	return buf;
}

void pad4(std::string &s)
{
	while (s.size() % 4)
		s.push_back('\0');
}

} // namespace

void CpioArchive::add_entry(const std::string &path, uint32_t mode, const std::string &content, uint32_t rmajor, uint32_t rminor)
{
	const std::string name = path + '\0';
	data_ += "070701";
	for (uint32_t field : {next_inode_++, mode, 0u, 0u, 1u, 0u, static_cast<uint32_t>(content.size()), 0u, 0u, rmajor, rminor,
			       static_cast<uint32_t>(name.size()), 0u})
		data_ += hex8(field);
	data_ += name;
	pad4(data_);
	data_ += content;
	pad4(data_);
}

void CpioArchive::add_directory(const std::string &path, uint32_t mode)
{
	add_entry(path, S_IFDIR | mode, "", 0, 0);
}

void CpioArchive::add_file(const std::string &path, const std::string &content, uint32_t mode)
{
	add_entry(path, S_IFREG | mode, content, 0, 0);
}

void CpioArchive::add_char_device(const std::string &path, uint32_t mode, uint32_t major, uint32_t minor)
{
	add_entry(path, S_IFCHR | mode, "", major, minor);
}

std::string CpioArchive::finish()
{
	add_entry("TRAILER!!!", 0, "", 0, 0);
	return std::move(data_);
}

std::string guest_tmp_script(const GuestPlan &plan)
{
	// The guest writes to a /tmp of its own (a tmpfs), yet a checkout, a kernel or a job file the
	// host keeps under /tmp must be there at the same path: every entry of the host's /tmp is
	// bound (read-only, as the rest of the host's root) at its name on the guest's tmpfs. New
	// entries land on the tmpfs and never reach the host. The results share takes its own name.
	std::ostringstream s;
	const std::string results_name = std::string(kGuestResultsDir).substr(std::strlen("/tmp/"));
	s << "mkdir -p /hosttmp\n"
	     "mount --bind /host/tmp /hosttmp || fail 'cannot bind the host'\\''s /tmp'\n"
	     "mount -t tmpfs tmpfs /host/tmp || fail 'cannot mount a tmpfs on /tmp in the chroot'\n"
	     "for e in /hosttmp/* /hosttmp/.[!.]* /hosttmp/..?*; do\n"
	     "\tt=/host/tmp/${e#/hosttmp/}\n"
	     "\tif [ \"$e\" = /hosttmp/"
	  << results_name
	  << " ]; then continue\n"
	     "\telif [ -L \"$e\" ]; then ln -s \"$(readlink \"$e\")\" \"$t\"\n"
	     "\telif [ -d \"$e\" ]; then mkdir \"$t\" && mount --bind \"$e\" \"$t\"\n"
	     "\telif [ -e \"$e\" ]; then : >\"$t\" && mount --bind \"$e\" \"$t\"\n"
	     "\tfi || echo \"e4mext-init: note: the host's $e is not visible in the guest\"\n"
	     "done\n"
	     "umount /hosttmp\n";
	// The VM's own files (its disk images, virtiofsd's sockets) stay out of the guest's sight.
	for (const std::string &dir : plan.hidden_dirs)
		s << "[ -d " << shell_quote("/host" + dir) << " ] && mount -t tmpfs -o size=4k,mode=0500 e4mext-hidden "
		  << shell_quote("/host" + dir) << "\n";
	return s.str();
}

std::string guest_pmem_script(const GuestPlan &plan)
{
	// No udev in the guest: nothing loads the drivers of the memmap= region on its own. A kernel
	// that builds them in has /dev/pmem0 at once; 6.19-7.1 packages ship no modules at all.
	std::ostringstream s;
	s << "pmem= pmem_missing= modules_why="
	  << shell_quote(plan.modules_missing.empty() ? "" : " (" + plan.modules_missing + ")")
	  << "\n"
	     "if [ ! -b /dev/pmem0 ] && [ -d /lib/modules/$(uname -r) ]; then\n"
	     "\tpmem_err=$( (modprobe nd_e820 && modprobe nd_pmem) 2>&1) || pmem_missing=\"modprobe nd_e820 nd_pmem failed: $pmem_err\"\n"
	     "fi\n"
	     "i=0; while [ ! -b /dev/pmem0 ] && [ $i -lt 10 ] && [ -z \"$pmem_missing\" ]; do sleep 1; i=$((i+1)); done\n"
	     "if [ -b /dev/pmem0 ]; then pmem=/dev/pmem0\n"
	     "elif [ -n \"$pmem_missing\" ]; then :\n"
	     "elif [ ! -d /lib/modules/$(uname -r) ]; then pmem_missing=\"no pmem driver in kernel $(uname -r): nd_e820 and "
	     "nd_pmem are not built in and the VM has no modules for it$modules_why\"\n"
	     "else pmem_missing=\"no /dev/pmem0 within 10 s of loading nd_e820 and nd_pmem\"\n"
	     "fi\n"
	     "echo \"e4mext-init: pmem: ${pmem:-none ($pmem_missing)}\"\n";
	return s.str();
}

std::string guest_init_script(const GuestPlan &plan)
{
	std::string disks;
	for (unsigned i = 1; i <= plan.disks; ++i)
		disks += (i > 1 ? " " : "") + std::string("/dev/nvme0n") + std::to_string(i);
	std::ostringstream s;
	s << "#!/bin/busybox sh\n"
	     "# e4mext guest init: the host's root over virtiofs, one command in a chroot, then power off.\n"
	     "/bin/busybox --install -s\n"
	     "export PATH=/sbin:/bin:/usr/sbin:/usr/bin\n"
	     "mount -t proc proc /proc\n"
	     "mount -t sysfs sysfs /sys\n"
	     "mount -t devtmpfs devtmpfs /dev\n"
	     "echo '"
	  << kInitUpMarker
	  << "'\n"
	     "fail() { echo \""
	  << kInitErrorMarker
	  << "$*\"; sync; poweroff -f; }\n"
	     "mkdir -p /host\n"
	     "mount -t virtiofs -o ro "
	  << kHostRootTag << " /host || fail 'cannot mount the host root (virtiofs tag " << kHostRootTag
	  << ")'\n"
	     "mount -t proc proc /host/proc || fail 'cannot mount proc in the chroot'\n"
	     "mount -t sysfs sysfs /host/sys || fail 'cannot mount sysfs in the chroot'\n"
	     "mount -t devtmpfs devtmpfs /host/dev || fail 'cannot mount devtmpfs in the chroot'\n"
	     "mkdir -p /host/dev/pts /host/dev/shm\n"
	     "mount -t devpts devpts /host/dev/pts\n"
	     "mount -t tmpfs tmpfs /host/dev/shm\n"
	     "mount -t tmpfs tmpfs /host/run || fail 'cannot mount a tmpfs on /run in the chroot'\n"
	  << guest_tmp_script(plan) << "R=/host" << kGuestResultsDir << "\n";
	if (!plan.modules_dir.empty()) {
		// The kernel loads modules on demand (a loop device, a filesystem) through
		// /proc/sys/kernel/modprobe in the initramfs, busybox's modprobe; the chroot's own modprobe
		// finds them too where the host has a /lib/modules to mount over.
		const std::string release = plan.modules_dir.substr(plan.modules_dir.find_last_of('/') + 1);
		const std::string from = shell_quote("/host" + plan.modules_dir);
		s << "mkdir -p /lib/modules/" << release
		  << "\n"
		     "mount --bind "
		  << from << " /lib/modules/" << release << " || fail "
		  << shell_quote("cannot bind the kernel's modules " + plan.modules_dir)
		  << "\n"
		     "echo /sbin/modprobe > /proc/sys/kernel/modprobe\n"
		     // Device nodes whose first open loads their module (as kmod static-nodes makes them).
		     "grep -v '^#' /lib/modules/"
		  << release
		  << "/modules.devname 2>/dev/null | while read -r module node number; do\n"
		     "\tmajor=${number#?}; mkdir -p \"$(dirname /host/dev/$node)\"\n"
		     "\tmknod \"/host/dev/$node\" \"${number%%[0-9]*}\" \"${major%%:*}\" \"${major#*:}\" 2>/dev/null\n"
		     "done\n"
		     "if [ -d /host/lib/modules ]; then\n"
		     "\tmount -t tmpfs tmpfs /host/lib/modules && mkdir /host/lib/modules/"
		  << release << " && mount --bind " << from << " /host/lib/modules/" << release
		  << "\n"
		     "fi\n";
	}
	if (plan.pmem)
		s << guest_pmem_script(plan);
	s << "mkdir -p $R\n"
	     "mount -t virtiofs "
	  << kResultsTag << " $R || fail 'cannot mount the results share (virtiofs tag " << kResultsTag
	  << ")'\n"
	     "uname -r > $R/guest-kernel\n"
	     "stty -F /dev/ttyS1 raw -echo 2>/dev/null\n"
	     "cp /e4mext-command /host/run/e4mext-command || fail 'cannot copy the command to /run in the chroot'\n"
	     "echo '"
	  << kCommandStartMarker
	  << "'\n"
	     "chroot /host /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb \\\n"
	     "    LANG=C.UTF-8 E4MEXT_RESULTS="
	  << kGuestResultsDir << " E4MEXT_DISKS='" << disks << "'"
	  << (plan.pmem ? " E4MEXT_PMEM=\"$pmem\" E4MEXT_PMEM_MISSING=\"$pmem_missing\"" : "")
	  << " \\\n"
	     "    /bin/bash /run/e4mext-command </dev/null >/dev/ttyS1 2>&1\n"
	     "status=$?\n"
	     "echo $status > $R/exit-status\n"
	     "sync\n"
	     "umount $R\n"
	     "echo \"e4mext-init: the command exited with status $status\"\n"
	     "poweroff -f\n";
	return s.str();
}

std::string guest_command_script(const GuestPlan &plan)
{
	return "cd -- " + shell_quote(plan.workdir) + " || exit 125\n" + plan.command + "\n";
}

std::string read_busybox(const std::string &path)
{
	auto binary = read_file(path);
	if (!binary || binary->empty())
		throw MissingRequirement("cannot read " + path +
					 " for the guest's initramfs: install busybox-static (scripts/setup does)");
	return *binary;
}

std::string build_initramfs(const GuestPlan &plan, const std::string &busybox)
{
	const std::string binary = read_busybox(busybox);
	CpioArchive cpio;
	for (const char *dir : {"bin", "sbin", "usr", "usr/bin", "usr/sbin", "dev", "proc", "sys", "host", "tmp", "lib"})
		cpio.add_directory(dir);
	cpio.add_char_device("dev/console", 0600, 5, 1);
	cpio.add_file("bin/busybox", binary, 0755);
	cpio.add_file("init", guest_init_script(plan), 0755);
	cpio.add_file("e4mext-command", guest_command_script(plan), 0644);
	return cpio.finish();
}

} // namespace e4mext::runner
