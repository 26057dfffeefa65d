// `e4mext bench` (scripts/bench): the cover letter's U/M table for this machine or for kernels in
// VMs, from real fio runs of libe4mext on real ext4, a fresh filesystem and a controlled page cache
// per run; results/<label>/ with every run's job, fio JSON, engine stats and log, the metadata, the
// table, plots, and --compare / --gate through the report's commands (the one parser and gate).
#include "bench_merge.h"
#include "bench_run.h"
#include "bench_shard.h"
#include "bench_target.h"
#include "bench_vm.h"
#include "case_model.h"
#include "cleanup_registry.h"
#include "initramfs.h"
#include "install_layout.h"
#include "kernel_archive.h"
#include "kernel_spec.h"
#include "names.h"
#include "perf_record.h"
#include "process.h"
#include "qemu_command.h"
#include "results_files.h"
#include "runner_errors.h"
#include "shell_quote.h"
#include "sizes.h"
#include "subcommand.h"
#include "time_text.h"
#include "unfinished_runs.h"
#include "vm_report.h"

#include "commands.hpp"
#include "gate.hpp"
#include "input_error.hpp"
#include "profile.hpp"
#include "rounds.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>

namespace e4mext::runner {

namespace fs = std::filesystem;

namespace {

std::string self_executable()
{
	return std::filesystem::read_symlink("/proc/self/exe").string();
}

struct BenchOptions {
	bool quick = false;
	bool full = false;
	bool dry_run = false;
	std::string set;
	std::string only;
	unsigned repeat = 3;
	bool repeat_given = false;
	unsigned max_rounds = 10;
	bool max_rounds_given = false;
	std::string max_time;
	std::string size;
	std::string runtime = "3s";
	bool runtime_given = false;
	uint64_t moves = 0;
	std::string io_size;
	std::string cache;
	std::string image_size;
	std::string mkfs_opts;
	std::string dir;
	std::string hosts;
	std::string shard; // I/N: this machine's part of the work (bench_shard.h)
	std::string label;
	std::string results_root = install_layout().results_root;
	std::string compare;
	std::string gate;
	bool gate_given = false;
	std::string max_regression = "5%";
	std::string gate_metric = "iops";
	std::string build_dir;
	std::string jobs_dir = install_layout().jobs_dir;
	std::vector<std::string> kernels;
	std::string accel = "auto";
	bool profile = false;
	bool test_lose_write = false;
	std::string vm_memory = "2G";
	unsigned vm_cpus = 2;
	unsigned vm_timeout = 900;
	unsigned fio_timeout = 600;
	// Inside an e4mext VM (set by the host side of --kernel).
	std::string guest_disk;
	std::string guest_results;
	std::string guest_accelerator;
	unsigned run_number = 1;
	std::vector<std::string> command_line;
};

constexpr const char *kFooter = R"(What runs: a set of jobs/cases.json (quick: the cover letter's six; matrix: one factor at a time,
36 cases; full: the cross product), each case jobs/defrag.fio filled in, --repeat rounds of every
case (round-robin over the cases), each run on a fresh filesystem with the original laid out first:
U fallocated, M written with O_DIRECT, F written 64k at a time between the blocks of a filler file
(many small extents). Rounds until decided: with two or more --kernel, or with --compare/--gate DIR,
the bench runs rounds A B A B ... and from round 3 on judges every case after each round by
compare's verdict (and the gate's): it stops when every case is decided - changed beyond 5% (or
--max-regression) and significant, or equivalent within it - or when --max-rounds (default 10) or
--max-time is spent, and says per undecided case how many rounds it would need. Later rounds run
the undecided cases only; a case needing more than twice --max-rounds is out of reach and runs no
more. The error rate holds: every verdict is taken at 0.05/(cases x looks), looks = --max-rounds
- 2 (after rounds 3 to --max-rounds), so the chance of any false verdict over every case and look
is at most 0.05 whenever the bench stops (Bonferroni over the looks). --repeat N instead runs exactly N rounds.
Where: a loop image of its own (default, root), --dir (an existing ext4
directory; no root), --hosts (fio servers, all at once), or --kernel (one throwaway VM per kernel and round, the
kernels alternating: A B A B ...; every figure from a VM is emulated when the accelerator is tcg).
Several machines: --shard I/N runs shard I of N of the (case, round) pairs, every kernel in each;
e4mext merge joins the shards' directories into one result and one verdict (rounds fixed: --repeat).
Results: results/<label>/ (results/: --results-root; the checkout's, or ./results when installed;
with --kernel: one set per kernel in results/<label>/<kernel>-<accelerator>/, e.g. 6.19.13-tcg),
each run's job, fio JSON, engine stats and log in runs/<case>/run-N.*, metadata.txt, table.txt,
table.md, plot.png, plot.svg; with two or more kernels compare.txt (every kernel's block side by
side, the % change against the first and its significance).
Exit status: 0 done (gate passed); 1 the gate found a regression; 2 bad usage; 3 a run or the
environment failed (or a kernel did not boot); 4 a guest crashed or hung; 5 the gate could not
decide a case (never a pass; its runs per side needed are in gate-summary.md); 130 interrupted
(results kept, marked partial).)";

std::string first_line(const std::string &path, const std::string &prefix = "")
{
	std::ifstream in(path);
	for (std::string line; std::getline(in, line);)
		if (line.rfind(prefix, 0) == 0)
			return line.substr(prefix.size());
	return "";
}

std::string load_average()
{
	std::istringstream in(first_line("/proc/loadavg"));
	std::string a, b, c;
	in >> a >> b >> c;
	return a + " " + b + " " + c;
}

std::string set_name(const BenchOptions &o)
{
	return o.quick ? "quick" : o.full ? "full" : o.set.empty() ? "matrix" : o.set;
}

// The cases asked for: the set, filtered by --only, with --cache and --size put in (--size, or the
// default size where the case keeps the size factor's baseline).
std::vector<BenchCase> chosen_cases(const BenchOptions &o, const CaseModel &model, const std::string &size_default)
{
	std::vector<FactorOverride> overrides;
	if (!o.cache.empty())
		overrides.push_back({"cache", o.cache});
	if (!o.size.empty())
		overrides.push_back({"size", o.size});
	else if (!size_default.empty())
		overrides.push_back({"size", size_default, true});
	std::vector<BenchCase> cases = model.cases(set_name(o), overrides);
	if (o.only.empty())
		return cases;
	std::regex only;
	try {
		only = std::regex(o.only, std::regex::extended);
	} catch (const std::regex_error &) {
		throw UsageError("--only '" + o.only + "' is not a valid regular expression");
	}
	std::vector<BenchCase> kept;
	for (BenchCase &c : cases)
		if (std::regex_search(c.id, only))
			kept.push_back(std::move(c));
	if (kept.empty())
		throw UsageError("no case of set " + set_name(o) + " matches --only '" + o.only + "' (case ids look like " +
				 cases.front().id + ")");
	return kept;
}

// The --hosts list; throws UsageError for an entry whose directory would not be one name under runs/.
std::vector<std::string> host_list(const std::string &text)
{
	std::vector<std::string> hosts;
	std::istringstream list(text);
	for (std::string h; std::getline(list, h, ',');)
		hosts.push_back(h);
	if (text.empty() || text.back() == ',')
		hosts.push_back("");
	for (const std::string &h : hosts)
		check_path_name("--hosts entry '" + h + "' (its results directory)", host_directory(h));
	return hosts;
}

// The rounds before the first look: the gate's fewest runs per side.
constexpr unsigned first_look = 3;

// Rounds until every case is decided: there is something to decide (two kernels, or a directory
// to compare or gate against) and --repeat did not fix the count. With --hosts every round runs
// the undecided cases on every fio server at once (each server's runs are cases of their own).
bool sequential(const BenchOptions &o)
{
	const bool something_to_decide = o.kernels.size() >= 2 || !o.compare.empty() || !o.gate.empty();
	return something_to_decide && !o.repeat_given && o.guest_disk.empty();
}

report::RoundBudget budget_of(const BenchOptions &o)
{
	report::RoundBudget budget;
	budget.first_look = first_look;
	budget.max_rounds = o.max_rounds;
	budget.max_seconds = o.max_time.empty() ? 0 : parse_duration_seconds(o.max_time, "--max-time");
	return budget;
}

