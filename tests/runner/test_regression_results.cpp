// The host's reading of a regression run: the suite's lines, crash reports given to the case that
// was running (by the suite's case-start lines in the kernel log), hung and unreached cases, and
// the kernel matrix.
#include "regression_results.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace e4mext::runner;

namespace {

const char kOutput[] =
	"# kernel 6.19.13+deb13-cloud-amd64: new EXT4_IOC_MOVE_EXT (ext4_move_extent_enter tracepoint; ...)\n"
	"# filesystems on the disks of $E4MEXT_DISKS\n"
	"validity/orig-rdonly | original opened O_RDONLY | expected: EBADF moved_len=untouched | seen: EBADF moved_len=untouched | PASS\n"
	"validity/donor-wronly | donor opened O_WRONLY (enough) | expected: ok moved_len=8 | seen: ok moved_len=8 | PASS\n"
	"validity/dax | filesystem mounted -o dax | expected: EOPNOTSUPP moved_len=0 | seen: - | NOT RUN: needs pmem | it says\n"
	"range/len-eof | len = EOF | expected: ok moved_len=8 | seen: EINVAL moved_len=0 | FAIL\n"
	"golden/new | the lines above equal golden-new.txt | expected: no difference | seen: 1 cases differ | FAIL\n"
	"# 4 cases in 3.0 s\n"
	"3 passed, 2 failed, 1 not run\n";

// A console: the probe, two cases, a WARNING during the second, then a third case that panics.
const char kConsole[] = "[    9.1] e4mext-init: up\r\n"
			"[   20.0] e4mext-regression: case start behaviour-probe\r\n"
			"[   21.0] e4mext-regression: case start validity/orig-rdonly\r\n"
			"[   22.0] e4mext-regression: case start validity/donor-wronly\r\n"
			"[   22.5] ------------[ cut here ]------------\r\n"
			"[   22.5] WARNING: CPU: 1 PID: 155 at fs/ext4/move_extent.c:100 mext_move_extent+0x1/0x2\r\n"
			"[   22.5] Modules linked in:\r\n"
			"[   22.5] ---[ end trace 0000000000000000 ]---\r\n"
			"[   23.0] e4mext-regression: case start validity/dax\r\n"
			"[   23.1] e4mext-regression: case start range/len-eof\r\n"
			"[   24.0] e4mext-regression: case start range/len-eof-plus-1\r\n"
			"[   24.1] Kernel panic - not syncing: sysrq triggered crash\r\n"
			"[   24.1] CPU: 0 UID: 0 PID: 155 Comm: move-ext-regres\r\n"
			"[   24.1] Call Trace:\r\n";

} // namespace

TEST_CASE("regression results: the suite's lines, behaviour, golden verdict and summary", "[regression]")
{
	const SuiteRun run = parse_suite_output(kOutput);
	CHECK(run.behaviour == "new");
	CHECK(run.golden == "FAIL");
	CHECK(run.summary == "3 passed, 2 failed, 1 not run");
	REQUIRE(run.cases.size() == 4);
	CHECK(run.cases[0].id == "validity/orig-rdonly");
	CHECK(run.cases[0].verdict == "PASS");
	CHECK(run.cases[0].seen == "EBADF moved_len=untouched");
	CHECK(run.cases[2].verdict == "NOT RUN");
	CHECK(run.cases[2].reason == "needs pmem | it says");
	CHECK(run.cases[3].verdict == "FAIL");
}

TEST_CASE("regression results: each crash report goes to the case that had started last", "[regression]")
{
	const auto crashes = attribute_crashes(kConsole);
	REQUIRE(crashes.size() == 2);
	CHECK(crashes[0].case_id == "validity/donor-wronly");
	CHECK(crashes[0].report.kind == CrashKind::warning);
	CHECK(crashes[1].case_id == "range/len-eof-plus-1");
	CHECK(crashes[1].report.kind == CrashKind::panic);
	CHECK(crashes[1].report.first_line == "Kernel panic - not syncing: sysrq triggered crash");
	CHECK(last_started_case(kConsole) == "range/len-eof-plus-1");
}

TEST_CASE("regression results: a WARNING fails a passing case, a panic adds the case, the rest not reached", "[regression]")
{
	SuiteRun run = parse_suite_output(kOutput);
	join_console(run, kConsole, false,
		     {"validity/orig-rdonly", "validity/donor-wronly", "validity/dax", "range/len-eof", "range/len-eof-plus-1",
		      "range/len-eof-plus-2"});
	REQUIRE(run.cases.size() == 6);
	CHECK(run.cases[1].verdict == "CRASHED");
	CHECK(run.cases[1].seen == "WARNING (the suite said: ok moved_len=8)");
	CHECK(run.cases[1].reason.rfind("WARNING: CPU: 1 PID: 155 at fs/ext4/move_extent.c:100", 0) == 0);
	CHECK(run.cases[4].id == "range/len-eof-plus-1");
	CHECK(run.cases[4].verdict == "CRASHED");
	CHECK(run.cases[4].trace.front() == "CPU: 0 UID: 0 PID: 155 Comm: move-ext-regres");
	CHECK(run.cases[5].id == "range/len-eof-plus-2");
	CHECK(run.cases[5].verdict == "NOT REACHED");
	CHECK(run.passed == 1);
	CHECK(run.failed == 1);
	CHECK(run.not_run == 2);
	CHECK(run.crashed == 2);
}

