// `e4mext stress`: defragmentation under stress and faults. Runs every workload of
// jobs/stress/ and every fault on loop filesystems of its own, checks each one, and prints a
// verdict per line and `stress: N passed, N failed` last.
//
//   sudo build/e4mext stress                       # short: 4 s per workload, all faults
//   sudo build/e4mext stress --long --only shared-donor --only sigkill --keep-logs
#include "cleanup_registry.h"
#include "install_layout.h"
#include "process.h"
#include "runner_errors.h"
#include "stress_checks.h"
#include "stress_faults.h"
#include "stress_plan.h"
#include "stress_workloads.h"
#include "subcommand.h"

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <regex>

using namespace e4mext::runner;
namespace fs = std::filesystem;

namespace {

constexpr const char *kDescription =
	"Defragmentation under stress and faults: every workload of jobs/stress/ (a defrag job racing\n"
	"verifiers in one fio run) and every fault (ENOSPC, read-only remount, truncate, delete, signals,\n"
	"donor directory problems, a foreign file at the donor's name), each on a fresh loop filesystem.\n"
	"A workload passes when fio exits 0, no verifier failed, every defrag clone wrote its statistics\n"
	"and met only the errnos its job tolerates (fio and the engine agree on how many), no donor is\n"
	"left, e2fsck -fn of the image is clean and the kernel log shows no new warning and no ext4 error\n"
	"on our device. A fault passes when fio stops with the expected clear error (or, where the fault\n"
	"is harmless, finishes cleanly), nothing crashed or hung, no donor is left (after SIGKILL: once\n"
	"the next run removed it), e2fsck is clean, and our mounts and loop devices are gone.\n"
	"Needs root, fio, e2fsprogs, util-linux (setpriv, losetup). Exit status: 0 all passed, 1 something\n"
	"failed, 2 usage or setup error, 77 not run (not root), 130 interrupted (logs kept).";

struct StressOptions {
	bool short_mode = false;
	bool long_mode = false;
	std::string runtime;
	std::string engine;
	std::vector<std::string> only;
	bool keep_logs = false;
	bool list = false;
};

void say(const std::string &what)
{
	std::cout << "stress: " << what << std::endl;
}

// The directory jobs/stress/ is in (the workloads name their jobs relative to it): the checkout,
// or PREFIX/share/e4mext when installed.
std::string find_jobs_parent()
{
	const fs::path jobs = install_layout().jobs_dir;
	if (!fs::exists(jobs / "stress" / "aio-dio-verify.fio"))
		throw UsageError(jobs.string() + "/stress/ has no workloads (aio-dio-verify.fio): " +
				 (install_layout().installed ? "the install is incomplete, reinstall e4mext"
							     : "the checkout is incomplete"));
	return fs::canonical(jobs.parent_path()).string();
}

unsigned parse_runtime(const StressOptions &o)
{
	const std::string value = o.runtime.empty() ? (o.long_mode ? "60" : "4") : o.runtime;
	if (!std::regex_match(value, std::regex("[1-9][0-9]{0,5}")))
		throw UsageError("--runtime wants a whole number of seconds, not '" + value + "'");
	return static_cast<unsigned>(std::stoul(value));
}

void check_tools()
{
	for (const char *tool : {"fio", "e2fsck", "mkfs.ext4", "losetup", "findmnt", "mount", "setpriv", "env"}) {
		const CommandResult r = run_command({"sh", "-c", std::string("command -v ") + tool}, std::chrono::seconds(10));
		if (!r.ok())
			throw UsageError(std::string("'") + tool +
					 "' not found: install it (scripts/setup installs what e4mext needs)");
	}
}

std::string engine_path(const StressOptions &o)
{
	const std::string engine = o.engine.empty() ? install_layout().engine : o.engine;
	if (!fs::is_regular_file(engine))
		throw UsageError("engine " + engine + " not found: " +
				 (o.engine.empty() && install_layout().installed ? "reinstall e4mext"
										 : "build it (scripts/setup, or ninja -C build)") +
				 " or pass --engine PATH");
	return fs::canonical(engine).string();
}

std::string make_log_root()
{
	const char *tmp = std::getenv("E4MEXT_TMPDIR");
	std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/e4mext-stress.XXXXXX";
	if (!::mkdtemp(templ.data()))
		throw UsageError("cannot make a log directory " + templ + ": " + std::strerror(errno) + " (set E4MEXT_TMPDIR)");
	return templ;
}

struct Tally {
	int passed = 0;
	int failed = 0;
};

// Prints the verdict and what failed, and counts it.
void verdict(const StressChecks &checks, Tally &tally)
{
	std::cout << (checks.passed() ? "PASS" : "FAIL") << "\n";
	++(checks.passed() ? tally.passed : tally.failed);
	for (const std::string &f : checks.failures())
		std::cout << "    - " << f << "\n";
	std::cout << std::flush;
}

bool selected(const StressOptions &o, const std::string &name)
{
	return o.only.empty() || std::find(o.only.begin(), o.only.end(), name) != o.only.end();
}

// Runs one workload or fault; when we were interrupted meanwhile, its line says so (its checks
// would only report the interruption) and the run stops.
template <typename F> void interruptible(F run)
{
	try {
		run();
		throw_if_interrupted();
	} catch (const Interrupted &) {
		std::cout << "INTERRUPTED" << std::endl;
		throw;
	}
}

void run_all(const StressOptions &o, const StressSettings &settings, const std::string &log_root, Tally &tally)
{
	bool header_done = false;
	for (const StressWorkload &w : stress_workloads()) {
		if (!selected(o, w.name))
			continue;
		if (!header_done)
			print_workload_header(std::cout);
		header_done = true;
		const std::string log = log_root + "/" + w.name;
		fs::create_directories(log);
		StressChecks checks;
		interruptible([&] { run_workload(settings, w, log, checks, std::cout); });
		verdict(checks, tally);
	}
	for (const StressFault &f : stress_faults()) {
		if (!selected(o, f.name))
			continue;
		const std::string log = log_root + "/" + f.name;
		fs::create_directories(log);
		char label[64];
		std::snprintf(label, sizeof label, "fault %-23s ", f.name.c_str());
		std::cout << label << std::flush;
		StressChecks checks;
		std::string shown;
		interruptible([&] { shown = run_fault(settings, f, log, checks); });
		verdict(checks, tally);
		if (!shown.empty())
			std::cout << "    user sees: " << shown << std::endl;
	}
}

int run_stress(const StressOptions &o)
{
	const std::vector<std::string> names = stress_names();
	if (o.list) {
		for (const std::string &n : names)
			std::cout << n << "\n";
		return 0;
	}
	for (const std::string &n : o.only)
		if (std::find(names.begin(), names.end(), n) == names.end())
			throw UsageError("--only " + n + ": no such workload or fault (see e4mext stress --list)");
	StressSettings settings;
	settings.runtime = parse_runtime(o);
	// 77: "not run here", as meson counts it.
	if (::geteuid() != 0) {
		say("not run: needs root (loop devices, mount, e2fsck, /dev/kmsg)");
		return kExitNotRun;
	}
	check_tools();
	settings.top = find_jobs_parent();
	settings.engine = engine_path(o);

	install_interrupt_handlers("e4mext stress");
	const std::string log_root = make_log_root();
	say(std::string(o.long_mode ? "long" : "short") + " mode, " + std::to_string(settings.runtime) +
	    " s per workload; engine " + settings.engine + "; logs in " + log_root);
	Tally tally;
	try {
		run_all(o, settings, log_root, tally);
	} catch (const Interrupted &) {
		// The destructors have stopped our fio and removed our loop filesystems by now.
		std::ofstream(log_root + "/PARTIAL") << "interrupted: these are the logs of the workloads and faults run so far\n";
		say("interrupted: stopped our fio and removed our loop filesystems; partial logs kept in " + log_root);
		say(std::to_string(tally.passed) + " passed, " + std::to_string(tally.failed) + " failed (interrupted)");
		return kExitInterrupted;
	}
	if (tally.failed == 0 && !o.keep_logs)
		fs::remove_all(log_root);
	else
		say("logs kept in " + log_root);
	say(std::to_string(tally.passed) + " passed, " + std::to_string(tally.failed) + " failed");
	return tally.failed == 0 ? 0 : 1;
}

} // namespace

