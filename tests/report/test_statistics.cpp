// Median, spread and the significance rule.
#include "statistics.hpp"

#include <catch2/catch.hpp>

using namespace e4mext::report;

TEST_CASE("summaries", "[statistics]")
{
    const auto odd = summarize({5, 1, 3});
    CHECK(odd.n == 3);
    CHECK(odd.median == 3);
    CHECK(odd.min == 1);
    CHECK(odd.max == 5);
    CHECK(odd.mean == 3);
    CHECK(odd.stddev == Approx(2.0));
    CHECK(summarize({1, 2, 3, 10}).median == 2.5);
    const auto one = summarize({7});
    CHECK(one.median == 7);
    CHECK(one.stddev == 0);
    CHECK(summarize({}).n == 0);
}

TEST_CASE("t quantiles and intervals", "[statistics]")
{
    CHECK(t_quantile_975(1) == Approx(12.706));
    CHECK(t_quantile_975(4) == Approx(2.776));
    CHECK(t_quantile_975(30) == Approx(2.042));
    CHECK(t_quantile_975(1000) == Approx(1.980));
    const auto ci = confidence_interval_95(summarize({9, 10, 11, 10, 10}));
    CHECK(ci.low == Approx(10 - 2.776 * std::sqrt(0.5) / std::sqrt(5.0)));
    CHECK(ci.high == Approx(10 + 2.776 * std::sqrt(0.5) / std::sqrt(5.0)));
}

TEST_CASE("significance: n >= 3 and disjoint 95% confidence intervals", "[statistics]")
{
    const auto base = summarize({100, 101, 99, 100, 100});
    CHECK(judge_significance(base, summarize({90, 91, 89, 90, 90})) == Significance::significant);
    CHECK(judge_significance(base, summarize({99, 101, 100, 102, 98})) == Significance::not_significant);
    CHECK(judge_significance(base, summarize({50, 60})) == Significance::too_few_runs);
    CHECK(judge_significance(summarize({1}), summarize({2})) == Significance::too_few_runs);
    CHECK(describe(Significance::too_few_runs) == "n too small");
    CHECK(describe(Significance::significant) == "significant");
    CHECK(describe(Significance::not_significant) == "not significant");
}
