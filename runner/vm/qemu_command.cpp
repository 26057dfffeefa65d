#include "qemu_command.h"

#include "runner_errors.h"
#include "sizes.h"

#include <fstream>

namespace e4mext::runner {

const char *accelerator_name(Accelerator accel)
{
	return accel == Accelerator::kvm ? "kvm" : "tcg";
}

uint64_t parse_guest_memory(const std::string &text, const std::string &what)
{
	const uint64_t bytes = parse_size(text, what);
	if (bytes < (256ull << 20) || bytes % (1ull << 20))
		throw UsageError(what + " " + text + ": give whole MiB, at least 256M");
	std::ifstream meminfo("/proc/meminfo");
	std::string key;
	uint64_t kib = 0;
	while (meminfo >> key >> kib && key != "MemTotal:")
		meminfo.ignore(256, '\n');
	if (key == "MemTotal:" && bytes > kib * 1024)
		throw UsageError(what + " " + text + ": more than this machine's " + std::to_string(kib >> 10) +
				 " MiB of memory; give less (e.g. 2G)");
	return bytes;
}

std::string qemu_option_value(const std::string &value)
{
	std::string out;
	for (const char ch : value)
		out += ch == ',' ? std::string(",,") : std::string(1, ch);
	return out;
}

std::vector<std::string> virtiofsd_argv(const std::string &virtiofsd, const std::string &socket, const std::string &source)
{
	std::string escaped;
	for (const char ch : source) {
		if (ch == ',' || ch == '\\')
			escaped += '\\';
		escaped += ch;
	}
	return {virtiofsd, "--socket-path=" + socket, "-o", "source=" + escaped, "-o", "cache=auto", "-o", "sandbox=chroot"};
}

std::vector<std::string> qemu_argv(const VmConfig &c)
{
	const std::string mem_mib = std::to_string(c.memory >> 20) + "M";
	std::vector<std::string> a = {c.qemu, "-nodefaults", "-display", "none", "-no-reboot", "-monitor", "none"};
	if (c.accel == Accelerator::kvm)
		a.insert(a.end(), {"-accel", "kvm", "-cpu", "host"});
	else
		a.insert(a.end(), {"-accel", "tcg", "-cpu", "max"});
	a.insert(a.end(), {"-smp", std::to_string(c.cpus), "-m", mem_mib});
	const std::string append = c.pmem ? c.append + " " + pmem_kernel_argument(c.memory, c.pmem) : c.append;
	a.insert(a.end(), {"-kernel", c.kernel_image, "-initrd", c.initramfs, "-append", append});
	a.insert(a.end(), {"-serial", "stdio"});
	if (!c.output_file.empty())
		a.insert(a.end(), {"-serial", "file:" + c.output_file});
	if (!c.disk_images.empty())
		a.insert(a.end(), {"-device", "nvme,id=nvme0,serial=e4mext0"});
	for (size_t i = 0; i < c.disk_images.size(); ++i) {
		const std::string id = "disk" + std::to_string(i + 1);
		a.insert(a.end(), {"-drive",
				   "file=" + qemu_option_value(c.disk_images[i]) + ",if=none,id=" + id +
					   ",format=raw,cache=" + c.disk_cache + ",aio=threads",
				   "-device", "nvme-ns,drive=" + id + ",bus=nvme0,nsid=" + std::to_string(i + 1)});
	}
	if (!c.root_socket.empty()) {
		a.insert(a.end(),
			 {"-object", "memory-backend-memfd,id=mem,size=" + mem_mib + ",share=on", "-numa", "node,memdev=mem"});
		a.insert(a.end(), {"-chardev", "socket,id=fsroot,path=" + qemu_option_value(c.root_socket), "-device",
				   "vhost-user-fs-pci,chardev=fsroot,tag=hostroot"});
		a.insert(a.end(), {"-chardev", "socket,id=fsresults,path=" + qemu_option_value(c.results_socket), "-device",
				   "vhost-user-fs-pci,chardev=fsresults,tag=results"});
	}
	return a;
}

std::string pmem_kernel_argument(uint64_t memory, uint64_t pmem)
{
	constexpr uint64_t unit = 128ull << 20, top_gap = 256ull << 20, below = 512ull << 20;
	if (pmem == 0 || pmem % unit)
		throw UsageError("--pmem " + format_size(pmem) + ": give a multiple of 128M");
	if (memory < below + pmem + top_gap)
		throw UsageError("--pmem " + format_size(pmem) + " does not fit in --memory " + format_size(memory) +
				 ": the guest needs at least " + format_size(below + pmem + top_gap) +
				 " (512M of RAM, the pmem, 256M)");
	const uint64_t start = (memory - top_gap - pmem) / unit * unit;
	return "memmap=" + format_size(pmem) + "!" + format_size(start);
}

} // namespace e4mext::runner
