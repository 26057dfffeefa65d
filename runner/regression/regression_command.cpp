// `e4mext regression`: the kernel regression suite of EXT4_IOC_MOVE_EXT (regression/) on the
// host's kernel, as meson's suite runs it, or with --kernel in one throwaway VM per kernel - every
// case, the dangerous ones included, against the golden file of the behaviour the suite detects.
// The host reads each guest's console: a panic, oops, KASAN report, BUG or WARNING fails the case
// that was running; a guest still running at --timeout is killed and its case reported as hung.
//
//   build/e4mext regression
//   sudo build/e4mext regression --kernel 6.19.13
//   sudo build/e4mext regression --kernel 6.12.48 --kernel 6.18.15 --kernel 6.19.13 --results results/kernels
#include "cleanup_registry.h"
#include "file_text.h"
#include "initramfs.h"
#include "install_layout.h"
#include "kernel_archive.h"
#include "kernel_packages.h"
#include "kernel_spec.h"
#include "process.h"
#include "regression_results.h"
#include "runner_errors.h"
#include "shell_quote.h"
#include "subcommand.h"
#include "time_text.h"
#include "vm_report.h"
#include "vm_run.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

namespace e4mext::runner {

namespace {

namespace fs = std::filesystem;

constexpr const char *kDescription =
	"Runs the kernel regression suite of EXT4_IOC_MOVE_EXT (move-ext-regression: build/regression/ beside build/e4mext, or PREFIX/libexec/e4mext/ installed).\n"
	"Without --kernel: on this machine's kernel, as `meson test --suite regression` does (loop devices;\n"
	"needs root, else the suite exits 77). With --kernel (repeatable): in one throwaway VM per kernel\n"
	"(see e4mext vm run), every case including the dangerous ones, its filesystems on the VM's NVMe\n"
	"disks, against golden-old.txt or golden-new.txt as the suite detects the kernel's implementation.\n"
	"A panic/oops/KASAN/BUG/WARNING on a guest's console fails the case that was running; a guest still\n"
	"running after --timeout is killed and reported. Two or more kernels: a kernel matrix at the end.\n"
	"Exit status: 0 all as expected; 1 a case failed; 2 bad usage; 3 a kernel unavailable or did not boot;\n"
	"4 a guest crashed or hung (also on the host: the suite hung); 77 the suite skipped (not root, no --kernel).";

constexpr unsigned kDisks = 4;              // two suffice (the suite gives up shared filesystems for room)
constexpr uint64_t kDiskSize = 64ull << 20; // the suite makes 64M filesystems, as on loop devices
constexpr uint64_t kPmem = 256ull << 20;    // /dev/pmem0 for the DAX cases (memmap=, out of the 2G)

struct Options {
	std::vector<std::string> kernels;
	std::vector<std::string> only;
	std::string golden;
	std::string results;
	std::string matrix;
	unsigned timeout = 1800;
	unsigned boot_timeout = 120;
	std::string accel = "auto";
	std::string sysrq_crash_in;
};

// move-ext-regression: build/regression/ beside build/e4mext, or PREFIX/libexec/e4mext/.
std::string suite_binary()
{
	const InstallLayout &layout = install_layout();
	if (::access(layout.regression_suite.c_str(), X_OK) != 0)
		throw MissingRequirement(layout.regression_suite + " is missing: " +
					 (layout.installed ? "reinstall e4mext" : "build it (ninja -C " + layout.root + ")"));
	return layout.regression_suite;
}

// What the suite needs at run time, from the checkout or the install: the golden files.
std::vector<std::string> suite_data_arguments()
{
	return {"--golden-dir", install_layout().golden_dir};
}

std::vector<std::string> suite_arguments(const Options &opt, bool in_vm)
{
	std::vector<std::string> args = suite_data_arguments();
	if (in_vm)
		args.push_back("--dangerous"); // a crash costs only the VM
	for (const std::string &o : opt.only)
		args.insert(args.end(), {"--only", o});
	if (!opt.golden.empty())
		args.insert(args.end(), {"--golden", fs::absolute(opt.golden).string()});
	if (!opt.sysrq_crash_in.empty())
		args.insert(args.end(), {"--sysrq-crash-in", opt.sysrq_crash_in});
	return args;
}

// The ids the run covers: the suite's --list, filtered as --only filters.
std::vector<std::string> expected_cases(const std::string &binary, const std::vector<std::string> &only)
{
	const CommandResult r = run_command({binary, "--list"}, std::chrono::seconds(30));
	std::vector<std::string> ids;
	std::istringstream in(r.out);
	for (std::string line; std::getline(in, line);) {
		const std::string id = line.substr(0, line.find(" | "));
		bool wanted = only.empty();
		for (const std::string &o : only)
			wanted = wanted || id.find(o) != std::string::npos;
		if (wanted && !id.empty())
			ids.push_back(id);
	}
	return ids;
}

// Every --only must name some case: a typo would otherwise run nothing and pass.
void check_only(const std::string &binary, const std::vector<std::string> &only)
{
	const std::vector<std::string> all = expected_cases(binary, {});
	if (all.empty())
		throw RunFailed(binary + " --list named no cases: rebuild the suite (ninja -C build)");
	for (const std::string &o : only) {
		if (!expected_cases(binary, {o}).empty())
			continue;
		std::set<std::string> prefixes;
		for (const std::string &id : all)
			prefixes.insert(id.substr(0, id.find('/')) + "/");
		std::string known;
		for (const std::string &p : prefixes)
			known += (known.empty() ? "" : ", ") + p;
		throw UsageError("--only '" + o + "' matches no case of the suite (ids start with " + known +
				 "; move-ext-regression --list names them all)");
	}
}

void write_text(const fs::path &path, const std::string &text)
{
	std::ofstream out(path);
	out << text;
	if (!out.flush())
		throw std::runtime_error("cannot write " + path.string());
}

// ---- on the host ----

int run_on_host(const Options &opt)
{
	const std::string binary = suite_binary();
	std::vector<std::string> argv{binary};
	for (const std::string &a : suite_arguments(opt, false))
		argv.push_back(a);
	install_cleanup_handlers("e4mext regression");
	std::unique_ptr<std::ofstream> saved;
	if (!opt.results.empty()) {
		fs::create_directories(opt.results);
		saved = std::make_unique<std::ofstream>(fs::path(opt.results) / "output.txt");
		argv.insert(argv.end(), {"--junit", (fs::path(opt.results) / "junit.xml").string()});
	}
	Process suite = Process::spawn(argv, Stream::pipe(), Stream::inherit());
	const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(opt.timeout);
	for (bool open = true; open;) {
		struct pollfd p = {suite.stdout_fd(), POLLIN, 0};
		::poll(&p, 1, 200);
		char buf[4096];
		const ssize_t n = p.revents ? ::read(p.fd, buf, sizeof buf) : 0;
		if (n > 0) {
			std::cout.write(buf, n).flush();
			if (saved)
				saved->write(buf, n).flush();
		} else if (p.revents) {
			open = false;
		}
		if (std::chrono::steady_clock::now() > deadline) {
			suite.terminate(std::chrono::seconds(10)); // SIGTERM: the suite removes its filesystems
			std::cout << "e4mext regression: the suite was still running after " << opt.timeout
				  << " s (--timeout): stopped\n";
			return kExitGuestCrashed;
		}
	}
	const ExitStatus status = suite.wait();
	return status.shell_code();
}

// ---- in VMs ----

struct KernelOutcome {
	SuiteRun run;
	int status = 0; // this kernel's exit status
};

KernelOutcome run_kernel(const Kernel &kernel, const std::string &label, const Options &opt, const AcceleratorChoice &accel,
			 const std::string &qemu, const std::string &binary, const std::vector<std::string> &expected,
			 const fs::path &results_root)
{
	VmRequest req;
	req.plan.disks = kDisks;
	req.disk_size = kDiskSize;
	req.plan.workdir = fs::current_path().string();
	req.plan.modules_dir = kernel.modules_dir;
	req.plan.modules_missing = kernel.modules_missing;
	req.pmem = kPmem; // the DAX cases' device
	std::string command = shell_quote(binary);
	for (const std::string &a : suite_arguments(opt, true))
		command += " " + shell_quote(a);
	command += " --junit \"$E4MEXT_RESULTS\"/junit.xml"; // the guest's view of this kernel's results directory
	req.plan.command = command;
	req.timeout = std::chrono::seconds(opt.timeout);
	req.boot_timeout = std::chrono::seconds(opt.boot_timeout);
	req.results_dir = (results_root / label).string();
	std::error_code ec;
	fs::remove(fs::path(req.results_dir) / "junit.xml", ec); // a kernel that does not boot must not show an old run's

	std::cerr << "e4mext regression: " << label << ": booting " << kernel.image << " under " << accelerator_name(accel.accel)
		  << " (" << accel.reason << ")\n";
	const VmOutcome outcome = run_in_vm(kernel, req, accel.accel, std::cout);
	const std::string metadata = metadata_block(RunFacts{kernel, req, accel, outcome, qemu});

	KernelOutcome k;
	k.run = parse_suite_output(read_text(fs::path(req.results_dir) / "output.txt"));
	k.run.label = label;
	k.run.vm_status = metadata.substr(metadata.rfind("status: ") + 8);
	k.run.vm_status.pop_back();
	join_console(k.run, outcome.console, outcome.end == VmEnd::hung, expected);

	std::ostringstream block;
	block << "\n=== e4mext regression: kernel " << label << " ===\n"
	      << metadata << "suite: " << k.run.behaviour << " EXT4_IOC_MOVE_EXT; " << k.run.passed << " passed, " << k.run.failed
	      << " failed, " << k.run.not_run << " not run, " << k.run.crashed << " crashed; golden: " << k.run.golden << "\n";
	for (const CaseResult &c : k.run.cases) {
		if (c.verdict != "CRASHED" && c.verdict != "HUNG")
			continue;
		block << c.verdict << " " << c.id << ": " << c.reason << "\n";
		for (const std::string &t : c.trace)
			block << "    " << t << "\n";
	}
	if (outcome.end == VmEnd::boot_failed || outcome.end == VmEnd::hung || outcome.end == VmEnd::host_disk_failed) {
		const std::string v = verdict(outcome);
		block << v.substr(v.find('\n') + 1);
	}
	block << "results: " << req.results_dir << "\n";
	write_text(fs::path(req.results_dir) / "metadata.txt", metadata);
	write_text(fs::path(req.results_dir) / "cases.txt", case_table(k.run));
	std::cout << std::flush << block.str() << std::flush;

	if (outcome.end == VmEnd::crashed || outcome.end == VmEnd::hung || !outcome.crashes.empty() || k.run.crashed > 0)
		k.status = kExitGuestCrashed;
	else if (outcome.end == VmEnd::boot_failed || outcome.end == VmEnd::host_disk_failed)
		k.status = kExitRunFailed;
	else if (outcome.command_status != 0 || k.run.failed > 0 || k.run.golden == "FAIL" || k.run.summary.empty())
		k.status = 1;
	return k;
}

// The worst of the kernels' statuses: a crash or hang, then a kernel that did not boot, then a failure.
int worst(int a, int b)
{
	auto rank = [](int s) { return s == kExitGuestCrashed ? 3 : s == kExitRunFailed ? 2 : s != 0 ? 1 : 0; };
	return rank(b) > rank(a) ? b : a;
}

int run_in_vms(const Options &opt)
{
	if (::geteuid() != 0)
		throw MissingRequirement(
			"e4mext regression --kernel needs root: virtiofsd shares the host's root with the guest (run it with sudo)");
	const std::string binary = suite_binary();
	const std::vector<std::string> expected = expected_cases(binary, opt.only);
	install_cleanup_handlers("e4mext regression");
	const std::vector<Kernel> kernels = resolve_kernels(opt.kernels, "e4mext regression", std::cerr);
	const std::vector<std::string> labels = unique_labels(kernels);
	const fs::path results_root =
		fs::absolute(opt.results.empty() ? temporary_results_dir("regression") : opt.results).lexically_normal();
	const AcceleratorChoice accel = choose_accelerator(opt.accel, kernels.front().image);
	const std::string qemu = qemu_version();

	int status = 0;
	std::vector<SuiteRun> runs;
	for (size_t i = 0; i < kernels.size(); ++i) {
		KernelOutcome k = run_kernel(kernels[i], labels[i], opt, accel, qemu, binary, expected, results_root);
		status = worst(status, k.status);
		runs.push_back(std::move(k.run));
	}
	if (runs.size() >= 2) {
		const std::string matrix =
			"kernel matrix (" + std::string(accelerator_name(accel.accel)) + ", " + qemu + ")\n" + kernel_matrix(runs);
		write_text(results_root / "matrix.txt", matrix);
		std::cout << "\n=== e4mext regression: kernel matrix ===\n"
			  << matrix << "results: " << results_root.string() << "\n";
	}
	return status;
}

// The first word of each "<key>: ..." line of the kernels' metadata (or the whole value), distinct,
// joined with " / ": the matrix's header says what its runs ran under.
std::string metadata_values(const std::vector<fs::path> &dirs, const std::string &key, bool first_word)
{
	std::vector<std::string> values;
	for (const fs::path &d : dirs) {
		std::istringstream in(read_text(d / "metadata.txt"));
		for (std::string line; std::getline(in, line);)
			if (line.rfind(key + ": ", 0) == 0) {
				std::string v = line.substr(key.size() + 2);
				if (first_word)
					v = v.substr(0, v.find(' '));
				if (std::find(values.begin(), values.end(), v) == values.end())
					values.push_back(v);
			}
	}
	std::string out;
	for (const std::string &v : values)
		out += (out.empty() ? "" : " / ") + v;
	return out.empty() ? "unknown" : out;
}

// --matrix DIR: DIR/matrix.txt anew from every kernel's results under DIR (runs of different
// times, e.g. kernels added later), in kernel version order; runs nothing.
int rewrite_matrix(const std::string &dir)
{
	std::vector<fs::path> dirs;
	std::error_code ec;
	for (const auto &entry : fs::directory_iterator(dir, ec))
		if (entry.is_directory() && fs::exists(entry.path() / "metadata.txt"))
			dirs.push_back(entry.path());
	if (ec)
		throw UsageError("--matrix " + dir + ": " + ec.message());
	if (dirs.size() < 2)
		throw UsageError("--matrix " + dir +
				 ": a matrix needs the results of two kernels or more (DIR/<kernel>/metadata.txt); found " +
				 std::to_string(dirs.size()));
	std::sort(dirs.begin(), dirs.end(), [](const fs::path &a, const fs::path &b) {
		const int c = compare_kernel_versions(a.filename().string(), b.filename().string());
		return c != 0 ? c < 0 : a.filename() < b.filename();
	});
	std::vector<SuiteRun> runs;
	for (const fs::path &d : dirs)
		runs.push_back(read_suite_run(d.string(), d.filename().string()));
	const std::string matrix = "kernel matrix (" + metadata_values(dirs, "accelerator", true) + ", " +
				   metadata_values(dirs, "qemu", false) + ")\n" + kernel_matrix(runs);
	write_text(fs::path(dir) / "matrix.txt", matrix);
	std::cout << matrix << "written: " << (fs::path(dir) / "matrix.txt").string() << "\n";
	return 0;
}

int run(const Options &opt)
{
	if (!opt.matrix.empty()) {
		if (!opt.kernels.empty() || !opt.only.empty() || !opt.results.empty())
			throw UsageError(
				"--matrix rewrites a results directory's matrix and runs nothing: not with --kernel, --only or --results");
		return rewrite_matrix(opt.matrix);
	}
	if (opt.timeout < 1 || opt.boot_timeout < 1)
		throw UsageError("--timeout and --boot-timeout: give at least 1 second");
	if (!opt.golden.empty() && !fs::is_regular_file(opt.golden))
		throw UsageError("--golden " + opt.golden + ": no such file (regression/golden-old.txt or golden-new.txt)");
	if (!opt.sysrq_crash_in.empty() && opt.kernels.empty())
		throw UsageError("--sysrq-crash-in panics the kernel: only with --kernel (in a VM), never on the host");
	if (!opt.only.empty())
		check_only(suite_binary(), opt.only);
	return opt.kernels.empty() ? run_on_host(opt) : run_in_vms(opt);
}

} // namespace

Subcommand add_regression_command(CLI::App &parent)
{
	auto opt = std::make_shared<Options>();
	CLI::App *app =
		parent.add_subcommand("regression", "run the EXT4_IOC_MOVE_EXT regression suite here or in a VM per --kernel");
	app->footer(kDescription);
	app->add_option("--kernel", opt->kernels, "a Debian kernel version (6.19.13) or a bzImage path; repeatable")
		->allow_extra_args(false);
	app->add_option("--only", opt->only, "run only the cases whose id contains this (repeatable); skips the golden comparison")
		->allow_extra_args(false);
	app->add_option("--golden", opt->golden,
			"compare with this file instead of golden-<old|new>.txt of the detected behaviour");
	app->add_option("--results", opt->results,
			"with --kernel: DIR/<kernel>/ (metadata, console, output, cases, junit.xml) and DIR/matrix.txt "
			"(default ${TMPDIR:-/tmp}/e4mext-regression.<time>.<pid>); without: DIR/output.txt and DIR/junit.xml");
	app->add_option("--matrix", opt->matrix,
			"run nothing: rewrite DIR/matrix.txt from the kernels' results under DIR (DIR/<kernel>/, runs "
			"of any time), in version order");
	app->add_option("--timeout", opt->timeout, "seconds for one kernel's whole run (boot included); then it counts as hung")
		->capture_default_str();
	app->add_option("--boot-timeout", opt->boot_timeout,
			"with --kernel: seconds from qemu's start to /init's first line; later, the kernel did not boot")
		->capture_default_str();
	add_accelerator_option(*app, opt->accel);
	app->add_option("--sysrq-crash-in", opt->sysrq_crash_in,
			"test only: the guest's suite panics its kernel through sysrq when this case starts (only with --kernel)");
	return {app, [opt] { return run(*opt); }};
}

} // namespace e4mext::runner
