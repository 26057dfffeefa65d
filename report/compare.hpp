// Comparing two result sets case by case: both blocks as the cover letter prints them, then per
// case the ratio of medians (candidate / base, "17.1x"), the % change and the significance.
#pragma once

#include "render.hpp"
#include "result_set.hpp"
#include "statistics.hpp"

#include <optional>
#include <string>
#include <vector>

namespace e4mext::report {

struct CaseComparison {
    CaseKey key;
    std::optional<CaseResult> base;
    std::optional<CaseResult> candidate;
    Significance iops_significance = Significance::too_few_runs;
    Significance bw_significance = Significance::too_few_runs;

    bool in_both() const { return base && candidate; }
    std::optional<double> iops_ratio() const; // candidate / base of the medians; none when base is 0
    std::optional<double> bw_ratio() const;
};

struct Comparison {
    const ResultSet* base = nullptr;
    const ResultSet* candidate = nullptr;
    std::vector<CaseResult> base_cases;
    std::vector<CaseResult> candidate_cases;
    std::vector<CaseComparison> cases; // union of both sets' cases, in table order
    VaryingDimensions varying;         // computed over both sets, so labels match
};

Comparison compare_sets(const ResultSet& base, const ResultSet& candidate);

std::string format_ratio(double ratio);  // 3 significant figures: "1.09x", "17.1x", "146x"
std::string format_change(double ratio); // "+9.3%", "-10.0%"

std::string render_comparison(const Comparison& comparison, OutputFormat format); // text, markdown, json

} // namespace e4mext::report
