// job-fuzz: random fio jobs for libe4mext, each checked for lost data, misaligned moves, crashes,
// leftover donors and kernel warnings (issue "No fio job can make the engine destroy data").
// See README.md here and `job-fuzz --help`.
#include "case_run.h"
#include "cleanup_registry.h"
#include "file_text.h"
#include "fio_runner.h"
#include "generator.h"
#include "loop_fs.h"
#include "options.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

namespace fs = std::filesystem;

namespace e4mext::jobfuzz {
namespace {

constexpr unsigned kFreshEvery = 100; // cases between two mkfs of the loop filesystem
constexpr unsigned kProgressEvery = 50;
constexpr unsigned kSavedPerKind = 3; // saved cases per kind of failure in --save-failures
constexpr uint64_t kImageSize = 1ULL << 30;

using Clock = std::chrono::steady_clock;

std::string minutes(Clock::duration d)
{
	const long s = static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(d).count());
	char text[32];
	std::snprintf(text, sizeof text, "%ld:%02ld", s / 60, s % 60);
	return text;
}

// The loop ext4 the cases run on: emptied between cases, made again every kFreshEvery cases and
// whenever a case might not fit.
class FuzzFilesystem {
public:
	FuzzFilesystem() : fs_(runner::LoopFsOptions{kImageSize, {}, "", "", true})
	{
		work_ = fs_.workdir() + "/case";
		fs::create_directories(work_);
	}
	std::string mnt() const { return fs_.mount_point(); }
	const std::string &work() const { return work_; }

	void prepare_for(const CaseSpec &c)
	{
		uint64_t need = 64ULL << 20;
		for (const FileSpec &f : c.files)
			need += 2 * f.size; // the file and a donor as large
		if (++cases_ > kFreshEvery || free_bytes() < need) {
			fresh();
			return;
		}
		try {
			clear_mount(mnt());
		} catch (const std::exception &e) {
			std::cout << "job-fuzz: " << e.what() << "; making the filesystem again" << std::endl;
			fresh();
		}
	}

private:
	uint64_t free_bytes() const
	{
		struct statvfs st;
		if (::statvfs(mnt().c_str(), &st) != 0)
			return 0;
		return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
	}

	void fresh()
	{
		fs_.fresh();
		cases_ = 1;
	}

	runner::LoopFilesystem fs_;
	std::string work_;
	unsigned cases_ = 0;
};

struct Tally {
	uint64_t cases = 0, jobs = 0, refused = 0, misaligned = 0, failures = 0;
	uint64_t fio_rejected = 0, stats_records = 0, records_without_requests = 0;
	std::string first_rejection;
	std::map<std::string, uint64_t> failures_by_kind;

	void add(const CaseOutcome &o)
	{
		++cases;
		jobs += o.jobs;
		refused += o.refused_jobs;
		misaligned += o.misaligned_refused ? 1 : 0;
		failures += o.failures.empty() ? 0 : 1;
		stats_records += o.stats_records;
		records_without_requests += o.records_without_requests;
		if (o.fio_rejected && fio_rejected++ == 0)
			first_rejection = o.fio_rejection;
		for (const Failure &f : o.failures)
			++failures_by_kind[f.kind];
	}
};

std::string failure_summary(const std::vector<Failure> &failures)
{
	constexpr size_t kShown = 3;
	std::string out;
	for (size_t i = 0; i < failures.size() && i < kShown; ++i)
		out += (i ? "; " : "") + failures[i].detail;
	if (failures.size() > kShown)
		out += "; and " + std::to_string(failures.size() - kShown) + " more";
	return out;
}

// DIR/<kind>-<seed>-<case>.fio, unless DIR holds kSavedPerKind cases of that kind already.
std::string save_case(const std::string &dir, const CaseSpec &c, const std::vector<Failure> &failures)
{
	const std::string kind = failures.front().kind;
	fs::create_directories(dir);
	unsigned same_kind = 0;
	for (const auto &entry : fs::directory_iterator(dir))
		if (entry.path().filename().string().rfind(kind + "-", 0) == 0)
			++same_kind;
	if (same_kind >= kSavedPerKind)
		return "";
	std::vector<std::string> why;
	for (const Failure &f : failures)
		why.push_back(f.kind + ": " + f.detail);
	const std::string path = dir + "/" + kind + "-" + std::to_string(c.seed) + "-" + std::to_string(c.index) + ".fio";
	std::ofstream out(path);
	out << to_job_file(c, why);
	if (!out.flush())
		throw std::runtime_error("cannot write " + path);
	return path;
}

class Fuzzer {
public:
	explicit Fuzzer(const CommandLine &cmd) : cmd_(cmd), filesystem_()
	{
		env_.fio = cmd.fio;
		env_.engine = fs::absolute(cmd.engine).string();
		env_.mnt = filesystem_.mnt();
		env_.work = filesystem_.work();
		env_.kernel_log = &kernel_log_;
		if (!kernel_log_.readable())
			std::cout << "job-fuzz: kernel log check skipped: " << kernel_log_.why_unreadable() << std::endl;
	}

