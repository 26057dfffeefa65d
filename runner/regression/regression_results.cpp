#include "regression_results.h"

#include "file_text.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>
#include <sstream>
#include <stdexcept>

namespace e4mext::runner {

namespace {

std::vector<std::string> split_lines(std::string_view text)
{
	std::vector<std::string> lines;
	std::string line;
	std::istringstream in{std::string(text)};
	while (std::getline(in, line)) {
		if (!line.empty() && line.back() == '\r')
			line.pop_back();
		lines.push_back(line);
	}
	return lines;
}

std::vector<std::string> split_fields(const std::string &line)
{
	std::vector<std::string> fields;
	size_t start = 0;
	for (size_t at; (at = line.find(" | ", start)) != std::string::npos; start = at + 3)
		fields.push_back(line.substr(start, at - start));
	fields.push_back(line.substr(start));
	return fields;
}

bool starts_with(const std::string &s, const std::string &prefix)
{
	return s.rfind(prefix, 0) == 0;
}

// A case line's last field: "PASS", "FAIL" or "NOT RUN: reason".
bool is_verdict(const std::string &f)
{
	return f == "PASS" || f == "FAIL" || starts_with(f, "NOT RUN");
}

CaseResult *find_case(SuiteRun &run, const std::string &id)
{
	for (CaseResult &c : run.cases)
		if (c.id == id)
			return &c;
	return nullptr;
}

std::string pad(const std::string &s, size_t width)
{
	return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' ');
}

} // namespace

SuiteRun parse_suite_output(std::string_view output)
{
	SuiteRun run;
	for (const std::string &line : split_lines(output)) {
		if (starts_with(line, "# kernel ")) {
			const size_t colon = line.find(": ");
			if (colon != std::string::npos)
				run.behaviour = line.substr(colon + 2, line.find(' ', colon + 2) - colon - 2);
			continue;
		}
		unsigned p, f, n;
		if (std::sscanf(line.c_str(), "%u passed, %u failed, %u not run", &p, &f, &n) == 3) {
			run.summary = line;
			continue;
		}
		// id | condition | expected: ... | seen: ... | verdict (a NOT RUN reason may hold " | " too)
		const std::vector<std::string> fields = split_fields(line);
		size_t seen_at = 0;
		while (seen_at < fields.size() && !starts_with(fields[seen_at], "seen: "))
			++seen_at;
		if (seen_at < 3 || seen_at + 1 >= fields.size() || fields[0].find(' ') != std::string::npos)
			continue;
		std::string v = fields[seen_at + 1];
		for (size_t i = seen_at + 2; i < fields.size(); ++i)
			v += " | " + fields[i];
		if (!is_verdict(v))
			continue;
		if (starts_with(fields[0], "golden/")) {
			run.golden = v.substr(0, v.find(':'));
			continue;
		}
		CaseResult c;
		c.id = fields[0];
		c.verdict = v.substr(0, v.find(':'));
		if (v.find(": ") != std::string::npos)
			c.reason = v.substr(v.find(": ") + 2);
		c.seen = fields[seen_at].substr(6);
		c.line = line;
		run.cases.push_back(std::move(c));
	}
	return run;
}

std::vector<AttributedCrash> attribute_crashes(std::string_view console)
{
	ConsoleScanner scanner;
	std::vector<std::string> case_of_crash;
	std::string current;
	for (const std::string &raw : split_lines(console)) {
		for (const std::string &line : scanner.feed(raw + "\n")) {
			const size_t at = line.find(kSuiteCaseStartMarker);
			if (at != std::string::npos)
				current = line.substr(at + std::string(kSuiteCaseStartMarker).size());
		}
		while (case_of_crash.size() < scanner.crashes().size())
			case_of_crash.push_back(current);
	}
	scanner.finish();
	std::vector<AttributedCrash> out;
	for (size_t i = 0; i < scanner.crashes().size(); ++i)
		out.push_back({i < case_of_crash.size() ? case_of_crash[i] : current, scanner.crashes()[i]});
	return out;
}

std::string last_started_case(std::string_view console)
{
	std::string current;
	for (const std::string &line : split_lines(console)) {
		const size_t at = line.find(kSuiteCaseStartMarker);
		if (at != std::string::npos)
			current = line.substr(at + std::string(kSuiteCaseStartMarker).size());
	}
	return current;
}

void join_console(SuiteRun &run, std::string_view console, bool hung, const std::vector<std::string> &expected)
{
	const std::vector<AttributedCrash> crashes = attribute_crashes(console);
	for (const AttributedCrash &a : crashes) {
		const std::string id = a.case_id.empty() ? "(before the first case)" : a.case_id;
		CaseResult *c = find_case(run, id);
		if (!c) {
			run.cases.push_back(CaseResult{id, "", "-", "", {}, ""});
			c = &run.cases.back();
		}
		if (c->verdict == "CRASHED")
			continue; // the first report of a case is the one that matters
		c->verdict = "CRASHED";
		c->seen =
			std::string(crash_kind_name(a.report.kind)) + (c->line.empty() ? "" : " (the suite said: " + c->seen + ")");
		c->reason = a.report.first_line;
		c->trace.assign(a.report.trace.begin(), a.report.trace.begin() + std::min<size_t>(a.report.trace.size(), 8));
	}
	if (hung) {
		const std::string id = last_started_case(console);
		if (!id.empty() && !find_case(run, id))
			run.cases.push_back(
				CaseResult{id, "HUNG", "-", "still running when the guest was killed at the timeout", {}, ""});
	}
	if (!crashes.empty() || hung) {
		for (const std::string &id : expected)
			if (!find_case(run, id))
				run.cases.push_back(
					CaseResult{id, "NOT REACHED", "-", "the guest crashed or hung before this case", {}, ""});
	}
	count_verdicts(run);
}

