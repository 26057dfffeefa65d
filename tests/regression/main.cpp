// move-ext-regression: the kernel regression suite for EXT4_IOC_MOVE_EXT. See README.md here.
//
//   move-ext-regression [--dangerous] [--only SUBSTRING]... [--list] [--update-golden]
//                       [--loopfs PATH] [--golden-dir DIR] [--golden FILE] [--sysrq-crash-in ID]
//
// One line per case: `id | condition | expected: ... | seen: ... | PASS|FAIL|NOT RUN[: reason]`,
// then the golden comparison, then exactly `N passed, N failed, N not run`.
// Exit status: 0 when nothing failed, 1 when something did, 77 (skip) without root.
#include "guest.h"
#include "suite.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#ifndef E4MEXT_SOURCE_ROOT
#define E4MEXT_SOURCE_ROOT "."
#endif

namespace regress {
namespace {

struct Options {
	bool dangerous = false;
	bool list = false;
	bool update_golden = false;
	std::vector<std::string> only;
	std::string loopfs = E4MEXT_SOURCE_ROOT "/tests/loopfs";
	std::string golden_dir = E4MEXT_SOURCE_ROOT "/tests/regression";
	std::string golden;         // a file to compare with instead of golden-<behaviour>.txt
	std::string sysrq_crash_in; // test-only: panic the (guest) kernel when this case starts
};

const char kUsage[] =
	"usage: move-ext-regression [--dangerous] [--only SUBSTRING]... [--list] [--update-golden]\n"
	"                           [--loopfs PATH] [--golden-dir DIR] [--golden FILE] [--sysrq-crash-in ID]\n"
	"  --dangerous      also run cases that crash some kernels (a donor on tmpfs)\n"
	"  --only S         run only the cases whose id contains S (repeatable); skips the golden comparison\n"
	"  --list           print the cases and exit\n"
	"  --update-golden  write golden-<behaviour>.txt from this run instead of comparing with it\n"
	"  --loopfs PATH    tests/loopfs (default: " E4MEXT_SOURCE_ROOT "/tests/loopfs)\n"
	"  --golden-dir D   where golden-old.txt / golden-new.txt live (default: " E4MEXT_SOURCE_ROOT "/tests/regression)\n"
	"  --golden FILE    compare with FILE instead of the detected behaviour's golden file\n"
	"  --sysrq-crash-in ID  test only, in an e4mext VM guest only: panic the kernel when case ID starts\n"
	"With $E4MEXT_DISKS set (an e4mext VM guest) the filesystems are made on those disks, not on loop devices.\n";

Options parse(int argc, char **argv)
{
	Options o;
	for (int i = 1; i < argc; ++i) {
		const std::string a = argv[i];
		auto value = [&]() -> std::string {
			if (i + 1 >= argc) {
				std::cerr << "move-ext-regression: " << a << " needs a value\n" << kUsage;
				std::exit(2);
			}
			return argv[++i];
		};
		if (a == "--dangerous")
			o.dangerous = true;
		else if (a == "--list")
			o.list = true;
		else if (a == "--update-golden")
			o.update_golden = true;
		else if (a == "--only")
			o.only.push_back(value());
		else if (a == "--loopfs")
			o.loopfs = value();
		else if (a == "--golden-dir")
			o.golden_dir = value();
		else if (a == "--golden")
			o.golden = value();
		else if (a == "--sysrq-crash-in")
			o.sysrq_crash_in = value();
		else if (a == "-h" || a == "--help") {
			std::cout << kUsage;
			std::exit(0);
		} else {
			std::cerr << "move-ext-regression: unknown option '" << a << "'\n" << kUsage;
			std::exit(2);
		}
	}
	return o;
}

// The filesystems of a run: shared ones made on first use and kept while there is room. On the host
// each is a loop filesystem of its own; in a VM guest each takes a disk of the pool, and when none is
// free a shared filesystem the current case does not use (the least recently used) is given up for
// it - so two disks serve every case, and more disks only save mkfs runs.
class FsPool {
public:
	FsPool(std::string loopfs, std::vector<FsProfile> profiles, DiskPool disks, std::string scratch)
		: loopfs_(std::move(loopfs)), profiles_(std::move(profiles)), disks_(std::move(disks)), scratch_(std::move(scratch))
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
		if (disks_.empty())
			return std::make_unique<LoopFs>(loopfs_, kSize, p.mkfs_opts, p.mount_opts);
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