	// Runs one case; prints it when it fails. Returns false when it failed.
	bool run(const CaseSpec &c, const std::string &label, bool verbose)
	{
		filesystem_.prepare_for(c);
		CaseOutcome o;
		try {
			o = run_case(c, env_);
		} catch (const std::exception &e) {
			// Ctrl-C ends the run, not the case. Told by the signal, not by the type: a
			// `catch (const runner::Interrupted &)` before this handler was passed over (GCC 12,
			// -O3; gdb shows the thrown and the caught type_info equal) for a reason not found.
			if (runner::interrupted_by())
				throw;
			o.jobs = static_cast<unsigned>(c.jobs.size());
			o.failures.push_back({"fuzzer-error", std::string("the case could not be run: ") + e.what()});
		}
		tally_.add(o);
		if (verbose)
			std::cout << o.job_text << "--- fio's output:\n" << o.fio_log << "---" << std::endl;
		if (o.failures.empty())
			return true;
		std::string saved;
		if (!cmd_.save_failures.empty())
			saved = save_case(cmd_.save_failures, c, o.failures);
		std::cout << "job-fuzz: FAIL " << label << " (" << o.failures.front().kind << "): " << failure_summary(o.failures)
			  << (saved.empty() ? "" : "; saved " + saved) << std::endl;
		return false;
	}

	void progress(Clock::time_point start) const
	{
		std::cout << "job-fuzz: " << tally_.cases << " cases, " << tally_.failures << " failing, "
			  << minutes(Clock::now() - start) << " elapsed" << std::endl;
	}

	void summary(Clock::time_point start) const
	{
		const auto elapsed = Clock::now() - start;
		const Tally &t = tally_;
		if (!env_.drop_caches_problem.empty())
			std::cout << "job-fuzz: note: " << env_.drop_caches_problem << "\n";
		if (t.records_without_requests > 0)
			std::cout << "job-fuzz: note: " << t.records_without_requests << " of " << t.stats_records
				  << " statistics lines have no bytes_requested/blocks_requested/block_size (an engine that "
				     "does not write them): the alignment of their ioctls was not checked\n";
		if (t.fio_rejected > 0)
			std::cout << "job-fuzz: note: fio refused " << t.fio_rejected
				  << " job files before running any job (first: " << t.first_rejection << ")\n";
		if (!t.failures_by_kind.empty()) {
			std::cout << "job-fuzz: failures by kind:";
			for (const auto &[kind, n] : t.failures_by_kind)
				std::cout << " " << kind << " " << n;
			std::cout << "\n";
		}
		const double seconds = std::chrono::duration<double>(elapsed).count();
		std::printf("job-fuzz: %s for %llu cases (%.2f s per case)\n", minutes(elapsed).c_str(),
			    static_cast<unsigned long long>(t.cases), t.cases ? seconds / static_cast<double>(t.cases) : 0.0);
		std::fflush(stdout);
		std::cout << "job-fuzz: " << t.cases << " cases run, " << t.jobs << " jobs, " << t.refused
			  << " refused by the engine, " << t.misaligned << " with misaligned I/O refused, " << t.failures
			  << " failures" << std::endl;
	}

	uint64_t failures() const { return tally_.failures; }
	uint64_t cases() const { return tally_.cases; }

private:
	const CommandLine &cmd_;
	FuzzFilesystem filesystem_;
	KernelLog kernel_log_;
	CaseEnvironment env_;
	Tally tally_;
};

// Every case is handled as its job file's text: what is saved is exactly what ran.
CaseSpec through_job_file(const CaseSpec &c)
{
	return parse_job_file(to_job_file(c), "generated case " + std::to_string(c.index));
}

int fuzz(const CommandLine &cmd)
{
	const uint64_t seed = cmd.seed ? *cmd.seed
				       : static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
								       std::chrono::system_clock::now().time_since_epoch())
								       .count());
	std::cout << "job-fuzz: seed " << seed << " (run one case again with --seed " << seed << " --case K)" << std::endl;
	Fuzzer fuzzer(cmd);
	const auto start = Clock::now();
	const uint64_t first = cmd.only_case.value_or(0);
	const uint64_t end = cmd.only_case ? first + 1 : cmd.cases;
	for (uint64_t k = first; k < end; ++k) {
		if (cmd.time_limit && std::chrono::duration<double>(Clock::now() - start).count() >= *cmd.time_limit) {
			std::cout << "job-fuzz: time limit of " << *cmd.time_limit << " s reached after " << fuzzer.cases()
				  << " cases" << std::endl;
			break;
		}
		const CaseSpec c = through_job_file(generate_case(seed, k));
		const bool ok =
			fuzzer.run(c, "seed " + std::to_string(seed) + " case " + std::to_string(k), cmd.only_case.has_value());
		if (fuzzer.cases() % kProgressEvery == 0)
			fuzzer.progress(start);
		if (!ok && !cmd.keep_going) {
			std::cout << "job-fuzz: stopping at the first failure (--keep-going runs on)" << std::endl;
			break;
		}
	}
	fuzzer.summary(start);
	return fuzzer.failures() ? 1 : 0;
}

