#include "gate.hpp"

#include "input_error.hpp"
#include "num2str.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace e4mext::report {

namespace {

const char* metric_name(GateMetric metric)
{
    return metric == GateMetric::iops ? "IOPS" : "BW";
}

std::string figure(GateMetric metric, double value)
{
    const auto n = value <= 0 ? 0 : static_cast<std::uint64_t>(std::llround(value));
    return metric == GateMetric::iops ? format_iops(n) : format_bw(n);
}

std::string percent(double fraction)
{
    std::array<char, 32> text{};
    std::snprintf(text.data(), text.size(), "%+.1f%%", fraction * 100.0);
    return text.data();
}

std::string plain_percent(double fraction)
{
    std::array<char, 32> text{};
    std::snprintf(text.data(), text.size(), "%.1f%%", fraction * 100.0);
    return text.data();
}

const char* outcome_name(GateOutcome outcome)
{
    switch (outcome) {
    case GateOutcome::pass: return "ok";
    case GateOutcome::regressed: return "regressed";
    case GateOutcome::missing: return "missing";
    case GateOutcome::added: break;
    }
    return "new";
}

std::string finding_text(const GateVerdict& v, const GateFinding& f)
{
    const auto metric = v.options.metric;
    switch (f.outcome) {
    case GateOutcome::missing:
        return f.label + ": no usable run in " + v.candidate_label + " (" + figure(metric, f.base) + " in " +
               v.base_label + ")";
    case GateOutcome::added:
        return f.label + ": only in " + v.candidate_label + " (" + figure(metric, f.candidate) + ")";
    case GateOutcome::pass:
    case GateOutcome::regressed: break;
    }
    return f.label + ": " + metric_name(metric) + " " + figure(metric, f.base) + " -> " + figure(metric, f.candidate) +
           " (" + percent(f.change) + ", n=" + std::to_string(f.base_n) + " vs " + std::to_string(f.candidate_n) +
           ", " + describe(f.significance) + ")";
}

} // namespace

bool GateVerdict::passed() const
{
    return regressions() == 0;
}

std::size_t GateVerdict::regressions() const
{
    std::size_t count = 0;
    for (const auto& f : findings)
        count += (f.outcome == GateOutcome::regressed || f.outcome == GateOutcome::missing) ? 1 : 0;
    return count;
}

double parse_percentage(std::string_view text)
{
    auto number = text;
    if (number.ends_with('%'))
        number.remove_suffix(1);
    double value = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (number.empty() || ec != std::errc() || end != number.data() + number.size() || !std::isfinite(value) ||
        value < 0 || value >= 100)
        throw UsageError("--max-regression " + std::string(text) + ": expected a percentage from 0 to below 100, e.g. 5%");
    return value / 100.0;
}

GateMetric parse_gate_metric(std::string_view text)
{
    if (text == "iops")
        return GateMetric::iops;
    if (text == "bw")
        return GateMetric::bw;
    throw UsageError("--metric " + std::string(text) + ": expected iops or bw");
}

GateVerdict run_gate(const ResultSet& base, const ResultSet& candidate, const GateOptions& options)
{
    const auto comparison = compare_sets(base, candidate);
    if (comparison.base_cases.empty())
        throw InputError(base.label + ": no usable result in the base (every job failed or wrote nothing)");
    GateVerdict verdict;
    verdict.options = options;
    verdict.base_label = base.label;
    verdict.candidate_label = candidate.label;
    for (const auto& c : comparison.cases) {
        GateFinding f;
        f.label = case_label(c.key, comparison.varying);
        const bool iops = options.metric == GateMetric::iops;
        for (const auto& [side, set] : {std::pair{&c.base, &base}, std::pair{&c.candidate, &candidate}}) {
            if (*side && (*side)->iops.n < options.min_samples)
                throw InputError(set->label + ": case " + f.label + " has " + std::to_string((*side)->iops.n) +
                                 " run(s), fewer than --min-samples " + std::to_string(options.min_samples) +
                                 "; add repetitions or lower --min-samples");
        }
        if (c.base) {
            f.base = static_cast<double>(iops ? c.base->median_iops() : c.base->median_bw());
            f.base_n = c.base->iops.n;
        }
        if (c.candidate) {
            f.candidate = static_cast<double>(iops ? c.candidate->median_iops() : c.candidate->median_bw());
            f.candidate_n = c.candidate->iops.n;
        }
        if (!c.candidate) {
            f.outcome = GateOutcome::missing;
        } else if (!c.base) {
            f.outcome = GateOutcome::added;
        } else {
            f.change = f.base > 0 ? (f.candidate - f.base) / f.base : 0.0;
            f.significance = iops ? c.iops_significance : c.bw_significance;
            f.outcome = -f.change > options.max_regression ? GateOutcome::regressed : GateOutcome::pass;
        }
        verdict.findings.push_back(std::move(f));
    }
    return verdict;
}

