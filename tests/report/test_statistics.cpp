// Median and spread, Student's t from Boost.Math, the Mann-Whitney U test and the repeats estimate.
#include "statistics.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

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
	CHECK(odd.values == std::vector<double>{1, 3, 5});
	CHECK(relative_stddev_percent(odd) == Approx(200.0 / 3));
	CHECK(summarize({1, 2, 3, 10}).median == 2.5);
	const auto one = summarize({7});
	CHECK(one.median == 7);
	CHECK(one.stddev == 0);
	CHECK(summarize({}).n == 0);
}

TEST_CASE("Student's t quantiles and intervals", "[statistics]")
{
	CHECK(t_quantile(0.975, 1) == Approx(12.7062047));
	CHECK(t_quantile(0.975, 4) == Approx(2.7764451));
	CHECK(t_quantile(0.975, 30) == Approx(2.0422725));
	CHECK(t_quantile(0.975, 1000) == Approx(1.9623391));
	CHECK(t_quantile(0.95, 10) == Approx(1.8124611));
	const auto ci = confidence_interval_95(summarize({9, 10, 11, 10, 10}));
	CHECK(ci.low == Approx(10 - 2.7764451 * std::sqrt(0.5) / std::sqrt(5.0)));
	CHECK(ci.high == Approx(10 + 2.7764451 * std::sqrt(0.5) / std::sqrt(5.0)));
}

TEST_CASE("Mann-Whitney U, exact", "[statistics]")
{
	SECTION("3 vs 3 fully separated: one-sided p = 1/20 reaches 0.05, two-sided cannot")
	{
		const auto less = mann_whitney({4, 5, 6}, {1, 2, 3}, Alternative::less);
		CHECK(less.u == 0);
		CHECK(less.p_value == Approx(0.05));
		CHECK(less.exact);
		CHECK(less.significance == Significance::significant);
		const auto two = mann_whitney({4, 5, 6}, {1, 2, 3}, Alternative::two_sided);
		CHECK(two.p_value == Approx(0.1));
		CHECK(two.smallest_possible_p == Approx(0.1));
		CHECK(two.significance == Significance::too_few_runs);
		const auto higher = mann_whitney({1, 2, 3}, {4, 5, 6}, Alternative::less);
		CHECK(higher.u == 9);
		CHECK(higher.p_value == Approx(1.0));
		CHECK(higher.significance == Significance::not_significant);
	}
	SECTION("5 vs 5 fully separated: two-sided p = 2/252")
	{
		const auto test = mann_whitney({100, 101, 99, 100.5, 102}, {90, 91, 89, 90.5, 92}, Alternative::two_sided);
		CHECK(test.p_value == Approx(2.0 / 252));
		CHECK(test.significance == Significance::significant);
	}
	SECTION("interleaved runs are not significant")
	{
		const auto test = mann_whitney({1, 3, 5, 7, 9}, {2, 4, 6, 8, 10}, Alternative::two_sided);
		CHECK(test.u == 15);
		CHECK(test.p_value > 0.5);
		CHECK(test.significance == Significance::not_significant);
	}
	SECTION("ties count half and shape the exact distribution")
	{
		// pooled 10 20 20 30: mid-ranks 1 2.5 2.5 4; the 6 splits give U 0.5 0.5 2 2 3.5 3.5
		const auto test = mann_whitney({10, 20}, {20, 30}, Alternative::two_sided);
		CHECK(test.u == 3.5);
		CHECK(test.p_value == Approx(4.0 / 6));
		CHECK(test.significance == Significance::too_few_runs);
	}
	SECTION("more than 20 runs: normal approximation")
	{
		std::vector<double> base, candidate;
		for (int i = 0; i < 11; ++i) {
			base.push_back(100 + i);
			candidate.push_back(50 + i);
		}
		const auto test = mann_whitney(base, candidate, Alternative::less);
		CHECK_FALSE(test.exact);
		CHECK(test.p_value < 0.001);
		CHECK(test.significance == Significance::significant);
	}
	SECTION("an empty side")
	{
		CHECK(mann_whitney({}, {1, 2}, Alternative::less).significance == Significance::too_few_runs);
	}
	CHECK(describe(Significance::too_few_runs) == "n too small");
	CHECK(format_p_value(0.0079) == "p=0.008");
	CHECK(format_p_value(0.0001) == "p<0.001");
}

TEST_CASE("Holm-Bonferroni levels", "[statistics]")
{
	// the smallest p is held to alpha/3, the next to alpha/2, the last to alpha
	CHECK(holm_levels({0.04, 0.001, 0.02}) == std::vector<double>{0.05, 0.05 / 3, 0.025});
	// once one fails, the larger ones get no level at all
	CHECK(holm_levels({0.04, 0.001, 0.03}) == std::vector<double>{0, 0.05 / 3, 0.025});
	CHECK(holm_levels({0.5, 0.02}) == std::vector<double>{0.05, 0.025});
	CHECK(holm_levels({0.5, 0.03}) == std::vector<double>{0, 0.025});
	CHECK(reaches_level(1.0 / 20, 0.05));
	CHECK_FALSE(reaches_level(0.01, 0));
}