std::vector<std::string> case_files(const std::vector<std::string> &args)
{
	std::vector<std::string> files;
	for (const std::string &a : args) {
		std::error_code ec;
		if (fs::is_directory(a, ec)) {
			std::vector<std::string> in_dir;
			for (const auto &entry : fs::directory_iterator(a))
				if (entry.path().extension() == ".fio")
					in_dir.push_back(entry.path().string());
			std::sort(in_dir.begin(), in_dir.end());
			files.insert(files.end(), in_dir.begin(), in_dir.end());
		} else if (fs::exists(a, ec)) {
			files.push_back(a);
		} else if (a.find('*') != std::string::npos) {
			std::cout << "job-fuzz: no case file matches " << a << std::endl; // an unexpanded shell glob
		} else {
			std::cerr << "job-fuzz: --replay " << a << ": no such file or directory\n";
			std::exit(2);
		}
	}
	return files;
}

std::string read_case_file(const std::string &path)
{
	std::optional<std::string> text = runner::read_file(path);
	if (!text)
		throw std::runtime_error("cannot read " + path);
	return *text;
}

int replay(const CommandLine &cmd)
{
	const std::vector<std::string> files = case_files(cmd.replay);
	std::cout << "job-fuzz: replaying " << files.size() << " saved cases" << std::endl;
	std::unique_ptr<Fuzzer> fuzzer;
	const auto start = Clock::now();
	uint64_t unreadable = 0;
	for (const std::string &path : files) {
		CaseSpec c;
		try {
			c = parse_job_file(read_case_file(path), path);
		} catch (const std::exception &e) {
			std::cout << "job-fuzz: FAIL " << path << ": " << e.what() << std::endl;
			++unreadable;
			continue;
		}
		if (!fuzzer)
			fuzzer = std::make_unique<Fuzzer>(cmd);
		if (fuzzer->run(c, path, false))
			std::cout << "job-fuzz: ok " << path << std::endl;
	}
	if (fuzzer)
		fuzzer->summary(start);
	else
		std::cout << "job-fuzz: 0 cases run, 0 jobs, 0 refused by the engine, 0 with misaligned I/O refused, " << unreadable
			  << " failures" << std::endl;
	return (fuzzer && fuzzer->failures()) || unreadable ? 1 : 0;
}

bool executable_on_path(const std::string &name)
{
	if (name.find('/') != std::string::npos)
		return ::access(name.c_str(), X_OK) == 0;
	const char *path = std::getenv("PATH");
	std::istringstream dirs(path ? path : "");
	for (std::string dir; std::getline(dirs, dir, ':');)
		if (!dir.empty() && ::access((dir + "/" + name).c_str(), X_OK) == 0)
			return true;
	return false;
}

// Exits 77 (meson: SKIP) when this machine cannot run the cases, 2 when a path given is wrong.
void require_environment(const CommandLine &cmd)
{
	if (::geteuid() != 0) {
		std::cout << "job-fuzz: not run: needs root (a loop ext4 of its own, /proc/sys/vm/drop_caches, /dev/kmsg)"
			  << std::endl;
		std::exit(77);
	}
	if (!executable_on_path(cmd.fio)) {
		std::cout << "job-fuzz: not run: fio '" << cmd.fio << "' not found (run scripts/setup, or give --fio PATH)"
			  << std::endl;
		std::exit(77);
	}
	if (::access(cmd.engine.c_str(), R_OK) != 0) {
		std::cerr << "job-fuzz: engine " << cmd.engine << " not found: build it (ninja -C build) or give --engine PATH\n";
		std::exit(2);
	}
}

} // namespace
} // namespace e4mext::jobfuzz

int main(int argc, char **argv)
{
	using namespace e4mext::jobfuzz;
	const CommandLine cmd = parse_command_line(argc, argv);
	require_environment(cmd);
	try {
		handle_interrupts();
		return cmd.replay_mode ? replay(cmd) : fuzz(cmd);
	} catch (const e4mext::runner::Interrupted &e) {
		std::cerr << "job-fuzz: interrupted (signal " << e.signal << "): fio stopped, its filesystem removed\n";
		return 128 + e.signal;
	} catch (const std::exception &e) {
		std::cerr << "job-fuzz: " << e.what() << "\n";
		return 1;
	}
}
