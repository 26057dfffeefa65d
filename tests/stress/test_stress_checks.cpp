// The stress suite's checks as pure functions, on a real run's output (tests/stress/data/: fio's
// JSON and the engine's statistics of `e4mext stress --only inplace-random --runtime 2 --keep-logs`):
// a clean run passes, and each kind of trouble is reported in the words the user reads.
#include "engine_stats.hpp"
#include "fio_parse.hpp"
#include "stress_checks.h"
#include "stress_donors.h"
#include "stress_kernel_log.h"
#include "stress_workloads.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace e4mext;
using namespace e4mext::runner;

namespace {

std::string data(const std::string &name)
{
	return std::string(E4MEXT_STRESS_TEST_DATA) + "/" + name;
}

struct Run {
	report::FioRun fio = report::load_fio_file(data("inplace-random.fio.json"));
	std::vector<report::EngineStatsRecord> stats =
		report::parse_engine_stats_records(report::read_file_text(data("inplace-random.stats.jsonl")), "stats.jsonl");
};

std::vector<std::string> failures_of(const WorkloadFigures &figures)
{
	StressChecks checks;
	check_workload_figures(figures, "fio.err", checks);
	return checks.failures();
}

report::FioJob &job_named(report::FioRun &run, const std::string &name)
{
	for (report::FioJob &job : run.jobs)
		if (job.jobname == name)
			return job;
	throw std::runtime_error("no job " + name);
}

bool any_contains(const std::vector<std::string> &lines, const std::string &part)
{
	for (const std::string &line : lines)
		if (line.find(part) != std::string::npos)
			return true;
	return false;
}

} // namespace

TEST_CASE("a clean workload run: figures from fio's JSON and the engine's statistics agree")
{
	Run run;
	const WorkloadFigures f = workload_figures(run.fio, run.stats);
	CHECK(f.defrag_clones == 4); // numjobs=4 of the defrag job
	CHECK(f.clones == 4);
	CHECK(f.moves > 0);
	CHECK(f.bytes_moved > 0);
	CHECK(f.verified > 0);
	CHECK(f.fio_errors == f.ebusy + f.enodata + f.other);
	CHECK(f.verify_failed.empty());
	CHECK(f.untolerated.empty());
	CHECK(failures_of(f).empty());
}

TEST_CASE("a verifier's error fails the workload and names the job")
{
	Run run;
	job_named(run.fio, "verifier").error = 84;
	const std::vector<std::string> failures = failures_of(workload_figures(run.fio, run.stats));
	CHECK(any_contains(failures, "a verifier failed: verifier error 84"));
	CHECK(any_contains(failures, "jobs stopped on an error they do not tolerate: verifier error 84"));
}

TEST_CASE("a defrag clone without its statistics line fails the workload")
{
	Run run;
	run.stats.pop_back();
	CHECK(any_contains(failures_of(workload_figures(run.fio, run.stats)), "4 defrag clones ran but 3 wrote statistics"));
}

TEST_CASE("fio and the engine must count the same tolerated move errors")
{
	Run run;
	const WorkloadFigures clean = workload_figures(run.fio, run.stats);
	job_named(run.fio, "defrag-inplace").total_err += 3;
	const std::string expected = "fio tolerated " + std::to_string(clean.fio_errors + 3) +
				     " move errors but the engine counted " +
				     std::to_string(clean.ebusy + clean.enodata + clean.other);
	CHECK(any_contains(failures_of(workload_figures(run.fio, run.stats)), expected));
}

TEST_CASE("no moves, nothing verified: both reported")
{
	WorkloadFigures f;
	const std::vector<std::string> failures = failures_of(f);
	CHECK(any_contains(failures, "no moves were made"));
	CHECK(any_contains(failures, "the verifiers read nothing back"));
}

TEST_CASE("the workload row: the columns of the script's table")
{
	WorkloadFigures f;
	f.moves = 1812;
	f.bytes_moved = 59ull << 20;
	f.verified = 72ull << 20;
	f.ebusy = 10;
	f.retries = 40;
	std::ostringstream out;
	print_workload_header(out);
	print_workload_row(out, "inplace-random", 4, f);
	CHECK(out.str() == "workload               secs   moves     moved  verified  EBUSY ENODATA EINVAL retries  verdict\n"
			   "inplace-random            4    1812    59 MiB    72 MiB     10       0      0      40  ");
}

TEST_CASE("kernel log: warnings always count, ext4 errors on our device unless the fault injects them")
{
	const std::vector<std::string> lines = {
		"EXT4-fs (loop3): mounted filesystem with ordered data mode",
		"EXT4-fs error (device loop3): ext4_trigger_fs_error: injected",
		"EXT4-fs error (device loop31): someone else's device",
		"Aborting journal on device loop3-8.",
		"loop7: detected capacity change",
	};
	CHECK(kernel_log_problems(lines, "loop3", false) ==
	      std::vector<std::string>{"EXT4-fs error (device loop3): ext4_trigger_fs_error: injected",
				       "Aborting journal on device loop3-8."});
	CHECK(kernel_log_problems(lines, "loop3", true).empty());
	const std::vector<std::string> warning = {"WARNING: CPU: 1 PID: 42 at fs/ext4/move_extent.c:123"};
	CHECK(kernel_log_problems(warning, "loop3", true) == warning);
}

TEST_CASE("donors left: files named like e4mext's default donors")
{
	char templ[] = "/tmp/e4mext-stress-test.XXXXXX";
	REQUIRE(::mkdtemp(templ));
	const std::string dir = templ;
	std::filesystem::create_directory(dir + "/sub");
	std::ofstream(dir + "/orig") << "data";
	std::ofstream(dir + "/sub/orig.e4mext-donor.1") << "left";
	CHECK(donors_left(dir) == std::vector<std::string>{dir + "/sub/orig.e4mext-donor.1"});
	std::filesystem::remove_all(dir);
	CHECK(donors_left(dir).empty());
}
