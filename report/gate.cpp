#include "gate.hpp"

#include "input_error.hpp"
#include "num2str.hpp"
#include "number_text.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace e4mext::report {

namespace {

const char *outcome_tag(GateOutcome outcome)
{
	switch (outcome) {
	case GateOutcome::pass: return "  ok           ";
	case GateOutcome::added: return "  new          ";
	case GateOutcome::undecided: return "  UNDECIDED    ";
	case GateOutcome::regressed:
	case GateOutcome::missing: break;
	}
	return "  REGRESSION   ";
}

bool compared(const GateFinding &f)
{
	return f.outcome == GateOutcome::pass || f.outcome == GateOutcome::regressed || f.outcome == GateOutcome::undecided;
}

std::string interval_text(const Decision &d)
{
	return "ratio interval " + format_ratio(d.low) + "-" + (std::isfinite(d.high) ? format_ratio(d.high) : std::string("inf"));
}

std::string settle_text(const GateFinding &f)
{
	if (f.decision.runs_needed >= most_runs_estimated)
		return "undecided: " + std::to_string(most_runs_estimated) +
		       " or more runs per side would decide it (the spread is too wide)";
	return "undecided: needs " + std::to_string(f.decision.runs_needed) + " runs per side";
}

std::string test_text(const GateFinding &f)
{
	return interval_text(f.decision) + ", " +
	       (f.decision.verdict == Verdict::undecided ? settle_text(f) : describe(f.decision.verdict));
}

// "; 6.18.15: THIN (< 400 moves in a run)" for each side whose runs are thin evidence.
std::string flags_text(const GateVerdict &v, const GateFinding &f)
{
	std::string text;
	for (const auto &[label, flags] :
	     {std::pair{&v.base_label, &f.base_flags}, std::pair{&v.candidate_label, &f.candidate_flags}})
		if (!flags->empty())
			text += "; " + *label + ": " + *flags;
	return text;
}

std::string finding_text(const GateVerdict &v, const GateFinding &f)
{
	const auto metric = v.options.metric;
	switch (f.outcome) {
	case GateOutcome::missing:
		return f.label + ": no usable run in " + v.candidate_label + " (" + format_figure(metric, f.base) + " in " +
		       v.base_label + ")";
	case GateOutcome::added:
		return f.label + ": only in " + v.candidate_label + " (" + format_figure(metric, f.candidate) + ")";
	case GateOutcome::pass:
	case GateOutcome::regressed:
	case GateOutcome::undecided: break;
	}
	auto text = f.label + ": " + metric_name(metric) + " " + format_figure(metric, f.base) + " -> " +
		    format_figure(metric, f.candidate) + " (" + format_change(f.change) + ", n=" + std::to_string(f.base_n) +
		    " vs " + std::to_string(f.candidate_n) + ", " + test_text(f) + flags_text(v, f) + ")";
	return text;
}

std::string summary_line(const GateVerdict &v)
{
	return std::to_string(v.regressions()) + " of " + std::to_string(v.findings.size()) + " case(s) regressed, " +
	       std::to_string(v.undecided()) + " undecided";
}

// "load: base: load average 0.72 at start, ...; cand: ..." when either set recorded its load.
std::string load_line(const GateVerdict &v)
{
	if (v.base_load.empty() && v.candidate_load.empty())
		return "";
	const auto or_unknown = [](const std::string &text) { return text.empty() ? std::string("not recorded") : text; };
	return "load: " + v.base_label + ": " + or_unknown(v.base_load) + "; " + v.candidate_label + ": " +
	       or_unknown(v.candidate_load) + " (a busier machine is slower too: compare these before blaming the kernel)";
}

// "PASS", "FAIL" or "UNDECIDED" (never a pass: the runs could not tell).
const char *headline(const GateVerdict &v)
{
	return v.regressions() > 0 ? "FAIL" : v.undecided() > 0 ? "UNDECIDED" : "PASS";
}

std::string rule_text(const GateVerdict &v)
{
	return "Welch's t on the log of the runs, ratio interval at 1 - 0.05/(" + std::to_string(v.tested) + " cases x " +
	       std::to_string(v.options.looks) + " looks), Bonferroni";
}

bool bare_fraction(std::string_view text, double value)
{
	return !text.ends_with('%') && value > 0 && value < 1;
}

// The gate's outcome of one case from its decision: only drops fail.
GateOutcome outcome_of(const Decision &d, double max_regression)
{
	if (d.verdict == Verdict::changed)
		return d.ratio < 1 ? GateOutcome::regressed : GateOutcome::pass;
	if (d.verdict == Verdict::equivalent || d.low > 1 - max_regression)
		return GateOutcome::pass;
	return GateOutcome::undecided;
}

} // namespace

