// The suite's results in the formats test harnesses read: TAP (meson's `protocol: 'tap'`, prove)
// and JUnit XML (CI systems). Pure functions of the results, so they are unit-tested without a
// kernel; main.cpp decides when to print or write them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace e4mext::regress {

enum class Verdict { Pass, Fail, NotRun };

// One case's (or the golden comparison's) result, in the words of the suite's default line.
struct CaseReport {
	std::string id;        // "range/orig-start-at-eof", "golden/new"
	std::string condition; // what was set up
	std::string expected;  // the expectation's text (with its note)
	std::string seen;      // what the kernel did, "-" when the case did not get that far
	Verdict verdict = Verdict::Pass;
	std::string reason; // NOT RUN: why
	double seconds = 0;
};

// The part of an id before its first '/': "validity", "range", "data", "golden".
std::string group_of(const std::string &id);

// ---- TAP (version 13: plan first, YAML diagnostics after each test point) ----

// "TAP version 13\n1..N\n".
std::string tap_header(size_t planned);
// The whole stream of a run that cannot run anything: "TAP version 13\n1..0 # SKIP <reason>\n".
std::string tap_skip_all(const std::string &reason);
// "ok N - id", "not ok N - id" or "ok N - id # SKIP reason", then a YAML block with the condition,
// expected, seen (and reason). Every value stays on one line.
std::string tap_test_point(size_t number, const CaseReport &report);
// "Bail out! <why>\n": the run stopped; a harness reports it as an error.
std::string tap_bail_out(const std::string &why);

// ---- JUnit XML ----

struct JunitRun {
	std::string suite_name = "move-ext-regression";
	std::vector<CaseReport> cases;
	std::vector<std::pair<std::string, std::string>> properties; // kernel, behaviour, ...
	std::optional<std::string> error;                            // the run stopped before its end: one errored testcase "run"
	std::optional<std::string> skipped;                          // nothing could run (no root): one skipped testcase "run"
	std::string timestamp;                                       // ISO 8601, "" to leave it out
	std::string hostname;
	double seconds = 0;
};

// One <testsuite> with tests/failures/errors/skipped counts, one <testcase classname="<group>"
// name="<id>"> per case (<failure> or <skipped> with a message, <system-out> with the details).
std::string junit_xml(const JunitRun &run);

// Text for an XML attribute or element: & < > " ' escaped, line breaks as character references
// (kept in attributes), other control characters (not allowed in XML 1.0) as '?'.
std::string xml_escape(std::string_view text);
// A YAML double-quoted scalar: "..." with \ " and control characters escaped.
std::string yaml_quote(std::string_view text);

} // namespace e4mext::regress
