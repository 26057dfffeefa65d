// move-ext-regression: the kernel regression suite for EXT4_IOC_MOVE_EXT. See README.md here.
//
//   move-ext-regression [--dangerous] [--only SUBSTRING]... [--list] [--update-golden] [--tap] [--junit FILE]
//                       [--golden-dir DIR] [--golden FILE] [--sysrq-crash-in ID]   (CLI11, as e4mext)
//
// One line per case: `id | condition | expected: ... | seen: ... | PASS|FAIL|NOT RUN[: reason]`,
// then the golden comparison, then exactly `N passed, N failed, N not run`. With --tap the same as
// TAP (one test point per case, the golden comparison last); --junit FILE also writes JUnit XML.
// Exit status: 0 when nothing failed, 1 when something did, 2 bad usage, 77 (skip) without root.
// With --tap: 0 whenever the stream is complete, the skip-all plan included (its test points carry
// the verdicts; meson's tap protocol reports any other status as an error), 1 when it bailed out.
#include "cleanup_registry.h"
#include "command_line.h"
#include "guest.h"
#include "run_output.h"
#include "suite.h"

#include <CLI/CLI.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>

#ifndef E4MEXT_SOURCE_ROOT
#define E4MEXT_SOURCE_ROOT "."
#endif
// Installed (PREFIX/LIBEXECDIR/e4mext/move-ext-regression): the golden files'
// directory relative to the binary's (meson computes it from libexecdir and datadir).
#ifndef E4MEXT_GOLDEN_FROM_LIBEXEC
#define E4MEXT_GOLDEN_FROM_LIBEXEC "../../share/e4mext/regression"
#endif

namespace e4mext::regress {
namespace {

struct Options {
	bool dangerous = false;
	bool list = false;
	bool update_golden = false;
	bool tap = false;
	std::string junit; // a JUnit XML file to write, "" none
	std::vector<std::string> only;
	std::string golden_dir;
	std::string golden;         // a file to compare with instead of golden-<behaviour>.txt
	std::string sysrq_crash_in; // test-only: panic the (guest) kernel when this case starts
};

const char kFooter[] = "With $E4MEXT_DISKS set (an e4mext VM guest) the filesystems are made on those disks, not on loop devices.\n"
		       "Exit status: 0 nothing failed, 1 something failed, 2 bad usage, 77 not run (no root).";

// An installed suite has its golden files at E4MEXT_GOLDEN_FROM_LIBEXEC from its own directory (see
// meson.build); a built one uses the checkout's.
void set_default_paths(Options &o)
{
	std::error_code ec;
	const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
	const std::filesystem::path installed = (self / E4MEXT_GOLDEN_FROM_LIBEXEC).lexically_normal();
	if (!ec && std::filesystem::exists(installed / "golden-new.txt", ec))
		o.golden_dir = installed.string();
	else
		o.golden_dir = E4MEXT_SOURCE_ROOT "/regression";
}

Options parse(int argc, char **argv)
{
	Options o;
	set_default_paths(o);
	CLI::App app{"The kernel regression suite for EXT4_IOC_MOVE_EXT: one line per case, then the golden comparison.",
		     "move-ext-regression"};
	app.footer(kFooter);
	app.add_flag("--dangerous", o.dangerous, "also run cases that crash some kernels (a donor on tmpfs)");
	app.add_option("--only", o.only,
		       "run only the cases whose id contains S (repeatable); skips the golden comparison")
		->type_name("S")
		->allow_extra_args(false); // one value per --only, as the repeated form says
	app.add_flag("--list", o.list, "print the cases and exit");
	app.add_flag("--update-golden", o.update_golden, "write golden-<behaviour>.txt from this run instead of comparing with it");
	app.add_flag("--tap", o.tap,
		     "print TAP (version 13) instead of the suite's lines: a test point per case, the golden comparison last");
	app.add_option("--junit", o.junit, "also write the results as JUnit XML to FILE (rewritten after every case)")
		->type_name("FILE")
		->check([](const std::string &file) { return file.empty() ? std::string("needs a file name") : std::string(); });
	app.add_option("--golden-dir", o.golden_dir,
		       "where golden-old.txt / golden-new.txt live (default: installed, PREFIX/share/e4mext/regression; else "
		       "the checkout's regression)")
		->type_name("DIR")
		->capture_default_str();
	app.add_option("--golden", o.golden, "compare with FILE instead of the detected behaviour's golden file")
		->type_name("FILE");
	app.add_option("--sysrq-crash-in", o.sysrq_crash_in,
		       "test only, in an e4mext VM guest only: panic the kernel when case ID starts")
		->type_name("ID");
	runner::parse_or_exit(app, argc, argv);
	return o;
}

// The filesystems of a run: shared ones made on first use and kept while there is room. On the host
// each is a loop filesystem of its own; in a VM guest each takes a disk of the pool, and when none is
// free a shared filesystem the current case does not use (the least recently used) is given up for
// it - so two disks serve every case, and more disks only save mkfs runs.
class FsPool {
public:
	FsPool(std::vector<FsProfile> profiles, DiskPool disks, std::string scratch)
		: profiles_(std::move(profiles)), disks_(std::move(disks)), scratch_(std::move(scratch))
	{
	}

