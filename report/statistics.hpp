// Repetitions of one case: median (what the tables print), min, max, mean, sample stddev, n;
// and the significance rule used by compare (and shown by gate):
//   a change is significant when both sides have n >= 3 and the 95% confidence intervals of
//   their means (mean +- t(0.975, n-1) * stddev / sqrt(n)) do not overlap; with fewer runs the
//   answer is "n too small", never a guess.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace e4mext::report {

struct Summary {
    std::size_t n = 0;
    double median = 0;
    double min = 0;
    double max = 0;
    double mean = 0;
    double stddev = 0; // sample standard deviation (n - 1); 0 for n < 2
};

Summary summarize(std::vector<double> values);

// Two-sided 95% Student t quantile for the given degrees of freedom (>= 1), rounded up so that
// intervals err on the wide side.
double t_quantile_975(std::size_t degrees_of_freedom);

struct Interval {
    double low = 0;
    double high = 0;
};
Interval confidence_interval_95(const Summary& summary); // requires n >= 2

enum class Significance { significant, not_significant, too_few_runs };

inline constexpr std::size_t min_runs_for_significance = 3;

Significance judge_significance(const Summary& base, const Summary& candidate);

std::string describe(Significance significance); // "significant", "not significant", "n too small"

} // namespace e4mext::report
