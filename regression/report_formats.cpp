#include "report_formats.h"

#include <cstdio>

namespace e4mext::regress {

namespace {

// Bytes of the UTF-8 sequence starting at text[at], 0 when it is not valid UTF-8 (XML parsers
// refuse the whole document for one bad byte).
size_t utf8_length(std::string_view text, size_t at)
{
	const unsigned char lead = static_cast<unsigned char>(text[at]);
	const size_t length = lead < 0x80                    ? 1
			      : lead >= 0xc2 && lead <= 0xdf ? 2
			      : lead >= 0xe0 && lead <= 0xef ? 3
			      : lead >= 0xf0 && lead <= 0xf4 ? 4
							     : 0;
	if (length == 0 || at + length > text.size())
		return 0;
	for (size_t i = 1; i < length; ++i)
		if ((static_cast<unsigned char>(text[at + i]) & 0xc0) != 0x80)
			return 0;
	return length;
}

std::string escape_xml(std::string_view text, bool attribute)
{
	std::string out;
	out.reserve(text.size());
	for (size_t at = 0; at < text.size();) {
		const char c = text[at];
		const size_t length = utf8_length(text, at);
		if (length == 0) {
			out += '?';
			++at;
			continue;
		}
		at += length;
		if (length > 1) {
			out.append(text.substr(at - length, length));
			continue;
		}
		switch (c) {
		case '&': out += "&amp;"; break;
		case '<': out += "&lt;"; break;
		case '>': out += "&gt;"; break;
		case '"': out += "&quot;"; break;
		case '\'': out += "&apos;"; break;
		case '\n': out += attribute ? "&#10;" : "\n"; break;
		case '\t': out += attribute ? "&#9;" : "\t"; break;
		case '\r': out += "&#13;"; break;
		default: out += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
		}
	}
	return out;
}

// A TAP line holds one line: line breaks inside a value become spaces.
std::string one_line(std::string_view text)
{
	std::string out(text);
	for (char &c : out)
		if (c == '\n' || c == '\r')
			c = ' ';
	return out;
}

// A test point's description: '#' would start a directive and '\' escapes it (TAP 14, prove).
std::string tap_description(std::string_view text)
{
	std::string out;
	for (char c : one_line(text)) {
		if (c == '#' || c == '\\')
			out += '\\';
		out += c;
	}
	return out;
}

std::string seconds_text(double seconds)
{
	char buf[32];
	std::snprintf(buf, sizeof buf, "%.3f", seconds);
	return buf;
}

std::string attribute(const char *name, std::string_view value)
{
	return std::string(" ") + name + "=\"" + escape_xml(value, true) + "\"";
}

std::string details(const CaseReport &r)
{
	std::string text = "condition: " + r.condition + "\nexpected: " + r.expected + "\nseen: " + r.seen + "\n";
	if (!r.reason.empty())
		text += "reason: " + r.reason + "\n";
	return text;
}

std::string junit_testcase(const CaseReport &r)
{
	std::string xml = "  <testcase" + attribute("classname", group_of(r.id)) + attribute("name", r.id) +
			  attribute("time", seconds_text(r.seconds)) + ">\n";
	if (r.verdict == Verdict::Fail)
		xml += "    <failure" + attribute("message", "expected: " + r.expected + " | seen: " + r.seen) +
		       attribute("type", "unexpected outcome") + "/>\n";
	else if (r.verdict == Verdict::NotRun)
		xml += "    <skipped" + attribute("message", r.reason) + "/>\n";
	xml += "    <system-out>" + escape_xml(details(r), false) + "</system-out>\n";
	return xml + "  </testcase>\n";
}

} // namespace

std::string group_of(const std::string &id)
{
	return id.substr(0, id.find('/'));
}

std::string xml_escape(std::string_view text)
{
	return escape_xml(text, true);
}

std::string yaml_quote(std::string_view text)
{
	std::string out = "\"";
	for (char c : text) {
		switch (c) {
		case '\\': out += "\\\\"; break;
		case '"': out += "\\\""; break;
		case '\n': out += "\\n"; break;
		case '\r': out += "\\r"; break;
		case '\t': out += "\\t"; break;
		default:
			if (static_cast<unsigned char>(c) < 0x20) {
				char buf[8];
				std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(c));
				out += buf;
			} else {
				out += c;
			}
		}
	}
	return out + "\"";
}

std::string tap_header(size_t planned)
{
	return "TAP version 13\n1.." + std::to_string(planned) + "\n";
}

std::string tap_skip_all(const std::string &reason)
{
	return "TAP version 13\n1..0 # SKIP " + one_line(reason) + "\n";
}

std::string tap_test_point(size_t number, const CaseReport &r)
{
	std::string line =
		(r.verdict == Verdict::Fail ? "not ok " : "ok ") + std::to_string(number) + " - " + tap_description(r.id);
	if (r.verdict == Verdict::NotRun)
		line += " # SKIP " + one_line(r.reason); // the rest of the line is the reason: '#' may stay
	line += "\n  ---\n";
	line += "  condition: " + yaml_quote(r.condition) + "\n";
	line += "  expected: " + yaml_quote(r.expected) + "\n";
	line += "  seen: " + yaml_quote(r.seen) + "\n";
	if (!r.reason.empty())
		line += "  reason: " + yaml_quote(r.reason) + "\n";
	return line + "  ...\n";
}

std::string tap_bail_out(const std::string &why)
{
	return "Bail out! " + one_line(why) + "\n";
}

std::string junit_xml(const JunitRun &run)
{
	size_t failures = 0, skipped = run.skipped ? 1 : 0;
	for (const CaseReport &c : run.cases) {
		failures += c.verdict == Verdict::Fail;
		skipped += c.verdict == Verdict::NotRun;
	}
	const size_t errors = run.error ? 1 : 0;
	const size_t tests = run.cases.size() + errors + (run.skipped ? 1 : 0);
	std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite" + attribute("name", run.suite_name) +
			  attribute("tests", std::to_string(tests)) + attribute("failures", std::to_string(failures)) +
			  attribute("errors", std::to_string(errors)) + attribute("skipped", std::to_string(skipped)) +
			  attribute("time", seconds_text(run.seconds));
	if (!run.timestamp.empty())
		xml += attribute("timestamp", run.timestamp);
	if (!run.hostname.empty())
		xml += attribute("hostname", run.hostname);
	xml += ">\n";
	if (!run.properties.empty()) {
		xml += "  <properties>\n";
		for (const auto &[name, value] : run.properties)
			xml += "    <property" + attribute("name", name) + attribute("value", value) + "/>\n";
		xml += "  </properties>\n";
	}
	for (const CaseReport &c : run.cases)
		xml += junit_testcase(c);
	// The run as a whole, when it did not get to every case.
	auto whole_run = [&](const char *element, const std::string &message) {
		xml += "  <testcase" + attribute("classname", run.suite_name) + attribute("name", "run") + ">\n    <" + element +
		       attribute("message", message) + "/>\n  </testcase>\n";
	};
	if (run.skipped)
		whole_run("skipped", *run.skipped);
	if (run.error)
		whole_run("error", *run.error);
	return xml + "</testsuite>\n";
}

} // namespace e4mext::regress
