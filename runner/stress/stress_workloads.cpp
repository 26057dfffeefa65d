#include "stress_workloads.h"

#include "cleanup_registry.h"
#include "fio_parse.hpp"
#include "input_error.hpp"
#include "loop_fs.h"
#include "stress_checks.h"
#include "stress_fio.h"
#include "stress_kernel_log.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>

namespace e4mext::runner {

namespace fs = std::filesystem;

namespace {

bool is_defrag(const report::FioJob &job)
{
	const auto it = job.options.find("ioengine");
	return it != job.options.end() && it->second.starts_with("external:");
}

bool is_verifier(const report::FioJob &job)
{
	return job.options.count("verify") > 0;
}

std::string mib(uint64_t bytes)
{
	char buf[32];
	std::snprintf(buf, sizeof buf, "%.0f", double(bytes) / 1048576.0);
	return buf;
}

std::string job_error(const report::FioJob &job)
{
	return job.jobname + " error " + std::to_string(job.error);
}

} // namespace

WorkloadFigures workload_figures(const report::FioRun &fio, const std::vector<report::EngineStatsRecord> &stats)
{
	WorkloadFigures f;
	for (const report::EngineStatsRecord &r : stats) {
		f.moves += r.moves;
		f.bytes_moved += r.blocks_moved * r.block_size.value_or(0);
		f.ebusy += r.ebusy;
		f.enodata += r.enodata;
		f.other += r.other_errors.value_or(0);
		f.retries += r.retries;
		++f.clones;
	}
	for (const report::FioJob &job : fio.jobs) {
		if (is_defrag(job)) {
			f.defrag_clones += job.clones;
			f.fio_errors += job.total_err;
		}
		if (is_verifier(job)) {
			f.verified += std::min(job.read_io_bytes, job.write.io_bytes);
			if (job.error != 0)
				f.verify_failed.push_back(job_error(job));
		}
		if (job.error != 0 && job.total_err == 0)
			f.untolerated.push_back(job_error(job));
	}
	return f;
}

void check_workload_figures(const WorkloadFigures &f, const std::string &fio_err, StressChecks &checks)
{
	if (!f.verify_failed.empty())
		checks.fail("a verifier failed: " + join(f.verify_failed, "; ") + " (see " + fio_err + ")");
	if (!f.untolerated.empty())
		checks.fail("jobs stopped on an error they do not tolerate: " + join(f.untolerated, "; "));
	if (f.clones != f.defrag_clones)
		checks.fail(std::to_string(f.defrag_clones) + " defrag clones ran but " + std::to_string(f.clones) +
			    " wrote statistics");
	if (f.moves == 0)
		checks.fail("no moves were made");
	if (f.verified == 0)
		checks.fail("the verifiers read nothing back");
	const uint64_t counted = f.ebusy + f.enodata + f.other;
	if (f.fio_errors != counted)
		checks.fail("fio tolerated " + std::to_string(f.fio_errors) + " move errors but the engine counted " +
			    std::to_string(counted));
}

void print_workload_header(std::ostream &out)
{
	char line[160];
	std::snprintf(line, sizeof line, "%-22s %4s %7s %9s %9s %6s %7s %6s %7s  %s\n", "workload", "secs", "moves", "moved",
		      "verified", "EBUSY", "ENODATA", "EINVAL", "retries", "verdict");
	out << line;
}

void print_workload_row(std::ostream &out, const std::string &name, unsigned runtime, const WorkloadFigures &f)
{
	char line[200];
	std::snprintf(line, sizeof line, "%-22s %4u %7llu %5s MiB %5s MiB %6llu %7llu %6llu %7llu  ", name.c_str(), runtime,
		      (unsigned long long)f.moves, mib(f.bytes_moved).c_str(), mib(f.verified).c_str(), (unsigned long long)f.ebusy,
		      (unsigned long long)f.enodata, (unsigned long long)f.other, (unsigned long long)f.retries);
	out << line << std::flush;
}

void run_workload(const StressSettings &settings, const StressWorkload &workload, const std::string &log, StressChecks &checks,
		  std::ostream &out)
{
	WorkloadFigures figures;
	std::optional<LoopFilesystem> fs;
	try {
		fs.emplace(LoopFsOptions{});
	} catch (const std::exception &e) {
		throw_if_interrupted();
		checks.fail(std::string("creating the loop filesystem failed: ") + e.what());
		print_workload_row(out, workload.name, settings.runtime, figures);
		return;
	}
	const std::string device = fs::path(fs->device()).filename();
	const uint64_t since = kernel_log_sequence();
	const std::string json = log + "/fio.json";
	const std::string stats = log + "/stats.jsonl";
	FioProcess fio;
	// The job file's ${VAR}s come from the environment.
	fio.start({"fio", "--output-format=json", "--output=" + json, "--eta=never", settings.top + "/" + workload.job}, log,
		  {"DIR=" + fs->mount_point(), "FILESIZE=" + workload.file_size, "STATS=" + stats,
		   "RUNTIME=" + std::to_string(settings.runtime), "E4MEXT_ENGINE=" + settings.engine});
	fio.wait(std::chrono::seconds(settings.runtime + 120));
	checks.no_crash(fio);
	checks.fio_ok(fio);
	// fio may print informational lines (the engine's summaries) before the JSON document: the
	// report's parser skips them.
	try {
		const report::FioRun run = report::load_fio_file(json);
		std::error_code ec;
		if (fs::file_size(stats, ec) == 0 || ec) {
			checks.fail("the engine wrote no statistics to " + stats);
		} else {
			figures = workload_figures(run, report::parse_engine_stats_records(report::read_file_text(stats), stats));
			check_workload_figures(figures, fio.err_path(), checks);
		}
	} catch (const report::InputError &e) {
		checks.fail("fio's JSON output or the engine's statistics are missing or unreadable: " + std::string(e.what()));
	}
	const std::vector<std::string> verify_bad =
		fio_lines_matching(fio, "verify: bad|verify failed|bad magic|bad header", 1, true);
	if (!verify_bad.empty())
		checks.fail("fio reported a verify failure: " + verify_bad.front());
	checks.no_donors(fs->mount_point());
	checks.fsck_clean(*fs, log);
	checks.kernel_log_clean(since, device, false);
	fs.reset();
	print_workload_row(out, workload.name, settings.runtime, figures);
}

} // namespace e4mext::runner
