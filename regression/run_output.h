// Where a run's results go: stdout in the suite's own line format (the default, which the host's
// `e4mext regression` parses) or as TAP (--tap), and optionally a JUnit XML file (--junit FILE).
#pragma once

#include "report_formats.h"

#include <chrono>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>

namespace e4mext::regress {

// Thrown when --junit FILE cannot be written: a usage error, reported before any case runs.
struct JunitUnwritable : std::runtime_error {
	using std::runtime_error::runtime_error;
};

class RunOutput {
public:
	// Opens (creates or empties) the JUnit file now, so that a path that cannot be written stops
	// the run before it starts. `junit_path` "" writes none.
	RunOutput(bool tap, const std::string &junit_path);

	bool tap() const { return tap_; }
	// JUnit <property> (kernel, behaviour, ...).
	void property(const std::string &name, const std::string &value);

	// Nothing can run (no root): TAP's skip-all plan, a JUnit file with the run skipped; the default
	// format prints `move-ext-regression: SKIP: <reason>`.
	void skip_all(const std::string &reason);
	// The number of test points to come (TAP's plan); nothing in the default format.
	void plan(size_t count);
	// Commentary, "# <text>" in either format.
	void comment(const std::string &text);
	// A case's result: `default_line` in the default format, a test point in TAP; recorded for JUnit
	// (rewritten after every case, marked unfinished until finish(), so a crash leaves what ran).
	void result(const CaseReport &report, const std::string &default_line);
	// The run stops before its end: `move-ext-regression: <why>` on `plain` in the default format,
	// "Bail out!" in TAP; the JUnit file gets an error.
	void abort_run(const std::string &why, std::ostream &plain);
	// The run's end: the summary line (a comment in TAP) and the final JUnit file. False when the
	// JUnit file could not be written (said on stderr).
	bool finish(const std::string &summary);

private:
	bool write_junit();

	bool tap_;
	std::string junit_path_;
	JunitRun junit_;
	size_t next_number_ = 1;
	std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

} // namespace e4mext::regress