void count_verdicts(SuiteRun &run)
{
	run.passed = run.failed = run.not_run = run.crashed = 0;
	for (const CaseResult &c : run.cases) {
		if (c.verdict == "PASS")
			++run.passed;
		else if (c.verdict == "FAIL")
			++run.failed;
		else if (c.verdict == "CRASHED" || c.verdict == "HUNG")
			++run.crashed;
		else
			++run.not_run;
	}
}

std::string case_table(const SuiteRun &run)
{
	std::ostringstream s;
	for (const CaseResult &c : run.cases) {
		s << c.id << " | " << c.verdict << " | " << c.seen << (c.reason.empty() ? "" : " | " + c.reason) << "\n";
		for (const std::string &t : c.trace)
			s << "    " << t << "\n";
	}
	return s.str();
}

std::string comparable(const CaseResult &c)
{
	if (c.verdict == "PASS" || c.verdict == "FAIL")
		return c.seen;
	if (c.verdict == "CRASHED")
		return "CRASHED: " + c.reason;
	return c.verdict;
}

std::string dax_summary(const SuiteRun &run)
{
	int cases = 0, ran = 0, passed = 0;
	for (const CaseResult &c : run.cases) {
		if (c.id.rfind("validity/dax", 0) != 0)
			continue;
		++cases;
		ran += c.verdict == "PASS" || c.verdict == "FAIL" || c.verdict == "CRASHED" || c.verdict == "HUNG";
		passed += c.verdict == "PASS";
	}
	if (cases == 0)
		return "-";
	if (ran == 0)
		return "not run";
	return std::to_string(passed) + "/" + std::to_string(ran) + " pass";
}

SuiteRun read_suite_run(const std::string &dir, const std::string &label)
{
	namespace fs = std::filesystem;
	const std::optional<std::string> metadata = read_file(fs::path(dir) / "metadata.txt");
	if (!metadata)
		throw std::runtime_error(dir + ": no metadata.txt: not a kernel's results of e4mext regression --kernel");
	SuiteRun run = parse_suite_output(read_text(fs::path(dir) / "output.txt"));
	run.label = label;
	for (const std::string &line : split_lines(*metadata))
		if (starts_with(line, "status: "))
			run.vm_status = line.substr(8);
	std::vector<std::string> expected; // the ids of the run's own table (the suite's list then)
	for (const std::string &line : split_lines(read_text(fs::path(dir) / "cases.txt")))
		if (!line.empty() && line[0] != ' ' && line.find(" | ") != std::string::npos && line[0] != '(')
			expected.push_back(line.substr(0, line.find(" | ")));
	join_console(run, read_text(fs::path(dir) / "console.log"), starts_with(run.vm_status, "hung"), expected);
	return run;
}

std::string kernel_matrix(const std::vector<SuiteRun> &runs)
{
	std::ostringstream s;
	size_t width = 8;
	for (const SuiteRun &r : runs)
		width = std::max(width, r.label.size() + 2);
	s << pad("kernel", width) << "behaviour  passed  failed  not run  crashed  golden   DAX       VM\n";
	for (const SuiteRun &r : runs) {
		char counts[128];
		std::snprintf(counts, sizeof counts, "%-9s  %6d  %6d  %7d  %7d  %-7s  %-8s  ", r.behaviour.c_str(), r.passed,
			      r.failed, r.not_run, r.crashed, r.golden.c_str(), dax_summary(r).c_str());
		s << pad(r.label, width) << counts << r.vm_status.substr(0, r.vm_status.find(':')) << "\n";
	}
	// Cases in the order of their first appearance, compared by their result on each kernel.
	std::vector<std::string> ids;
	std::set<std::string> known;
	for (const SuiteRun &r : runs)
		for (const CaseResult &c : r.cases)
			if (known.insert(c.id).second)
				ids.push_back(c.id);
	std::ostringstream diffs;
	int differing = 0;
	for (const std::string &id : ids) {
		std::vector<std::pair<std::string, std::vector<std::string>>> groups; // result -> kernels, in order
		for (const SuiteRun &r : runs) {
			auto it = std::find_if(r.cases.begin(), r.cases.end(), [&](const CaseResult &c) { return c.id == id; });
			// A kernel that never got to the case (not in its run, or stopped by a crash) is no
			// evidence of a difference: its matrix row says why.
			if (it == r.cases.end() || it->verdict == "NOT REACHED")
				continue;
			const std::string value = comparable(*it);
			auto g = std::find_if(groups.begin(), groups.end(), [&](const auto &p) { return p.first == value; });
			if (g == groups.end())
				groups.push_back({value, {r.label}});
			else
				g->second.push_back(r.label);
		}
		if (groups.size() < 2)
			continue;
		++differing;
		diffs << id << "\n";
		for (const auto &[value, kernels] : groups) {
			diffs << "    " << value << ":";
			for (const std::string &k : kernels)
				diffs << " " << k;
			diffs << "\n";
		}
	}
	s << "\ncases whose results differ between kernels: " << differing << (differing ? "\n" : " (none)\n") << diffs.str();
	return s.str();
}

} // namespace e4mext::runner