// The most looks at the runs: one per round from the first look to --max-rounds with sequential
// rounds, else one.
std::size_t looks_of(const BenchOptions &o)
{
	return sequential(o) ? budget_of(o).looks() : 1;
}

std::string rounds_metadata(const BenchOptions &o)
{
	if (!sequential(o))
		return "repeats: " + std::to_string(o.repeat);
	return "rounds: until every case is decided, at most " + std::to_string(o.max_rounds) + " (--max-rounds)" +
	       (o.max_time.empty() ? "" : ", within " + o.max_time + " (--max-time)") + "; first look after round " +
	       std::to_string(first_look) + "; later rounds run the undecided cases within reach only (needing at most " +
	       std::to_string(budget_of(o).reachable_rounds()) + " rounds)";
}

// --shard: a fixed part of the work, judged as a whole by e4mext merge.
void check_shard_options(const BenchOptions &o)
{
	parse_shard(o.shard);
	if (!o.compare.empty() || !o.gate.empty() || o.gate_given)
		throw UsageError("--shard runs a part of the bench; --compare and --gate judge the whole: give them to "
				 "e4mext merge over every shard's directory");
	if (o.kernels.size() >= 2 && !o.repeat_given)
		throw UsageError("--shard with two or more --kernel needs --repeat N: the shards cannot see each other's runs, "
				 "so they cannot run rounds until every case is decided; each runs its part of N rounds and "
				 "e4mext merge decides over all of them");
}

// With --hosts each fio server's runs are cases of their own (the host factor): a base without
// the same servers has no case in common, and every look would find nothing to decide.
void check_base_hosts(const std::string &hosts, const std::string &base)
{
	const std::string base_hosts = first_line(base + "/metadata.txt", "hosts: ");
	if (base_hosts.empty() || base_hosts == "local" || host_list(base_hosts) != host_list(hosts))
		throw UsageError("'" + base + "' ran " + (base_hosts.empty() ? "without --hosts" : "on hosts: " + base_hosts) +
				 "; --hosts " + hosts +
				 " compares each fio server's runs with the same server's: give a base run with the same --hosts");
}

void check_options(const BenchOptions &o)
{
	if (int(o.quick) + int(o.full) + int(!o.set.empty()) > 1)
		throw UsageError("--quick, --full and --set exclude each other: give one set");
	if (o.repeat < 1)
		throw UsageError("--repeat must be a whole number >= 1, not 0");
	if (o.repeat_given && (o.max_rounds_given || !o.max_time.empty()))
		throw UsageError("--repeat fixes the number of rounds; --max-rounds and --max-time bound the rounds that run "
				 "until every case is decided: give one or the other");
	if ((o.max_rounds_given || !o.max_time.empty()) && o.guest_disk.empty() && !sequential(o))
		throw UsageError("--max-rounds and --max-time bound rounds that run until every case is decided: they need "
				 "something to decide (two --kernel, --compare DIR or --gate)");
	if (o.max_rounds < first_look)
		throw UsageError("--max-rounds must be at least " + std::to_string(first_look) +
				 " (the first look is after round " + std::to_string(first_look) + "), not " +
				 std::to_string(o.max_rounds));
	if (!o.max_time.empty())
		parse_duration_seconds(o.max_time, "--max-time");
	if (o.vm_timeout < 1)
		throw UsageError("--vm-timeout must be at least 1 second");
	if (!o.kernels.empty()) // the host's memory bounds the guest's; inside a guest the option is only passed along
		parse_guest_memory(o.vm_memory, "--vm-memory");
	if (o.fio_timeout < 1)
		throw UsageError("--fio-timeout must be at least 1 second");
	static const std::regex runtime("[1-9][0-9]*(ms|s|m)?");
	if (!std::regex_match(o.runtime, runtime))
		throw UsageError("--runtime must be a time fio understands (e.g. 3s, 500ms, 1m), not '" + o.runtime + "'");
	if (o.moves > 0 && !o.io_size.empty())
		throw UsageError("--moves and --io-size both fix the work of a run: give one");
	if ((o.moves > 0 || !o.io_size.empty()) && o.runtime_given)
		throw UsageError("--moves and --io-size replace the time window (--runtime): a run ends when its work is done, "
				 "however long it takes (--fio-timeout bounds it)");
	if (!o.io_size.empty())
		parse_size(o.io_size, "--io-size");
	if (!o.image_size.empty() && !o.dir.empty())
		throw UsageError("--image-size is for the loop image; it cannot be used with --dir");
	if (!o.mkfs_opts.empty() && !o.dir.empty())
		throw UsageError("--mkfs-opts is for the loop image; it cannot be used with --dir");
	split_shell_words(o.mkfs_opts, "--mkfs-opts"); // an unclosed quote is refused before anything is made
	if (!o.hosts.empty() && o.dir.empty())
		throw UsageError("--hosts needs --dir: the ext4 directory each fio server writes to");
	if (o.profile && !o.hosts.empty())
		throw UsageError("--profile records this machine's kernel: it cannot profile fio servers (--hosts)");
	if (!o.hosts.empty())
		host_list(o.hosts);
	if (!o.shard.empty())
		check_shard_options(o);
	if (!o.kernels.empty() && (!o.dir.empty() || !o.hosts.empty() || !o.image_size.empty()))
		throw UsageError("--kernel runs in VMs on their own disks: it cannot be used with --dir, --hosts or --image-size");
	if (!o.label.empty())
		check_path_name("--label", o.label);
	if (o.gate_given && o.gate.empty() && o.kernels.size() != 2)
		throw UsageError(
			"--gate without a baseline directory compares two kernels: give --kernel BASE --kernel CANDIDATE, or --gate results/NAME");
	if (o.gate_metric != "iops" && o.gate_metric != "bw")
		throw UsageError("--gate-metric must be iops or bw, not '" + o.gate_metric + "'");
	try {
		report::parse_percentage(o.max_regression);
	} catch (const std::exception &e) {
		throw UsageError(e.what());
	}
	for (const std::string &d : {o.compare, o.gate})
		if (!d.empty() && !fs::is_directory(d))
			throw UsageError("'" + d + "' is not a directory of results (give results/NAME)");
	for (const std::string &d : {o.compare, o.gate})
		if (!d.empty() && !o.hosts.empty())
			check_base_hosts(o.hosts, d);
}

// A report command's typed function (report/commands.hpp), in this process: its output to the
// terminal (echo) and to `file` when given; an error is one line on stderr and exit 2, as the
// command's own.
int report_to(const std::function<int(const report::Console &)> &command, const std::string &file = "", bool echo = true)
{
	std::ostringstream out;
	const report::Console console{out, std::cerr, "e4mext"};
	const int status = report::run_command([&] { return command(console); }, console);
	if (echo)
		std::cout << out.str() << std::flush;
	if (!file.empty())
		write_text_file(file, out.str());
	return status;
}

// A report command (report::table, report::compare) on one request, written as STEM.txt (echoed
// to the terminal) and STEM.md; nonzero when one of them could not be made.
template <typename Request>
int report_text_and_markdown(void (*command)(const Request &, const report::Console &), Request request, const std::string &stem)
{
	for (const report::OutputFormat format : {report::OutputFormat::text, report::OutputFormat::markdown}) {
		request.format = format;
		const bool text = format == report::OutputFormat::text;
		const auto run = [&](const report::Console &console) {
			command(request, console);
			return report::exit_ok;
		};
		if (const int status = report_to(run, stem + (text ? ".txt" : ".md"), text); status != 0)
			return status;
	}
	return 0;
}

std::string runs_of(const std::string &dir)
{
	return fs::is_directory(fs::path(dir) / "runs") ? (fs::path(dir) / "runs").string() : dir;
}

std::string label_of(const std::string &dir)
{
	const std::string label = first_line(dir + "/metadata.txt", "label: ");
	return label.empty() ? fs::canonical(dir).filename().string() : label;
}

