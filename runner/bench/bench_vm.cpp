#include "bench_vm.h"

#include "bench_run.h"
#include "cleanup_registry.h"
#include "initramfs.h"
#include "process.h"
#include "shell_quote.h"
#include "time_text.h"
#include "unfinished_runs.h"
#include "vm_report.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>

namespace e4mext::runner {

namespace fs = std::filesystem;

namespace {

// Every file under `from` to the same place under `to`; `from` is removed.
void move_tree(const fs::path &from, const fs::path &to)
{
	std::error_code ec;
	if (!fs::is_directory(from, ec))
		return;
	std::vector<fs::path> files;
	for (const auto &entry : fs::recursive_directory_iterator(from))
		if (entry.is_regular_file())
			files.push_back(entry.path());
	for (const fs::path &file : files) {
		const fs::path there = to / fs::relative(file, from);
		fs::create_directories(there.parent_path());
		fs::rename(file, there);
	}
	fs::remove_all(from);
}

// The guest's runs (boot dir/runs/<case>/run-N.*) into the kernel's set (set dir/runs/...). A run
// whose fio JSON does not read as fio's output did not finish (the VM was stopped during it, by an
// interrupt or a failure): it is set aside in the set's unfinished/ (unfinished_runs.h), as are
// the runs the guest's bench set aside itself (boot dir/unfinished). Returns the runs the VM
// stopped in (<case>/run-N).
std::vector<std::string> collect_runs(const fs::path &boot_dir, const fs::path &set_dir)
{
	const fs::path from = boot_dir / "runs";
	std::set<std::string> runs; // every run's verdict before any file moves
	std::error_code ec;
	for (const auto &entry : fs::recursive_directory_iterator(from, ec))
		if (const std::string run = run_of(entry.path().filename().string()); !run.empty() && entry.is_regular_file())
			runs.insert((fs::relative(entry.path().parent_path(), from) / run).string());
	std::vector<std::string> cut;
	for (const std::string &run : runs)
		if (!run_finished(from / (run + ".json"))) {
			set_aside(from, run, set_dir / "unfinished");
			cut.push_back(run);
		}
	move_tree(from, set_dir / "runs");
	move_tree(boot_dir / "unfinished", set_dir / "unfinished");
	return cut;
}

std::string guest_command(const KernelBenchPlan &plan, unsigned run, const std::vector<std::string> &case_ids)
{
	std::string command = shell_quote(plan.e4mext) +
			      " bench --guest-disk /dev/nvme0n1 --guest-results \"$E4MEXT_RESULTS\" --run-number " +
			      std::to_string(run);
	for (const std::string &a : plan.guest_args)
		command += " " + shell_quote(a);
	if (!case_ids.empty()) // the last --only counts
		command += " --only " + shell_quote(only_these_cases(case_ids));
	return command;
}

void write_set_metadata(const KernelBenchPlan &plan, size_t k, const std::string &vm_block, const fs::path &boot_dir)
{
	std::ofstream meta(fs::path(plan.out_dir) / plan.labels[k] / "metadata.txt");
	meta << "label: " << plan.labels[k] << "\n";
	std::string guest_kernel;
	std::ifstream gk(boot_dir / "guest-kernel");
	std::getline(gk, guest_kernel);
	meta << "kernel: " << (guest_kernel.empty() ? plan.kernels[k].label : guest_kernel) << " (in a VM under "
	     << accelerator_name(plan.accel.accel) << ")\n";
	for (const std::string &line : plan.host_metadata)
		meta << line << "\n";
	// The VM's own block (kernel origin, accelerator, vCPUs, memory, disks, qemu), as in e4mext vm run.
	std::istringstream block(vm_block);
	for (std::string line; std::getline(block, line);)
		if (line.rfind("status:", 0) != 0 && line.rfind("wall time:", 0) != 0 && line.rfind("boot to", 0) != 0)
			meta << "vm " << line << "\n";
	std::ifstream guest(boot_dir / "guest-metadata.txt");
	for (std::string line; std::getline(guest, line);)
		meta << line << "\n";
}

} // namespace

std::string host_paths(std::string text, const std::string &boot_dir, const std::string &set_dir)
{
	const std::string guest = std::string(kGuestResultsDir) + "/";
	for (size_t at = text.find(guest); at != std::string::npos; at = text.find(guest, at)) {
		const size_t end = std::min(text.find_first_of(" \t\n)'\":", at), text.size());
		const std::string relative = text.substr(at + guest.size(), end - at - guest.size());
		fs::path host = fs::path(boot_dir) / relative;
		if (relative.rfind("runs/", 0) == 0) {
			const std::string in_runs = relative.substr(5);
			std::error_code ec;
			host = fs::exists(fs::path(set_dir) / "runs" / in_runs, ec) ? fs::path(set_dir) / "runs" / in_runs
										    : fs::path(set_dir) / "unfinished" / in_runs;
		} else if (relative.rfind("unfinished/", 0) == 0) {
			host = fs::path(set_dir) / relative;
		}
		text.replace(at, end - at, host.string());
		at += host.string().size();
	}
	return text;
}

bool crashed_before_init(const VmOutcome &outcome)
{
	return outcome.end == VmEnd::boot_failed && !outcome.reached_init && !outcome.crashes.empty();
}

VmOutcome boot_once_more_on_boot_crash(const std::function<VmOutcome()> &boot,
				       const std::function<void(const VmOutcome &)> &set_aside)
{
	VmOutcome first = boot();
	if (!crashed_before_init(first))
		return first;
	set_aside(first);
	return boot();
}

std::string only_these_cases(const std::vector<std::string> &case_ids)
{
	std::string regex;
	for (const std::string &id : case_ids) {
		regex += regex.empty() ? "^(" : "|";
		for (const char ch : id) {
			if (std::string_view(".[]{}()\\*+?^$|").find(ch) != std::string_view::npos)
				regex += '\\';
			regex += ch;
		}
	}
	return regex + ")$";
}

int run_kernel_round(const KernelBenchPlan &plan, unsigned r, const std::vector<std::string> &case_ids, std::ostream &out)
{
	const std::string qemu = qemu_version();
	for (size_t k = 0; k < plan.kernels.size(); ++k) {
		const size_t boot = (r - 1) * plan.kernels.size() + k + 1;
		const size_t boots = plan.rounds * plan.kernels.size();
		const fs::path set_dir = fs::path(plan.out_dir) / plan.labels[k];
		const fs::path boot_dir = set_dir / "vm" / ("round-" + std::to_string(r));
		fs::create_directories(set_dir / "runs");
		VmRequest req = plan.vm;
		req.results_dir = boot_dir.string();
		req.plan.modules_dir = plan.kernels[k].modules_dir;
		req.plan.modules_missing = plan.kernels[k].modules_missing;
		req.plan.command = guest_command(plan, r, case_ids);
		req.plan.workdir = fs::current_path().string();
		req.plan.disks = 1;
		const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - plan.started).count();
		out << "bench: VM " << boot << " of " << (plan.sequential ? "at most " : "") << boots << ": kernel "
		    << plan.labels[k] << ", round " << r << " of " << (plan.sequential ? "at most " : "") << plan.rounds << " ("
		    << accelerator_name(plan.accel.accel) << "); "
		    << (case_ids.empty() ? "every case" : std::to_string(case_ids.size()) + " undecided case(s)") << "; elapsed "
		    << format_duration(elapsed);
		if (!plan.sequential)
			out << ", ETA "
			    << (boot == 1 ? "?" : format_duration(elapsed / double(boot - 1) * double(boots - boot + 1)));
		out << "\n" << std::flush;
		std::ostringstream guest_output; // kept in <boot dir>/output.txt; progress lines echoed
		std::string boot_crash_note;
		const VmOutcome outcome = boot_once_more_on_boot_crash(
			[&] { return run_in_vm(plan.kernels[k], req, plan.accel.accel, guest_output); },
			[&](const VmOutcome &crashed) {
				throw_if_interrupted();
				const fs::path kept = boot_dir.string() + "-boot-crash";
				fs::remove_all(kept);
				fs::rename(boot_dir, kept);
				boot_crash_note = "the first boot crashed before /init (" + crashed.crashes.front().first_line +
						  "); console: " + (kept / "console.log").string();
				out << "bench: the VM of kernel " << plan.labels[k] << " (round " << r << "): " << boot_crash_note
				    << "; booting it once more\n"
				    << std::flush;
				guest_output.str("");
			});
		// Interrupted or not: the runs that finished join the kernel's set.
		std::string block = metadata_block(RunFacts{plan.kernels[k], req, plan.accel, outcome, qemu});
		if (!boot_crash_note.empty())
			block += "boot crash: " + boot_crash_note + "\n";
		std::ofstream(boot_dir / "metadata.txt") << block;
		for (const std::string &run : collect_runs(boot_dir, set_dir))
			out << "bench: " << run << " did not finish before the VM stopped: not in the set; its files are in "
			    << (set_dir / "unfinished" / fs::path(run).parent_path()).string() << "\n";
		if (!fs::exists(set_dir / "metadata.txt")) // the set's first round (a --shard may start later)
			write_set_metadata(plan, k, block, boot_dir);
		throw_if_interrupted();
		const int status = exit_status_of(outcome);
		if (status != 0) {
			out << "bench: the VM of kernel " << plan.labels[k] << " (round " << r << ") failed:\n"
			    << verdict(outcome)
			    << host_paths(last_lines(guest_output.str(), 24), boot_dir.string(), set_dir.string())
			    << "\n(console: " << (boot_dir / "console.log").string() << ")\n";
			return status == kExitGuestCrashed ? kExitGuestCrashed : kExitRunFailed;
		}
	}
	return 0;
}

int run_kernel_rounds(const KernelBenchPlan &plan, std::ostream &out)
{
	for (unsigned r = 1; r <= plan.rounds; ++r)
		if (const int status = run_kernel_round(plan, r, {}, out); status != 0)
			return status;
	return 0;
}

} // namespace e4mext::runner