std::string describe(GateOutcome outcome)
{
	switch (outcome) {
	case GateOutcome::pass: return "ok";
	case GateOutcome::regressed: return "regressed";
	case GateOutcome::undecided: return "undecided";
	case GateOutcome::missing: return "missing";
	case GateOutcome::added: break;
	}
	return "new";
}

bool GateVerdict::passed() const
{
	return regressions() == 0 && undecided() == 0;
}

std::size_t GateVerdict::regressions() const
{
	std::size_t count = 0;
	for (const auto &f : findings)
		count += (f.outcome == GateOutcome::regressed || f.outcome == GateOutcome::missing) ? 1 : 0;
	return count;
}

std::size_t GateVerdict::undecided() const
{
	std::size_t count = 0;
	for (const auto &f : findings)
		count += f.outcome == GateOutcome::undecided ? 1 : 0;
	return count;
}

Percentage parse_percentage(std::string_view text, std::string_view option)
{
	auto number = text;
	if (number.ends_with('%'))
		number.remove_suffix(1);
	double value = 0;
	const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
	if (number.empty() || ec != std::errc() || end != number.data() + number.size() || !std::isfinite(value) || value < 0 ||
	    value >= 100)
		throw UsageError(std::string(option) + " " + std::string(text) +
				 ": expected a percentage from 0 to below 100, e.g. 5%");
	if (bare_fraction(text, value))
		throw UsageError(std::string(option) + " " + std::string(text) + ": a bare number below 1 looks like a fraction; " +
				 "the value is in percent: write " + format_setting_percent(value * 100) +
				 " for that fraction, or " + std::string(text) + "% if you mean " + std::string(text) + " percent");
	return {value, std::string(text)};
}

GateMetric parse_gate_metric(std::string_view text)
{
	return parse_metric(text);
}

GateVerdict run_gate(const ResultSet &base, const ResultSet &candidate, const GateOptions &options)
{
	const auto comparison = compare_sets({&base, &candidate},
					     {options.max_regression.percent / 100.0, std::max<std::size_t>(1, options.looks)});
	if (comparison.set_cases[0].empty())
		throw InputError(base.label + ": no usable result in the base (every job failed or wrote nothing)");
	GateVerdict verdict;
	verdict.options = options;
	verdict.base_label = base.label;
	verdict.candidate_label = candidate.label;
	verdict.base_load = base.load_summary();
	verdict.candidate_load = candidate.load_summary();
	const auto metric = options.metric;
	for (const auto &row : comparison.cases) {
		GateFinding f;
		f.label = case_label(row.key, comparison.varying);
		const auto &b = row.cells[0].result;
		const auto &c = row.cells[1].result;
		for (const auto &[side, set] : {std::pair{&b, &base}, std::pair{&c, &candidate}}) {
			if (*side && (*side)->iops.n < options.min_samples)
				throw InputError(set->label + ": case " + f.label + " has " + std::to_string((*side)->iops.n) +
						 " run(s), fewer than --min-samples " + std::to_string(options.min_samples) +
						 "; add repetitions (scripts/bench --repeat) or lower --min-samples");
		}
		f.case_id = c ? c->case_id() : b ? b->case_id() : "";
		if (b) {
			f.base = b->summary(metric).median;
			f.base_n = b->iops.n;
			f.base_flags = evidence_flags(*b);
		}
		if (c) {
			f.candidate = c->summary(metric).median;
			f.candidate_n = c->iops.n;
			f.candidate_flags = evidence_flags(*c);
		}
		if (!c) {
			f.outcome = GateOutcome::missing;
		} else if (!b) {
			f.outcome = GateOutcome::added;
		} else {
			f.change = row.cells[1].change(metric).value_or(0.0);
			f.decision = row.cells[1].decision(metric);
			f.outcome = outcome_of(f.decision, options.max_regression.percent / 100.0);
			++verdict.tested;
		}
		verdict.findings.push_back(std::move(f));
	}
	return verdict;
}

GateVerdict run_gate(const std::string &case_label, const GateSide &base, const GateSide &candidate, const GateOptions &options)
{
	for (const auto *side : {&base, &candidate})
		if (side->values.size() < options.min_samples)
			throw InputError(side->label + ": " + std::to_string(side->values.size()) + " run(s) of " + case_label +
					 ", fewer than the " + std::to_string(options.min_samples) + " the gate needs");
	GateVerdict verdict;
	verdict.options = options;
	verdict.base_label = base.label;
	verdict.candidate_label = candidate.label;
	const auto b = summarize(base.values);
	const auto c = summarize(candidate.values);
	GateFinding f;
	f.label = case_label;
	f.base = b.median;
	f.candidate = c.median;
	f.base_n = b.n;
	f.candidate_n = c.n;
	f.change = f.base > 0 ? (f.candidate - f.base) / f.base : 0.0;
	DecisionRule rule;
	rule.threshold = options.max_regression.percent / 100.0;
	rule.looks = std::max<std::size_t>(1, options.looks);
	f.decision = decide(b.values, c.values, rule);
	f.outcome = outcome_of(f.decision, rule.threshold);
	verdict.findings.push_back(std::move(f));
	verdict.tested = 1;
	return verdict;
}