class ResultsDir {
public:
	explicit ResultsDir(std::string path) : path_(std::move(path))
	{
		create_results_dir(path_);
		write_text_file(path_ + "/STATUS", "running\n");
	}
	const std::string &path() const { return path_; }
	void finish(const std::string &status, const std::vector<std::string> &lines)
	{
		std::string text;
		for (const std::string &l : lines)
			text += l + "\n";
		done_ = true;
		write_text_file(metadata_file_, text + "status: " + status + "\n", true);
		write_text_file(path_ + "/STATUS", status + "\n");
	}
	void partial(const std::string &reason, const std::vector<std::string> &lines)
	{
		if (done_)
			return;
		try {
			write_text_file(path_ + "/PARTIAL", "partial: " + reason + "\n");
			finish("partial (" + reason + ")", lines);
			std::cerr << "bench: partial results kept in " << path_ << " (marked PARTIAL)\n";
		} catch (const WriteFailed &e) { // the run's own error is the one to report
			std::cerr << "bench: partial results in " << path_ << " could not be marked: " << e.what() << "\n";
		}
	}
	void set_metadata_file(std::string f) { metadata_file_ = std::move(f); }

private:
	std::string path_;
	std::string metadata_file_;
	bool done_ = false;
};

std::string fio_version()
{
	const CommandResult r = run_command({"fio", "--version"}, std::chrono::seconds(30));
	if (!r.ok())
		throw MissingRequirement("fio is not installed (scripts/setup installs it)");
	return trim_output(r.out);
}

std::string others_busy()
{
	const CommandResult r =
		run_command({"pgrep", "-c", "-x", "fio|cc1plus|ld|ninja|qemu-system-x86"}, std::chrono::seconds(30));
	return (r.out.empty() ? "0" : trim_output(r.out)) + " fio/compiler/qemu processes";
}

// --profile: perf must record every CPU here (in a VM: in the guest) before any run starts.
void require_perf()
{
	if (const std::string why = perf_unavailable_reason(); !why.empty())
		throw MissingRequirement("--profile: " + why);
}

std::string profile_metadata(const BenchOptions &o)
{
	return o.profile ? "profile: perf record -e cpu-clock -e sched:sched_switch -a -g around each fio run, the load "
			   "alone's too (its overhead is in the runs' figures)"
			 : "profile: none";
}

// Facts every set's metadata holds: what ran, with what, on what machine.
std::vector<std::string> common_metadata(const BenchOptions &o, const BenchSettings &s, const std::string &engine)
{
	std::string cpu = first_line("/proc/cpuinfo", "model name\t: ");
	std::string cmd = "e4mext";
	for (const std::string &a : o.command_line)
		cmd += " " + shell_quote(a);
	std::string ids;
	for (const BenchCase &c : s.cases)
		ids += (ids.empty() ? "" : " ") + c.id;
	std::vector<std::string> lines = {
		"date: " + utc_iso8601(),
		"command: " + cmd,
		"fio: " + fio_version(),
		"e4mext: " + std::string(E4MEXT_VERSION) + ", " + code_revision(install_layout()),
		"engine: " + engine,
		"cpu: " + cpu + ", " + std::to_string(::sysconf(_SC_NPROCESSORS_ONLN)) + " online",
		"load average at start: " + load_average(),
		"others at start: " + others_busy(),
		"file size: " + s.size + (s.size.find(',') == std::string::npos ? " (" : " (largest ") +
			std::to_string(s.size_bytes) + " bytes)",
		s.moves > 0 ? "runtime limit: none: fixed work of " + std::to_string(s.moves) +
				      " moves per run (--moves; io_size = moves x bs, wrapping around the file)"
		: s.io_size > 0 ? "runtime limit: none: fixed work of " + o.io_size +
					  " per run (--io-size; io_size, wrapping around the file)"
				: "runtime limit: " + s.runtime,
		rounds_metadata(o),
		"set: " + set_name(o),
		"cases: " + std::to_string(s.cases.size()) + " (" + ids + ")",
		profile_metadata(o),
	};
	if (!o.shard.empty())
		lines.push_back(shard_metadata(parse_shard(o.shard), s.cases.size(), o.repeat));
	return lines;
}

// --shard: run_round(round, cases) for each of the --repeat rounds in which this machine's shard
// has cases, with those cases.
void shard_rounds(const BenchOptions &o, const std::vector<BenchCase> &cases,
		  const std::function<void(unsigned, const std::vector<BenchCase> &)> &run_round)
{
	for (unsigned r = 1; r <= o.repeat; ++r) {
		std::vector<BenchCase> chosen;
		for (const std::size_t i : shard_cases(parse_shard(o.shard), cases.size(), o.repeat, r))
			chosen.push_back(cases[i]);
		if (!chosen.empty())
			run_round(r, chosen);
	}
}

// The runs of a fixed plan on one target (kernel, host): every case x --repeat, or the shard's part.
unsigned fixed_runs(const BenchOptions &o, std::size_t cases)
{
	return unsigned(o.shard.empty() ? cases * o.repeat : shard_runs(parse_shard(o.shard), cases, o.repeat));
}

std::vector<std::string> end_metadata(unsigned done, unsigned total, std::chrono::steady_clock::time_point started)
{
	const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
	return {"load average at end: " + load_average(), "others at end: " + others_busy(),
		"runs: " + std::to_string(done) + " of " + std::to_string(total), "wall time: " + std::to_string(long(wall)) + "s"};
}

std::string engine_path(const BenchOptions &o)
{
	const InstallLayout layout = o.build_dir.empty() ? install_layout() : build_tree_layout(o.build_dir);
	if (!fs::is_regular_file(layout.engine))
		throw UsageError(layout.installed ? layout.engine + " is missing: reinstall e4mext, or give --build-dir of a build"
						  : layout.root + " has no engine/libe4mext.so: build it (ninja -C " + layout.root +
							    ") or give --build-dir");
	return fs::canonical(layout.engine).string();
}

// size_default: the size of cases at the size factor's baseline without --size ("" = the baseline).
BenchSettings settings_for(const BenchOptions &o, const CaseModel &model, const std::string &size_default)
{
	if (!o.size.empty()) {
		const uint64_t bytes = parse_size(o.size, "--size");
		if (bytes < (1u << 20) || bytes % (1u << 20))
			throw UsageError("--size must be at least 1m in whole MiB (e.g. 512m, 1g), not '" + o.size + "'");
	}
	BenchSettings s;
	s.cases = chosen_cases(o, model, size_default);
	s.rounds = o.repeat;
	s.size.clear();
	s.size_bytes = 0;
	for (const BenchCase &c : s.cases) {
		const std::string &size = c.step("size");
		const uint64_t bytes = parse_size(size, "case " + c.id + "'s size");
		if (bytes < (1u << 20) || bytes % (1u << 20))
			throw UsageError("case " + c.id + ": its size must be at least 1m in whole MiB (e.g. 512m, 1g), not '" +
					 size + "'");
		s.size_bytes = std::max(s.size_bytes, bytes);
		if (("," + s.size + ",").find("," + size + ",") == std::string::npos)
			s.size += (s.size.empty() ? "" : ",") + size;
	}
	s.runtime = o.runtime;
	s.moves = o.moves;
	s.io_size = o.io_size.empty() ? 0 : parse_size(o.io_size, "--io-size");
	if (s.moves > 0 || s.io_size > 0)
		s.runtime = "0"; // fio: no time limit; the work ends the run
	s.fio_timeout = std::chrono::seconds(o.fio_timeout);
	s.profile = o.profile;
	s.lose_write_before_verify = o.test_lose_write;
	s.set = set_name(o);
	s.template_text = model.template_text();
	s.template_source = model.template_path();
	if (!o.hosts.empty())
		for (const BenchCase &c : s.cases)
			if (c.step("original") == "fragmented")
				throw UsageError(
					"case " + c.id +
					": the F layout removes a filler file after laying the original out, which fio servers cannot do; leave F cases out with --only");
	if (!o.hosts.empty())
		for (const BenchCase &c : s.cases)
			if (c.has_second_job())
				throw UsageError(
					"case " + c.id +
					": a load beside the moves (second_job) is run alone too and its writes verified from "
					"fio's state file, which the bench does on this machine only; leave it out with --only");
	if (!o.shard.empty()) // a shard with no work is refused before anything is made
		shard_runs(parse_shard(o.shard), s.cases.size(), o.repeat);
	if (o.test_lose_write &&
	    std::none_of(s.cases.begin(), s.cases.end(), [](const BenchCase &c) { return c.step("verify") == "second-job"; }))
		throw UsageError("--test-lose-write needs a case whose second job's writes are verified (e.g. --set in-use "
				 "--only write-same)");
	return s;
}

