#include "stress_faults.h"

#include "cleanup_registry.h"
#include "file_text.h"
#include "loop_fs.h"
#include "process.h"
#include "stress_checks.h"
#include "stress_donors.h"
#include "stress_fio.h"
#include "stress_kernel_log.h"

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

namespace e4mext::runner {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr const char *kStaleDonorReset = "interrupted e4mext run left behind|in an earlier, interrupted run";

struct FaultRun {
	const StressSettings &settings;
	LoopFilesystem &fs;
	std::string log;
	StressChecks &checks;
	FioProcess fio;
	std::string clear_error;

	std::string mnt() const { return fs.mount_point(); }

	// One defrag job on mnt/orig, options of `extra` last (fio lets a later option override).
	std::vector<std::string> defrag_command(const std::string &stats_log, const std::vector<std::string> &extra) const
	{
		std::vector<std::string> argv = {"fio",
						 "--name=fault",
						 "--ioengine=external:" + settings.engine,
						 "--directory=" + mnt(),
						 "--filename=orig",
						 "--filesize=64m",
						 "--rw=write",
						 "--bs=64k",
						 "--overwrite=1",
						 "--time_based",
						 "--eta=never",
						 "--stats_file=" + stats_log + "/stats.jsonl"};
		argv.insert(argv.end(), extra.begin(), extra.end());
		return argv;
	}

	void run_defrag(std::chrono::seconds limit, const std::vector<std::string> &extra)
	{
		fio.start(defrag_command(log, extra), log);
		fio.wait(limit);
	}

	// Starts a defrag job and returns once it is moving (its donor exists).
	void start_defrag(const std::vector<std::string> &extra)
	{
		fio.start(defrag_command(log, extra), log);
		const auto deadline = std::chrono::steady_clock::now() + 30s;
		while (donors_left(mnt()).empty() && fio.running() && std::chrono::steady_clock::now() < deadline) {
			throw_if_interrupted();
			std::this_thread::sleep_for(100ms);
		}
		std::this_thread::sleep_for(500ms);
		throw_if_interrupted();
		if (!fio.running())
			checks.fail("fio stopped before the fault could be injected: see " + fio.err_path());
	}

	// A short clean run after a fault must find the donor the fault left, reset it and remove it.
	void expect_next_run_cleans_up(const std::vector<std::string> &extra = {})
	{
		const std::vector<std::string> stale = donors_left(mnt());
		const std::string next_log = log + "/next-run";
		fs::create_directories(next_log);
		std::vector<std::string> options = {"--runtime=1"};
		options.insert(options.end(), extra.begin(), extra.end());
		FioProcess next;
		next.start(defrag_command(next_log, options), next_log);
		next.wait(60s);
		checks.no_crash(next);
		checks.fio_ok(next);
		if (!stale.empty() && fio_lines_matching(next, kStaleDonorReset, 1).empty())
			checks.fail("the next run did not say it reset the stale donor " + join(stale, " ") + ": " +
				    join(fio_lines_matching(next, "e4mext: ", 1), ""));
	}

	// Lays out a file with a plain psync job (as root).
	void write_file(const std::string &path, const std::string &size)
	{
		run_command({"fio", "--name=layout", "--ioengine=psync", "--filename=" + path, "--size=" + size, "--rw=write",
			     "--bs=1m"},
			    5min);
		throw_if_interrupted();
	}

	// Signals fio (its parent process) or all (parent and job processes); returns whom.
	std::vector<pid_t> signal_fio(int sig, bool jobs_too)
	{
		const std::vector<pid_t> pids = fio.signal(sig, jobs_too);
		if (pids.empty())
			checks.fail(std::string("could not send SIG") + sigabbrev_np(sig) + " to fio: had it stopped already?");
		return pids;
	}