	void give_up_one()
	{
		auto victim = shared_.end();
		for (auto it = shared_.begin(); it != shared_.end(); ++it)
			if (!in_use_.count(it->first) && (victim == shared_.end() || last_use_[it->first] < last_use_[victim->first]))
				victim = it;
		if (victim != shared_.end())
			shared_.erase(victim);
	}

	std::string loopfs_;
	std::vector<FsProfile> profiles_;
	DiskPool disks_;
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
		return {present ? Behaviour::New : Behaviour::Old, std::string(present ? "" : "no ") + "ext4_move_extent_enter tracepoint"};
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
};

int run(const Options &opt)
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
			std::cout << c.id << " | " << c.condition << " | fs " << c.fs << (c.dangerous ? " | --dangerous" : "") << "\n";
		return 0;
	}
	if (::geteuid() != 0) {
		std::cout << "move-ext-regression: SKIP: needs root (loop devices, mounts, swapon, FS_IOC_SETFLAGS)\n";
		return 77;
	}
	const bool guest = in_e4mext_guest();
	if (!opt.sysrq_crash_in.empty() && !guest) {
		std::cerr << "move-ext-regression: --sysrq-crash-in panics the kernel: refused outside an e4mext VM guest\n";
		return 2;
	}
	DiskPool disks = DiskPool::from_environment();
	if (disks.empty() && ::access(opt.loopfs.c_str(), X_OK) != 0) {
		std::cerr << "move-ext-regression: " << opt.loopfs << " is not executable: pass --loopfs PATH to tests/loopfs\n";
		return 2;
	}

	const auto started = std::chrono::steady_clock::now();
	install_cleanup_handlers(opt.loopfs);
	ScratchDir scratch;
	FsPool pool(opt.loopfs, fs_profiles(), std::move(disks), scratch.path());
	auto other_fs = [&](const std::string &p) -> ScratchFs & { return pool.shared(p); };

	const Probe traced = probe_tracepoints(scratch.path());
	if (guest)
		mark_case_start("behaviour-probe");
	pool.begin_case();
	const Probe behaved = probe_behaviour(pool, scratch.path());
	if (traced.behaviour && behaved.behaviour && traced.behaviour != behaved.behaviour) {
		std::cout << "move-ext-regression: the probes disagree: " << traced.evidence << " says "
			  << behaviour_name(*traced.behaviour) << ", " << behaved.evidence << " says "
			  << behaviour_name(*behaved.behaviour) << ": a kernel in between; fix the probe or the cases\n";
		return 1;
	}
	const std::optional<Behaviour> found = traced.behaviour ? traced.behaviour : behaved.behaviour;
	if (!found) {
		std::cout << "move-ext-regression: cannot tell old from new EXT4_IOC_MOVE_EXT: " << traced.evidence << "; "
			  << behaved.evidence << "\n";
		return 1;
	}
	const Behaviour behaviour = *found;
	std::cout << "# kernel " << [] {
		std::ifstream r("/proc/sys/kernel/osrelease");
		std::string s;
		std::getline(r, s);
		return s;
	}() << ": " << behaviour_name(behaviour) << " EXT4_IOC_MOVE_EXT (" << traced.evidence << "; " << behaved.evidence
		  << ")\n";
	std::cout << "# filesystems on " << pool.backing() << "\n";

	Tally tally;
	std::vector<std::string> golden_lines;
	auto report = [&](const std::string &line, bool deterministic = true) {
		std::cout << line << std::endl;
		if (deterministic)
			golden_lines.push_back(line);
	};

