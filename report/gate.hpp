// The CI gate: candidate medians against base medians, case by case, on one metric.
// A case regresses when its median drops by more than max_regression, or when it has no usable
// run in the candidate. Cases only in the candidate are listed as new and do not fail the gate.
#pragma once

#include "compare.hpp"
#include "result_set.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace e4mext::report {

enum class GateMetric { iops, bw };

struct GateOptions {
    double max_regression = 0.05; // fraction: 0.05 = 5%
    GateMetric metric = GateMetric::iops;
    std::size_t min_samples = 1;  // runs required per case on each side
};

enum class GateOutcome { pass, regressed, missing, added };

struct GateFinding {
    std::string label;
    GateOutcome outcome = GateOutcome::pass;
    double base = 0;      // median of the metric
    double candidate = 0;
    double change = 0;    // (candidate - base) / base
    std::size_t base_n = 0;
    std::size_t candidate_n = 0;
    Significance significance = Significance::too_few_runs;
};

struct GateVerdict {
    GateOptions options;
    std::string base_label;
    std::string candidate_label;
    std::vector<GateFinding> findings;

    bool passed() const;
    std::size_t regressions() const;
};

// "5%", "5" (percent) or "0.5%"; must be in [0, 100). Throws UsageError.
double parse_percentage(std::string_view text);
GateMetric parse_gate_metric(std::string_view text); // "iops" or "bw"; throws UsageError

// Throws InputError when the base has no usable case or a case has fewer runs than min_samples.
GateVerdict run_gate(const ResultSet& base, const ResultSet& candidate, const GateOptions& options);

std::string render_gate_text(const GateVerdict& verdict);
std::string render_gate_markdown(const GateVerdict& verdict);
std::string render_gate_json(const GateVerdict& verdict);

} // namespace e4mext::report
