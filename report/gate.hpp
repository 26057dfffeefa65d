// The CI gate: candidate against base, case by case, on one metric, by the decision rule of
// statistics.hpp (compare's): the ratio's interval (Welch's t on the log of the runs' unrounded
// rates, Bonferroni over the cases compared and over the looks the runs may have had).
//   regressed  a change beyond max_regression, significant, downwards;
//   pass       equivalent within max_regression, an improvement, or an interval whose low end
//              already lies above 1 - max_regression (no drop beyond it is left);
//   undecided  otherwise: reported with the runs per side the measured spread would need. The gate
//              never passes it: its exit status is its own (exit_undecided, commands.hpp) unless the caller
//              allows undecided cases.
// A case without a usable run in the candidate fails; cases only in the candidate are listed as new.
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
	std::size_t looks = 1;       // the most looks the runs may have had (the bench's --max-rounds)
};

enum class GateOutcome { pass, regressed, undecided, missing, added };
std::string describe(GateOutcome outcome); // "ok", "regressed", "undecided", "missing", "new"

struct GateFinding {
	std::string label;
	std::string case_id; // the bench's case id (case records); "" without
	GateOutcome outcome = GateOutcome::pass;
	double base = 0; // median of the metric
	double candidate = 0;
	double change = 0; // (candidate - base) / base
	std::size_t base_n = 0;
	std::size_t candidate_n = 0;
	Decision decision;                       // the decision rule's verdict, interval and runs needed
	std::string base_flags, candidate_flags; // evidence_flags() of each side: thin runs, runs cut short
};

struct GateVerdict {
	GateOptions options;
	std::string base_label;
	std::string candidate_label;
	std::string base_load;      // ResultSet::load_summary(): the gate cannot tell a slower kernel
	std::string candidate_load; // from a busier machine, so it shows what metadata.txt recorded
	std::vector<GateFinding> findings;
	std::size_t tested = 0; // cases compared, the family

	bool passed() const;             // no regression, nothing missing, nothing undecided
	std::size_t regressions() const; // regressed or missing
	std::size_t undecided() const;
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