namespace e4mext::runner {

Subcommand add_stress_command(CLI::App &parent)
{
	CLI::App *app = parent.add_subcommand("stress", "defragmentation under stress and faults (jobs/stress/ and 12 faults)");
	app->footer(kDescription);
	auto o = std::make_shared<StressOptions>();
	CLI::Option *short_flag =
		app->add_flag("--short", o->short_mode, "4 s per workload (the default; what the stress-short test runs)");
	CLI::Option *long_flag = app->add_flag("--long", o->long_mode, "60 s per workload (the long soak)");
	short_flag->excludes(long_flag);
	app->add_option("--runtime", o->runtime, "seconds per workload, overriding --short/--long")->type_name("SECONDS");
	app->add_option("--engine", o->engine, "libe4mext.so to load (default: " + install_layout().engine + ")")
		->type_name("PATH");
	app->add_option("--only", o->only, "run only this workload or fault (repeatable); --list prints the names")
		->type_name("NAME")
		->allow_extra_args(false);
	app->add_flag("--keep-logs", o->keep_logs, "keep fio's output, JSON and engine statistics even when everything passed");
	app->add_flag("--list", o->list, "print the names of the workloads and faults, and exit");
	return {app, [o]() { return run_stress(*o); }};
}

} // namespace e4mext::runner
