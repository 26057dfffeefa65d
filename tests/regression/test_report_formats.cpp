// The regression suite's TAP and JUnit writers: what a harness reads from them, escaping included.
#include "report_formats.h"

#include <catch2/catch.hpp>

using namespace e4mext::regress;

namespace {

CaseReport passed()
{
	return {"range/len-eof", "len = EOF (8 blocks)", "ok moved_len=8", "ok moved_len=8", Verdict::Pass, "", 0.25};
}

CaseReport failed()
{
	return {"range/orig-start-at-eof", "orig_start = EOF", "ENODATA moved_len=0", "ok moved_len=0", Verdict::Fail, "", 0};
}

CaseReport not_run(std::string reason)
{
	return {"validity/dax",
		"filesystem mounted -o dax",
		"EOPNOTSUPP moved_len=untouched",
		"-",
		Verdict::NotRun,
		std::move(reason),
		0};
}

size_t count(const std::string &text, const std::string &what)
{
	size_t n = 0;
	for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size()))
		++n;
	return n;
}

} // namespace

TEST_CASE("TAP: version and plan first; a run that cannot run is one skip-all plan", "[tap]")
{
	CHECK(tap_header(90) == "TAP version 13\n1..90\n");
	CHECK(tap_skip_all("needs root (loop devices, mounts)") ==
	      "TAP version 13\n1..0 # SKIP needs root (loop devices, mounts)\n");
	CHECK(tap_skip_all("two\nlines") == "TAP version 13\n1..0 # SKIP two lines\n");
	CHECK(tap_bail_out("the probes disagree:\nfix them") == "Bail out! the probes disagree: fix them\n");
}

TEST_CASE("TAP: a passing case is ok with its details in a YAML block", "[tap]")
{
	CHECK(tap_test_point(1, passed()) == "ok 1 - range/len-eof\n"
					     "  ---\n"
					     "  condition: \"len = EOF (8 blocks)\"\n"
					     "  expected: \"ok moved_len=8\"\n"
					     "  seen: \"ok moved_len=8\"\n"
					     "  ...\n");
}

TEST_CASE("TAP: a failed case is not ok", "[tap]")
{
	const std::string point = tap_test_point(3, failed());
	CHECK(point.rfind("not ok 3 - range/orig-start-at-eof\n", 0) == 0);
	CHECK(point.find("  expected: \"ENODATA moved_len=0\"\n") != std::string::npos);
	CHECK(point.find("  seen: \"ok moved_len=0\"\n") != std::string::npos);
}

TEST_CASE("TAP: a case NOT RUN is ok # SKIP with its reason, '#' in the reason included", "[tap]")
{
	const std::string point = tap_test_point(7, not_run("no pmem device # loop devices are not DAX-capable"));
	CHECK(point.rfind("ok 7 - validity/dax # SKIP no pmem device # loop devices are not DAX-capable\n", 0) == 0);
	CHECK(point.find("  reason: \"no pmem device # loop devices are not DAX-capable\"\n") != std::string::npos);
	CHECK(tap_test_point(7, not_run("two\nlines")).rfind("ok 7 - validity/dax # SKIP two lines\n", 0) == 0);
}

TEST_CASE("TAP: '#' and '\\' in a description are escaped, values stay on one line", "[tap]")
{
	CaseReport odd = passed();
	odd.id = "range/a#b\\c";
	odd.seen = "line one\nline \"two\"\t\x01";
	const std::string point = tap_test_point(2, odd);
	CHECK(point.rfind("ok 2 - range/a\\#b\\\\c\n", 0) == 0);
	CHECK(point.find("  seen: \"line one\\nline \\\"two\\\"\\t\\x01\"\n") != std::string::npos);
	CHECK(count(point, "\n") == 6); // the test point, ---, three keys, ...
}

TEST_CASE("YAML scalars are double-quoted with escapes", "[tap]")
{
	CHECK(yaml_quote("") == "\"\"");
	CHECK(yaml_quote("a \"b\" \\ c") == "\"a \\\"b\\\" \\\\ c\"");
}