std::string kernel_release()
{
	struct utsname u {};
	::uname(&u);
	return u.release;
}

// --dry-run: every case's factors, prepare steps, layout job and job, nothing run.
int print_cases(const BenchOptions &o)
{
	const CaseModel model = CaseModel::load(o.jobs_dir);
	BenchSettings s = settings_for(o, model, "");
	const InstallLayout layout = o.build_dir.empty() ? install_layout() : build_tree_layout(o.build_dir);
	s.engine = fs::exists(layout.engine) ? fs::canonical(layout.engine).string() : layout.engine;
	const std::string dir = o.dir.empty() ? "<the bench's fresh filesystem>" : o.dir;
	std::cout << "bench --dry-run: set " << s.set << ", " << s.cases.size() << " cases from " << o.jobs_dir
		  << "/cases.json, template " << s.template_source << "; nothing is run\n";
	if (!o.shard.empty()) { // what this shard runs: its cases and their rounds
		std::vector<std::string> rounds(s.cases.size());
		for (unsigned r = 1; r <= o.repeat; ++r)
			for (const std::size_t i : shard_cases(parse_shard(o.shard), s.cases.size(), o.repeat, r))
				rounds[i] += " " + std::to_string(r);
		std::cout << shard_metadata(parse_shard(o.shard), s.cases.size(), o.repeat) << "\n";
		for (size_t i = 0; i < s.cases.size(); ++i)
			if (!rounds[i].empty())
				std::cout << "  " << s.cases[i].id << ": round(s)" << rounds[i] << "\n";
	}
	for (size_t i = 0; i < s.cases.size(); ++i) {
		const BenchCase &c = s.cases[i];
		std::cout << "\ncase " << i + 1 << " of " << s.cases.size() << ": " << c.id << "\n  factors:";
		for (const CaseFactorValue &f : c.factors)
			std::cout << " " << f.name << "=" << f.value;
		std::cout << "\n  prepare:";
		for (const auto &[step, value] : c.prepare)
			std::cout << " " << step << "=" << value;
		std::cout << "\n  layout job (run-N.layout.fio):\n";
		std::istringstream layout_text(layout_job(c, dir)), job_text(case_job(c, s, dir, ""));
		for (std::string line; std::getline(layout_text, line);)
			std::cout << "    " << line << "\n";
		std::cout << "  job (run-N.fio):\n";
		for (std::string line; std::getline(job_text, line);)
			std::cout << "    " << line << "\n";
	}
	return 0;
}

// ---- inside an e4mext VM: one round on the VM's disk, results to the shared directory ----

int run_in_guest(const BenchOptions &o)
{
	const CaseModel model = CaseModel::load(o.jobs_dir);
	BenchSettings s = settings_for(o, model, "");
	s.kernel = kernel_release();
	s.accelerator = o.guest_accelerator;
	s.rounds = 1; // one round per VM: the host alternates the kernels
	s.first_run = o.run_number;
	s.last_run = o.repeat; // the host passes --repeat: its rounds, or the most (--max-rounds)
	s.engine = engine_path(o);
	if (o.profile)
		require_perf();
	auto target = make_guest_disk_target(o.guest_disk, split_shell_words(o.mkfs_opts, "--mkfs-opts"));
	target->fresh();
	std::string meta;
	for (const std::string &line : target->describe())
		meta += line + "\n";
	write_text_file(o.guest_results + "/guest-metadata.txt", meta);
	s.unfinished_dir = o.guest_results + "/unfinished"; // the host moves it to the set's unfinished/
	BenchRunner runner(s, *target, o.guest_results + "/runs", std::cout);
	write_text_file(o.guest_results + "/guest-metadata.txt", "cache policy: " + runner.cache_policy() + "\n", true);
	try {
		runner.run_all();
	} catch (const Interrupted &) {
		throw;
	} catch (const std::exception &e) {
		throw RunFailed(where_files_are(e.what(), o.guest_results + "/runs", s.unfinished_dir));
	}
	return 0;
}

// ---- the outputs of a finished run ----

// plot.png and plot.svg (and their latency and ratio charts) in dir; a chart that cannot be drawn
// is said, not fatal.
void draw_plots(report::PlotRequest plot, const std::string &dir)
{
	for (const char *ext : {"png", "svg"}) {
		plot.output = dir + "/plot." + ext;
		const auto draw = [&plot](const report::Console &console) {
			report::plot(plot, console);
			return report::exit_ok;
		};
		if (report_to(draw, "", false) != 0)
			std::cerr << "bench: plot." << ext << " could not be drawn (see the message above)\n";
	}
}

void set_outputs(const std::string &set_dir, const std::string &label)
{
	const std::string runs = set_dir + "/runs";
	if (const std::size_t cases = report::write_case_profiles(runs))
		std::cerr << "bench: profiles of " << cases << " case(s): runs/<case>/profile.txt, flame.svg and offcpu.svg\n";
	report::TableRequest table;
	table.paths = {runs};
	table.names.label = label;
	if (report_text_and_markdown(report::table, table, set_dir + "/table") != 0)
		throw std::runtime_error("the table of " + runs + " could not be made (see the message above)");
	report::PlotRequest plot;
	plot.paths = {runs};
	plot.names.labels = {label};
	draw_plots(plot, set_dir);
}

int gate(const BenchOptions &o, const std::string &base_dir, const std::string &base_label, const std::string &cand_dir,
	 const std::string &cand_label, const std::string &out_dir)
{
	report::GateRequest request;
	request.base = runs_of(base_dir);
	request.candidate = runs_of(cand_dir);
	request.labels = {base_label, cand_label};
	request.markdown_summary = out_dir + "/gate-summary.md";
	request.verdict_json = out_dir + "/gate-verdict.json";
	const int rc = report_to([&](const report::Console &console) {
		request.options.max_regression = report::parse_percentage(o.max_regression);
		request.options.metric = report::parse_gate_metric(o.gate_metric);
		request.options.looks = looks_of(o);
		if (sequential(o)) // a case decided early has its first look's runs; one stopped by the clock may have fewer
			request.options.min_samples = 1;
		return report::gate(request, console);
	});
	if (rc == 0)
		std::cerr << "bench: gate: pass (no case significantly more than " << o.max_regression << " below " << base_label
			  << ")\n";
	else if (rc == report::exit_regression)
		std::cerr << "bench: gate: REGRESSION against " << base_label << " (see " << out_dir << "/gate-summary.md)\n";
	else if (rc == kExitUndecided)
		std::cerr << "bench: gate: UNDECIDED against " << base_label << ": the runs cannot tell yet (see " << out_dir
			  << "/gate-summary.md for the runs each case needs); not a pass\n";
	else
		std::cerr << "bench: gate: could not compare (exit " << rc << "; see the message above)\n";
	return rc;
}

report::GateOptions gate_options(const BenchOptions &o)
{
	report::GateOptions options;
	options.max_regression = report::parse_percentage(o.max_regression);
	options.metric = report::parse_gate_metric(o.gate_metric);
	options.min_samples = 1; // fewer than two runs: undecided, which is what a look should say
	options.looks = looks_of(o);
	return options;
}

// A look: where every case stands by compare's verdicts between `sets` (the first the base) and,
// with a gate, by the gate's of gate_base (a results directory; "": the first set) against the
// last set.
std::vector<report::CaseStanding> standings_now(const BenchOptions &o, const std::vector<report::ResultSet> &sets,
						const std::optional<std::string> &gate_base)
{
	std::vector<const report::ResultSet *> pointers;
	for (const auto &set : sets)
		pointers.push_back(&set);
	std::vector<report::CaseStanding> standings;
	if (sets.size() >= 2) {
		report::CompareOptions options;
		options.looks = looks_of(o);
		standings = report::standings_of(report::compare_sets(pointers, options), report::Metric::iops);
	}
	if (gate_base && gate_base->empty())
		standings =
			report::both(standings, report::standings_of(report::run_gate(sets.front(), sets.back(), gate_options(o))));
	else if (gate_base) {
		const report::ResultSet base = report::load_result_set({runs_of(*gate_base)}, label_of(*gate_base));
		standings = report::both(standings, report::standings_of(report::run_gate(base, sets.back(), gate_options(o))));
	}
	return standings;
}