	for (const Case &c : cases) {
		if (!opt.only.empty() &&
		    std::none_of(opt.only.begin(), opt.only.end(), [&](const std::string &s) { return c.id.find(s) != std::string::npos; }))
			continue;
		const std::optional<Expected> expected = behaviour == Behaviour::Old ? std::optional<Expected>(c.old_kernel) : c.new_kernel;
		std::string line = c.id + " | " + c.condition + " | expected: ";
		line += expected ? expected->text + (expected->note.empty() ? "" : " (" + expected->note + ")")
				 : std::string("unknown on ") + behaviour_name(behaviour) + " kernels";
		std::string seen, verdict;
		if (guest)
			mark_case_start(c.id);
		if (c.id == opt.sysrq_crash_in)
			crash_kernel_with_sysrq(c.id);
		pool.begin_case();
		try {
			if (c.dangerous && !opt.dangerous)
				throw NotRun("can crash kernels with the first posting of the 6.19 series; run with --dangerous");
			const FsProfile &profile = pool.profile(c.fs);
			std::unique_ptr<ScratchFs> own;
			ScratchFs *fs = nullptr;
			try {
				if (profile.exclusive)
					own = pool.make(profile);
				fs = own ? own.get() : &pool.shared(c.fs);
			} catch (const std::runtime_error &e) {
				throw NotRun("cannot make filesystem '" + profile.name + "': " + e.what());
			}
			{
				Context ctx(profile, *fs, case_dir_name(c.id), scratch.path(), other_fs);
				seen = c.run(ctx);
			}
			if (!expected)
				verdict = std::string("NOT RUN: no expectation for ") + behaviour_name(behaviour) +
					  " kernels yet; review the seen value and add it";
			else
				verdict = seen == expected->text ? "PASS" : "FAIL";
		} catch (const NotRun &e) {
			seen = seen.empty() ? "-" : seen;
			verdict = std::string("NOT RUN: ") + e.what();
		} catch (const std::exception &e) {
			seen = std::string("error: ") + e.what();
			verdict = "FAIL";
		}
		(verdict == "PASS" ? tally.passed : verdict == "FAIL" ? tally.failed : tally.not_run)++;
		report(line + " | seen: " + seen + " | " + verdict);
	}

	// The golden file: the deterministic lines of a full run, per behaviour.
	const std::string golden = !opt.golden.empty() ? opt.golden : opt.golden_dir + "/golden-" + behaviour_name(behaviour) + ".txt";
	std::string golden_line = "golden/" + std::string(behaviour_name(behaviour)) + " | the lines above equal " + golden +
				  " | expected: no difference | seen: ";
	// A --dangerous run is compared too: the golden file's NOT RUN dangerous case is only noted.
	if (!opt.only.empty()) {
		golden_line += "- | NOT RUN: partial run";
		++tally.not_run;
	} else if (opt.update_golden) {
		std::ofstream out(golden);
		for (const std::string &l : golden_lines)
			out << l << "\n";
		golden_line += "- | NOT RUN: " + std::string(out.flush() ? "written by --update-golden" : "could not write it");
		++tally.not_run;
	} else if (!std::filesystem::exists(golden)) {
		golden_line += "- | NOT RUN: no golden file for this behaviour yet; review a run and write it with --update-golden";
		++tally.not_run;
	} else {
		// Compared by case id. A case NOT RUN on one side only (a capability, a tool, a kernel option
		// this machine lacks) is noted, not counted: the golden file is about what ran.
		std::ifstream in(golden);
		auto id_of = [](const std::string &l) { return l.substr(0, l.find(" | ")); };
		auto not_run = [](const std::string &l) { return l.find("| NOT RUN") != std::string::npos; };
		std::map<std::string, std::string> want, have;
		for (std::string l; std::getline(in, l);)
			want[id_of(l)] = l;
		for (const std::string &l : golden_lines)
			have[id_of(l)] = l;
		int differ = 0;
		for (const auto &[id, l] : want) {
			auto it = have.find(id);
			if (it == have.end()) {
				std::cout << "# golden - " << l << "\n";
				++differ;
			} else if (not_run(l) != not_run(it->second)) {
				std::cout << "# golden note: " << id << " is NOT RUN " << (not_run(l) ? "in the golden file" : "here") << "\n";
			} else if (l != it->second) {
				std::cout << "# golden - " << l << "\n# golden + " << it->second << "\n";
				++differ;
			}
		}
		for (const auto &[id, l] : have)
			if (!want.count(id) && ++differ)
				std::cout << "# golden + " << l << "\n";
		golden_line += differ == 0 ? "no difference | PASS" : std::to_string(differ) + " cases differ (# golden -/+ above) | FAIL";
		++(differ == 0 ? tally.passed : tally.failed);
	}
	report(golden_line, false);

	const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
	std::printf("# %zu cases in %.1f s\n", golden_lines.size(), seconds);
	std::printf("%d passed, %d failed, %d not run\n", tally.passed, tally.failed, tally.not_run);
	return tally.failed == 0 ? 0 : 1;
}

} // namespace
} // namespace regress

int main(int argc, char **argv)
{
	const regress::Options opt = regress::parse(argc, argv);
	try {
		return regress::run(opt);
	} catch (const std::exception &e) {
		std::cout << "move-ext-regression: " << e.what() << "\n";
		std::printf("0 passed, 1 failed, 0 not run\n");
		return 1;
	}
}