	const FsProfile &profile(const std::string &name) const
	{
		for (const FsProfile &p : profiles_)
			if (p.name == name)
				return p;
		throw std::logic_error("no filesystem profile named '" + name + "'");
	}
	// A new case: nothing is in use by it yet.
	void begin_case() { in_use_.clear(); }
	std::unique_ptr<ScratchFs> make(const FsProfile &p)
	{
		if (p.pmem) {
			if (pmem_.empty())
				throw std::runtime_error(pmem_missing());
			return std::make_unique<DiskFs>(pmem_, kSize, p.mkfs_opts, p.mount_opts, scratch_);
		}
		if (disks_.empty())
			return std::make_unique<LoopFs>(kSize, p.mkfs_opts, p.mount_opts);
		if (disks_.free_count() == 0)
			give_up_one();
		return std::make_unique<DiskFs>(disks_, kSize, p.mkfs_opts, p.mount_opts, scratch_);
	}
	ScratchFs &shared(const std::string &name)
	{
		in_use_.insert(name);
		last_use_[name] = ++clock_;
		auto it = shared_.find(name);
		if (it == shared_.end())
			it = shared_.emplace(name, make(profile(name))).first;
		return *it->second;
	}
	const char *backing() const { return disks_.empty() ? "loop devices" : "the disks of $E4MEXT_DISKS"; }

private:
	static constexpr const char *kSize = "64M"; // small: mkfs is fast, also under TCG

	// Why there is no pmem device: the guest's /init says it ($E4MEXT_PMEM_MISSING), else this is
	// no VM with one.
	static std::string pmem_missing()
	{
		const char *why = std::getenv("E4MEXT_PMEM_MISSING");
		if (why && *why)
			return why;
		return "no pmem device ($E4MEXT_PMEM): DAX needs one; loop devices and NVMe disks are not DAX-capable "
		       "(e4mext regression --kernel gives its VM an emulated one)";
	}

	void give_up_one()
	{
		auto victim = shared_.end();
		for (auto it = shared_.begin(); it != shared_.end(); ++it)
			if (!in_use_.count(it->first) &&
			    (victim == shared_.end() || last_use_[it->first] < last_use_[victim->first]))
				victim = it;
		if (victim != shared_.end())
			shared_.erase(victim);
	}

	std::vector<FsProfile> profiles_;
	DiskPool disks_;
	DiskPool pmem_ = DiskPool::from_environment("E4MEXT_PMEM");
	std::string scratch_;
	std::map<std::string, std::unique_ptr<ScratchFs>> shared_;
	std::set<std::string> in_use_;
	std::map<std::string, unsigned long> last_use_;
	unsigned long clock_ = 0;
};

std::string case_dir_name(const std::string &id)
{
	std::string d = id;
	for (char &c : d)
		if (c == '/')
			c = '-';
	return d;
}

struct Probe {
	std::optional<Behaviour> behaviour;
	std::string evidence;
};

// The ext4_move_extent_enter tracepoint came with mext_move_extent() (patch 13 of the series). When
// tracefs is not mounted, the suite mounts it on a directory of its own for the look, then unmounts.
Probe probe_tracepoints(const std::string &scratch)
{
	auto look = [](const std::string &events) -> Probe {
		const bool present = std::filesystem::exists(events + "/ext4_move_extent_enter");
		return {present ? Behaviour::New : Behaviour::Old,
			std::string(present ? "" : "no ") + "ext4_move_extent_enter tracepoint"};
	};
	if (std::filesystem::is_directory("/sys/kernel/tracing/events/ext4"))
		return look("/sys/kernel/tracing/events/ext4");
	try {
		auto tracefs = ExtraMount::pseudo("tracefs", scratch + "/tracefs");
		if (std::filesystem::is_directory(tracefs->path() + "/events/ext4"))
			return look(tracefs->path() + "/events/ext4");
		return {std::nullopt, "tracefs has no ext4 events"};
	} catch (const std::exception &e) {
		return {std::nullopt, std::string("no tracefs (") + e.what() + ")"};
	}
}

// Old code returns ENODATA when the donor range is a hole and the original's is unwritten; new code
// skips donor holes.
Probe probe_behaviour(FsPool &pool, const std::string &scratch)
{
	Context ctx(pool.profile("ext4-4k"), pool.shared("ext4-4k"), "behaviour-probe", scratch,
		    [&](const std::string &p) -> ScratchFs & { return pool.shared(p); });
	const std::string orig = ctx.make_file("orig", Layout{"UUUU"}), donor = ctx.make_file("donor", Layout{"HHHH"});
	e4mext::UniqueFd o = ctx.open(orig, O_RDWR), d = ctx.open(donor, O_RDWR);
	const MoveOutcome out = ctx.move(o.get(), d.get(), 0, 0, 4);
	const std::string evidence = "unwritten original onto a donor hole gave " + out.text();
	if (out.err == ENODATA)
		return {Behaviour::Old, evidence};
	if (out.err == 0)
		return {Behaviour::New, evidence};
	return {std::nullopt, evidence + " (neither ENODATA nor success)"};
}

struct Tally {
	int passed = 0, failed = 0, not_run = 0;

