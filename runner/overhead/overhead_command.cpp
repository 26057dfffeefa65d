// `e4mext overhead`: what fio + libe4mext costs over the bare ioctl, and how it compares with
// fio's built-in e4defrag engine - measured side by side in one run, so the machine's speed
// cancels out. With --gate it is the project's CI performance gate (report/gate's rule, one case:
// libe4mext against e4defrag).
//
//   sudo build/e4mext overhead --runs 9
//   sudo build/e4mext overhead --runs 7 --gate 5 --no-loop --confirm
#include "cleanup_registry.h"
#include "install_layout.h"
#include "overhead_run.h"
#include "process.h"
#include "runner_errors.h"
#include "sizes.h"
#include "subcommand.h"

#include "classify.hpp"
#include "gate.hpp"
#include "input_error.hpp"
#include "statistics.hpp"

#include <CLI/CLI.hpp>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <regex>

using namespace e4mext::runner;
namespace fs = std::filesystem;
namespace report = e4mext::report;

namespace {

constexpr const char *kFooter =
	"The U case (an unwritten original and donor) on a freshly made ext4 for every single run, the same\n"
	"job for both engines (the cover letter's, only ioengine= differs), and bench-move-loop issuing the\n"
	"same ioctls with no fio. Variants alternate within each round (rotating which goes first); the\n"
	"figures are medians over the rounds. Needs root. Exit status: 0 done (gate passed; or undecided\n"
	"with --allow-undecided), 1 the gate found libe4mext slower than e4defrag by more than --gate, and\n"
	"significantly (with --confirm: in both measurements), 2 bad usage, 3 a run failed, 5 the gate\n"
	"could not decide (the runs' spread too wide for their number), 130 interrupted.";

struct CommandOptions {
	unsigned runs = 5;
	std::string size = "512M";
	std::string bs = "4k";
	std::string image_size = "2G";
	std::string gate;
	bool confirm = false;
	bool allow_undecided = false;
	bool no_loop = false;
	std::vector<std::string> job_options;
	std::string build_dir;
};

OverheadOptions checked(const CommandOptions &c)
{
	OverheadOptions o;
	o.runs = c.runs;
	o.size = parse_size(c.size, "--size");
	o.block_size = parse_size(c.bs, "--bs");
	o.image_size = parse_size(c.image_size, "--image-size");
	o.bare_loop = !c.no_loop;
	o.job_options = c.job_options;
	o.build_dir = c.build_dir; // empty: this program's own engine and bench-move-loop
	if (o.block_size % 4096)
		throw UsageError("--bs " + c.bs + ": give a multiple of 4k (the block size of the ext4 it makes)");
	if (o.size % o.block_size)
		throw UsageError("--size " + c.size + ": give a multiple of --bs " + c.bs);
	if (o.image_size < 2 * o.size + (64ull << 20))
		throw UsageError("--image-size " + c.image_size + ": too small for a " + c.size +
				 " original and its donor; give at least twice --size plus 64M");
	static const std::regex fio_option("[a-z_0-9]+(=.*)?");
	for (const std::string &option : c.job_options)
		if (!std::regex_match(option, fio_option))
			throw UsageError("--job-opt takes a fio option such as gtod_reduce=1, not '" + option + "'");
	// fio itself says whether it knows the options (a typo would fail every run later, exit 3).
	if (!c.job_options.empty()) {
		std::vector<std::string> argv = {"fio", "--parse-only", "--name=check", "--ioengine=null", "--size=1m"};
		for (const std::string &option : c.job_options)
			argv.push_back("--" + option);
		const CommandResult r = run_command(argv, std::chrono::seconds(30));
		if (!r.ok())
			throw UsageError("--job-opt: fio does not take these options: " +
					 trim_output(last_lines(r.err + r.out, 3)));
	}
	if (!c.gate.empty() && c.runs < 3)
		throw UsageError("--gate needs --runs 3 or more: the gate's rank test cannot tell fewer runs from noise");
	if (c.confirm && c.gate.empty())
		throw UsageError("--confirm repeats a failed gate: give --gate too");
	if (::geteuid() != 0)
		throw UsageError("needs root: each run gets a freshly made loop-mounted ext4 (run it with sudo)");
	return o;
}

std::optional<report::GateOptions> gate_options(const std::string &text)
{
	if (text.empty())
		return std::nullopt;
	report::GateOptions options;
	try {
		options.max_regression = report::parse_percentage(text, "--gate");
	} catch (const report::UsageError &e) {
		throw UsageError(e.what());
	}
	return options;
}

std::string header(const OverheadOptions &o)
{
	struct utsname u {};
	::uname(&u);
	const CommandResult fio = run_command({"fio", "--version"}, std::chrono::seconds(30));
	std::string line = "overhead: U " + report::format_block_size(o.block_size) + ", " + format_size(o.size) +
			   " original, fresh " + format_size(o.image_size) + " ext4 per run, " + std::to_string(o.runs) +
			   " rounds; " + u.release + ", " + trim_output(fio.out);
	if (!o.job_options.empty()) {
		line += "; job options:";
		for (const std::string &option : o.job_options)
			line += " " + option;
	}
	return line;
}

std::string fixed(double value, const char *format)
{
	char text[64];
	std::snprintf(text, sizeof text, format, value);
	return text;
}

// A median as the rounds give it: whole for an odd count, possibly a half for an even one.
std::string figure(double value)
{
	return value == static_cast<double>(static_cast<uint64_t>(value)) ? fixed(value, "%.0f") : fixed(value, "%.1f");
}

double median(const OverheadSamples &samples, const std::string &variant)
{
	return report::summarize(samples.iops.at(variant)).median;
}

void print_ratios(const OverheadSamples &samples, std::ostream &out)
{
	out << "median IOPS:";
	for (const std::string &v : samples.variants)
		out << " " << v << "=" << figure(median(samples, v));
	out << "\n";
	const double lib = median(samples, "libe4mext");
	out << "libe4mext / e4defrag  = " << fixed(lib / median(samples, "e4defrag"), "%.3f") << "x (target >= 1.00x)\n";
	if (samples.iops.count("bare-loop"))
		out << "libe4mext / bare loop = " << fixed(lib / median(samples, "bare-loop"), "%.3f") << "x (target >= 0.98x)\n";
}

// fio's own cost per I/O, with an engine that does nothing (null), bounds what any fio engine can
// reach against the bare loop: loop_time / (loop_time + fio_time) per I/O.
void print_fio_floor(double null_iops, double loop_iops, std::ostream &out)
{
	const double fio_ns = 1e9 / null_iops;
	const double loop_ns = 1e9 / loop_iops;
	out << "fio floor: ioengine=null does " << fixed(null_iops, "%.0f") << " IOPS here, " << fixed(fio_ns, "%.0f")
	    << " ns of fio per I/O; so no fio engine can exceed " << fixed(loop_ns / (loop_ns + fio_ns), "%.3f")
	    << "x the bare loop (" << fixed(loop_ns, "%.0f") << " ns per move)\n";
}

enum class GateResult { pass, regressed, undecided };

// One measurement and its report; the gate's verdict when there is a gate.
GateResult measure_and_report(OverheadBench &bench, const OverheadOptions &o, const std::optional<report::GateOptions> &gate)
{
	const OverheadSamples samples = bench.measure(std::cout);
	print_ratios(samples, std::cout);
	if (o.bare_loop)
		print_fio_floor(bench.null_engine_iops(), median(samples, "bare-loop"), std::cout);
	if (!gate)
		return GateResult::pass;
	const auto verdict =
		report::run_gate("U " + report::format_block_size(o.block_size), {"e4defrag", samples.iops.at("e4defrag")},
				 {"libe4mext", samples.iops.at("libe4mext")}, *gate);
	std::cout << report::render_gate_text(verdict) << std::flush;
	if (verdict.regressions() > 0)
		return GateResult::regressed;
	return verdict.undecided() > 0 ? GateResult::undecided : GateResult::pass;
}

int exit_status(GateResult result, bool allow_undecided)
{
	switch (result) {
	case GateResult::pass: return 0;
	case GateResult::regressed: return 1;
	case GateResult::undecided: break;
	}
	return allow_undecided ? 0 : kExitUndecided;
}

int run(const CommandOptions &c)
{
	const OverheadOptions o = checked(c);
	const auto gate = gate_options(c.gate);
	install_interrupt_handlers("e4mext overhead");
	try {
		OverheadBench bench(o);
		std::cout << header(o) << std::endl;
		const auto first = measure_and_report(bench, o, gate);
		if (first != GateResult::regressed || !c.confirm)
			return exit_status(first, c.allow_undecided);
		// A real regression fails both measurements; a noisy neighbour rarely does.
		std::cout << "overhead: the gate failed once; measuring again to tell a regression from noise" << std::endl;
		const auto second = measure_and_report(bench, o, gate);
		return exit_status(second, c.allow_undecided);
	} catch (const std::exception &) {
		// A child stopped by the interrupt fails too; the interrupt is what happened.
		if (const int sig = interrupted_by())
			return 128 + sig;
		throw;
	}
}

} // namespace