	// fio stops, runs the engine's cleanup, and says why.
	void expect_clean_stop(int sig)
	{
		checks.no_crash(fio);
		clear_error = checks.error_shown(fio, "terminating on signal " + std::to_string(sig),
						 "fio's 'terminating on signal " + std::to_string(sig) + "'");
		std::error_code ec;
		if (fs::file_size(log + "/stats.jsonl", ec) == 0 || ec)
			checks.fail("the engine's cleanup did not run (it wrote no statistics)");
	}
};

void enospc_prepare(FaultRun &r) // the donor cannot be preallocated: the original takes most of the filesystem
{
	r.run_defrag(60s, {"--runtime=2", "--filesize=150m"});
	r.checks.no_crash(r.fio);
	r.checks.fio_failed(r.fio);
	r.clear_error =
		r.checks.error_shown(r.fio, "e4mext: donor .*ENOSPC.*needs room", "the engine's ENOSPC message about the donor");
}

void enospc_midrun(FaultRun &r) // in place, each move allocates its donor range: fill the filesystem under it
{
	r.start_defrag({"--runtime=20", "--inplace=1", "--rw=randwrite"});
	for (int i = 0; r.fio.running() && i < 100; ++i) {
		struct statvfs st {};
		if (::statvfs(r.mnt().c_str(), &st) == 0) {
			const std::string filler = r.mnt() + "/filler." + std::to_string(i);
			UniqueFd fd(::open(filler.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
			if (fd) [[maybe_unused]]
				int rc = ::fallocate(fd.get(), 0, 0, off_t(st.f_bfree) * off_t(st.f_frsize));
		}
		throw_if_interrupted();
		std::this_thread::sleep_for(100ms);
	}
	r.fio.wait(60s);
	r.checks.no_crash(r.fio);
	r.checks.fio_failed(r.fio);
	r.clear_error = r.checks.error_shown(r.fio, "error=No space left on device", "fio's ENOSPC error for a move");
}

// Whether the filesystem refuses a new file with EROFS. Kernels since 6.x mark an ext4 error as
// "emergency_ro" in the superblock options without the mount's "ro" flag (statvfs says rw), and
// the script's `findmnt -o OPTIONS | grep -w ro` matched the "ro" of "errors=remount-ro" whatever
// happened: trying to write is the check that means what it says.
bool refuses_writes(const std::string &dir)
{
	const std::string probe = dir + "/.e4mext-stress-ro-probe";
	UniqueFd fd(::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
	if (fd) {
		::unlink(probe.c_str());
		return false;
	}
	return errno == EROFS;
}

void remount_ro(FaultRun &r) // an ext4 error remounts the filesystem read-only (errors=remount-ro) mid-run
{
	r.start_defrag({"--runtime=20"});
	// Commit the donor's creation: after the fault the next run must find and remove it.
	if (UniqueFd dir(::open(r.mnt().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)); dir)
		::syncfs(dir.get());
	const std::string trigger = "/sys/fs/ext4/" + fs::path(r.fs.device()).filename().string() + "/trigger_fs_error";
	std::ofstream(trigger) << "e4mext stress: injected error, remount read-only\n";
	r.fio.wait(60s);
	r.checks.no_crash(r.fio);
	r.checks.fio_failed(r.fio);
	r.clear_error = r.checks.error_shown(r.fio, "error=Read-only file system", "EROFS from the moves");
	if (!refuses_writes(r.mnt()))
		r.checks.fail("the filesystem did not go read-only (trigger_fs_error had no effect?)");
	// A read-only filesystem keeps the donor; mounted again (journal replayed), the next run removes it.
	fsck_into(r.fs, r.log + "/e2fsck-before-journal-replay.out"); // unmounts; the journal is not replayed yet
	try {
		r.fs.mount();
	} catch (const std::exception &e) {
		r.checks.fail("cannot mount " + r.fs.workdir() + " again after the read-only fault: " + e.what());
		return;
	}
	r.expect_next_run_cleans_up();
}

void truncate_original(FaultRun &r) // another process cuts the original to a quarter of its size under the moves
{
	r.start_defrag({"--runtime=20"});
	if (::truncate((r.mnt() + "/orig").c_str(), 16 << 20) != 0)
		r.checks.fail("could not truncate " + r.mnt() + "/orig: " + std::strerror(errno));
	r.fio.wait(60s);
	r.checks.no_crash(r.fio);
	r.checks.fio_failed(r.fio);
	r.clear_error = r.checks.error_shown(r.fio, "error=Invalid argument", "EINVAL for the moves past the new end of file");
}

void delete_original(FaultRun &r) // another process unlinks the original: the open inode lives on until fio closes it
{
	r.start_defrag({"--runtime=3"});
	const std::string orig = r.mnt() + "/orig";
	if (::unlink(orig.c_str()) != 0)
		r.checks.fail("could not remove " + orig + ": " + std::strerror(errno));
	r.fio.wait(60s);
	r.checks.no_crash(r.fio);
	if (r.fio.status() == 0)
		r.clear_error = "(none: the moves went on in the still-open, unlinked inode and fio exited 0)";
	else
		r.clear_error = r.checks.error_shown(r.fio, "e4mext: |err=", "a clear error");
	if (fs::exists(orig))
		r.checks.fail("fio re-created the deleted original");
}

void sigint(FaultRun &r) // Ctrl-C in a terminal signals fio's process group: its parent (each job has a session of its own)
{
	r.start_defrag({"--runtime=30"});
	r.signal_fio(SIGINT, false);
	r.fio.wait(30s);
	r.expect_clean_stop(2);
}

void sigterm(FaultRun &r) // kill PID signals fio's parent
{
	r.start_defrag({"--runtime=30"});
	r.signal_fio(SIGTERM, false);
	r.fio.wait(30s);
	r.expect_clean_stop(15);
}

void sigkill(FaultRun &r) // nothing runs on SIGKILL: the donor stays, tagged, and the next run must remove it
{
	r.start_defrag({"--runtime=30"});
	const std::vector<pid_t> signalled =
		r.signal_fio(SIGKILL, true); // as the OOM killer or a service manager stopping fio's cgroup would
	r.fio.wait(30s);
	wait_gone(signalled);
	r.checks.no_crash(r.fio, 128 + SIGKILL);
	const std::vector<std::string> left = donors_left(r.mnt());
	if (left.empty())
		r.checks.fail("no donor was left after SIGKILL: the stale-donor path was not exercised");
	for (const std::string &donor : left)
		if (!has_donor_tag(donor))
			r.checks.fail("the donor SIGKILL left (" + donor + ") is not tagged user.e4mext.donor");
	r.expect_next_run_cleans_up();
	r.clear_error = "stale donor " + join(left, " ") + " reset and removed by the next run";
}

void sigkill_named_donor(FaultRun &r) // the same with donorname=: the donor e4mext created must not stay forever
{
	r.start_defrag({"--runtime=30", "--donorname=named.donor"});
	const std::vector<pid_t> signalled = r.signal_fio(SIGKILL, true);
	r.fio.wait(30s);
	wait_gone(signalled);
	r.checks.no_crash(r.fio, 128 + SIGKILL);
	if (!fs::exists(r.mnt() + "/named.donor"))
		r.checks.fail("no donor was left after SIGKILL: the stale-donor path was not exercised");
	r.expect_next_run_cleans_up({"--donorname=named.donor"});
	r.clear_error = "stale donor named.donor reset and removed by the next run";
}

void donor_dir_missing(FaultRun &r)
{
	r.run_defrag(60s, {"--runtime=2", "--donorname=no-such-dir/donor"});
	r.checks.no_crash(r.fio);
	r.checks.fio_failed(r.fio);
	r.clear_error = r.checks.error_shown(r.fio, "e4mext: create donor .*ENOENT.*directory does not exist",
					     "the engine's 'its directory does not exist'");
}

void donor_dir_not_writable(FaultRun &r) // a user defragments a file it owns in a directory it cannot write
{
	const std::string locked = r.mnt() + "/locked";
	fs::create_directory(locked);
	r.write_file(locked + "/orig", "32m");
	const struct passwd *nobody = ::getpwnam("nobody");
	if (!nobody || ::chown((locked + "/orig").c_str(), nobody->pw_uid, gid_t(-1)) != 0) {
		r.checks.fail("cannot give " + locked + "/orig to user nobody");
		return;
	}
	// Let the user through our work dir (root-only until now). The engine may sit in a checkout the
	// user cannot enter (a 0700 home such as /root): it gets a copy of its own there.
	fs::permissions(r.fs.workdir(), fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
	const std::string engine = r.fs.workdir() + "/libe4mext.so";
	fs::copy_file(r.settings.engine, engine, fs::copy_options::overwrite_existing);
	fs::permissions(engine, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
	r.fio.start({"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", "fio", "--name=fault",
		     "--ioengine=external:" + engine, "--directory=" + locked, "--filename=orig", "--rw=write", "--bs=64k",
		     "--time_based", "--runtime=2", "--eta=never"},
		    r.log);
	r.fio.wait(60s);
	r.checks.no_crash(r.fio);
	r.checks.fio_failed(r.fio);
	r.clear_error = r.checks.error_shown(r.fio, "e4mext: create donor .*EACCES.*not writable",
					     "the engine's 'the directory is not writable'");
}

void foreign_donor(FaultRun &r) // a user's file sits at the default donor name: refused and left untouched
{
	r.write_file(r.mnt() + "/orig", "64m");
	const std::string foreign = r.mnt() + "/orig.e4mext-donor.1";
	const std::string content = "a user's file, not a donor\n";
	std::ofstream(foreign) << content;
	r.run_defrag(60s, {"--runtime=2"});
	r.checks.no_crash(r.fio);
	r.checks.fio_failed(r.fio);
	r.clear_error = r.checks.error_shown(r.fio, "was not created by e4mext; refusing to touch it",
					     "the engine's refusal to touch a foreign file");
	if (!fs::exists(foreign) || read_text(foreign) != content)
		r.checks.fail("the foreign file was changed or removed");
	std::error_code ignored;
	fs::remove(foreign, ignored); // the user's, not a donor: out of the way of the leftover-donor check
}

const std::map<std::string, std::function<void(FaultRun &)>> &fault_functions()
{
	static const std::map<std::string, std::function<void(FaultRun &)>> functions = {
		{"enospc-prepare", enospc_prepare},
		{"enospc-midrun", enospc_midrun},
		{"remount-ro", remount_ro},
		{"truncate", truncate_original},
		{"delete", delete_original},
		{"sigint", sigint},
		{"sigterm", sigterm},
		{"sigkill", sigkill},
		{"sigkill-named-donor", sigkill_named_donor},
		{"donor-dir-missing", donor_dir_missing},
		{"donor-dir-not-writable", donor_dir_not_writable},
		{"foreign-donor", foreign_donor},
	};
	return functions;
}

bool loop_device_backs(const std::string &image)
{
	const CommandResult r = run_command({"losetup", "-n", "-O", "BACK-FILE"}, 30s);
	std::istringstream lines(r.out);
	for (std::string line; std::getline(lines, line);)
		if (line == image)
			return true;
	return false;
}

} // namespace

std::string run_fault(const StressSettings &settings, const StressFault &fault, const std::string &log, StressChecks &checks)
{
	std::optional<LoopFilesystem> fs;
	try {
		fs.emplace(LoopFsOptions{fault.fs_size, fault.mkfs_options, fault.mount_options, ""});
	} catch (const std::exception &e) {
		throw_if_interrupted();
		checks.fail(std::string("creating the loop filesystem failed: ") + e.what());
		return "";
	}
	const std::string device = fs::path(fs->device()).filename();
	const std::string workdir = fs->workdir();
	const std::string image = fs->image();
	const uint64_t since = kernel_log_sequence();
	std::string clear_error;
	{
		FaultRun run{settings, *fs, log, checks, {}, {}};
		try {
			fault_functions().at(fault.name)(run);
		} catch (const Interrupted &) {
			throw;
		} catch (const std::exception &e) {
			throw_if_interrupted();
			checks.fail(std::string("the fault could not be run: ") + e.what());
		}
		run.fio.kill_all();
		clear_error = run.clear_error;
	}
	if (!fs->device().empty())
		checks.no_donors(fs->mount_point());
	checks.fsck_clean(*fs, log);
	checks.kernel_log_clean(since, device, fault.ext4_errors_injected);
	fs.reset();
	if (fs::exists(workdir))
		checks.fail("destroying the loop filesystem left " + workdir + " behind");
	if (loop_device_backs(image))
		checks.fail("a loop device still backs " + image);
	return checks.passed() ? clear_error : "";
}

} // namespace e4mext::runner
