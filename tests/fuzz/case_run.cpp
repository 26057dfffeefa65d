#include "case_run.h"

#include "content.h"
#include "fio_runner.h"
#include "job_model.h"

#include "engine_stats.hpp"
#include "file_text.h"
#include "fio_parse.hpp"
#include "input_error.hpp"
#include "unique_fd.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

namespace fs = std::filesystem;

namespace e4mext::jobfuzz {

namespace {

constexpr std::chrono::seconds kFioTimeout{60};

using Clock = std::chrono::steady_clock;

// Adds the seconds since the last call to the step given.
class Stopwatch {
public:
	void lap(double &step)
	{
		const Clock::time_point now = Clock::now();
		step += std::chrono::duration<double>(now - last_).count();
		last_ = now;
	}

private:
	Clock::time_point last_ = Clock::now();
};

// ext4 hands a freed inode number to the next new file at once: the generation tells them apart.
struct Identity {
	dev_t dev = 0;
	ino_t ino = 0;
	long generation = 0;
	bool operator==(const Identity &) const = default;
};

Identity identity_of(const std::string &path)
{
	e4mext::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
	struct stat st;
	if (!fd.valid() || ::fstat(fd.get(), &st) != 0)
		throw std::runtime_error("open " + path + " to record its inode: " + std::strerror(errno));
	Identity id{st.st_dev, st.st_ino, 0};
	if (::ioctl(fd.get(), FS_IOC_GETVERSION, &id.generation) != 0)
		throw std::runtime_error("FS_IOC_GETVERSION on " + path + ": " + std::strerror(errno));
	return id;
}

std::string at_mount(const CaseEnvironment &env, const std::string &relative)
{
	return env.mnt + "/" + relative;
}

void write_text(const std::string &path, const std::string &text)
{
	std::ofstream out(path, std::ios::trunc);
	out << text;
	if (!out.flush())
		throw std::runtime_error("cannot write " + path);
}

void sync_filesystem(const std::string &mnt)
{
	e4mext::UniqueFd fd(::open(mnt.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (!fd.valid() || ::syncfs(fd.get()) != 0)
		throw std::runtime_error("syncfs " + mnt + ": " + std::strerror(errno));
}

std::map<std::string, Identity> lay_out(const CaseSpec &c, const CaseEnvironment &env)
{
	for (const std::string &dir : c.dirs)
		fs::create_directories(at_mount(env, dir));
	std::map<std::string, Identity> identities;
	for (const FileSpec &f : c.files) {
		const std::string path = at_mount(env, f.path);
		lay_out_file(path, content_key(c.seed, c.index, f.path), f.size);
		identities[f.path] = identity_of(path);
	}
	sync_filesystem(env.mnt); // laid out on the device before fio runs: its blocks allocated, the data written
	for (const LinkSpec &l : c.links) {
		const std::string path = at_mount(env, l.path);
		if ((l.hard ? ::link(at_mount(env, l.target).c_str(), path.c_str()) : ::symlink(l.target.c_str(), path.c_str())) !=
		    0)
			throw std::runtime_error(std::string(l.hard ? "link " : "symlink ") + l.target + " as " + path + ": " +
						 std::strerror(errno));
	}
	return identities;
}

// Whatever fio left in memory must not answer the checks: the filesystem is unmounted (written
// out, every page, inode and cached extent of it dropped) and mounted again, so they read the
// device. This filesystem alone: sync() and drop_caches would wait for, and empty, the whole machine's.
void reread_from_device(const CaseEnvironment &env)
{
	if (::umount2(env.mnt.c_str(), 0) != 0)
		throw std::runtime_error("cannot unmount " + env.mnt +
					 " to read the case's files from its device: " + std::strerror(errno));
	if (::mount(env.device.c_str(), env.mnt.c_str(), "ext4", 0, nullptr) != 0)
		throw std::runtime_error("cannot mount " + env.device + " on " + env.mnt + " again: " + std::strerror(errno));
	keep_out_of_bind_mounts(env.mnt);
}

// fio 3.33 exits with the number of job processes (clones included) that ended with an error, and
// with 128 when it terminated on a signal.
void check_fio_end(const FioExit &fio, const std::string &json_text, const std::vector<JobView> &jobs, CaseOutcome &out)
{
	int processes = 0;
	for (const JobView &job : jobs)
		processes += static_cast<int>(job.clones);
	if (fio.timed_out)
		out.failures.push_back({"fio-timeout", "fio did not finish within " + std::to_string(kFioTimeout.count()) +
							       " s (runtime=2); its process group was killed"});
	else if (fio.signal != 0)
		out.failures.push_back({"fio-crash", std::string("fio was killed by signal ") + std::to_string(fio.signal) + " (" +
							     ::strsignal(fio.signal) + ")"});
	else if (fio.exit_status < 0 || fio.exit_status > processes)
		out.failures.push_back({"fio-exit", "fio exited with status " + std::to_string(fio.exit_status) +
							    " (expected 0 to " + std::to_string(processes) +
							    ", the number of its job processes that failed)"});
	for (const std::string *text : {&fio.log, &json_text}) {
		for (const char *mark : {"got signal", "Segmentation fault", "terminate called"}) {
			const size_t at = text->find(mark);
			if (at == std::string::npos)
				continue;
			const size_t begin = text->rfind('\n', at) + 1;
			out.failures.push_back(
				{"fio-crash", "fio's output says: " + text->substr(begin, text->find('\n', at) - begin)});
		}
	}
}

std::string first_complaint(const std::string &log)
{
	size_t begin = 0;
	while (begin < log.size()) {
		const size_t end = std::min(log.find('\n', begin), log.size());
		const std::string line = log.substr(begin, end - begin);
		if (line.find("fio:") != std::string::npos || line.find("error") != std::string::npos)
			return line;
		begin = end + 1;
	}
	return log.substr(0, log.find('\n'));
}

void count_jobs(const FioExit &fio, const std::string &json_path, const std::string &json_text, const std::vector<JobView> &jobs,
		CaseOutcome &out)
{
	if (json_text.find('{') == std::string::npos) {
		// fio stops before any job runs when it refuses an option: no JSON, exit status 1.
		if (fio.exit_status > 0) {
			out.fio_rejected = true;
			out.fio_rejection = first_complaint(fio.log);
		} else if (fio.exit_status == 0) {
			out.failures.push_back({"fio-output", "fio exited 0 but wrote no JSON to " + json_path});
		}
		return;
	}
	try {
		const auto run = e4mext::report::parse_fio_output(json_text, json_path);
		for (const auto &job : run.jobs)
			out.refused_jobs += job.error != 0 ? 1 : 0;
		for (const JobView &view : jobs) {
			const std::string why = must_refuse(view, jobs);
			if (why.empty())
				continue;
			for (const auto &job : run.jobs)
				if (job.jobname == view.name && job.error == 0)
					out.failures.push_back({"not-refused", "job " + view.name + " ran, but " + why +
										       ": the engine must refuse it before opening "
										       "anything"});
		}
	} catch (const e4mext::report::InputError &e) {
		if (fio.exit_status >= 0)
			out.failures.push_back({"fio-output", std::string("fio's JSON does not read: ") + e.what() +
								      " (fio exited " + std::to_string(fio.exit_status) +
								      ", saying: " + first_complaint(fio.log) + ")"});
	}
}

std::string jobs_text(const std::set<std::string> &names)
{
	std::string out;
	for (const std::string &n : names)
		out += (out.empty() ? "" : ", ") + n;
	return out;
}

struct FileRoles {
	std::map<std::string, std::set<std::string>> jobs_of;  // absolute path -> jobs naming it
	std::map<std::string, std::set<std::string>> donor_of; // absolute path -> jobs naming it as donor
	std::set<std::string> unlinked;                        // files of unlink=1 jobs
	std::set<std::string> given_up;                        // named as donor by a job with donor_overwrite=1: may change
};

FileRoles file_roles(const std::vector<JobView> &jobs)
{
	FileRoles r;
	for (const JobView &job : jobs) {
		for (const std::string &path : job.original_paths()) {
			r.jobs_of[path].insert(job.name);
			if (job.unlink)
				r.unlinked.insert(path);
		}
		for (const std::string &path : job.donor_paths()) {
			r.donor_of[path].insert(job.name);
			if (job.donor_overwrite)
				r.given_up.insert(path);
		}
	}
	return r;
}

void check_file(const CaseSpec &c, const FileSpec &f, const Identity &before, const FileRoles &roles, const CaseEnvironment &env,
		CaseOutcome &out)
{
	const std::string path = at_mount(env, f.path);
	const auto donor_of = roles.donor_of.find(path);
	const bool named_as_donor = donor_of != roles.donor_of.end();
	const std::string donor_note = named_as_donor ? ", named as donor by " + jobs_text(donor_of->second) : "";
	const std::string who =
		f.role == FileRole::outside
			? "outside file " + path + " (in no job" + donor_note + ")"
			: "original " + path + " (of " +
				  jobs_text(roles.jobs_of.count(path) ? roles.jobs_of.at(path) : std::set<std::string>{}) +
				  donor_note + ")";
	if (::access(path.c_str(), F_OK) != 0) {
		if (f.role == FileRole::original && roles.unlinked.count(path))
			return; // unlink=1: fio removes the job's files at its end
		out.failures.push_back({f.role == FileRole::outside && named_as_donor ? "donor-deleted" : "file-missing",
					who + " is gone after the run" +
						(named_as_donor ? ": e4mext must never delete a file it did not create" : "")});
		return;
	}
	if (const Identity now = identity_of(path); !(now == before)) {
		out.failures.push_back({"file-replaced", who + " is another file after the run (inode " + std::to_string(now.ino) +
								 " generation " + std::to_string(now.generation) + ", was " +
								 std::to_string(before.ino) + " generation " +
								 std::to_string(before.generation) +
								 "): it was deleted and made again"});
		return;
	}
	if (f.role == FileRole::outside && roles.given_up.count(path))
		return; // the user gave it up as donor (donor_overwrite=1): its data may change
	const ContentCheck check = check_content(path, content_key(c.seed, c.index, f.path), f.size);
	if (check.same)
		return;
	const std::string kind = f.role == FileRole::outside && named_as_donor ? "user-donor-changed"
				 : f.role == FileRole::outside                 ? "outside-changed"
				 : named_as_donor                              ? "donor-is-run-file"
									       : "original-changed";
	out.failures.push_back({kind, who + " " + check.describe()});
}

void check_files(const CaseSpec &c, const std::map<std::string, Identity> &identities, const std::vector<JobView> &jobs,
		 const CaseEnvironment &env, CaseOutcome &out)
{
	const FileRoles roles = file_roles(jobs);
	for (const FileSpec &f : c.files)
		check_file(c, f, identities.at(f.path), roles, env, out);
}

void check_stats(const std::string &stats_path, CaseOutcome &out)
{
	std::error_code ec;
	if (!fs::exists(stats_path, ec))
		return; // every job was refused before the engine had anything to report
	StatsVerdict v = check_engine_stats(runner::read_text(stats_path), stats_path);
	out.failures.insert(out.failures.end(), v.failures.begin(), v.failures.end());
	out.stats_records = v.records;
	out.records_without_requests = v.records_without_requests;
	out.misaligned_refused = v.misaligned_refused;
}

bool has_donor_mark(const std::string &path)
{
	return ::lgetxattr(path.c_str(), kDonorXattr, nullptr, 0) >= 0; // any value: it names the run
}

// Donors e4mext made must be gone unless their job said keep_donor=1 (then the fuzzer removes
// them); a file of the case must never carry the donor mark (a later run would treat it as e4mext's).
void check_leftovers(const CaseSpec &c, const std::vector<JobView> &jobs, const CaseEnvironment &env, CaseOutcome &out)
{
	std::set<std::string> case_files;
	for (const FileSpec &f : c.files)
		case_files.insert(at_mount(env, f.path));
	for (const LinkSpec &l : c.links)
		case_files.insert(at_mount(env, l.path));
	std::error_code ec;
	for (auto it = fs::recursive_directory_iterator(env.mnt, ec); !ec && it != fs::recursive_directory_iterator();
	     it.increment(ec)) {
		if (it->is_directory() && it->path().filename() == "lost+found") {
			it.disable_recursion_pending();
			continue;
		}
		if (!it->is_regular_file())
			continue;
		const std::string path = it->path().string();
		const bool marked = has_donor_mark(path);
		if (case_files.count(path)) {
			if (marked)
				out.failures.push_back({"donor-mark-on-user-file",
							path + " is a file of the case but carries " + kDonorXattr +
								": e4mext would later reset and delete it as its own donor"});
			continue;
		}
		const ExtraFile extra = judge_extra_file(path, marked, jobs);
		if (extra.failure)
			out.failures.push_back(*extra.failure);
		if (extra.donor)
			fs::remove(it->path(), ec);
	}
	if (ec)
		out.failures.push_back({"fuzzer-error", "cannot walk " + env.mnt + ": " + ec.message()});
}

void check_kernel_log(KernelLog *log, CaseOutcome &out)
{
	if (!log)
		return;
	for (const std::string &line : log->new_complaints())
		out.failures.push_back({"kernel-warning", "kernel log: " + line});
}

} // namespace

PhaseTimes &PhaseTimes::operator+=(const PhaseTimes &o)
{
	prepare += o.prepare;
	lay_out += o.lay_out;
	fio += o.fio;
	caches += o.caches;
	checks += o.checks;
	return *this;
}

void keep_out_of_bind_mounts(const std::string &mnt)
{
	if (::mount(nullptr, mnt.c_str(), nullptr, MS_UNBINDABLE, nullptr) != 0)
		throw std::runtime_error("cannot make the mount " + mnt + " unbindable: " + std::strerror(errno));
}

void clear_mount(const std::string &mnt)
{
	std::error_code ec;
	for (const auto &entry : fs::directory_iterator(mnt, ec)) {
		if (entry.path().filename() == "lost+found")
			continue;
		fs::remove_all(entry.path(), ec);
		if (ec)
			throw std::runtime_error("cannot remove " + entry.path().string() + ": " + ec.message());
	}
	if (ec)
		throw std::runtime_error("cannot list " + mnt + ": " + ec.message());
}

CaseOutcome run_case(const CaseSpec &c, const CaseEnvironment &env)
{
	CaseOutcome out;
	Stopwatch watch;
	out.jobs = static_cast<unsigned>(c.jobs.size());
	out.job_text = to_job_file(c);
	const std::string job_path = env.work + "/case.fio", json_path = env.work + "/case.json", log_path = env.work + "/case.log",
			  stats_path = env.work + "/case.stats.jsonl";
	for (const std::string &stale : {json_path, log_path, stats_path})
		::unlink(stale.c_str());
	write_text(job_path, out.job_text);

	const auto identities = lay_out(c, env);
	watch.lap(out.times.lay_out);
	if (env.kernel_log)
		env.kernel_log->skip_to_end();
	FioCommand cmd{env.fio,
		       job_path,
		       json_path,
		       log_path,
		       {{kMountVar, env.mnt}, {kEngineVar, env.engine}, {kStatsVar, stats_path}},
		       kFioTimeout};
	const FioExit fio = run_fio(cmd);
	watch.lap(out.times.fio);
	reread_from_device(env);
	watch.lap(out.times.caches);

	const std::string json_text = runner::read_text(json_path);
	// fio writes its jobs' messages (the engine's too) to --output, before the JSON document.
	out.fio_log = fio.log + json_text.substr(0, json_text.find("\n{") + 1);
	const std::vector<JobView> jobs = job_views(c, env.mnt);
	// Data first: the first failure names a saved case.
	check_files(c, identities, jobs, env, out);
	check_fio_end(fio, json_text, jobs, out);
	count_jobs(fio, json_path, json_text, jobs, out);
	check_stats(stats_path, out);
	check_leftovers(c, jobs, env, out);
	check_kernel_log(env.kernel_log, out);
	watch.lap(out.times.checks);
	return out;
}

} // namespace e4mext::jobfuzz
