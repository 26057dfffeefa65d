// What a run of move-ext-regression says, read by the host: the suite's case lines, joined with the
// crash reports of the guest's console (each attributed to the case that was running, by the
// suite's "case start" lines in the kernel log), the cases a crash or hang kept from running, and
// the kernel matrix over several kernels.
#pragma once

#include "console_scan.h"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace e4mext::runner {

// The line the suite writes to /dev/kmsg as a case starts (regression/guest.h).
inline constexpr const char *kSuiteCaseStartMarker = "e4mext-regression: case start ";

struct CaseResult {
	std::string id;
	std::string verdict;            // PASS, FAIL, NOT RUN (the suite's); CRASHED, HUNG, NOT REACHED (the host's)
	std::string seen;               // the suite's seen text; for the host's verdicts what happened
	std::string reason;             // NOT RUN's reason; for CRASHED the crash's first line
	std::vector<std::string> trace; // CRASHED: the first lines of the kernel's report
	std::string line;               // the suite's whole line, "" for the host's verdicts
};

// One kernel's run of the suite.
struct SuiteRun {
	std::string label;
	std::string behaviour = "?"; // old / new, from the suite's "# kernel" line
	std::vector<CaseResult> cases;
	std::string golden = "-"; // PASS, FAIL or NOT RUN (the golden/<behaviour> line's verdict)
	std::string summary;      // the suite's "N passed, N failed, N not run", "" when it never printed it
	std::string vm_status;    // "finished: ...", "crashed: panic", "hung: ...", "did not boot: ..."
	int passed = 0, failed = 0, not_run = 0, crashed = 0; // crashed counts CRASHED and HUNG cases
};

// The case lines of the suite's output ("id | condition | expected: ... | seen: ... | VERDICT"),
// its behaviour, golden verdict and summary.
SuiteRun parse_suite_output(std::string_view output);

struct AttributedCrash {
	std::string case_id; // "" when it came before the first case started
	CrashReport report;
};
// The console's crash reports, each with the case that had started last before it.
std::vector<AttributedCrash> attribute_crashes(std::string_view console);
// The id of the last case that started ("" when none did).
std::string last_started_case(std::string_view console);

// Joins the console's evidence into `run`: a case with a crash report is CRASHED (whatever the suite
// said of it, and added when the guest died before its line); with `hung`, the case that was running
// is HUNG; with `expected` (the ids the run should have covered) the ones missing after a crash or hang
// are NOT REACHED. Then counts the verdicts.
void join_console(SuiteRun &run, std::string_view console, bool hung, const std::vector<std::string> &expected);
void count_verdicts(SuiteRun &run);

// "validity/x | CRASHED | seen ... | reason": one line per case, the host's view (cases.txt).
std::string case_table(const SuiteRun &run);

// The value a case is compared by across kernels: its seen text when it ran, else its verdict.
std::string comparable(const CaseResult &c);

// The DAX cases (validity/dax*) of a run: "3/4 pass" (passed of those that ran), "not run", or "-"
// when the run has none.
std::string dax_summary(const SuiteRun &run);

// One kernel's run read back from the directory `e4mext regression --kernel` left (output.txt,
// console.log, metadata.txt, cases.txt): the same SuiteRun the run itself tabled, so that a matrix
// can join runs made at different times. The cases a crash kept from running are those of the
// run's own cases.txt. Throws std::runtime_error when the directory has no metadata.txt.
SuiteRun read_suite_run(const std::string &dir, const std::string &label);

// The matrix: kernel x (behaviour, passed, failed, not run, crashed, golden, DAX, VM status), then every
// case whose results differ between the kernels that got to it, with the kernels of each result.
std::string kernel_matrix(const std::vector<SuiteRun> &runs);

} // namespace e4mext::runner