std::string render_gate_text(const GateVerdict &v)
{
	std::ostringstream out;
	out << "gate: " << v.candidate_label << " against " << v.base_label << ", metric " << metric_name(v.options.metric)
	    << ", max regression " << format_setting_percent(v.options.max_regression.percent) << " and significant ("
	    << rule_text(v) << "), min samples " << v.options.min_samples << "\n";
	if (const auto load = load_line(v); !load.empty())
		out << "gate: " << load << "\n";
	for (const auto &f : v.findings)
		out << outcome_tag(f.outcome) << finding_text(v, f) << "\n";
	out << "gate: " << headline(v) << ", " << summary_line(v) << "\n";
	return out.str();
}

std::string render_gate_markdown(const GateVerdict &v)
{
	std::ostringstream out;
	out << "### e4mext gate: " << headline(v) << "\n\n";
	out << markdown_cell(v.candidate_label) << " against " << markdown_cell(v.base_label) << ", metric "
	    << metric_name(v.options.metric) << ", max regression " << format_setting_percent(v.options.max_regression.percent)
	    << " and significant (" << rule_text(v) << "): " << summary_line(v) << ".\n\n";
	if (const auto load = load_line(v); !load.empty())
		out << markdown_cell(load) << "\n\n";
	out << "| case | verdict | " << markdown_cell(v.base_label) << " | " << markdown_cell(v.candidate_label)
	    << " | change | n | test |\n|---|---|---:|---:|---:|---|---|\n";
	for (const auto &f : v.findings) {
		out << "| " << markdown_cell(f.label) << " | " << describe(f.outcome) << " | "
		    << (f.base_n ? format_figure(v.options.metric, f.base) : "-") << " | "
		    << (f.candidate_n ? format_figure(v.options.metric, f.candidate) : "-") << " | "
		    << (compared(f) ? format_change(f.change) : "-") << " | " << f.base_n << " vs " << f.candidate_n << " | "
		    << (compared(f) ? markdown_cell(test_text(f) + flags_text(v, f)) : "-") << " |\n";
	}
	return out.str();
}

std::string render_gate_json(const GateVerdict &v)
{
	nlohmann::ordered_json out;
	out["verdict"] = v.regressions() > 0 ? "fail" : v.undecided() > 0 ? "undecided" : "pass";
	out["base"] = v.base_label;
	out["candidate"] = v.candidate_label;
	out["base_load"] = v.base_load;
	out["candidate_load"] = v.candidate_load;
	out["metric"] = v.options.metric == GateMetric::iops ? "iops" : "bw";
	out["max_regression"] = v.options.max_regression.text;
	out["max_regression_percent"] = v.options.max_regression.percent;
	out["test"] = rule_text(v);
	out["looks"] = v.options.looks;
	out["cases_tested"] = v.tested;
	out["min_samples"] = v.options.min_samples;
	out["regressions"] = v.regressions();
	out["undecided"] = v.undecided();
	out["cases"] = nlohmann::ordered_json::array();
	for (const auto &f : v.findings) {
		nlohmann::ordered_json row;
		row["case"] = f.label;
		row["outcome"] = describe(f.outcome);
		row["base"] = f.base;
		row["candidate"] = f.candidate;
		row["change_percent"] = f.change * 100.0;
		row["base_n"] = f.base_n;
		row["candidate_n"] = f.candidate_n;
		if (compared(f)) {
			row["ratio"] = 1 + f.change; // of the medians, as change_percent
			row["ratio_low"] = f.decision.low;
			row["ratio_high"] = std::isfinite(f.decision.high) ? nlohmann::ordered_json(f.decision.high) : nullptr;
			row["p_value"] = f.decision.p_value;
			row["level"] = f.decision.level;
			row["verdict"] = describe(f.decision.verdict);
		}
		if (f.outcome == GateOutcome::undecided)
			row["runs_needed"] = f.decision.runs_needed;
		row["base_flags"] = f.base_flags;
		row["candidate_flags"] = f.candidate_flags;
		out["cases"].push_back(std::move(row));
	}
	return out.dump(2) + "\n";
}

} // namespace e4mext::report
