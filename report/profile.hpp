// Kernel profiles of the bench's runs: `perf script` output folded into stacks (one line per
// distinct call chain: "comm;root;...;leaf COUNT", kernel frames marked "_[k]"), the kernel
// functions' shares of the samples (self: the sample's leaf; children: anywhere in its chain,
// counted once per sample - lkp's perf-profile.self and .children), and the comparison of two
// kernels' shares (lkp's perf-profile %change: the difference in percentage points).
// Off-CPU: from sched:sched_switch samples, the time each thread spent off a CPU, folded by the
// stack it left with (counts in microseconds), and the foreground's waits by where they happened.
#pragma once

#include <cstdint>
#include <filesystem>
#include <istream>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace e4mext::report {

inline constexpr const char *kKernelMark = "_[k]";             // suffix of a kernel frame in a folded stack
inline constexpr const char *kMoveEntry = "ext4_move_extents"; // the move path's entry in ext4
// perf record -F: the bench's sampling rate, so a sample stands for 1/999 s of one CPU's time.
inline constexpr unsigned kSamplesPerSecond = 999;
inline constexpr const char *kSwitchEvent = "sched:sched_switch";
// Off-CPU: the leaf of a stack whose thread left the CPU runnable (preempted: waiting for a CPU),
// and the suffix of the comm of a thread that moved extents (a stack of it passed ext4_move_extents).
inline constexpr const char *kPreempted = "[preempted]";
inline constexpr const char *kMoverSuffix = "-moves";

// Folded stacks: the chain, root first ("fio;entry_SYSCALL_64_[k];...;leaf_[k]") -> samples.
struct FoldedProfile {
	std::map<std::string, std::uint64_t> stacks;
	std::uint64_t samples = 0; // off-CPU: microseconds
	unsigned runs = 0;         // the recordings merged into it (case_profiles)

	// Runs of "[unknown]" frames (user code without frame pointers) count as one frame.
	void add(const std::string &stack, std::uint64_t count);
	void merge(const FoldedProfile &other);
};

// One recording: its cpu-clock samples, and from its sched:sched_switch samples the time each
// thread spent off a CPU (its switch out to its next switch in; a switch out with no switch in
// before the end is left out), by the stack it left the CPU with, in microseconds. The comm of a
// thread that moved extents gets kMoverSuffix in the off-CPU stacks.
struct PerfProfiles {
	FoldedProfile on_cpu;
	FoldedProfile off_cpu;
};

// `perf script` text (its default fields or -F comm,tid,time,event,trace,ip,sym,dso): one sample
// per block, a header line then one frame per line, leaf first. Unresolved frames are kept as
// "[unknown]". A sample of an event other than kSwitchEvent is a cpu-clock sample.
PerfProfiles fold_perf_script(std::istream &perf_script);
// A folded file as write_folded writes it; throws InputError on a line without a count.
FoldedProfile read_folded(std::istream &in, const std::string &source);
void write_folded(const FoldedProfile &profile, std::ostream &out);

// The frames of a folded stack, root first.
std::vector<std::string> split_stack(const std::string &stack);
bool is_kernel_frame(const std::string &frame);
std::string function_of(const std::string &frame); // the frame without its kernel mark

struct FunctionShare {
	std::string function;
	std::uint64_t self = 0;       // samples with this function as the leaf
	std::uint64_t children = 0;   // samples with this function anywhere in the chain
	std::uint64_t under_move = 0; // samples whose chain holds it at or below ext4_move_extents
	bool move_path = false;       // seen in a chain through ext4_move_extents
};

// The kernel functions of a profile and their shares of all samples.
struct KernelFunctions {
	std::uint64_t samples = 0;   // every sample of the recording (all CPUs, idle included)
	std::uint64_t kernel = 0;    // samples whose leaf is in the kernel
	std::uint64_t move_path = 0; // samples through ext4_move_extents
	std::map<std::string, FunctionShare> functions;

	double self_percent(const std::string &function) const;
	double children_percent(const std::string &function) const;
};