// A VM failed in a round: ends the rounds with its exit status.
struct RoundFailed {
	int status;
};

// Rounds until decided; every look's line is kept for rounds.txt.
struct SequentialRounds {
	report::RoundsOutcome outcome;
	std::vector<std::string> looks;

	std::string text() const
	{
		std::string out;
		for (const std::string &line : looks)
			out += line + "\n";
		return out + report::standings_text(outcome);
	}
};

// "rounds run: 4 of at most 10 (every case decided; rounds.txt)"
std::string rounds_run(const SequentialRounds &rounds)
{
	return "rounds run: " + std::to_string(rounds.outcome.rounds) + " (" + report::describe(rounds.outcome.reason) +
	       "; every look in rounds.txt)";
}

SequentialRounds run_sequential(const BenchOptions &o, const std::vector<BenchCase> &cases,
				const std::function<void(unsigned, const std::vector<std::string> &)> &run_round,
				const std::function<std::vector<report::ResultSet>()> &load_sets,
				const std::optional<std::string> &gate_base)
{
	SequentialRounds rounds;
	std::vector<std::string> ids;
	for (const BenchCase &c : cases)
		ids.push_back(c.id);
	const auto started = std::chrono::steady_clock::now();
	rounds.outcome = report::run_rounds(
		ids, budget_of(o), run_round,
		[&](unsigned round) {
			auto standings = standings_now(o, load_sets(), gate_base);
			rounds.looks.push_back(report::look_line(round, standings));
			return standings;
		},
		std::cerr, [started] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); });
	std::cerr << "bench: " << report::standings_text(rounds.outcome);
	return rounds;
}

std::vector<BenchCase> cases_with_ids(const std::vector<BenchCase> &cases, const std::vector<std::string> &ids)
{
	std::vector<BenchCase> kept;
	for (const BenchCase &c : cases)
		if (std::find(ids.begin(), ids.end(), c.id) != ids.end())
			kept.push_back(c);
	return kept;
}

// The runs of a set that finished: their fio JSON is there (runs/<group>/<case>/run-N.json).
unsigned finished_runs(const std::string &set_dir)
{
	static const std::regex run_json("run-[0-9]+\\.json");
	unsigned n = 0;
	std::error_code ec;
	if (!fs::is_directory(set_dir + "/runs", ec))
		return 0;
	for (const auto &entry : fs::recursive_directory_iterator(set_dir + "/runs", ec))
		if (entry.is_regular_file() && entry.file_size() > 0 &&
		    std::regex_match(entry.path().filename().string(), run_json))
			++n;
	return n;
}

// After an interrupt or a failure: the table and plots of the runs that finished (the report
// warns that the set is partial); nothing when none did.
void partial_outputs(const std::string &set_dir, const std::string &label)
{
	if (finished_runs(set_dir) == 0)
		return;
	try {
		set_outputs(set_dir, label);
	} catch (const std::exception &e) {
		std::cerr << "bench: the table of the finished runs could not be written: " << e.what() << "\n";
	}
}

// ---- on this machine: a loop image, --dir or --hosts ----

int run_local(const BenchOptions &o)
{
	const auto started = std::chrono::steady_clock::now();
	const CaseModel model = CaseModel::load(o.jobs_dir);
	BenchSettings s = settings_for(o, model, "");
	s.engine = engine_path(o);
	s.profile = o.profile;
	s.set = set_name(o);
	const std::string label = o.label.empty() ? [] {
		struct utsname u {};
		::uname(&u);
		return std::string(u.release);
	}() + "-" + set_name(o) + "-" + local_stamp()
						  : o.label;
	const std::string out_path = fs::absolute(o.results_root + "/" + label).lexically_normal().string();
	if (fs::exists(out_path))
		throw UsageError(out_path + " already exists: pick another --label or remove it");
	s.unfinished_dir = out_path + "/unfinished";

	std::unique_ptr<BenchTarget> target;
	if (!o.dir.empty()) {
		target = make_dir_target(o.dir, s.size_bytes);
	} else {
		const uint64_t image =
			o.image_size.empty() ? default_image_size(s.size_bytes) : parse_size(o.image_size, "--image-size");
		if (image < 2 * s.size_bytes + s.size_bytes / 2)
			throw UsageError(
				"an image of " + format_mib(image) + " cannot hold a " + s.size +
				" original, its donor and headroom (needs 2.5 x --size): use a smaller --size or a larger --image-size");
		target = make_loop_target(image, split_shell_words(o.mkfs_opts, "--mkfs-opts"));
	}
	const std::vector<std::string> hosts = o.hosts.empty() ? std::vector<std::string>{} : host_list(o.hosts);
	const std::size_t places = std::max<std::size_t>(hosts.size(), 1); // a run here, or one per fio server
	s.hosts = hosts; // every --hosts server at once: one runner, one fio client per run

	ResultsDir results(out_path);
	results.set_metadata_file(out_path + "/metadata.txt");
	{
		struct utsname u {};
		::uname(&u);
		std::string meta = "label: " + label + "\nkernel: " + u.release + " (" + u.version + ")\n";
		for (const std::string &line : common_metadata(o, s, s.engine))
			meta += line + "\n";
		for (const std::string &line : target->describe())
			meta += line + "\n";
		meta += "hosts: " + (o.hosts.empty() ? std::string("local") : o.hosts) + "\n";
		write_text_file(out_path + "/metadata.txt", meta);
	}
	const bool until_decided = sequential(o);
	unsigned done = 0,
		 total = unsigned((until_decided ? s.cases.size() * o.max_rounds : fixed_runs(o, s.cases.size())) * places);
	std::cerr << "bench: " << s.cases.size() << " cases x "
		  << (until_decided ? "rounds until decided (at most " + std::to_string(o.max_rounds) + ")"
				    : std::to_string(s.rounds) + " runs")
		  << " on " << target->directory() << (o.hosts.empty() ? "" : " via " + o.hosts) << "; results in " << out_path
		  << "\n";
	std::optional<SequentialRounds> rounds;
	// A runner's runs, counted in `done` also when it fails.
	const auto run_counting = [&done, places](BenchRunner &runner) {
		try {
			runner.run_all();
		} catch (...) {
			done += unsigned(runner.progress().done * places);
			throw;
		}
		done += unsigned(runner.progress().done * places);
	};
	try {
		if (until_decided) {
			write_text_file(out_path + "/metadata.txt",
					"cache policy: " + BenchRunner(s, *target, out_path + "/runs", std::cerr).cache_policy() +
						"\n",
					true);
			const auto run_round = [&](unsigned round, const std::vector<std::string> &ids) {
				BenchSettings rs = s;
				rs.cases = cases_with_ids(s.cases, ids);
				rs.rounds = 1;
				rs.first_run = round;
				rs.last_run = o.max_rounds;
				BenchRunner runner(rs, *target, out_path + "/runs", std::cerr);
				run_counting(runner);
			};
			const auto load_sets = [&] {
				std::vector<report::ResultSet> sets;
				if (!o.compare.empty())
					sets.push_back(report::load_result_set({runs_of(o.compare)}, label_of(o.compare)));
				sets.push_back(report::load_result_set({out_path + "/runs"}, label));
				if (sets.size() > 1) // an older --compare set without case records (compare.txt says so)
					report::key_alike({&sets[0], &sets[1]});
				return sets;
			};
			rounds = run_sequential(o, s.cases, run_round, load_sets,
						o.gate.empty() ? std::nullopt : std::optional<std::string>(o.gate));
			write_text_file(out_path + "/rounds.txt", rounds->text());
		}
		if (!until_decided) {
			BenchRunner runner(s, *target, out_path + "/runs", std::cerr);
			write_text_file(out_path + "/metadata.txt", "cache policy: " + runner.cache_policy() + "\n", true);
			if (o.shard.empty())
				run_counting(runner);
			else
				shard_rounds(o, s.cases, [&](unsigned round, const std::vector<BenchCase> &cases) {
					BenchSettings rs = s;
					rs.cases = cases;
					rs.rounds = 1;
					rs.first_run = round;
					rs.last_run = o.repeat;
					BenchRunner shard_runner(rs, *target, out_path + "/runs", std::cerr);
					run_counting(shard_runner);
				});
		}
	} catch (const std::exception &e) {
		target.reset();
		if (const int signal = interrupting_signal(e)) {
			results.partial(interruption(signal, unfinished_runs(s.unfinished_dir)) + " after " + std::to_string(done) +
						" of " + std::to_string(total) + " runs",
					end_metadata(done, total, started));
			partial_outputs(out_path, label);
			return 128 + signal;
		}
		const std::string what = where_files_are(e.what(), out_path + "/runs", s.unfinished_dir);
		results.partial("error: " + what, end_metadata(done, total, started));
		partial_outputs(out_path, label);
		throw RunFailed(what);
	}
	target.reset();
	std::vector<std::string> end = end_metadata(done, until_decided ? done : total, started);
	if (rounds)
		end.push_back(rounds_run(*rounds));
	results.finish("complete", end);
	set_outputs(out_path, label);
	std::cerr
		<< "bench: results: " << out_path
		<< " (table.txt, table.md, plot.png, plot.svg, metadata.txt, runs/: fio JSON, engine stats, job and log per run)\n";
	if (!o.compare.empty())
		report_to(
			[&](const report::Console &console) {
				report::CompareRequest request;
				request.paths = {runs_of(o.compare), out_path + "/runs"};
				request.names.labels = {label_of(o.compare), label};
				request.options.looks = looks_of(o);
				report::compare(request, console);
				return report::exit_ok;
			},
			out_path + "/compare.txt");
	const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
	std::cerr << "bench: wall time " << format_duration(wall) << "\n";
	if (!o.gate.empty())
		return gate(o, o.gate, label_of(o.gate), out_path, label, out_path);
	return 0;
}

