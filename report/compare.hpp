// Comparing N sets case by case, the way mmtests' compare-kernels and LKP show kernels: one column
// per set, each case's median with its spread, the % change against the first set and the
// significance of that change, and a geometric-mean row over the cases every set has.
// Significance is judged as the gate judges it (gate.hpp): a Mann-Whitney U test of the runs
// (statistics.hpp) whose p must reach its Holm-Bonferroni level, the family being the cases a set
// shares with the first set on one metric - so a column of 64 cases is not marked on noise. Only
// the question differs: compare asks whether a case changed either way (two-sided), the gate
// whether it dropped (one-sided).
#pragma once

#include "render.hpp"
#include "result_set.hpp"
#include "statistics.hpp"

#include <optional>
#include <string>
#include <vector>

namespace e4mext::report {

// One set's figures of one case, judged against the first set's.
struct CaseCell {
	std::optional<CaseResult> result;  // none when the set lacks the case
	std::optional<double> iops_change; // (median - first median) / first median; none for the
	std::optional<double> bw_change;   // first set, a missing case or a first median of 0
	RankTest iops_test;                // against the first set's runs, two-sided; its significance
	RankTest bw_test;                  // is after Holm (see judge_with_holm)
	double iops_level = 0;             // the p the test had to reach (Holm)
	double bw_level = 0;

	std::optional<double> change(Metric metric) const { return metric == Metric::iops ? iops_change : bw_change; }
	const RankTest &test(Metric metric) const { return metric == Metric::iops ? iops_test : bw_test; }
	double level(Metric metric) const { return metric == Metric::iops ? iops_level : bw_level; }
};

struct CaseRow {
	CaseKey key;
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
};

// Two or more sets. Throws UsageError for fewer.
Comparison compare_sets(const std::vector<const ResultSet *> &sets);

std::string format_change(double change); // relative change: 0.093 -> "+9.3%", -0.1 -> "-10.0%"

// "*" significant, "?" too few runs to tell, "" not significant.
std::string significance_mark(Significance significance);

// text (the cover letter's blocks side by side, then per metric a table of medians, spread,
// change and mark), markdown, csv or json.
std::string render_comparison(const Comparison &comparison, OutputFormat format);

// The legend of the marks, the test and its correction, one line.
std::string significance_legend();

} // namespace e4mext::report
