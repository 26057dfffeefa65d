// `e4mext vm run|kernels` (and e4mext-vm): one command in a throwaway VM per kernel - a Debian
// kernel by version, or your own bzImage - with the host's userspace (read-only, over virtiofs) and
// fresh NVMe disks.
//
//   sudo build/e4mext vm run --kernel 6.19.13 -- 'uname -r; mkfs.ext4 -q /dev/nvme0n1'
//   sudo build/e4mext vm run --kernel 6.18.15 --kernel ~/linux/arch/x86/boot/bzImage
//        --disks 4 --disk-size 2G -- build/regression/move-ext-regression --list
//   build/e4mext vm kernels
#include "cleanup_registry.h"
#include "initramfs.h"
#include "kernel_archive.h"
#include "kernel_spec.h"
#include "runner_errors.h"
#include "shell_quote.h"
#include "sizes.h"
#include "subcommand.h"
#include "time_text.h"
#include "vm_report.h"
#include "vm_run.h"

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>

using namespace e4mext::runner;
namespace fs = std::filesystem;

namespace {

constexpr const char *kDescription =
	"Runs a command in a throwaway VM booting a kernel under test: a version from Debian's archive\n"
	"(cloud-amd64 flavour, fetched once into ${XDG_CACHE_HOME:-~/.cache}/e4mext/kernels) or a bzImage you\n"
	"built. The guest sees the host's files read-only (virtiofs) and fresh emulated NVMe disks\n"
	"(/dev/nvme0n1 ...); the host reads its console for panics, oopses, KASAN, BUG and WARNING reports.\n"
	"Exit status of run: the command's; 2 bad usage or unknown version; 3 the kernel could not be\n"
	"fetched or did not boot; 4 the guest crashed (or hung). Needs root (virtiofsd).";

struct RunOptions {
	std::vector<std::string> kernels;
	unsigned disks = 1;
	std::string disk_size = "1G";
	std::string memory = "2G";
	std::string pmem;
	unsigned cpus = 2;
	unsigned timeout = 600;
	unsigned boot_timeout = 120;
	std::string accel = "auto";
	std::string results;
	std::vector<std::string> command;
};

// One argument is a shell command line; several are a command and its arguments, quoted as given.
std::string command_line(const std::vector<std::string> &words)
{
	if (words.size() == 1)
		return words.front();
	std::string line;
	for (const std::string &w : words)
		line += (line.empty() ? "" : " ") + shell_quote(w);
	return line;
}

int run(const RunOptions &opt)
{
	VmRequest base;
	base.memory = parse_guest_memory(opt.memory, "--memory");
	base.disk_size = parse_size(opt.disk_size, "--disk-size");
	if (base.disk_size % 4096)
		throw UsageError("--disk-size " + opt.disk_size + ": give a multiple of 4k");
	if (opt.disks < 1 || opt.disks > 16)
		throw UsageError("--disks " + std::to_string(opt.disks) + ": give 1 to 16");
	if (opt.cpus < 1 || opt.cpus > 64)
		throw UsageError("--cpus " + std::to_string(opt.cpus) + ": give 1 to 64");
	if (opt.timeout < 1 || opt.boot_timeout < 1)
		throw UsageError("--timeout and --boot-timeout: give at least 1 second");
	if (!opt.pmem.empty()) {
		base.pmem = parse_size(opt.pmem, "--pmem");
		pmem_kernel_argument(base.memory, base.pmem); // refuses a size that does not fit
	}
	base.cpus = opt.cpus;
	base.plan.disks = opt.disks;
	base.plan.command = command_line(opt.command);
	base.plan.workdir = fs::current_path().string();
	base.timeout = std::chrono::seconds(opt.timeout);
	base.boot_timeout = std::chrono::seconds(opt.boot_timeout);
	if (::geteuid() != 0)
		throw MissingRequirement(
			"e4mext-vm run needs root: virtiofsd shares the host's root with the guest (run it with sudo)");

	install_cleanup_handlers("e4mext-vm");
	const std::vector<Kernel> kernels = resolve_kernels(opt.kernels, "e4mext-vm", std::cerr);
	const std::vector<std::string> labels = unique_labels(kernels);
	const std::string results_root =
		fs::absolute(opt.results.empty() ? temporary_results_dir("vm") : opt.results).lexically_normal().string();

	const AcceleratorChoice accel = choose_accelerator(opt.accel, kernels.front().image, base.busybox);
	const std::string qemu = qemu_version();

	int first_failure = 0;
	for (size_t i = 0; i < kernels.size(); ++i) {
		VmRequest req = base;
		req.results_dir = results_root + "/" + labels[i];
		req.plan.modules_dir = kernels[i].modules_dir;
		req.plan.modules_missing = kernels[i].modules_missing;
		std::cerr << "e4mext-vm: " << labels[i] << ": booting " << kernels[i].image << " under "
			  << accelerator_name(accel.accel) << " (" << accel.reason << ")\n";
		const VmOutcome outcome = run_in_vm(kernels[i], req, accel.accel, std::cout);
		const std::string metadata = metadata_block(RunFacts{kernels[i], req, accel, outcome, qemu});
		std::ofstream(req.results_dir + "/metadata.txt") << metadata;
		std::cout << std::flush;
		std::cout << "\n=== e4mext-vm: kernel " << labels[i] << " ===\n" << metadata;
		const std::string v = verdict(outcome);
		if (v.find('\n') != v.size() - 1)
			std::cout << v.substr(v.find('\n') + 1);
		std::cout << "results: " << req.results_dir << "\n" << std::flush;
		const int status = exit_status_of(outcome);
		if (first_failure == 0)
			first_failure = status;
	}
	return first_failure;
}

int list_kernels(const std::vector<std::string> &suites)
{
	KernelArchive archive(default_kernel_cache(), suites, std::cerr);
	const std::vector<KernelPackage> catalogue = archive.catalogue();
	for (const KernelPackage &p : catalogue)
		std::cout << p.upstream << "\t" << p.package << "\t" << p.debian_version << "\t" << p.suite << "\t"
			  << (p.with_modules              ? "modules-in-package"
			      : p.modules_package.empty() ? "no-modules-package"
							  : p.modules_package)
			  << (archive.cached(p.upstream) ? "\tcached" : "") << "\n";
	std::cerr << "e4mext-vm: " << catalogue.size() << " kernels; cache: " << archive.cache_root() << "\n";
	return 0;
}

} // namespace