std::string render_gate_text(const GateVerdict& v)
{
    std::ostringstream out;
    out << "gate: " << v.candidate_label << " against " << v.base_label << ", metric "
        << metric_name(v.options.metric) << ", max regression " << plain_percent(v.options.max_regression)
        << ", min samples " << v.options.min_samples << "\n";
    for (const auto& f : v.findings) {
        const char* tag = f.outcome == GateOutcome::pass    ? "  ok         "
                          : f.outcome == GateOutcome::added ? "  new        "
                                                            : "  REGRESSION ";
        out << tag << finding_text(v, f) << "\n";
    }
    out << "gate: " << (v.passed() ? "PASS" : "FAIL") << ", " << v.regressions() << " of " << v.findings.size()
        << " case(s) regressed\n";
    return out.str();
}

std::string render_gate_markdown(const GateVerdict& v)
{
    std::ostringstream out;
    out << "### e4mext gate: " << (v.passed() ? "PASS" : "FAIL") << "\n\n";
    out << markdown_cell(v.candidate_label) << " against " << markdown_cell(v.base_label) << ", metric "
        << metric_name(v.options.metric) << ", max regression " << plain_percent(v.options.max_regression) << ": "
        << v.regressions() << " of " << v.findings.size() << " case(s) regressed.\n\n";
    out << "| case | verdict | " << markdown_cell(v.base_label) << " | " << markdown_cell(v.candidate_label)
        << " | change | n | significance |\n|---|---|---:|---:|---:|---|---|\n";
    for (const auto& f : v.findings) {
        const bool compared = f.outcome == GateOutcome::pass || f.outcome == GateOutcome::regressed;
        out << "| " << markdown_cell(f.label) << " | " << outcome_name(f.outcome) << " | "
            << (f.base_n ? figure(v.options.metric, f.base) : "-") << " | "
            << (f.candidate_n ? figure(v.options.metric, f.candidate) : "-") << " | "
            << (compared ? percent(f.change) : "-") << " | " << f.base_n << " vs " << f.candidate_n << " | "
            << (compared ? describe(f.significance) : "-") << " |\n";
    }
    return out.str();
}

std::string render_gate_json(const GateVerdict& v)
{
    nlohmann::ordered_json out;
    out["verdict"] = v.passed() ? "pass" : "fail";
    out["base"] = v.base_label;
    out["candidate"] = v.candidate_label;
    out["metric"] = v.options.metric == GateMetric::iops ? "iops" : "bw";
    out["max_regression"] = v.options.max_regression;
    out["min_samples"] = v.options.min_samples;
    out["regressions"] = v.regressions();
    out["cases"] = nlohmann::ordered_json::array();
    for (const auto& f : v.findings) {
        nlohmann::ordered_json row;
        row["case"] = f.label;
        row["outcome"] = outcome_name(f.outcome);
        row["base"] = f.base;
        row["candidate"] = f.candidate;
        row["change"] = f.change;
        row["base_n"] = f.base_n;
        row["candidate_n"] = f.candidate_n;
        row["significance"] = describe(f.significance);
        out["cases"].push_back(std::move(row));
    }
    return out.dump(2) + "\n";
}

} // namespace e4mext::report
