// The CI gate: candidate medians against base medians, case by case, on one metric.
// A case regresses only when its median drops by more than max_regression AND the drop is
// significant: one-sided Mann-Whitney U (candidate lower; statistics.hpp), its p held to the
// Holm-Bonferroni level over every case compared, so that the chance of failing on noise alone
// stays at most 5% per gate, however many cases there are. A drop over
// the threshold that is not significant is inconclusive: reported with the runs per side that
// would settle it, not failed. A case without a usable run in the candidate fails; cases only in
// the candidate are listed as new.
#pragma once

#include "compare.hpp"
#include "result_set.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace e4mext::report {

using GateMetric = Metric;

struct Percentage {
	double percent = 5;      // 5 = five percent
	std::string text = "5%"; // as the user gave it
};

struct GateOptions {
	Percentage max_regression;
	GateMetric metric = GateMetric::iops;
	std::size_t min_samples = 3; // runs required per case on each side
};

enum class GateOutcome { pass, regressed, inconclusive, missing, added };

struct GateFinding {
	std::string label;
	GateOutcome outcome = GateOutcome::pass;
	double base = 0; // median of the metric
	double candidate = 0;
	double change = 0; // (candidate - base) / base
	std::size_t base_n = 0;
	std::size_t candidate_n = 0;
	RankTest test;                  // one-sided: is the candidate lower? (its significance: after Holm)
	double level = 0;               // the p this case had to reach (Holm); 0: the step-down stopped before it
	std::size_t runs_to_settle = 0; // inconclusive: runs per side that would settle it
};

struct GateVerdict {
	GateOptions options;
	std::string base_label;
	std::string candidate_label;
	std::string base_load;      // ResultSet::load_summary(): the gate cannot tell a slower kernel
	std::string candidate_load; // from a busier machine, so it shows what metadata.txt recorded
	std::vector<GateFinding> findings;
	std::size_t tested = 0; // cases compared, the Holm family

	bool passed() const;
	std::size_t regressions() const; // regressed or missing
	std::size_t inconclusive() const;
};

// "5%" or "5" (five percent), "0.5%"; in [0, 100). A bare number below 1 ("0.05") is refused:
// it reads as a fraction but would mean a twentieth of a percent. Throws UsageError.
// `option` names the option in the message.
Percentage parse_percentage(std::string_view text, std::string_view option = "--max-regression");
GateMetric parse_gate_metric(std::string_view text); // "iops" or "bw"; throws UsageError

// Throws InputError when the base has no usable case or a case has fewer runs than min_samples.
GateVerdict run_gate(const ResultSet &base, const ResultSet &candidate, const GateOptions &options);

// One case whose two sides ran side by side in one run, so that the machine's speed cancels out
// (e4mext overhead --gate: libe4mext against fio's built-in e4defrag engine on one filesystem).
// Judged by the same rule as run_gate, over that one case. Throws InputError when a side has
// fewer runs than min_samples.
struct GateSide {
	std::string label;          // the set's name in the verdict: "e4defrag"
	std::vector<double> values; // the metric of each run
};
GateVerdict run_gate(const std::string &case_label, const GateSide &base, const GateSide &candidate, const GateOptions &options);

std::string render_gate_text(const GateVerdict &verdict);
std::string render_gate_markdown(const GateVerdict &verdict);
std::string render_gate_json(const GateVerdict &verdict);

} // namespace e4mext::report
