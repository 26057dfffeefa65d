// Comparing N sets case by case, the way mmtests' compare-kernels and LKP show kernels: one column
// per set, each case's median with its spread, the change against the first set, and a verdict by
// the decision rule of statistics.hpp (the gate's): changed, equivalent within the threshold, or
// undecided with the runs per side it would need. Changes are of unrounded rates (1000 * total
// I/Os / runtime in ms); a case is judged with the cases the set shares with the first set, per
// metric, as one family. The completion-latency percentiles (p50, p99, p99.9) of a move are
// judged by the same rule, each percentile its own family.
#pragma once

#include "render.hpp"
#include "result_set.hpp"
#include "statistics.hpp"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace e4mext::report {

inline constexpr std::array<Latency, 3> every_latency{Latency::p50, Latency::p99, Latency::p99_9};

struct CompareOptions {
	double threshold = 0.05; // relative change that matters (compare --threshold, gate --max-regression)
	std::size_t looks = 1;   // the most looks the runs may have had (the bench's --max-rounds)
};

// One set's figures of one case, judged against the first set's.
struct CaseCell {
	std::optional<CaseResult> result;  // none when the set lacks the case
	std::optional<double> iops_change; // (median - first median) / first median; none for the
	std::optional<double> bw_change;   // first set, a missing case or a first median of 0
	Decision iops_decision;            // against the first set's runs (statistics.hpp)
	Decision bw_decision;
	std::array<std::optional<double>, 3> latency_change; // every_latency's order; none without
	std::array<Decision, 3> latency_decision;            // percentiles on both sides
	std::optional<double> foreground_p99_change;         // in-use cases: the foreground's p99
	Decision foreground_p99_decision;                    // beside the moves, by the same rule

	std::optional<double> change(Metric metric) const { return metric == Metric::iops ? iops_change : bw_change; }
	const Decision &decision(Metric metric) const { return metric == Metric::iops ? iops_decision : bw_decision; }
	bool judged() const { return iops_change.has_value(); }
};

struct CaseRow {
	CaseFactors key;
	std::vector<CaseCell> cells; // one per set, in the sets' order

	bool in_every_set() const;
};

// Geometric mean of the medians over the cases every set has, per set.
struct GeometricMeans {
	std::size_t cases = 0;
	std::vector<double> iops; // one per set
	std::vector<double> bw;

	const std::vector<double> &of(Metric metric) const { return metric == Metric::iops ? iops : bw; }
};

struct Comparison {
	std::vector<const ResultSet *> sets;            // the first one is the base of every change
	std::vector<std::vector<CaseResult>> set_cases; // each set's cases, table order
	std::vector<CaseRow> cases;                     // the union of every set's cases, table order
	VaryingDimensions varying;                      // over every set, so labels match
	GeometricMeans geomean;
	CompareOptions options;
};

// Two or more sets. Throws UsageError for fewer.
Comparison compare_sets(const std::vector<const ResultSet *> &sets, const CompareOptions &options = {});

// "*" changed, "=" equivalent within the threshold, "?" undecided.
std::string verdict_mark(Verdict verdict);

// A judged change as the verdicts list it: "14.8x, interval 10.9x-20.3x, changed" or "...,
// undecided: needs 9 runs per side" (the ratio omitted without a change).
std::string decision_text(const std::optional<double> &change, const Decision &decision);

// text (the cover letter's blocks side by side, then per metric a table of medians, spread,
// change and mark), markdown, csv or json.
std::string render_comparison(const Comparison &comparison, OutputFormat format);

// The legend of the marks, the rule and its correction, one line.
std::string verdict_legend(const CompareOptions &options);

} // namespace e4mext::report