Subcommand e4mext::runner::add_overhead_command(CLI::App &parent)
{
	auto opt = std::make_shared<CommandOptions>();
	CLI::App *app = parent.add_subcommand(
		"overhead", "what fio + libe4mext costs over the bare ioctl, against fio's built-in e4defrag engine");
	app->footer(kFooter);
	app->add_option("--runs", opt->runs, "rounds; the figures are medians over them")
		->capture_default_str()
		->check(CLI::Range(1u, 1000u));
	app->add_option("--size", opt->size, "the original file (a multiple of --bs)")->capture_default_str();
	app->add_option("--bs", opt->bs, "block size of each move (a multiple of 4k)")->capture_default_str();
	app->add_option("--image-size", opt->image_size, "the loop ext4 made for the runs")->capture_default_str();
	app->add_option("--gate", opt->gate,
			"PCT: exit 1 when libe4mext's median IOPS is more than PCT% below e4defrag's, "
			"significantly (report/gate's rule; the CI gate)");
	app->add_flag("--confirm", opt->confirm,
		      "with --gate: a failing gate is measured once more and fails only if that fails too");
	app->add_flag("--allow-undecided", opt->allow_undecided,
		      "with --gate: exit 0 when the gate cannot decide (the default is exit 5, never a pass)");
	app->add_flag("--no-loop", opt->no_loop, "skip bench-move-loop (the bare ioctls) and fio's floor");
	app->add_option("--job-opt", opt->job_options,
			"OPT: add a fio option to both engines' job, e.g. gtod_reduce=1 "
			"(fio's own per-I/O clock and latency bookkeeping off); repeatable")
		->allow_extra_args(false);
	app->add_option("--build-dir", opt->build_dir,
			"the build holding engine/libe4mext.so and engine/bench-move-loop (default: " + install_layout().engine +
				" and " + install_layout().bench_move_loop + ")");
	return {app, [opt] { return run(*opt); }};
}
