#include "statistics.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

namespace e4mext::report {

Summary summarize(std::vector<double> values)
{
    Summary s;
    s.n = values.size();
    if (values.empty())
        return s;
    std::sort(values.begin(), values.end());
    const auto middle = values.size() / 2;
    s.median = values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    s.min = values.front();
    s.max = values.back();
    s.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(s.n);
    if (s.n >= 2) {
        double squares = 0;
        for (double v : values)
            squares += (v - s.mean) * (v - s.mean);
        s.stddev = std::sqrt(squares / static_cast<double>(s.n - 1));
    }
    return s;
}

double t_quantile_975(std::size_t degrees_of_freedom)
{
    static constexpr std::array<double, 30> table{
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
    if (degrees_of_freedom == 0)
        return table[0];
    if (degrees_of_freedom <= table.size())
        return table[degrees_of_freedom - 1];
    // Between tabulated points take the value of the smaller df (wider interval).
    if (degrees_of_freedom <= 40)
        return 2.042;
    if (degrees_of_freedom <= 60)
        return 2.021;
    if (degrees_of_freedom <= 120)
        return 2.000;
    return 1.980;
}

Interval confidence_interval_95(const Summary& summary)
{
    const double half = summary.n < 2 ? 0.0
                                      : t_quantile_975(summary.n - 1) * summary.stddev /
                                            std::sqrt(static_cast<double>(summary.n));
    return {summary.mean - half, summary.mean + half};
}

Significance judge_significance(const Summary& base, const Summary& candidate)
{
    if (base.n < min_runs_for_significance || candidate.n < min_runs_for_significance)
        return Significance::too_few_runs;
    const auto b = confidence_interval_95(base);
    const auto c = confidence_interval_95(candidate);
    const bool disjoint = b.high < c.low || c.high < b.low;
    return disjoint ? Significance::significant : Significance::not_significant;
}

std::string describe(Significance significance)
{
    switch (significance) {
    case Significance::significant: return "significant";
    case Significance::not_significant: return "not significant";
    case Significance::too_few_runs: break;
    }
    return "n too small";
}

} // namespace e4mext::report