// ---- kernels in VMs ----

std::vector<std::string> guest_args(const BenchOptions &o, const std::string &accelerator)
{
	std::vector<std::string> args = {"--set",
					 set_name(o),
					 "--jobs-dir",
					 o.jobs_dir,
					 "--repeat",
					 std::to_string(sequential(o) ? o.max_rounds : o.repeat),
					 "--guest-accelerator",
					 accelerator};
	if (!o.size.empty())
		args.insert(args.end(), {"--size", o.size});
	if (o.moves > 0)
		args.insert(args.end(), {"--moves", std::to_string(o.moves)});
	else if (!o.io_size.empty())
		args.insert(args.end(), {"--io-size", o.io_size});
	else
		args.insert(args.end(), {"--runtime", o.runtime});
	if (!o.only.empty())
		args.insert(args.end(), {"--only", o.only});
	if (!o.cache.empty())
		args.insert(args.end(), {"--cache", o.cache});
	if (!o.mkfs_opts.empty())
		args.insert(args.end(), {"--mkfs-opts", o.mkfs_opts});
	if (!o.build_dir.empty())
		args.insert(args.end(), {"--build-dir", fs::absolute(o.build_dir).string()});
	if (o.profile)
		args.push_back("--profile");
	return args;
}

// With two or more kernels: every kernel's block side by side (compare.txt, compare.md), and one
// chart of them all plus each case's ratio to the first kernel (plot.png, plot-ratio.png, svg).
void kernel_comparison(const std::string &out_dir, const std::vector<std::string> &labels, std::size_t looks)
{
	std::vector<std::string> runs;
	for (const std::string &l : labels)
		runs.push_back(out_dir + "/" + l + "/runs");
	report::CompareRequest compare;
	compare.paths = runs;
	compare.names.labels = labels;
	compare.options.looks = looks;
	report_text_and_markdown(report::compare, compare, out_dir + "/compare");
	report::PlotRequest plot;
	plot.paths = runs;
	plot.names.labels = labels;
	draw_plots(plot, out_dir);
}

int run_on_kernels(const BenchOptions &o)
{
	const auto started = std::chrono::steady_clock::now();
	if (::geteuid() != 0)
		throw MissingRequirement(
			"e4mext bench --kernel needs root: virtiofsd shares the host's root with the guest (run it with sudo)");
	const CaseModel model = CaseModel::load(o.jobs_dir);
	// 512 MiB as on the host: large enough that with the series U runs fill the 3 s window, and past
	// the sizes where the files' extents just overflow the inode (256 MiB), where every per-page
	// swap allocates and frees an extent-tree block on both kernels
	// (results/size-sweep-6.18.15-vs-6.19.13-tcg/README.md).
	BenchSettings s = settings_for(o, model, "");
	s.engine = engine_path(o);

	KernelBenchPlan plan;
	plan.kernels = resolve_kernels(o.kernels, "bench", std::cerr);

	plan.accel = choose_accelerator(o.accel, plan.kernels.front().image);
	// Every table, chart and comparison shows these labels: emulated figures say so there.
	plan.labels = unique_labels(plan.kernels);
	for (std::string &l : plan.labels)
		l += "-" + std::string(accelerator_name(plan.accel.accel));
	std::string kernels_text;
	for (const std::string &l : plan.labels)
		kernels_text += (kernels_text.empty() ? "" : "-vs-") + l;
	const std::string label = o.label.empty() ? kernels_text + "-" + set_name(o) + "-" + local_stamp() : o.label;
	plan.out_dir = fs::absolute(o.results_root + "/" + label).lexically_normal().string();
	if (fs::exists(plan.out_dir))
		throw UsageError(plan.out_dir + " already exists: pick another --label or remove it");

	plan.e4mext = self_executable();
	plan.guest_args = guest_args(o, accelerator_name(plan.accel.accel));
	plan.rounds = sequential(o) ? o.max_rounds : o.repeat;
	plan.sequential = sequential(o);
	plan.started = started;
	plan.vm.memory = parse_guest_memory(o.vm_memory, "--vm-memory");
	plan.vm.cpus = o.vm_cpus;
	plan.vm.disk_size = std::max<uint64_t>(1ull << 30, (3 * s.size_bytes + (1ull << 20) - 1) / (1ull << 20) * (1ull << 20));
	plan.vm.timeout = std::chrono::seconds(o.vm_timeout);
	plan.host_metadata = common_metadata(o, s, s.engine);
	struct utsname u {};
	::uname(&u);
	plan.host_metadata.push_back("host kernel: " + std::string(u.release) + " (" + u.version + ")");
	plan.host_metadata.push_back(
		"accelerator: " + std::string(accelerator_name(plan.accel.accel)) + " (" + plan.accel.reason + ")" +
		(plan.accel.accel == Accelerator::tcg ? "; figures are emulated (TCG): compare kernels, never with hardware" : ""));
	plan.host_metadata.push_back(
		"order: rounds of one VM per kernel, alternating (" + kernels_text +
		(plan.sequential ? ", until every case is decided" : ", repeated " + std::to_string(o.repeat) + " times") + ")");

	ResultsDir results(plan.out_dir);
	results.set_metadata_file(plan.out_dir + "/bench.txt");
	{
		std::string top = "label: " + label + "\nkernels: " + kernels_text + "\n";
		for (const std::string &line : plan.host_metadata)
			top += line + "\n";
		write_text_file(plan.out_dir + "/bench.txt", top);
	}
	std::cerr << "bench: " << s.cases.size() << " cases x "
		  << (plan.sequential ? "rounds until decided (at most " + std::to_string(o.max_rounds) + ")"
				      : std::to_string(o.repeat) + " rounds")
		  << " on " << plan.kernels.size() << " kernel(s) in VMs under " << accelerator_name(plan.accel.accel) << " ("
		  << plan.accel.reason << "), file size " << s.size << "; results in " << plan.out_dir << "\n";
	int status = 0;
	const unsigned total =
		unsigned((plan.sequential ? s.cases.size() * plan.rounds : fixed_runs(o, s.cases.size())) * plan.kernels.size());
	// Interrupted or failed: the metadata counts the runs that finished, each kernel's table shows them.
	const auto keep_partial = [&](const std::string &reason) {
		unsigned done = 0;
		for (const std::string &l : plan.labels)
			done += finished_runs(plan.out_dir + "/" + l);
		const std::vector<std::string> end = end_metadata(done, total, started);
		results.partial(reason + " after " + std::to_string(done) + " of " + std::to_string(total) + " runs", end);
		for (const std::string &l : plan.labels) {
			const std::string meta = plan.out_dir + "/" + l + "/metadata.txt";
			if (!fs::exists(meta))
				continue;
			std::string text;
			for (const std::string &line : end)
				text += line + "\n";
			try {
				write_text_file(meta, text + "status: partial (" + reason + ")\n", true);
			} catch (const WriteFailed &e) {
				std::cerr << "bench: " << e.what() << "\n";
			}
			partial_outputs(plan.out_dir + "/" + l, l);
		}
	};
	std::optional<SequentialRounds> rounds;
	try {
		if (plan.sequential) {
			const auto run_round = [&](unsigned round, const std::vector<std::string> &ids) {
				const bool every_case = ids.size() == s.cases.size();
				if (const int failed =
					    run_kernel_round(plan, round, every_case ? std::vector<std::string>{} : ids, std::cerr);
				    failed != 0)
					throw RoundFailed{failed};
			};
			const auto load_sets = [&] {
				std::vector<report::ResultSet> sets;
				for (const std::string &l : plan.labels)
					sets.push_back(report::load_result_set({plan.out_dir + "/" + l + "/runs"}, l));
				return sets;
			};
			std::optional<std::string> gate_base;
			if (o.gate_given)
				gate_base = o.gate; // "": the first kernel
			rounds = run_sequential(o, s.cases, run_round, load_sets, gate_base);
			write_text_file(plan.out_dir + "/rounds.txt", rounds->text());
		} else if (o.shard.empty()) {
			status = run_kernel_rounds(plan, std::cerr);
		} else {
			shard_rounds(o, s.cases, [&](unsigned round, const std::vector<BenchCase> &cases) {
				std::vector<std::string> ids;
				for (const BenchCase &c : cases)
					ids.push_back(c.id);
				if (ids.size() == s.cases.size())
					ids.clear(); // every case
				if (const int failed = run_kernel_round(plan, round, ids, std::cerr); failed != 0)
					throw RoundFailed{failed};
			});
		}
	} catch (const RoundFailed &e) {
		status = e.status;
	} catch (const std::exception &e) {
		if (const int signal = interrupting_signal(e)) {
			std::vector<std::string> cut;
			for (const std::string &l : plan.labels)
				for (const std::string &run : unfinished_runs(plan.out_dir + "/" + l + "/unfinished"))
					cut.push_back(l + "/" + run);
			keep_partial(interruption(signal, cut));
			return 128 + signal;
		}
		keep_partial(std::string("error: ") + e.what());
		throw RunFailed(e.what());
	}
	if (status != 0) {
		keep_partial("a VM failed (exit " + std::to_string(status) + ")");
		return status;
	}
	unsigned done = total;
	if (rounds) {
		done = 0;
		for (const std::string &l : plan.labels)
			done += finished_runs(plan.out_dir + "/" + l);
	}
	std::vector<std::string> end = end_metadata(done, done, started);
	if (rounds)
		end.push_back(rounds_run(*rounds));
	results.finish("complete", end);
	for (size_t k = 0; k < plan.labels.size(); ++k) {
		std::string meta;
		for (const std::string &line : end)
			meta += line + "\n";
		write_text_file(plan.out_dir + "/" + plan.labels[k] + "/metadata.txt", meta + "status: complete\n", true);
		set_outputs(plan.out_dir + "/" + plan.labels[k], plan.labels[k]);
	}
	if (plan.labels.size() >= 2)
		kernel_comparison(plan.out_dir, plan.labels, looks_of(o));
	const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
	std::cerr << "bench: results: " << plan.out_dir << "; wall time " << format_duration(wall) << "\n";
	if (o.gate_given && o.gate.empty())
		return gate(o, plan.out_dir + "/" + plan.labels[0], plan.labels[0], plan.out_dir + "/" + plan.labels[1],
			    plan.labels[1], plan.out_dir);
	if (!o.gate.empty())
		return gate(o, o.gate, label_of(o.gate), plan.out_dir + "/" + plan.labels.back(), plan.labels.back(), plan.out_dir);
	return 0;
}