TEST_CASE("regression results: a hung guest's running case is HUNG", "[regression]")
{
	SuiteRun run = parse_suite_output("validity/orig-rdonly | c | expected: ok | seen: ok | PASS\n");
	join_console(run, "e4mext-regression: case start validity/orig-rdonly\ne4mext-regression: case start data/slow\n", true,
		     {"validity/orig-rdonly", "data/slow", "data/after"});
	REQUIRE(run.cases.size() == 3);
	CHECK(run.cases[1].id == "data/slow");
	CHECK(run.cases[1].verdict == "HUNG");
	CHECK(run.cases[2].verdict == "NOT REACHED");
	CHECK(run.crashed == 1);
}

TEST_CASE("regression results: the DAX column counts the DAX cases that ran", "[regression]")
{
	SuiteRun r = parse_suite_output("# kernel 7.2.13: new EXT4_IOC_MOVE_EXT (x)\n"
					"validity/dax | c | expected: EOPNOTSUPP | seen: EOPNOTSUPP | PASS\n"
					"validity/dax-donor | c | expected: EOPNOTSUPP | seen: ok | FAIL\n"
					"validity/bigalloc | c | expected: EOPNOTSUPP | seen: EOPNOTSUPP | PASS\n");
	CHECK(dax_summary(r) == "1/2 pass");
	SuiteRun n = parse_suite_output("validity/dax | c | expected: EOPNOTSUPP | seen: - | NOT RUN: no pmem driver\n");
	CHECK(dax_summary(n) == "not run");
	CHECK(dax_summary(parse_suite_output("range/x | c | expected: ok | seen: ok | PASS\n")) == "-");
}

TEST_CASE("regression results: the matrix lists each kernel and the cases that differ", "[regression]")
{
	SuiteRun a = parse_suite_output("# kernel 6.18.15: old EXT4_IOC_MOVE_EXT (x)\n"
					"range/x | c | expected: ENODATA | seen: ENODATA | PASS\n"
					"range/y | c | expected: ok | seen: ok | PASS\n");
	SuiteRun b = parse_suite_output("# kernel 6.19.13: new EXT4_IOC_MOVE_EXT (x)\n"
					"range/x | c | expected: ok | seen: ok | PASS\n"
					"range/y | c | expected: ok | seen: ok | PASS\n");
	SuiteRun c;
	c.label = "6.12.95";
	c.vm_status = "did not boot: qemu ended";
	c.cases.push_back(CaseResult{"range/x", "NOT REACHED", "-", "the guest crashed", {}, ""});
	count_verdicts(c);
	a.label = "6.18.15";
	b.label = "6.19.13";
	a.vm_status = b.vm_status = "finished: command exit status 0";
	count_verdicts(a);
	count_verdicts(b);
	const std::string m = kernel_matrix({c, a, b});
	CHECK(m.find("kernel   behaviour  passed  failed  not run  crashed  golden   DAX       VM\n") != std::string::npos);
	CHECK(m.find("6.12.95  ?               0       0        1        0  -        -         did not boot\n") !=
	      std::string::npos);
	CHECK(m.find("6.18.15  old             2       0        0        0  -        -         finished\n") != std::string::npos);
	CHECK(m.find("6.19.13  new             2       0        0        0  -        -         finished\n") != std::string::npos);
	CHECK(m.find("cases whose results differ between kernels: 1\nrange/x\n    ENODATA: 6.18.15\n    ok: 6.19.13\n") !=
	      std::string::npos);
	CHECK(m.find("range/y") == std::string::npos);
}

TEST_CASE("regression results: a kernel's run read back from its results directory", "[regression]")
{
	namespace fs = std::filesystem;
	const fs::path dir = fs::temp_directory_path() / ("e4mext-test-read-run." + std::to_string(::getpid()));
	fs::create_directories(dir);
	const std::vector<std::string> ids = {"validity/orig-rdonly", "validity/donor-wronly", "validity/dax",
					      "range/len-eof",        "range/len-eof-plus-1",  "range/len-eof-plus-2"};
	SuiteRun live = parse_suite_output(kOutput);
	join_console(live, kConsole, false, ids);
	std::ofstream(dir / "output.txt") << kOutput;
	std::ofstream(dir / "console.log") << kConsole;
	std::ofstream(dir / "cases.txt") << case_table(live);
	std::ofstream(dir / "metadata.txt") << "kernel: 6.19.13\nstatus: crashed: panic\n";

	const SuiteRun back = read_suite_run(dir.string(), "6.19.13");
	CHECK(back.label == "6.19.13");
	CHECK(back.vm_status == "crashed: panic");
	CHECK(back.behaviour == live.behaviour);
	CHECK(back.golden == live.golden);
	CHECK(case_table(back) == case_table(live)); // the unreached case comes from the run's own table
	CHECK(back.crashed == 2);
	CHECK(back.not_run == 2);

	fs::remove(dir / "metadata.txt");
	CHECK_THROWS_WITH(read_suite_run(dir.string(), "x"), Catch::Contains("no metadata.txt"));
	fs::remove_all(dir);
}
