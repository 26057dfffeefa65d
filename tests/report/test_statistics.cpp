// Median and spread, Student's t from Boost.Math, and the decision rule.
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