TEST_CASE("XML escaping: markup characters, quotes, line breaks, control characters, bad UTF-8", "[junit]")
{
	CHECK(xml_escape("a<b & c>d \"e\" 'f'") == "a&lt;b &amp; c&gt;d &quot;e&quot; &apos;f&apos;");
	CHECK(xml_escape("one\ntwo\tthree\r") == "one&#10;two&#9;three&#13;");
	CHECK(xml_escape(std::string("nul\0bell\a", 9)) == "nul?bell?");
	CHECK(xml_escape("caf\xc3\xa9 \xe2\x86\x92") == "caf\xc3\xa9 \xe2\x86\x92"); // valid UTF-8 stays
	CHECK(xml_escape("bad \xff byte \xc3") == "bad ? byte ?");
}

TEST_CASE("JUnit: counts, one testcase per case with its group as class name", "[junit]")
{
	JunitRun run;
	run.cases = {passed(), failed(), not_run("DAX needs pmem")};
	run.properties = {{"kernel", "6.1.0-44-amd64"}, {"behaviour", "old"}};
	run.timestamp = "2026-11-05T10:20:30";
	run.seconds = 3.5;
	const std::string xml = junit_xml(run);
	CHECK(xml.rfind(
		      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"move-ext-regression\" tests=\"3\" failures=\"1\" "
		      "errors=\"0\" skipped=\"1\" time=\"3.500\" timestamp=\"2026-11-05T10:20:30\">\n",
		      0) == 0);
	CHECK(xml.find("<property name=\"kernel\" value=\"6.1.0-44-amd64\"/>") != std::string::npos);
	CHECK(xml.find("<testcase classname=\"range\" name=\"range/len-eof\" time=\"0.250\">") != std::string::npos);
	CHECK(xml.find("<failure message=\"expected: ENODATA moved_len=0 | seen: ok moved_len=0\"") != std::string::npos);
	CHECK(xml.find("<testcase classname=\"validity\" name=\"validity/dax\"") != std::string::npos);
	CHECK(xml.find("<skipped message=\"DAX needs pmem\"/>") != std::string::npos);
	CHECK(xml.find(
		      "<system-out>condition: len = EOF (8 blocks)\nexpected: ok moved_len=8\nseen: ok moved_len=8\n</system-out>") !=
	      std::string::npos);
	CHECK(count(xml, "<testcase ") == 3);
	CHECK(xml.substr(xml.size() - 13) == "</testsuite>\n");
}

TEST_CASE("JUnit: ids and messages with markup characters are escaped", "[junit]")
{
	JunitRun run;
	CaseReport odd = failed();
	odd.id = "data/<odd>&\"id\"";
	odd.condition = "a < b && c > 'd'";
	odd.seen = "error: open /mnt/x&y: ENOENT";
	CaseReport skipped = not_run("needs <pmem> & \"dax\"\nsecond line");
	run.cases = {odd, skipped};
	const std::string xml = junit_xml(run);
	CHECK(xml.find("name=\"data/&lt;odd&gt;&amp;&quot;id&quot;\"") != std::string::npos);
	CHECK(xml.find("seen: error: open /mnt/x&amp;y: ENOENT\"") != std::string::npos);
	CHECK(xml.find("condition: a &lt; b &amp;&amp; c &gt; &apos;d&apos;\n") != std::string::npos);
	CHECK(xml.find("<skipped message=\"needs &lt;pmem&gt; &amp; &quot;dax&quot;&#10;second line\"/>") != std::string::npos);
	CHECK(xml.find("<odd>") == std::string::npos);
}

TEST_CASE("JUnit: a run that stopped early or could not run says so in a testcase of its own", "[junit]")
{
	JunitRun stopped;
	stopped.cases = {passed()};
	stopped.error = "the probes disagree";
	const std::string xml = junit_xml(stopped);
	CHECK(xml.find("tests=\"2\" failures=\"0\" errors=\"1\" skipped=\"0\"") != std::string::npos);
	CHECK(xml.find("<testcase classname=\"move-ext-regression\" name=\"run\">\n    <error message=\"the probes disagree\"/>") !=
	      std::string::npos);

	JunitRun skipped;
	skipped.skipped = "needs root";
	const std::string skip_xml = junit_xml(skipped);
	CHECK(skip_xml.find("tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"1\"") != std::string::npos);
	CHECK(skip_xml.find("<skipped message=\"needs root\"/>") != std::string::npos);
}

TEST_CASE("group_of is the id up to its first '/'", "[junit]")
{
	CHECK(group_of("validity/donor-setuid") == "validity");
	CHECK(group_of("golden/new") == "golden");
	CHECK(group_of("plain") == "plain");
}