int run_bench(const BenchOptions &o)
{
	check_options(o);
	if (o.dry_run)
		return print_cases(o);
	if (!o.guest_disk.empty())
		return run_in_guest(o); // refuses a disk its VM did not make
	install_interrupt_handlers("bench");
	return o.kernels.empty() ? run_local(o) : run_on_kernels(o);
}

// ---- e4mext merge: the shards of one bench as one result ----

struct MergeOptions {
	std::vector<std::string> dirs;
	std::string label;
	std::string results_root = install_layout().results_root;
	std::string gate;
	bool gate_given = false;
	std::string max_regression = "5%";
	std::string gate_metric = "iops";
};

constexpr const char *kMergeFooter =
	R"(The shards of one bench - the same command on N machines but for --shard 1/N ... N/N, with --repeat -
become one result as if one machine had run it: every shard's runs (runs/<case>/run-N.*, the round
in N) copied into results/<label>/ (one set per kernel for bench --kernel), its table, plots and,
with two or more kernels, compare.txt and compare.md over all the runs (one look: the rounds were
fixed), then --gate as bench --gate does. Refused: a directory that is not a finished shard, a
shard missing or given twice, shards of different benches (cases, options, kernels, e4mext, fio).
Exit status: as bench: 0 done (gate passed); 1 the gate found a regression; 2 bad usage or
shards that do not make one bench; 3 an output could not be made; 5 the gate could not decide a
case (never a pass).)";

void check_merge_options(const MergeOptions &m)
{
	if (m.gate_metric != "iops" && m.gate_metric != "bw")
		throw UsageError("--gate-metric must be iops or bw, not '" + m.gate_metric + "'");
	try {
		report::parse_percentage(m.max_regression);
	} catch (const std::exception &e) {
		throw UsageError(e.what());
	}
	if (!m.gate.empty() && !fs::is_directory(m.gate))
		throw UsageError("--gate '" + m.gate + "' is not a directory of results (give results/NAME)");
	if (!m.label.empty())
		check_path_name("--label", m.label);
}

// The merged directory's sets, each with its metadata and runs; returns the runs copied.
unsigned merge_sets(const ShardedBench &bench, const std::string &out, const std::string &label)
{
	unsigned runs = 0;
	for (const std::string &set : bench.sets) {
		const std::string dir = set.empty() ? out : out + "/" + set;
		fs::create_directories(dir);
		write_text_file(dir + "/metadata.txt", merged_metadata(bench, set, set.empty() ? label : set));
		const unsigned copied = merge_runs(bench, set, dir);
		if (!set.empty())
			write_text_file(
				dir + "/metadata.txt",
				"runs: " + std::to_string(copied) + " of " + std::to_string(copied) + "\nstatus: complete\n", true);
		runs += copied;
	}
	return runs;
}

int run_merge(const MergeOptions &m)
{
	check_merge_options(m);
	const ShardedBench bench = read_shards(m.dirs);
	if (m.gate_given && m.gate.empty() && bench.sets.size() != 2)
		throw UsageError("--gate without a baseline directory gates the second of two kernels against the first; "
				 "these shards ran " +
				 (bench.kernels ? std::to_string(bench.sets.size()) + " kernel(s)" : std::string("here")) +
				 ": give --gate results/NAME");
	const std::string label = m.label.empty() ? "merged-" + local_stamp() : m.label;
	const std::string out = fs::absolute(m.results_root + "/" + label).lexically_normal().string();
	ResultsDir results(out);
	results.set_metadata_file(out + (bench.kernels ? "/bench.txt" : "/metadata.txt"));
	unsigned runs = 0;
	try {
		if (bench.kernels)
			write_text_file(out + "/bench.txt", merged_metadata(bench, "", label));
		runs = merge_sets(bench, out, label);
	} catch (const std::exception &e) {
		results.partial(std::string("error: ") + e.what(), {});
		throw;
	}
	results.finish("complete", {"runs: " + std::to_string(runs) + " of " + std::to_string(runs)});
	for (const std::string &set : bench.sets)
		set_outputs(set.empty() ? out : out + "/" + set, set.empty() ? label : set);
	if (bench.sets.size() >= 2)
		kernel_comparison(out, bench.sets, 1);
	std::cerr << "merge: " << bench.shards.size() << " shards, " << runs << " runs; results: " << out << "\n";
	BenchOptions o; // the bench's gate over fixed rounds: one look
	o.repeat_given = true;
	o.max_regression = m.max_regression;
	o.gate_metric = m.gate_metric;
	const std::string last = bench.kernels ? out + "/" + bench.sets.back() : out;
	if (m.gate_given && m.gate.empty())
		return gate(o, out + "/" + bench.sets[0], bench.sets[0], last, bench.sets[1], out);
	if (!m.gate.empty())
		return gate(o, m.gate, label_of(m.gate), last, bench.kernels ? bench.sets.back() : label, out);
	return 0;
}

} // namespace