std::vector<Subcommand> e4mext::runner::add_vm_commands(CLI::App &parent)
{
	auto opt = std::make_shared<RunOptions>();
	CLI::App *run_cmd = parent.add_subcommand("run", "run COMMAND in a VM for each --kernel, print its output and metadata");
	run_cmd->footer(kDescription);
	run_cmd->add_option("--kernel", opt->kernels, "a Debian kernel version (6.19.13) or a bzImage path; repeatable")
		->required()
		->allow_extra_args(false);
	run_cmd->add_option("--disks", opt->disks, "NVMe namespaces, /dev/nvme0n1 ... (E4MEXT_DISKS in the guest)")
		->capture_default_str();
	run_cmd->add_option("--disk-size", opt->disk_size, "size of each disk (sparse raw image in TMPDIR)")->capture_default_str();
	run_cmd->add_option("--memory", opt->memory, "guest memory")->capture_default_str();
	run_cmd->add_option("--cpus", opt->cpus, "guest vCPUs")->capture_default_str();
	run_cmd->add_option("--pmem", opt->pmem,
			    "emulated persistent memory of this size (memmap=, taken from --memory): /dev/pmem0 in the guest, "
			    "E4MEXT_PMEM; for DAX");
	run_cmd->add_option("--timeout", opt->timeout, "seconds for the whole run of one kernel; then the guest counts as hung")
		->capture_default_str();
	run_cmd->add_option("--boot-timeout", opt->boot_timeout, "seconds from qemu's start to /init's first line")
		->capture_default_str();
	add_accelerator_option(*run_cmd, opt->accel);
	run_cmd->add_option("--results", opt->results,
			    "results go to DIR/<kernel>/ (default ${TMPDIR:-/tmp}/e4mext-vm.<time>.<pid>)");
	run_cmd->add_option("command", opt->command, "after --: one shell command line, or a command and its arguments")
		->required();

	auto suites = std::make_shared<std::vector<std::string>>(default_kernel_suites());
	CLI::App *kernels_cmd = parent.add_subcommand("kernels", "list the cloud-amd64 kernels Debian's archive offers");
	kernels_cmd->add_option("--suite", *suites, "suites to search (repeatable)")
		->capture_default_str()
		->allow_extra_args(false);
	return {Subcommand{run_cmd, [opt] { return run(*opt); }},
		Subcommand{kernels_cmd, [suites] { return list_kernels(*suites); }}};
}