KernelFunctions kernel_functions(const FoldedProfile &profile);

// The top `count` kernel functions by self and by children share, as text.
std::string render_top_functions(const KernelFunctions &functions, std::size_t count, const std::string &title);

// Two kernels' profiles of one case: the functions whose share changed most (percentage points,
// children and self), and the move path's functions sampled in only one of them.
struct ShareChange {
	std::string function;
	double base = 0, other = 0; // percent of all samples
	double change() const { return other - base; }
};

struct ProfileComparison {
	std::string case_id;
	std::uint64_t base_samples = 0, other_samples = 0;
	std::vector<ShareChange> children; // largest |change| first
	std::vector<ShareChange> self;
	std::vector<ShareChange> only_base;  // move path, never sampled in the other kernel's profiles
	std::vector<ShareChange> only_other; // of this case; by share, largest first
};

// The share (percent of all samples) a function needs to be listed as only in one kernel.
inline constexpr double kOnlyInMinimum = 0.1;

// `base_everywhere`/`other_everywhere`: every kernel function sampled in that kernel's profiles
// of any case (a function missing there is taken as absent from that kernel, not just unsampled).
ProfileComparison compare_profiles(const std::string &case_id, const KernelFunctions &base, const KernelFunctions &other,
				   const std::set<std::string> &base_everywhere, const std::set<std::string> &other_everywhere,
				   std::size_t count);

// Where the foreground waited off a CPU: the off-CPU time of the threads named fio that did not
// move extents, inside their I/O system calls (read, write, pread64, fsync...), by system call and
// wait site (the function that called the scheduler and its callers, or kPreempted). The rest is
// totalled apart: the calls that sleep by design (fio's rate limit: nanosleep; its own threads:
// futex, wait4, poll...) and the others (fio's setup and exit, page faults, user space).
struct ForegroundWaits {
	std::map<std::string, std::uint64_t> by_site; // "pwrite64: rwsem_down_write_slowpath < ..." -> us
	std::uint64_t total = 0;                      // us, the sum of by_site
	std::uint64_t other = 0;                      // us outside the I/O system calls
	std::uint64_t sleeping = 0;                   // us in the system calls that sleep by design
	unsigned runs = 0;
};

ForegroundWaits foreground_waits(const FoldedProfile &off_cpu);

// The waits in ms per run, largest first (with two: the first's label is the base, the change is
// the second's minus it).
std::string render_waits(const std::vector<const ForegroundWaits *> &waits, const std::vector<std::string> &labels,
			 std::size_t count);

// The recordings beside each run: run-N.perf.folded (cpu-clock) and run-N.offcpu.folded of the
// run with the moves, run-N.alone.perf.folded and run-N.alone.offcpu.folded of the load alone.
inline constexpr const char *kOnCpu = ".perf.folded";
inline constexpr const char *kOffCpu = ".offcpu.folded";
inline constexpr const char *kAloneOnCpu = ".alone.perf.folded";
inline constexpr const char *kAloneOffCpu = ".alone.offcpu.folded";

// The profiles of a result set: runs/<case>/run-N<kind>, merged per case (the case id is the path
// below runs/, e.g. "coverletter/U-128k"). Empty when the set has none.
std::map<std::string, FoldedProfile> case_profiles(const std::filesystem::path &set_or_runs_dir, const std::string &kind = kOnCpu);

// Per case: profile.txt (top kernel functions over the case's runs; with the load alone
// profiled too, its top functions, the change beside the moves and where the foreground waited)
// and flame.svg beside the runs (flame-alone.svg, offcpu.svg, offcpu-alone.svg when recorded).
// Returns the number of cases written.
std::size_t write_case_profiles(const std::filesystem::path &runs_dir, std::size_t count = 25);

// compare's profile section for sets with profiles (text or markdown), "" when fewer than two
// sets have any. Every other set against the first, case by case.
std::string render_profile_comparisons(const std::vector<std::filesystem::path> &set_dirs, const std::vector<std::string> &labels,
				       bool markdown, std::size_t count = 12);

} // namespace e4mext::report