Subcommand add_bench_command(CLI::App &parent)
{
	auto o = std::make_shared<BenchOptions>();
	CLI::App *app = parent.add_subcommand(
		"bench", "the cover letter's U/M table from real fio runs of libe4mext, here or on kernels in VMs");
	app->footer(kFooter);
	// A repeated option: the last one counts, as in fio and the scripts (--kernel collects them all).
	app->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
	app->add_flag("--quick", o->quick, "the cover letter's six cases (U/M x 4k/32k/128k)");
	app->add_flag("--full", o->full, "the full cross product of jobs/cases.json (long)");
	app->add_option("--set", o->set, "a set of jobs/cases.json by name: quick, matrix (default) or full");
	app->add_flag("--dry-run", o->dry_run,
		      "print every case's factors, prepare steps, layout job and job, and run nothing (no root needed)");
	app->add_option("--only", o->only,
			"only the cases whose id (e.g. coverletter/U-4k, bs-sweep/M-1m) matches this extended regex");
	CLI::Option *repeat_option =
		app->add_option(
			   "--repeat", o->repeat,
			   "runs per case, each on a fresh filesystem; with two --kernel, --compare or --gate: exactly this many "
			   "rounds instead of rounds until decided")
			->capture_default_str();
	CLI::Option *max_rounds_option =
		app->add_option("--max-rounds", o->max_rounds,
				"with two --kernel, --compare or --gate: the most rounds before the undecided cases are reported "
				"with the rounds they need (also the looks of the Bonferroni bound; at least 3)")
			->capture_default_str();
	app->add_option("--max-time", o->max_time,
			"with two --kernel, --compare or --gate: no round starts that would end after this (25m, 1h30m)");
	app->add_option("--size", o->size, "size of the original, whole MiB (default 512m)");
	CLI::Option *runtime_option =
		app->add_option("--runtime", o->runtime, "fio's time limit per run (U runs usually finish the file first)")
			->capture_default_str();
	app->add_option("--moves", o->moves,
			"fixed work instead of the time window: N moves per run (fio io_size = N x bs, wrapping around the "
			"file; number_ios=N), no time limit")
		->check(CLI::Range(uint64_t(1), uint64_t(1) << 40));
	app->add_option("--io-size", o->io_size,
			"fixed work instead of the time window: SIZE moved per run (fio io_size=, wrapping around the file), "
			"no time limit");
	app->add_option("--cache", o->cache,
			"page cache before each run for every case (default: each case's cache factor, cold in quick/matrix)")
		->check(CLI::IsMember({"cold", "warm"}));
	app->add_option("--image-size", o->image_size,
			"loop image size (default 4 x --size, at least 2g, at most half the free space)");
	app->add_option("--mkfs-opts", o->mkfs_opts, "extra mkfs.ext4 options for the loop image or the VM's disk");
	app->add_option("--dir", o->dir, "an existing ext4 directory instead of a loop image (no root needed)");
	app->add_option("--hosts", o->hosts,
			"fio servers H[:PORT],..., all at once through one fio client (needs --dir valid on every host and the "
			"engine at the same path; --compare/--gate: a base on the same --hosts)");
	app->add_option("--shard", o->shard,
			"I/N: this machine's part of the bench, one of N (cut by case and round, never by kernel; needs "
			"--repeat with two --kernel); e4mext merge joins the shards' directories into one result")
		->type_name("I/N");
	app->add_option("--kernel", o->kernels,
			"a Debian kernel version (6.19.13) or a bzImage; repeatable: kernels alternate in VMs")
		->allow_extra_args(false)
		->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
	add_accelerator_option(*app, o->accel);
	app->add_flag("--profile", o->profile,
		      "perf record -e cpu-clock -e sched:sched_switch -a -g around each run, the load alone's too (in the VM "
		      "with --kernel): runs/<case>/profile.txt, flame.svg, offcpu.svg");
	app->add_option("--vm-memory", o->vm_memory, "guest memory")->capture_default_str();
	app->add_option("--vm-cpus", o->vm_cpus, "guest vCPUs")->capture_default_str()->check(CLI::Range(1, 64));
	app->add_option("--vm-timeout", o->vm_timeout, "seconds for one VM's round before it counts as hung")
		->capture_default_str();
	app->add_option("--fio-timeout", o->fio_timeout,
			"seconds one fio run may take before it counts as hung (a silent --hosts server)")
		->capture_default_str();
	app->add_option("--label", o->label, "results/NAME (default <kernel>-<set>-<date>)");
	app->add_option("--results-root", o->results_root,
			"where results/NAME goes (default: " + results_root_help(install_layout()) + ")");
	app->add_option("--compare", o->compare, "also print the comparison of DIR (a results directory) with this run");
	CLI::Option *gate_option =
		app->add_option(
			   "--gate", o->gate,
			   "compare with baseline DIR (or, with two --kernel and no DIR, the second kernel with the first); exit 1 on a significant drop over --max-regression")
			->expected(0, 1);
	app->add_option("--max-regression", o->max_regression, "allowed drop for --gate, in percent (5% or 5; 0.05 is refused)")
		->capture_default_str();
	app->add_option("--gate-metric", o->gate_metric, "the figure --gate compares: iops or bw")->capture_default_str();
	app->add_option("--build-dir", o->build_dir,
			"use DIR/engine/libe4mext.so, a build's engine (default: " + install_layout().engine + ")");
	app->add_option("--jobs-dir", o->jobs_dir, "where cases.json and defrag.fio are")->capture_default_str();
	// Inside an e4mext VM only (the host side of --kernel passes them): not for people.
	app->add_option("--guest-disk", o->guest_disk)->group("");
	app->add_option("--guest-results", o->guest_results)->group("");
	app->add_option("--guest-accelerator", o->guest_accelerator)->group("");
	app->add_option("--run-number", o->run_number)->group("");
	// Test only: before each verify pass, one block the foreground wrote is zeroed by a fio job.
	app->add_flag("--test-lose-write", o->test_lose_write)->group("");
	return {app, [o, gate_option, repeat_option, max_rounds_option, runtime_option] {
			o->runtime_given = runtime_option->count() > 0;
			o->command_line = program_arguments();
			o->gate_given = gate_option->count() > 0;
			o->repeat_given = repeat_option->count() > 0;
			o->max_rounds_given = max_rounds_option->count() > 0;
			return run_bench(*o);
		}};
}

Subcommand add_merge_command(CLI::App &parent)
{
	auto m = std::make_shared<MergeOptions>();
	CLI::App *app = parent.add_subcommand(
		"merge", "the shards of one bench (bench --shard I/N on several machines) as one result and one verdict");
	app->footer(kMergeFooter);
	app->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
	app->add_option("shards", m->dirs, "every shard's results directory (results/NAME of each bench --shard I/N)")
		->required()
		->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
	app->add_option("--label", m->label, "results/NAME of the merged result (default merged-<date>)");
	app->add_option("--results-root", m->results_root,
			"where results/NAME goes (default: " + results_root_help(install_layout()) + ")");
	CLI::Option *gate_option =
		app->add_option("--gate", m->gate,
				"compare with baseline DIR (or, for shards of two --kernel and no DIR, the second kernel with "
				"the first); exit 1 on a significant drop over --max-regression, 5 undecided")
			->expected(0, 1);
	app->add_option("--max-regression", m->max_regression, "allowed drop for --gate, in percent (5% or 5)")
		->capture_default_str();
	app->add_option("--gate-metric", m->gate_metric, "the figure --gate compares: iops or bw")->capture_default_str();
	return {app, [m, gate_option] {
			m->gate_given = gate_option->count() > 0;
			return run_merge(*m);
		}};
}

} // namespace e4mext::runner
