#include "gate.hpp"

#include "input_error.hpp"
#include "num2str.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace e4mext::report {

namespace {

std::string percent(double fraction)
{
	std::array<char, 32> text{};
	std::snprintf(text.data(), text.size(), "%+.1f%%", fraction * 100.0);
	return text.data();
}

std::string threshold_text(const Percentage &p)
{
	std::ostringstream out;
	out << p.percent << "%";
	return out.str();
}

const char *outcome_name(GateOutcome outcome)
{
	switch (outcome) {
	case GateOutcome::pass: return "ok";
	case GateOutcome::regressed: return "regressed";
	case GateOutcome::inconclusive: return "inconclusive";
	case GateOutcome::missing: return "missing";
	case GateOutcome::added: break;
	}
	return "new";
}

const char *outcome_tag(GateOutcome outcome)
{
	switch (outcome) {
	case GateOutcome::pass: return "  ok           ";
	case GateOutcome::added: return "  new          ";
	case GateOutcome::inconclusive: return "  INCONCLUSIVE ";
	case GateOutcome::regressed:
	case GateOutcome::missing: break;
	}
	return "  REGRESSION   ";
}

bool compared(const GateFinding &f)
{
	return f.outcome == GateOutcome::pass || f.outcome == GateOutcome::regressed || f.outcome == GateOutcome::inconclusive;
}

std::string level_text(double level)
{
	std::array<char, 32> text{};
	std::snprintf(text.data(), text.size(), "p<=%.2g", level);
	return text.data();
}

std::string test_text(const GateFinding &f)
{
	if (f.test.significance == Significance::too_few_runs)
		return format_p_value(f.test.p_value) + ", n too small: " + std::to_string(f.base_n) + " vs " +
		       std::to_string(f.candidate_n) + " runs cannot reach " + level_text(f.level);
	if (f.test.significance == Significance::significant)
		return format_p_value(f.test.p_value) + ", significant (needed " + level_text(f.level) + ")";
	if (f.level <= 0)
		return format_p_value(f.test.p_value) + ", not significant (Holm: a smaller p failed first)";
	return format_p_value(f.test.p_value) + ", not significant (needed " + level_text(f.level) + ")";
}

std::string settle_text(const GateFinding &f)
{
	if (f.runs_to_settle >= most_runs_estimated)
		return std::to_string(most_runs_estimated) + " or more runs per side would settle it (the spread is too wide)";
	return "about " + std::to_string(f.runs_to_settle) + " runs per side would settle it";
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
	case GateOutcome::inconclusive: break;
	}
	auto text = f.label + ": " + metric_name(metric) + " " + format_figure(metric, f.base) + " -> " +
		    format_figure(metric, f.candidate) + " (" + percent(f.change) + ", n=" + std::to_string(f.base_n) + " vs " +
		    std::to_string(f.candidate_n) + ", " + test_text(f) + ")";
	if (f.outcome == GateOutcome::inconclusive)
		text += "; " + settle_text(f);
	return text;
}

std::string summary_line(const GateVerdict &v)
{
	return std::to_string(v.regressions()) + " of " + std::to_string(v.findings.size()) + " case(s) regressed, " +
	       std::to_string(v.inconclusive()) + " inconclusive";
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

bool bare_fraction(std::string_view text, double value)
{
	return !text.ends_with('%') && value > 0 && value < 1;
}

bool tested(const GateFinding &f)
{
	return f.base_n > 0 && f.candidate_n > 0;
}

// Holm over the compared cases, then each case's outcome from its drop and its significance.
void decide(GateVerdict &verdict, const std::vector<std::pair<const Summary *, const Summary *>> &summaries)
{
	std::vector<RankTest *> tests;
	for (auto &f : verdict.findings)
		if (tested(f))
			tests.push_back(&f.test);
	verdict.tested = tests.size();
	std::vector<double> levels;
	judge_with_holm(tests, levels);
	const double strictest = significance_level / static_cast<double>(std::max<std::size_t>(1, tests.size()));
	std::size_t next = 0;
	for (std::size_t i = 0; i < verdict.findings.size(); ++i) {
		auto &f = verdict.findings[i];
		if (!tested(f))
			continue;
		f.level = levels[next++];
		const bool over_threshold = -f.change * 100.0 > verdict.options.max_regression.percent;
		if (!over_threshold) {
			f.outcome = GateOutcome::pass;
		} else if (f.test.significance == Significance::significant) {
			f.outcome = GateOutcome::regressed;
		} else {
			f.outcome = GateOutcome::inconclusive;
			f.runs_to_settle = runs_to_settle(*summaries[i].first, *summaries[i].second, f.change, strictest);
		}
	}
}

} // namespace

bool GateVerdict::passed() const
{
	return regressions() == 0;
}

std::size_t GateVerdict::regressions() const
{
	std::size_t count = 0;
	for (const auto &f : findings)
		count += (f.outcome == GateOutcome::regressed || f.outcome == GateOutcome::missing) ? 1 : 0;
	return count;
}

std::size_t GateVerdict::inconclusive() const
{
	std::size_t count = 0;
	for (const auto &f : findings)
		count += f.outcome == GateOutcome::inconclusive ? 1 : 0;
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
				 "the value is in percent: write " + threshold_text({value * 100, ""}) + " for that fraction, or " +
				 std::string(text) + "% if you mean " + std::string(text) + " percent");
	return {value, std::string(text)};
}

GateMetric parse_gate_metric(std::string_view text)
{
	return parse_metric(text);
}