TEST_CASE("runs that would settle a difference", "[statistics]")
{
	// A clear 10% drop with 1% spread: the floor, one more run than made.
	CHECK(runs_to_settle(summarize({100, 101, 99, 100, 100}), summarize({90, 91, 89}), -0.10) == 6);
	// 10% spread for a 10% drop needs about a dozen runs per side.
	const auto noisy = runs_to_settle(summarize({100, 110, 90}), summarize({90, 99, 81}), -0.10);
	CHECK(noisy >= 10);
	CHECK(noisy <= 20);
	// A smaller drop with the same spread needs more.
	CHECK(runs_to_settle(summarize({100, 110, 90}), summarize({95, 104.5, 85.5}), -0.05) > noisy);
	CHECK(runs_to_settle(summarize({1, 1}), summarize({1}), 0) == 3);
	// at a stricter level the rank test alone needs 5 runs: 1/C(10,5) = 1/252 <= 0.05/6
	CHECK(runs_to_settle(summarize({1, 1}), summarize({1}), 0, 0.05 / 6) == 5);
}

TEST_CASE("the decision rule: changed, equivalent, undecided", "[statistics][decision]")
{
	DecisionRule rule; // 5%, alpha 0.05, one case, one look
	SECTION("3 vs 3 runs of a 15x change decide it")
	{
		const auto d = decide({32.9, 37.6, 31.5}, {441, 489, 670}, rule);
		CHECK(d.verdict == Verdict::changed);
		CHECK(d.low > 1.05);
		CHECK(d.ratio == Approx(std::exp((std::log(441.0) + std::log(489.0) + std::log(670.0)) / 3 -
						 (std::log(32.9) + std::log(37.6) + std::log(31.5)) / 3)));
	}
	SECTION("a tight 1% difference is equivalent within 5%")
	{
		const auto d = decide({100, 101, 99, 100, 100}, {101, 102, 100, 101, 101}, rule);
		CHECK(d.verdict == Verdict::equivalent);
		CHECK(d.low > 0.95);
		CHECK(d.high < 1.05);
	}
	SECTION("a wide spread is undecided, with the runs it would need")
	{
		const auto d = decide({100, 130, 80}, {90, 120, 70}, rule);
		CHECK(d.verdict == Verdict::undecided);
		CHECK(d.runs_needed > 3);
		// the same spread with a clear drop needs fewer runs than with a drop near the threshold
		const auto clearer = decide({100, 130, 80}, {50, 65, 40}, rule);
		CHECK((clearer.verdict == Verdict::changed || clearer.runs_needed < d.runs_needed));
	}
	SECTION("significant but within the threshold is not a change")
	{
		const auto d = decide({100, 100.1, 99.9, 100, 100}, {97, 97.1, 96.9, 97, 97}, rule);
		CHECK(d.p_value < 0.001);
		CHECK(d.verdict == Verdict::equivalent);
	}
	SECTION("cases and looks spend alpha: Bonferroni")
	{
		rule.cases = 6;
		rule.looks = 10;
		CHECK(rule.level() == Approx(0.05 / 60));
		const auto one = decide({100, 104, 96}, {90, 93, 87}, DecisionRule{});
		const auto sixty = decide({100, 104, 96}, {90, 93, 87}, rule);
		CHECK(sixty.low < one.low);
		CHECK(sixty.high > one.high);
	}
	SECTION("one run on a side has no spread: undecided")
	{
		const auto d = decide({100}, {50, 51}, rule);
		CHECK(d.verdict == Verdict::undecided);
		CHECK(d.runs_needed >= 3);
	}
	SECTION("identical runs: no spread, the ratio decides")
	{
		CHECK(decide({100, 100}, {100, 100}, rule).verdict == Verdict::equivalent);
		CHECK(decide({100, 100}, {50, 50}, rule).verdict == Verdict::changed);
	}
	SECTION("the rule holds its error rate: no change, many looks, false verdicts near alpha or below")
	{
		// 1000 bench runs of two identical kernels (log-normal, 20% spread), each looking after
		// every round from 3 to 10 runs per side and stopping at its first "changed": the share
		// that ever says "changed" must stay at most alpha (0.05).
		rule.cases = 1;
		rule.looks = 8;
		std::uint64_t state = 12345;
		const auto uniform = [&state] {
			state = state * 6364136223846793005ULL + 1442695040888963407ULL;
			return (static_cast<double>(state >> 11) + 0.5) / 9007199254740992.0;
		};
		const auto normal = [&] {
			return std::sqrt(-2 * std::log(uniform())) * std::cos(2 * 3.14159265358979 * uniform());
		};
		int false_changes = 0;
		const int trials = 1000;
		for (int t = 0; t < trials; ++t) {
			std::vector<double> a, b;
			for (int round = 1; round <= 10; ++round) {
				a.push_back(100 * std::exp(0.2 * normal()));
				b.push_back(100 * std::exp(0.2 * normal()));
				if (round >= 3 && decide(a, b, rule).verdict == Verdict::changed) {
					++false_changes;
					break;
				}
			}
		}
		CHECK(static_cast<double>(false_changes) / trials <= 0.05);
	}
}
