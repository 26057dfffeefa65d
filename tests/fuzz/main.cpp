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
#include "tally.h"
#include "unique_fd.h"
#include "workers.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

namespace fs = std::filesystem;

namespace e4mext::jobfuzz {
namespace {

constexpr unsigned kFreshEvery = 100; // cases between two mkfs of the loop filesystem
constexpr unsigned kSavedPerKind = 3; // saved cases per kind of failure in --save-failures
constexpr uint64_t kImageSize = 1ULL << 30;

using Clock = std::chrono::steady_clock;

// The loop image in memory (/dev/shm, a tmpfs) when it has room: the fsyncs of the lay-out and the
// reads of the checks then wait for no disk that other work keeps busy. The filesystem under test is
// the same ext4 on a loop device. E4MEXT_TMPDIR, when set, is used as by every loop filesystem.
std::string image_parent()
{
	constexpr const char *kShm = "/dev/shm";
	struct statfs st;
	if (std::getenv("E4MEXT_TMPDIR") || ::statfs(kShm, &st) != 0 || st.f_type != TMPFS_MAGIC)
		return "";
	const uint64_t room = static_cast<uint64_t>(st.f_bavail) * static_cast<uint64_t>(st.f_bsize);
	return room >= 4 * kImageSize ? kShm : "";
}

// The loop ext4 the cases run on: emptied between cases, made again every kFreshEvery cases and
// whenever a case might not fit or it is not mounted.
class FuzzFilesystem {
public:
	FuzzFilesystem() : fs_(runner::LoopFsOptions{kImageSize, {}, "", image_parent(), true})
	{
		work_ = fs_.workdir() + "/case";
		fs::create_directories(work_);
		keep_out_of_bind_mounts(mnt());
	}
	std::string mnt() const { return fs_.mount_point(); }
	const std::string &device() const { return fs_.device(); }
	std::string image() const { return fs_.image(); }
	const std::string &work() const { return work_; }

	void prepare_for(const CaseSpec &c)
	{
		uint64_t need = 64ULL << 20;
		for (const FileSpec &f : c.files)
			need += 2 * f.size; // the file and a donor as large
		if (++cases_ > kFreshEvery || !mounted() || free_bytes() < need) {
			fresh();
			return;
		}
		try {
			clear_mount(mnt());
			release_free_blocks();
		} catch (const std::exception &e) {
			std::cout << "job-fuzz: " << e.what() << "; making the filesystem again" << std::endl;
			fresh();
		}
	}

private:
	// A case's remount that failed half-way leaves the bare mount point.
	bool mounted() const
	{
		struct stat at, dev;
		return ::stat(mnt().c_str(), &at) == 0 && ::stat(device().c_str(), &dev) == 0 && at.st_dev == dev.st_rdev;
	}

	// FITRIM: the loop device punches the free blocks out of the image, so an image in memory holds
	// no more than the case's files (and reads zeros there, as a new one). Memory only: not checked.
	void release_free_blocks() const
	{
		e4mext::UniqueFd fd(::open(mnt().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
		struct fstrim_range range = {0, ~0ULL, 0};
		if (fd.valid())
			::ioctl(fd.get(), FITRIM, &range);
	}

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
		keep_out_of_bind_mounts(mnt());
		cases_ = 1;
	}

	runner::LoopFilesystem fs_;
	std::string work_;
	unsigned cases_ = 0;
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
		std::cout << "job-fuzz: cases run on a loop ext4 of their own, image " << filesystem_.image() << std::endl;
		if (!kernel_log_.readable())
			std::cout << "job-fuzz: kernel log check skipped: " << kernel_log_.why_unreadable() << std::endl;
	}

	// Runs one case; prints it when it fails.
	CaseOutcome run(const CaseSpec &c, const std::string &label, bool verbose)
	{
		const auto prepare_start = Clock::now();
		filesystem_.prepare_for(c);
		env_.device = filesystem_.device(); // another one after a fresh filesystem
		const double prepare = std::chrono::duration<double>(Clock::now() - prepare_start).count();
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
		o.times.prepare = prepare;
		tally_.add(o);
		if (verbose)
			std::cout << o.job_text << "--- fio's output:\n" << o.fio_log << "---" << std::endl;
		if (o.failures.empty())
			return o;
		std::string saved;
		if (!cmd_.save_failures.empty())
			saved = save_case(cmd_.save_failures, c, o.failures);
		std::cout << "job-fuzz: FAIL " << label << " (" << o.failures.front().kind << "): " << failure_summary(o.failures)
			  << (saved.empty() ? "" : "; saved " + saved) << std::endl;
		return o;
	}

	const Tally &tally() const { return tally_; }
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
	if (!cmd.worker)
		std::cout << "job-fuzz: seed " << seed << " (run one case again with --seed " << seed << " --case K)" << std::endl;
	if (cmd.jobs > 1 && !cmd.worker)
		return run_workers(cmd, seed);
	Fuzzer fuzzer(cmd);
	const auto start = Clock::now();
	const uint64_t first = cmd.only_case.value_or(cmd.first);
	const uint64_t end = first + (cmd.only_case ? 1 : cmd.cases);
	for (uint64_t k = first; k < end; ++k) {
		if (cmd.worker && (k - first) % cmd.jobs != *cmd.worker)
			continue; // another worker's case
		if (cmd.time_limit && std::chrono::duration<double>(Clock::now() - start).count() >= *cmd.time_limit) {
			if (!cmd.worker)
				std::cout << "job-fuzz: time limit of " << *cmd.time_limit << " s reached after " << fuzzer.cases()
					  << " cases" << std::endl;
			break;
		}
		const CaseSpec c = through_job_file(generate_case(seed, k));
		const CaseOutcome o =
			fuzzer.run(c, "seed " + std::to_string(seed) + " case " + std::to_string(k), cmd.only_case.has_value());
		if (cmd.worker)
			std::cout << case_record(o) << std::endl; // the parent counts and prints
		else if (fuzzer.cases() % kProgressEvery == 0)
			print_progress(fuzzer.tally(), Clock::now() - start);
		if (!o.failures.empty() && !cmd.keep_going) {
			if (!cmd.worker)
				std::cout << "job-fuzz: stopping at the first failure (--keep-going runs on)" << std::endl;
			break;
		}
	}
	if (!cmd.worker)
		print_summary(fuzzer.tally(), Clock::now() - start);
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
		if (fuzzer->run(c, path, false).failures.empty())
			std::cout << "job-fuzz: ok " << path << std::endl;
	}
	if (fuzzer)
		print_summary(fuzzer->tally(), Clock::now() - start);
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