GateVerdict run_gate(const ResultSet &base, const ResultSet &candidate, const GateOptions &options)
{
	const auto comparison = compare_sets({&base, &candidate});
	if (comparison.set_cases[0].empty())
		throw InputError(base.label + ": no usable result in the base (every job failed or wrote nothing)");
	GateVerdict verdict;
	verdict.options = options;
	verdict.base_label = base.label;
	verdict.candidate_label = candidate.label;
	verdict.base_load = base.load_summary();
	verdict.candidate_load = candidate.load_summary();
	const auto metric = options.metric;
	std::vector<std::pair<const Summary *, const Summary *>> summaries; // base, candidate per finding
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
		if (b) {
			f.base = static_cast<double>(b->median(metric));
			f.base_n = b->iops.n;
		}
		if (c) {
			f.candidate = static_cast<double>(c->median(metric));
			f.candidate_n = c->iops.n;
		}
		if (!c) {
			f.outcome = GateOutcome::missing;
		} else if (!b) {
			f.outcome = GateOutcome::added;
		} else {
			f.change = f.base > 0 ? (f.candidate - f.base) / f.base : 0.0;
			f.test = mann_whitney(b->summary(metric).values, c->summary(metric).values, Alternative::less);
		}
		verdict.findings.push_back(std::move(f));
		summaries.emplace_back(b ? &b->summary(metric) : nullptr, c ? &c->summary(metric) : nullptr);
	}
	decide(verdict, summaries);
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
	f.test = mann_whitney(b.values, c.values, Alternative::less);
	verdict.findings.push_back(std::move(f));
	decide(verdict, {{&b, &c}});
	return verdict;
}

std::string render_gate_text(const GateVerdict &v)
{
	std::ostringstream out;
	out << "gate: " << v.candidate_label << " against " << v.base_label << ", metric " << metric_name(v.options.metric)
	    << ", max regression " << threshold_text(v.options.max_regression) << " and significant (one-sided "
	    << "Mann-Whitney U, Holm over " << v.tested << " cases, alpha 0.05), min samples " << v.options.min_samples << "\n";
	if (const auto load = load_line(v); !load.empty())
		out << "gate: " << load << "\n";
	for (const auto &f : v.findings)
		out << outcome_tag(f.outcome) << finding_text(v, f) << "\n";
	out << "gate: " << (v.passed() ? "PASS" : "FAIL") << ", " << summary_line(v) << "\n";
	return out.str();
}

std::string render_gate_markdown(const GateVerdict &v)
{
	std::ostringstream out;
	out << "### e4mext gate: " << (v.passed() ? "PASS" : "FAIL") << "\n\n";
	out << markdown_cell(v.candidate_label) << " against " << markdown_cell(v.base_label) << ", metric "
	    << metric_name(v.options.metric) << ", max regression " << threshold_text(v.options.max_regression)
	    << " and significant (one-sided Mann-Whitney U, Holm over " << v.tested << " cases, alpha 0.05): " << summary_line(v)
	    << ".\n\n";
	if (const auto load = load_line(v); !load.empty())
		out << markdown_cell(load) << "\n\n";
	out << "| case | verdict | " << markdown_cell(v.base_label) << " | " << markdown_cell(v.candidate_label)
	    << " | change | n | test |\n|---|---|---:|---:|---:|---|---|\n";
	for (const auto &f : v.findings) {
		out << "| " << markdown_cell(f.label) << " | " << outcome_name(f.outcome) << " | "
		    << (f.base_n ? format_figure(v.options.metric, f.base) : "-") << " | "
		    << (f.candidate_n ? format_figure(v.options.metric, f.candidate) : "-") << " | "
		    << (compared(f) ? percent(f.change) : "-") << " | " << f.base_n << " vs " << f.candidate_n << " | "
		    << (compared(f) ? markdown_cell(test_text(f)) : "-")
		    << (f.outcome == GateOutcome::inconclusive ? "; " + settle_text(f) : "") << " |\n";
	}
	return out.str();
}

std::string render_gate_json(const GateVerdict &v)
{
	nlohmann::ordered_json out;
	out["verdict"] = v.passed() ? "pass" : "fail";
	out["base"] = v.base_label;
	out["candidate"] = v.candidate_label;
	out["base_load"] = v.base_load;
	out["candidate_load"] = v.candidate_load;
	out["metric"] = v.options.metric == GateMetric::iops ? "iops" : "bw";
	out["max_regression"] = v.options.max_regression.text;
	out["max_regression_percent"] = v.options.max_regression.percent;
	out["test"] = "one-sided Mann-Whitney U (candidate lower), Holm-Bonferroni over the cases compared, alpha 0.05";
	out["cases_tested"] = v.tested;
	out["min_samples"] = v.options.min_samples;
	out["regressions"] = v.regressions();
	out["inconclusive"] = v.inconclusive();
	out["cases"] = nlohmann::ordered_json::array();
	for (const auto &f : v.findings) {
		nlohmann::ordered_json row;
		row["case"] = f.label;
		row["outcome"] = outcome_name(f.outcome);
		row["base"] = f.base;
		row["candidate"] = f.candidate;
		row["change_percent"] = f.change * 100.0;
		row["base_n"] = f.base_n;
		row["candidate_n"] = f.candidate_n;
		if (compared(f)) {
			row["p_value"] = f.test.p_value;
			row["p_needed"] = f.level;
			row["significance"] = describe(f.test.significance);
		}
		if (f.outcome == GateOutcome::inconclusive)
			row["runs_to_settle"] = f.runs_to_settle;
		out["cases"].push_back(std::move(row));
	}
	return out.dump(2) + "\n";
}

} // namespace e4mext::report
