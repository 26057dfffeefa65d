#include "profile.hpp"

#include "flame_graph.hpp"
#include "input_error.hpp"
#include "number_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace e4mext::report {

namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string &s, const std::string &suffix)
{
	return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string trimmed(const std::string &s)
{
	const size_t first = s.find_first_not_of(" \t\r");
	if (first == std::string::npos)
		return "";
	return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool is_digits(const std::string &s)
{
	return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

// "name+0x1f" -> "name" (no regex: a run's profile has a million frames, and under TCG every
// instruction counts).
std::string without_offset(const std::string &symbol)
{
	const size_t plus = symbol.rfind("+0x");
	if (plus == std::string::npos || plus + 3 == symbol.size())
		return symbol;
	for (size_t i = plus + 3; i < symbol.size(); ++i)
		if (!is_hex(symbol[i]))
			return symbol;
	return symbol.substr(0, plus);
}

// A frame line of perf script: "ADDR SYMBOL (DSO)", the symbol possibly with "+0xOFF" and spaces
// (C++ names). Kernel: the address is in the upper half, or the DSO is the kernel or a module.
std::string frame_of(const std::string &line)
{
	const std::string text = trimmed(line);
	const size_t space = text.find(' ');
	const std::string address = text.substr(0, space);
	std::string rest = space == std::string::npos ? "" : trimmed(text.substr(space));
	std::string dso;
	if (!rest.empty() && rest.back() == ')') {
		const size_t open = rest.rfind(" (");
		if (open != std::string::npos) {
			dso = rest.substr(open + 2, rest.size() - open - 3);
			rest = trimmed(rest.substr(0, open));
		} else if (rest.front() == '(') {
			dso = rest.substr(1, rest.size() - 2);
			rest.clear();
		}
	}
	std::string symbol = without_offset(rest);
	if (symbol.empty())
		symbol = "[unknown]";
	std::replace(symbol.begin(), symbol.end(), ';', ':'); // ';' separates the frames of a folded stack
	const bool high_address = address.size() == 16 && address[0] >= '8' && std::all_of(address.begin(), address.end(), is_hex);
	const bool kernel_dso =
		dso == "[kernel.kallsyms]" || (dso.size() > 2 && dso.front() == '[' && dso.back() == ']' && dso != "[unknown]" &&
					       dso != "[vdso]" && dso != "[vsyscall]" && dso != "[heap]" && dso != "[stack]");
	if ((high_address || kernel_dso) && symbol != "[unknown]")
		return symbol + kKernelMark;
	return symbol;
}

// The header of a sample: "COMM PID[/TID] ..." (comm may hold spaces): the words before the first
// that is a number or number/number.
std::string comm_of(const std::string &header)
{
	std::istringstream words(header);
	std::string comm;
	for (std::string word; words >> word;) {
		const size_t slash = word.find('/');
		const bool pid = slash == std::string::npos ? is_digits(word)
							    : is_digits(word.substr(0, slash)) && is_digits(word.substr(slash + 1));
		if (pid && !comm.empty())
			return comm;
		comm += (comm.empty() ? "" : " ") + word;
	}
	return comm;
}

} // namespace

namespace {

// User code without frame pointers leaves perf a chain of up to 127 unresolved frames: one
// "[unknown]" says as much, and keeps flame graphs from growing a hundred levels of nothing.
std::string without_unknown_runs(const std::string &stack)
{
	static const std::string twice = "[unknown];[unknown]";
	if (stack.find(twice) == std::string::npos)
		return stack;
	std::string out;
	std::string previous;
	for (const std::string &frame : split_stack(stack)) {
		if (frame == "[unknown]" && previous == frame)
			continue;
		out += (out.empty() ? "" : ";") + frame;
		previous = frame;
	}
	return out;
}

} // namespace

void FoldedProfile::add(const std::string &stack, std::uint64_t count)
{
	stacks[without_unknown_runs(stack)] += count;
	samples += count;
}

void FoldedProfile::merge(const FoldedProfile &other)
{
	for (const auto &[stack, count] : other.stacks)
		add(stack, count);
}

namespace {

// The number after `key` in a sched_switch sample's trace text ("prev_pid=42 ..."), or "".
std::string field_of(const std::string &header, const std::string &key)
{
	const size_t at = header.find(" " + key + "=");
	if (at == std::string::npos)
		return "";
	const size_t start = at + key.size() + 2;
	return header.substr(start, header.find(' ', start) - start);
}

struct SampleHeader {
	std::string comm, tid;
	double time = -1; // seconds; -1: the header has none
	bool is_switch = false;
	std::string prev_pid, prev_state, next_pid;
};

// "COMM TID[/TID] [CPU] TIME: [PERIOD] EVENT: [TRACE]" with the fields perf script was asked for.
SampleHeader header_of(const std::string &line)
{
	SampleHeader h;
	h.comm = comm_of(line);
	std::istringstream words(line.substr(std::min(line.size(), line.find(h.comm) + h.comm.size())));
	words >> h.tid;
	if (const size_t slash = h.tid.find('/'); slash != std::string::npos)
		h.tid = h.tid.substr(slash + 1);
	for (std::string word; h.time < 0 && words >> word;)
		if (word.size() > 1 && word.back() == ':' && word.find('.') != std::string::npos &&
		    word.find_first_not_of("0123456789.:") == std::string::npos)
			h.time = std::strtod(word.c_str(), nullptr);
	h.is_switch = line.find(std::string(" ") + kSwitchEvent + ":") != std::string::npos;
	if (h.is_switch) {
		h.prev_pid = field_of(line, "prev_pid");
		h.prev_state = field_of(line, "prev_state");
		h.next_pid = field_of(line, "next_pid");
	}
	return h;
}

// The off-CPU accounting of one recording: each thread's switch out waits for its switch in.
class OffCpuClock {
public:
	void switched(const SampleHeader &h, const std::string &stack)
	{
		if (h.time < 0)
			return;
		if (!h.prev_pid.empty() && h.prev_pid != "0") {
			// A thread switched out runnable ("R", "R+") was preempted: it waits for a CPU.
			const bool runnable = !h.prev_state.empty() && h.prev_state[0] == 'R';
			out_[h.prev_pid] = {h.time, runnable ? stack + ";" + kPreempted : stack};
		}
		const auto left = out_.find(h.next_pid);
		if (left == out_.end())
			return;
		const double us = (h.time - left->second.time) * 1e6;
		if (us > 0)
			waited_[h.next_pid][left->second.stack] += std::uint64_t(std::llround(us));
		out_.erase(left);
	}

	// The folded off-CPU time, the comm of each thread in `movers` marked.
	FoldedProfile folded(const std::set<std::string> &movers) const
	{
		FoldedProfile profile;
		for (const auto &[tid, stacks] : waited_)
			for (const auto &[stack, us] : stacks) {
				const size_t comm_end = stack.find(';');
				profile.add(movers.count(tid) ? stack.substr(0, comm_end) + kMoverSuffix + stack.substr(comm_end)
							      : stack,
					    us);
			}
		return profile;
	}

private:
	struct Out {
		double time;
		std::string stack;
	};
	std::map<std::string, Out> out_;                                     // tid -> its switch out
	std::map<std::string, std::map<std::string, std::uint64_t>> waited_; // tid -> stack -> us
};

} // namespace

PerfProfiles fold_perf_script(std::istream &in)
{
	PerfProfiles profiles;
	OffCpuClock clock;
	std::set<std::string> movers; // tids with a stack through ext4_move_extents
	SampleHeader header;
	std::vector<std::string> frames; // leaf first
	bool in_sample = false;
	const std::string move_frame = std::string(kMoveEntry) + kKernelMark;
	auto finish = [&] {
		if (!in_sample)
			return;
		std::string stack = header.comm;
		std::replace(stack.begin(), stack.end(), ';', ':');
		for (auto f = frames.rbegin(); f != frames.rend(); ++f)
			stack += ";" + *f;
		if (std::find(frames.begin(), frames.end(), move_frame) != frames.end())
			movers.insert(header.tid);
		if (header.is_switch)
			clock.switched(header, stack);
		else
			profiles.on_cpu.add(stack, 1);
		frames.clear();
		in_sample = false;
	};
	for (std::string line; std::getline(in, line);) {
		if (!line.empty() && line.back() == '\r')
			line.pop_back();
		if (trimmed(line).empty()) {
			finish();
		} else if (line[0] == ' ' || line[0] == '\t') {
			if (in_sample)
				frames.push_back(frame_of(line));
		} else if (line[0] != '#') {
			finish();
			header = header_of(line);
			in_sample = true;
		}
	}
	finish();
	profiles.off_cpu = clock.folded(movers);
	return profiles;
}

FoldedProfile read_folded(std::istream &in, const std::string &source)
{
	FoldedProfile profile;
	unsigned number = 0;
	for (std::string line; std::getline(in, line);) {
		++number;
		if (trimmed(line).empty())
			continue;
		const size_t space = line.find_last_of(' ');
		const std::string count = space == std::string::npos ? "" : line.substr(space + 1);
		if (space == 0 || count.empty() || count.find_first_not_of("0123456789") != std::string::npos || count.size() > 18)
			throw InputError(
				source + ":" + std::to_string(number) +
				": not a folded stack (\"frame;frame;... COUNT\"); the file is damaged: record the profile again");
		profile.add(line.substr(0, space), std::stoull(count));
	}
	return profile;
}

void write_folded(const FoldedProfile &profile, std::ostream &out)
{
	for (const auto &[stack, count] : profile.stacks)
		out << stack << ' ' << count << '\n';
}

std::vector<std::string> split_stack(const std::string &stack)
{
	std::vector<std::string> frames;
	std::istringstream in(stack);
	for (std::string frame; std::getline(in, frame, ';');)
		frames.push_back(frame);
	return frames;
}

bool is_kernel_frame(const std::string &frame)
{
	return ends_with(frame, kKernelMark);
}

std::string function_of(const std::string &frame)
{
	return is_kernel_frame(frame) ? frame.substr(0, frame.size() - std::string(kKernelMark).size()) : frame;
}

double KernelFunctions::self_percent(const std::string &function) const
{
	const auto f = functions.find(function);
	return f == functions.end() || samples == 0 ? 0 : 100.0 * double(f->second.self) / double(samples);
}

double KernelFunctions::children_percent(const std::string &function) const
{
	const auto f = functions.find(function);
	return f == functions.end() || samples == 0 ? 0 : 100.0 * double(f->second.children) / double(samples);
}

KernelFunctions kernel_functions(const FoldedProfile &profile)
{
	KernelFunctions result;
	result.samples = profile.samples;
	for (const auto &[stack, count] : profile.stacks) {
		const std::vector<std::string> frames = split_stack(stack);
		bool through_move = false;
		for (const std::string &f : frames)
			through_move = through_move || (is_kernel_frame(f) && function_of(f) == kMoveEntry);
		if (through_move)
			result.move_path += count;
		std::set<std::string> seen;                  // a recursive function counts once per sample
		bool below_move = false;                     // at or below the chain's ext4_move_extents (not its callers)
		for (size_t i = 1; i < frames.size(); ++i) { // frames[0] is the comm
			if (!is_kernel_frame(frames[i]))
				continue;
			const std::string name = function_of(frames[i]);
			below_move = below_move || name == kMoveEntry;
			FunctionShare &share = result.functions[name];
			share.function = name;
			share.move_path = share.move_path || through_move;
			if (seen.insert(name).second) {
				share.children += count;
				share.under_move += below_move ? count : 0;
			}
			if (i + 1 == frames.size()) {
				share.self += count;
				result.kernel += count;
			}
		}
	}
	return result;
}

namespace {

std::string percent(double value)
{
	return format_fixed(value, 2, 6);
}

std::string signed_points(double value)
{
	return format_fixed(value, 2, 6, true);
}

std::vector<const FunctionShare *> top_by(const KernelFunctions &functions, std::uint64_t FunctionShare::*field, std::size_t count)
{
	std::vector<const FunctionShare *> all;
	for (const auto &[name, share] : functions.functions)
		if (share.*field > 0)
			all.push_back(&share);
	std::stable_sort(all.begin(), all.end(),
			 [&](const FunctionShare *a, const FunctionShare *b) { return a->*field > b->*field; });
	if (all.size() > count)
		all.resize(count);
	return all;
}

} // namespace

std::string render_top_functions(const KernelFunctions &functions, std::size_t count, const std::string &title)
{
	std::ostringstream out;
	const double total = double(std::max<std::uint64_t>(functions.samples, 1));
	out << title << "\n"
	    << functions.samples << " samples (cpu-clock, all CPUs); kernel leaf "
	    << trimmed(percent(100.0 * double(functions.kernel) / total)) << "%, through " << kMoveEntry << " "
	    << trimmed(percent(100.0 * double(functions.move_path) / total)) << "%\n"
	    << "shares are percent of all samples; * marks a function seen under " << kMoveEntry << "\n";
	for (auto [field, heading] : {std::pair{&FunctionShare::self, "by self (the sampled function itself)"},
				      std::pair{&FunctionShare::children, "by children (the function and what it called)"}}) {
		out << "\ntop kernel functions " << heading << ":\n  self%  children%  function\n";
		for (const FunctionShare *f : top_by(functions, field, count))
			out << percent(functions.self_percent(f->function)) << "  "
			    << percent(functions.children_percent(f->function)) << "     " << f->function
			    << (f->move_path ? " *" : "") << "\n";
	}
	return out.str();
}

ProfileComparison compare_profiles(const std::string &case_id, const KernelFunctions &base, const KernelFunctions &other,
				   const std::set<std::string> &base_everywhere, const std::set<std::string> &other_everywhere,
				   std::size_t count)
{
	ProfileComparison c;
	c.case_id = case_id;
	c.base_samples = base.samples;
	c.other_samples = other.samples;
	std::set<std::string> names;
	for (const auto &[name, share] : base.functions)
		names.insert(name);
	for (const auto &[name, share] : other.functions)
		names.insert(name);
	for (const std::string &name : names) {
		c.children.push_back({name, base.children_percent(name), other.children_percent(name)});
		c.self.push_back({name, base.self_percent(name), other.self_percent(name)});
		auto move_path = [&](const KernelFunctions &k) {
			const auto f = k.functions.find(name);
			return f != k.functions.end() && f->second.move_path;
		};
		// Functions sampled once or twice are noise, not a difference between the kernels.
		const ShareChange &share = c.children.back();
		if (move_path(base) && !other_everywhere.count(name) && share.base >= kOnlyInMinimum)
			c.only_base.push_back(share);
		if (move_path(other) && !base_everywhere.count(name) && share.other >= kOnlyInMinimum)
			c.only_other.push_back(share);
	}
	auto by_change = [](const ShareChange &a, const ShareChange &b) { return std::fabs(a.change()) > std::fabs(b.change()); };
	for (std::vector<ShareChange> *list : {&c.children, &c.self}) {
		std::stable_sort(list->begin(), list->end(), by_change);
		list->erase(std::remove_if(list->begin(), list->end(), [](const ShareChange &s) { return s.change() == 0; }),
			    list->end());
		if (list->size() > count)
			list->resize(count);
	}
	std::stable_sort(c.only_base.begin(), c.only_base.end(),
			 [](const ShareChange &a, const ShareChange &b) { return a.base > b.base; });
	std::stable_sort(c.only_other.begin(), c.only_other.end(),
			 [](const ShareChange &a, const ShareChange &b) { return a.other > b.other; });
	for (std::vector<ShareChange> *list : {&c.only_base, &c.only_other})
		if (list->size() > count)
			list->resize(count);
	return c;
}

namespace {

// "run-12.alone.perf.folded" is a recording of kind ".alone.perf.folded", not of ".perf.folded".
bool is_recording(const std::string &name, const std::string &kind)
{
	if (name.rfind("run-", 0) != 0 || !ends_with(name, kind))
		return false;
	return is_digits(name.substr(4, name.size() - 4 - kind.size()));
}

} // namespace

std::map<std::string, FoldedProfile> case_profiles(const fs::path &set_or_runs_dir, const std::string &kind)
{
	const fs::path runs = fs::is_directory(set_or_runs_dir / "runs") ? set_or_runs_dir / "runs" : set_or_runs_dir;
	std::map<std::string, FoldedProfile> profiles;
	if (!fs::is_directory(runs))
		return profiles;
	std::vector<fs::path> files;
	for (const auto &entry : fs::recursive_directory_iterator(runs))
		if (entry.is_regular_file() && is_recording(entry.path().filename().string(), kind))
			files.push_back(entry.path());
	std::sort(files.begin(), files.end());
	for (const fs::path &file : files) {
		std::ifstream in(file);
		if (!in)
			throw InputError("cannot read " + file.string());
		FoldedProfile &profile = profiles[fs::relative(file.parent_path(), runs).generic_string()];
		profile.merge(read_folded(in, file.string()));
		++profile.runs;
	}
	return profiles;
}

namespace {

// System calls that sleep by design: fio's rate limit (nanosleep) and its own threads' waits.
bool sleeps_by_design(const std::string &syscall)
{
	static const std::set<std::string> sleeping = {"nanosleep",   "clock_nanosleep", "futex",         "wait4",    "waitid",
						       "poll",        "ppoll",           "select",        "pselect6", "epoll_wait",
						       "epoll_pwait", "rt_sigtimedwait", "rt_sigsuspend", "pause"};
	return sleeping.count(syscall) > 0;
}

// The system calls of a foreground's I/O: what its latency is made of.
bool does_io(const std::string &syscall)
{
	static const std::set<std::string> io = {
		"read",         "write",         "pread64",        "pwrite64",  "readv",           "writev",          "preadv",
		"pwritev",      "preadv2",       "pwritev2",       "fsync",     "fdatasync",       "sync_file_range", "io_submit",
		"io_getevents", "io_pgetevents", "io_uring_enter", "fallocate", "copy_file_range", "sendfile64"};
	return io.count(syscall) > 0;
}

// "__x64_sys_pwrite64" or "ksys_pwrite64" -> "pwrite64"; "" for a frame that is no system call's entry.
std::string syscall_of(const std::string &function)
{
	// ksys_*: the entry where the compiler folded __x64_sys_* into its caller (ksys_read, ksys_write).
	for (const char *prefix : {"__x64_sys_", "__arm64_sys_", "__ia32_sys_", "__do_sys_", "__se_sys_", "ksys_"})
		if (function.rfind(prefix, 0) == 0)
			return function.substr(std::string(prefix).size());
	return "";
}

// The wait site of an off-CPU stack: kPreempted, or the function that called the scheduler and
// up to two of its callers below the system call ("rwsem_down_write_slowpath < down_write < ...").
std::string wait_site(const std::vector<std::string> &frames, std::size_t syscall_at)
{
	if (frames.back() == kPreempted)
		return kPreempted;
	std::string site;
	int named = 0;
	for (std::size_t i = frames.size() - 1; i > syscall_at && named < 3; --i) {
		const std::string name = function_of(frames[i]);
		if (!is_kernel_frame(frames[i]) || (named == 0 && name.find("schedule") != std::string::npos))
			continue;
		site += (named++ ? " < " : "") + name;
	}
	return site.empty() ? "(the scheduler itself)" : site;
}

} // namespace

ForegroundWaits foreground_waits(const FoldedProfile &off_cpu)
{
	ForegroundWaits w;
	w.runs = off_cpu.runs;
	for (const auto &[stack, us] : off_cpu.stacks) {
		const std::vector<std::string> frames = split_stack(stack);
		if (frames.size() < 2 || frames[0] != "fio")
			continue;
		std::string syscall;
		std::size_t at = 0;
		for (std::size_t i = 1; i < frames.size() && syscall.empty(); ++i)
			if (is_kernel_frame(frames[i]) && !(syscall = syscall_of(function_of(frames[i]))).empty())
				at = i;
		if (sleeps_by_design(syscall)) {
			w.sleeping += us;
		} else if (does_io(syscall)) {
			w.by_site[syscall + ": " + wait_site(frames, at)] += us;
			w.total += us;
		} else {
			w.other += us;
		}
	}
	return w;
}

namespace {

std::string ms_per_run(std::uint64_t us, unsigned runs)
{
	return format_fixed(double(us) / 1000.0 / double(std::max(runs, 1u)), 1, 9);
}

} // namespace

std::string render_waits(const std::vector<const ForegroundWaits *> &waits, const std::vector<std::string> &labels,
			 std::size_t count)
{
	std::ostringstream out;
	out << "where the foreground waited off a CPU (" << kSwitchEvent << ": a thread's switch out to its next switch in),\n"
	    << "in its I/O system calls, ms per run (";
	for (std::size_t i = 0; i < waits.size(); ++i)
		out << (i ? ", " : "") << labels[i] << ": " << waits[i]->runs << " run" << (waits[i]->runs == 1 ? "" : "s");
	out << "); threads named fio, not the mover's;\n" << kPreempted << ": runnable, waiting for a CPU\n";
	for (const std::string &label : labels)
		out << std::string(label.size() < 9 ? 9 - label.size() : 0, ' ') << label << " ";
	out << (waits.size() == 2 ? "   change " : "") << " system call: where it waited\n";
	const auto value = [&](std::size_t i, const std::string &site) {
		const auto f = waits[i]->by_site.find(site);
		return f == waits[i]->by_site.end() ? 0.0 : double(f->second) / double(std::max(waits[i]->runs, 1u));
	};
	std::set<std::string> sites;
	for (const ForegroundWaits *w : waits)
		for (const auto &[site, us] : w->by_site)
			sites.insert(site);
	std::vector<std::string> order(sites.begin(), sites.end());
	// Largest by the change with two profiles, else by the time.
	const auto key = [&](const std::string &site) {
		return waits.size() == 2 ? std::fabs(value(1, site) - value(0, site)) : value(0, site);
	};
	std::stable_sort(order.begin(), order.end(), [&](const std::string &a, const std::string &b) { return key(a) > key(b); });
	if (order.size() > count)
		order.resize(count);
	const auto row = [&](const std::vector<std::uint64_t> &us, const std::string &what) {
		for (std::size_t i = 0; i < us.size(); ++i)
			out << ms_per_run(us[i], waits[i]->runs) << " ";
		if (us.size() == 2) {
			const double change_ms =
				(double(us[1]) / std::max(waits[1]->runs, 1u) - double(us[0]) / std::max(waits[0]->runs, 1u)) /
				1000.0;
			out << format_fixed(change_ms, 1, 9, true) << " ";
		}
		out << " " << what << "\n";
	};
	for (const std::string &site : order) {
		std::vector<std::uint64_t> us;
		for (const ForegroundWaits *w : waits) {
			const auto f = w->by_site.find(site);
			us.push_back(f == w->by_site.end() ? 0 : f->second);
		}
		row(us, site);
	}
	std::vector<std::uint64_t> totals, other, sleeping;
	for (const ForegroundWaits *w : waits) {
		totals.push_back(w->total);
		other.push_back(w->other);
		sleeping.push_back(w->sleeping);
	}
	row(totals, "every wait in the I/O system calls, listed or not");
	row(other, "not counted: other system calls (fio's setup and exit), faults, user space");
	row(sleeping, "not counted: system calls that sleep by design (fio's rate limit, its own threads)");
	return out.str();
}

namespace {

std::set<std::string> sampled_anywhere(const std::map<std::string, KernelFunctions> &cases)
{
	std::set<std::string> names;
	for (const auto &[id, k] : cases)
		for (const auto &[name, share] : k.functions)
			names.insert(name);
	return names;
}

void render_changes(std::ostream &out, const std::vector<ShareChange> &changes, const std::string &base, const std::string &other,
		    bool markdown)
{
	if (markdown)
		out << "| " << base << " % | " << other << " % | change (points) | function |\n|---:|---:|---:|---|\n";
	else
		out << "  " << base << "%  " << other << "%  change  function\n";
	for (const ShareChange &s : changes)
		if (markdown)
			out << "| " << trimmed(percent(s.base)) << " | " << trimmed(percent(s.other)) << " | "
			    << trimmed(signed_points(s.change())) << " | " << s.function << " |\n";
		else
			out << "  " << percent(s.base) << "  " << percent(s.other) << "  " << signed_points(s.change()) << "  "
			    << s.function << "\n";
}

} // namespace

std::size_t write_case_profiles(const fs::path &runs_dir, std::size_t count)
{
	const std::map<std::string, FoldedProfile> profiles = case_profiles(runs_dir, kOnCpu);
	const std::map<std::string, FoldedProfile> off_cpu = case_profiles(runs_dir, kOffCpu);
	const std::map<std::string, FoldedProfile> alone = case_profiles(runs_dir, kAloneOnCpu);
	const std::map<std::string, FoldedProfile> alone_off_cpu = case_profiles(runs_dir, kAloneOffCpu);
	for (const auto &[case_id, profile] : profiles) {
		const fs::path dir = runs_dir / case_id;
		const KernelFunctions beside = kernel_functions(profile);
		std::ofstream text(dir / "profile.txt");
		text << render_top_functions(beside, count, "kernel profile of " + case_id + ", every run merged");
		std::ofstream(dir / "flame.svg") << render_flame_graph(profile, "e4mext bench: " + case_id + " (every run)");
		const auto load = alone.find(case_id);
		if (load != alone.end()) {
			const KernelFunctions by_itself = kernel_functions(load->second);
			text << "\n"
			     << render_top_functions(by_itself, count, "the load alone (no moves), every run merged")
			     << "\nbeside the moves against the load alone: the largest changes (percentage points)\nchildren:\n";
			const ProfileComparison c = compare_profiles(case_id, by_itself, beside, {}, {}, count);
			render_changes(text, c.children, "alone", "beside", false);
			text << "self:\n";
			render_changes(text, c.self, "alone", "beside", false);
			std::ofstream(dir / "flame-alone.svg")
				<< render_flame_graph(load->second, "e4mext bench: " + case_id + ", the load alone (every run)");
		}
		const auto waited = off_cpu.find(case_id);
		if (waited == off_cpu.end())
			continue;
		std::ofstream(dir / "offcpu.svg") << render_flame_graph(
			waited->second, "e4mext bench: " + case_id + ", time off a CPU (every run)", "us off-CPU");
		const ForegroundWaits w = foreground_waits(waited->second);
		const auto waited_alone = alone_off_cpu.find(case_id);
		text << "\n";
		if (waited_alone == alone_off_cpu.end()) {
			text << render_waits({&w}, {"beside"}, count);
			continue;
		}
		std::ofstream(dir / "offcpu-alone.svg") << render_flame_graph(
			waited_alone->second, "e4mext bench: " + case_id + ", the load alone, time off a CPU (every run)",
			"us off-CPU");
		const ForegroundWaits a = foreground_waits(waited_alone->second);
		text << render_waits({&a, &w}, {"alone", "beside"}, count);
	}
	return profiles.size();
}

std::string render_profile_comparisons(const std::vector<fs::path> &set_dirs, const std::vector<std::string> &labels, bool markdown,
				       std::size_t count)
{
	std::vector<std::map<std::string, KernelFunctions>> sets;
	std::vector<std::map<std::string, ForegroundWaits>> waits; // beside the moves, per set and case
	std::size_t with_profiles = 0;
	for (const fs::path &dir : set_dirs) {
		std::map<std::string, KernelFunctions> cases;
		for (const auto &[id, folded] : case_profiles(dir))
			cases[id] = kernel_functions(folded);
		with_profiles += cases.empty() ? 0 : 1;
		sets.push_back(std::move(cases));
		std::map<std::string, ForegroundWaits> set_waits;
		for (const auto &[id, folded] : case_profiles(dir, kOffCpu))
			set_waits[id] = foreground_waits(folded);
		waits.push_back(std::move(set_waits));
	}
	if (with_profiles < 2 || sets.front().empty())
		return "";
	std::ostringstream out;
	const std::string h2 = markdown ? "## " : "", h3 = markdown ? "### " : "";
	out << "\n"
	    << h2 << "Kernel profiles (perf record -e cpu-clock -e " << kSwitchEvent << " -a -g)\n\n"
	    << "Shares are percent of all samples of the case's runs; the change is in\n"
	    << "percentage points (as lkp's perf-profile). Children: the function and all it\n"
	    << "called; self: the function itself. \"Only in\": functions under " << kMoveEntry << "\n"
	    << "with at least " << kOnlyInMinimum << "% that the other kernel's profiles never sampled, in any case.\n";
	const std::set<std::string> base_all = sampled_anywhere(sets.front());
	for (std::size_t s = 1; s < sets.size(); ++s) {
		const std::set<std::string> other_all = sampled_anywhere(sets[s]);
		for (const auto &[id, base] : sets.front()) {
			const auto other = sets[s].find(id);
			if (other == sets[s].end())
				continue;
			const ProfileComparison c = compare_profiles(id, base, other->second, base_all, other_all, count);
			out << "\n"
			    << h3 << id << ": " << labels[s] << " against " << labels[0] << " (" << c.base_samples << " and "
			    << c.other_samples << " samples)\n\n";
			out << "largest changes, children:\n" << (markdown ? "\n" : "");
			render_changes(out, c.children, labels[0], labels[s], markdown);
			out << (markdown ? "\n" : "") << "largest changes, self:\n" << (markdown ? "\n" : "");
			render_changes(out, c.self, labels[0], labels[s], markdown);
			for (const auto &[list, who] : {std::pair{&c.only_base, labels[0]}, std::pair{&c.only_other, labels[s]}}) {
				out << (markdown ? "\n" : "") << "move path only in " << who << ":"
				    << (list->empty() ? " none\n" : "\n") << (markdown && !list->empty() ? "\n" : "");
				if (!list->empty())
					render_changes(out, *list, labels[0], labels[s], markdown);
			}
			const auto base_waits = waits.front().find(id), other_waits = waits[s].find(id);
			if (base_waits != waits.front().end() && other_waits != waits[s].end())
				out << "\n"
				    << (markdown ? "```\n" : "")
				    << render_waits({&base_waits->second, &other_waits->second}, {labels[0], labels[s]}, count)
				    << (markdown ? "```\n" : "");
		}
	}
	return out.str();
}

} // namespace e4mext::report