	void count(Verdict v) { ++(v == Verdict::Pass ? passed : v == Verdict::Fail ? failed : not_run); }
	std::string summary() const
	{
		return std::to_string(passed) + " passed, " + std::to_string(failed) + " failed, " + std::to_string(not_run) +
		       " not run";
	}
};

// The suite's own line: `id | condition | expected: ... | seen: ... | PASS|FAIL|NOT RUN: reason`.
std::string default_line(const CaseReport &r)
{
	const std::string verdict = r.verdict == Verdict::Pass   ? "PASS"
				    : r.verdict == Verdict::Fail ? "FAIL"
								 : "NOT RUN: " + r.reason;
	return r.id + " | " + r.condition + " | expected: " + r.expected + " | seen: " + r.seen + " | " + verdict;
}

bool selected(const Options &opt, const Case &c)
{
	return opt.only.empty() || std::any_of(opt.only.begin(), opt.only.end(),
					       [&](const std::string &s) { return c.id.find(s) != std::string::npos; });
}

// Everything one case needs from the run.
struct RunState {
	const Options &opt;
	Behaviour behaviour;
	std::optional<KernelRelease> release;
	bool guest;
	FsPool &pool;
	const std::string &scratch;
};

CaseReport run_case(const Case &c, RunState &run)
{
	const std::optional<Expected> expected = expectation_for(c, run.behaviour, run.release);
	CaseReport r;
	r.id = c.id;
	r.condition = c.condition;
	r.expected = expected ? expected->text + (expected->note.empty() ? "" : " (" + expected->note + ")")
			      : std::string("unknown on ") + behaviour_name(run.behaviour) + " kernels";
	const auto started = std::chrono::steady_clock::now();
	if (run.guest)
		mark_case_start(c.id);
	if (c.id == run.opt.sysrq_crash_in)
		crash_kernel_with_sysrq(c.id);
	run.pool.begin_case();
	try {
		if (c.dangerous && !run.opt.dangerous)
			throw NotRun(
				"can crash kernels (the first posting of the 6.19 series) or make them WARN (6.18's DAX donor); "
				"run with --dangerous");
		const FsProfile &profile = run.pool.profile(c.fs);
		std::unique_ptr<ScratchFs> own;
		ScratchFs *fs = nullptr;
		try {
			if (profile.exclusive)
				own = run.pool.make(profile);
			fs = own ? own.get() : &run.pool.shared(c.fs);
		} catch (const std::runtime_error &e) {
			throw NotRun("cannot make filesystem '" + profile.name + "': " + e.what());
		}
		{
			Context ctx(profile, *fs, case_dir_name(c.id), run.scratch,
				    [&](const std::string &p) -> ScratchFs & { return run.pool.shared(p); });
			r.seen = c.run(ctx);
		}
		if (!expected) {
			r.verdict = Verdict::NotRun;
			r.reason = std::string("no expectation for ") + behaviour_name(run.behaviour) +
				   " kernels yet; review the seen value and add it";
		} else {
			r.verdict = r.seen == expected->text ? Verdict::Pass : Verdict::Fail;
		}
	} catch (const NotRun &e) {
		r.seen = r.seen.empty() ? "-" : r.seen;
		r.verdict = Verdict::NotRun;
		r.reason = e.what();
	} catch (const std::exception &e) {
		r.seen = std::string("error: ") + e.what();
		r.verdict = Verdict::Fail;
	}
	r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
	return r;
}

constexpr const char *kGoldenRelease = "# release ";
std::string kernel_release();

// The golden file: the deterministic lines of a full run, per behaviour. Differences are printed as
// "# golden -/+" comments before the result.
// The golden file's first line names the release it was measured on ("# release 6.18.15+deb13-cloud-amd64"):
// its expected texts are that release's, so only a run on the same release is judged by it; any
// other run prints the differences and leaves the verdict to the cases' expectations by release.
CaseReport compare_golden(const Options &opt, Behaviour behaviour, const std::string &release,
			  const std::vector<std::string> &golden_lines, RunOutput &out)
{
	const std::string golden =
		!opt.golden.empty() ? opt.golden : opt.golden_dir + "/golden-" + behaviour_name(behaviour) + ".txt";
	CaseReport r;
	r.id = "golden/" + std::string(behaviour_name(behaviour));
	r.condition = "the lines above equal " + golden;
	r.expected = "no difference";
	r.seen = "-";
	r.verdict = Verdict::NotRun;
	// A --dangerous run is compared too: the golden file's NOT RUN dangerous case is only noted.
	if (!opt.only.empty()) {
		r.reason = "partial run";
	} else if (opt.update_golden) {
		std::ofstream file(golden);
		file << kGoldenRelease << release << "\n";
		for (const std::string &l : golden_lines)
			file << l << "\n";
		r.reason = file.flush() ? "written by --update-golden" : "could not write it";
	} else if (!std::filesystem::exists(golden)) {
		r.reason = "no golden file for this behaviour yet; review a run and write it with --update-golden";
	} else {
		// Compared by case id. A case NOT RUN on one side only (a capability, a tool, a kernel option
		// this machine lacks) is noted, not counted: the golden file is about what ran.
		std::ifstream in(golden);
		auto id_of = [](const std::string &l) { return l.substr(0, l.find(" | ")); };
		auto not_run = [](const std::string &l) { return l.find("| NOT RUN") != std::string::npos; };
		std::map<std::string, std::string> want, have;
		std::string golden_release;
		for (std::string l; std::getline(in, l);)
			if (l.rfind(kGoldenRelease, 0) == 0)
				golden_release = l.substr(std::strlen(kGoldenRelease));
			else if (!l.empty() && l[0] != '#')
				want[id_of(l)] = l;
		for (const std::string &l : golden_lines)
			have[id_of(l)] = l;
		int differ = 0;
		for (const auto &[id, l] : want) {
			auto it = have.find(id);
			if (it == have.end()) {
				out.comment("golden - " + l);
				++differ;
			} else if (not_run(l) != not_run(it->second)) {
				out.comment("golden note: " + id + " is NOT RUN " + (not_run(l) ? "in the golden file" : "here"));
			} else if (l != it->second) {
				out.comment("golden - " + l);
				out.comment("golden + " + it->second);
				++differ;
			}
		}
		for (const auto &[id, l] : have)
			if (!want.count(id) && ++differ)
				out.comment("golden + " + l);
		r.seen = differ == 0 ? "no difference" : std::to_string(differ) + " cases differ (# golden -/+ above)";
		if (golden_release != release) {
			r.verdict = Verdict::NotRun;
			r.reason = golden + " is the run of " + (golden_release.empty() ? "an unnamed release" : golden_release) +
				   "; on " + release + " the cases' expectations by release judge (differences above, for reading)";
		} else {
			r.verdict = differ == 0 ? Verdict::Pass : Verdict::Fail;
		}
	}
	return r;
}

std::string kernel_release()
{
	std::ifstream r("/proc/sys/kernel/osrelease");
	std::string s;
	std::getline(r, s);
	return s;
}

int run(const Options &opt, RunOutput &out)
{
	std::vector<Case> cases;
	for (auto table : {validity_cases, range_cases, data_path_cases})
		for (Case &c : table())
			cases.push_back(std::move(c));
	std::set<std::string> ids;
	for (const Case &c : cases)
		if (!ids.insert(c.id).second)
			throw std::logic_error("two cases named " + c.id);

	if (opt.list) {
		for (const Case &c : cases)
			std::cout << c.id << " | " << c.condition << " | fs " << c.fs << (c.dangerous ? " | --dangerous" : "")
				  << "\n";
		return 0;
	}
	if (::geteuid() != 0) {
		out.skip_all("needs root (loop devices, mounts, swapon, FS_IOC_SETFLAGS)");
		return out.tap() ? 0 : 77; // TAP says skip in the stream; meson's tap protocol takes 77 as an error
	}
	const bool guest = in_e4mext_guest();
	if (!opt.sysrq_crash_in.empty() && !guest) {
		out.abort_run("--sysrq-crash-in panics the kernel: refused outside an e4mext VM guest", std::cerr);
		return 2;
	}
	DiskPool disks = DiskPool::from_environment();
	std::erase_if(cases, [&](const Case &c) { return !selected(opt, c); });
	out.plan(cases.size() + 1); // the cases, then the golden comparison

	const auto started = std::chrono::steady_clock::now();
	runner::install_cleanup_handlers("move-ext-regression");
	runner::TempDir scratch("e4mext-regress"); // mount points of the bind mounts, tmpfs and tracefs
	FsPool pool(fs_profiles(), std::move(disks), scratch.path());

	const Probe traced = probe_tracepoints(scratch.path());
	if (guest)
		mark_case_start("behaviour-probe");
	pool.begin_case();
	const Probe behaved = probe_behaviour(pool, scratch.path());
	if (traced.behaviour && behaved.behaviour && traced.behaviour != behaved.behaviour) {
		out.abort_run("the probes disagree: " + traced.evidence + " says " + behaviour_name(*traced.behaviour) + ", " +
				      behaved.evidence + " says " + behaviour_name(*behaved.behaviour) +
				      ": a kernel in between; fix the probe or the cases",
			      std::cout);
		return 1;
	}
	const std::optional<Behaviour> found = traced.behaviour ? traced.behaviour : behaved.behaviour;
	if (!found) {
		out.abort_run("cannot tell old from new EXT4_IOC_MOVE_EXT: " + traced.evidence + "; " + behaved.evidence,
			      std::cout);
		return 1;
	}
	const Behaviour behaviour = *found;
	const std::string evidence = traced.evidence + "; " + behaved.evidence;
	out.comment("kernel " + kernel_release() + ": " + behaviour_name(behaviour) + " EXT4_IOC_MOVE_EXT (" + evidence + ")");
	out.comment(std::string("filesystems on ") + pool.backing());
	out.property("kernel", kernel_release());
	out.property("behaviour", behaviour_name(behaviour));
	out.property("evidence", evidence);
	out.property("filesystems", pool.backing());

	Tally tally;
	std::vector<std::string> golden_lines;
	const std::optional<KernelRelease> release = parse_release(kernel_release());
	out.comment(nearest_release_rule(kernel_release(), release));
	RunState state{opt, behaviour, release, guest, pool, scratch.path()};
	for (const Case &c : cases) {
		const CaseReport r = run_case(c, state);
		tally.count(r.verdict);
		golden_lines.push_back(default_line(r));
		out.result(r, golden_lines.back());
	}
	const CaseReport golden = compare_golden(opt, behaviour, kernel_release(), golden_lines, out);
	tally.count(golden.verdict);
	out.result(golden, default_line(golden));

	const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
	char took[64];
	std::snprintf(took, sizeof took, "%zu cases in %.1f s", golden_lines.size(), seconds);
	out.comment(took);
	const bool junit_written = out.finish(tally.summary());
	// With --tap the verdicts are the stream's: a harness reads failures from it, and meson's tap
	// protocol would turn a non-zero status into an error of the whole test.
	if (!junit_written)
		return 1;
	return out.tap() || tally.failed == 0 ? 0 : 1;
}

} // namespace
} // namespace e4mext::regress

int main(int argc, char **argv)
{
	const e4mext::regress::Options opt = e4mext::regress::parse(argc, argv);
	std::optional<e4mext::regress::RunOutput> out;
	try {
		out.emplace(opt.tap, opt.list ? "" : opt.junit);
	} catch (const e4mext::regress::JunitUnwritable &e) {
		std::cerr << "move-ext-regression: " << e.what() << "\n";
		return 2;
	}
	try {
		return e4mext::regress::run(opt, *out);
	} catch (const std::exception &e) {
		out->abort_run(e.what(), std::cout);
		if (!out->tap())
			std::printf("0 passed, 1 failed, 0 not run\n");
		return 1;
	}
}
