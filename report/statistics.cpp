#include "statistics.hpp"

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace e4mext::report {

namespace {

constexpr std::size_t largest_exact_pool = 20;                        // C(20, 10) = 184756 splits at most
constexpr double rank_test_efficiency = 3.0 / 3.14159265358979323846; // Mann-Whitney vs t, normal data
constexpr double settling_power = 0.8;

bool reaches(double p, double alpha)
{
	return p <= alpha * (1 + 1e-9); // exact p-values such as 1/20 must count as 0.05
}

double binomial(std::size_t n, std::size_t k)
{
	double result = 1;
	for (std::size_t i = 1; i <= k; ++i)
		result = result * static_cast<double>(n - k + i) / static_cast<double>(i);
	return result;
}

// Twice the mid-ranks (1-based) of the pooled values, so that tied ranks stay integers.
std::vector<std::int64_t> doubled_midranks(const std::vector<double> &pooled)
{
	std::vector<std::size_t> order(pooled.size());
	std::iota(order.begin(), order.end(), 0);
	std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return pooled[a] < pooled[b]; });
	std::vector<std::int64_t> ranks(pooled.size());
	for (std::size_t i = 0; i < order.size();) {
		std::size_t j = i;
		while (j + 1 < order.size() && pooled[order[j + 1]] == pooled[order[i]])
			++j;
		const auto doubled = static_cast<std::int64_t>(i + 1 + j + 1); // first + last position
		for (std::size_t k = i; k <= j; ++k)
			ranks[order[k]] = doubled;
		i = j + 1;
	}
	return ranks;
}

// Twice U for a candidate rank sum (doubled): 2U = 2R - n2(n2 + 1).
std::int64_t doubled_u(std::int64_t doubled_rank_sum, std::size_t n2)
{
	return doubled_rank_sum - static_cast<std::int64_t>(n2 * (n2 + 1));
}

struct PValues {
	double p = 1;
	double smallest = 1;
};

// Every split of the pooled runs into base and candidate, counted (Gosper's hack over bitmasks).
PValues exact_p(const std::vector<std::int64_t> &ranks, std::size_t n2, std::int64_t observed, Alternative alternative)
{
	const std::size_t n = ranks.size();
	const std::int64_t doubled_mean = static_cast<std::int64_t>((n - n2) * n2); // 2 * n1 n2 / 2
	const auto distance = [&](std::int64_t u2) -> std::int64_t {
		return u2 > doubled_mean ? u2 - doubled_mean : doubled_mean - u2;
	};
	std::vector<std::int64_t> all;
	all.reserve(static_cast<std::size_t>(binomial(n, n2)));
	for (std::uint32_t mask = (1u << n2) - 1; mask < (1u << n);) {
		std::int64_t sum = 0;
		for (std::size_t i = 0; i < n; ++i)
			if (mask & (1u << i))
				sum += ranks[i];
		all.push_back(doubled_u(sum, n2));
		const std::uint32_t low = mask & -mask;
		const std::uint32_t ripple = mask + low;
		mask = (((ripple ^ mask) >> 2) / low) | ripple;
	}
	const auto total = static_cast<double>(all.size());
	const auto share = [&](auto extreme) {
		return static_cast<double>(std::count_if(all.begin(), all.end(), extreme)) / total;
	};
	PValues result;
	if (alternative == Alternative::less) {
		const auto lowest = *std::min_element(all.begin(), all.end());
		result.p = share([&](std::int64_t u2) { return u2 <= observed; });
		result.smallest = share([&](std::int64_t u2) { return u2 <= lowest; });
	} else {
		std::int64_t farthest = 0;
		for (auto u2 : all)
			farthest = std::max(farthest, distance(u2));
		result.p = share([&](std::int64_t u2) { return distance(u2) >= distance(observed); });
		result.smallest = share([&](std::int64_t u2) { return distance(u2) >= farthest; });
	}
	return result;
}

PValues approximate_p(const std::vector<double> &pooled, std::size_t n2, double u, Alternative alternative)
{
	const auto n = static_cast<double>(pooled.size());
	const auto n1 = n - static_cast<double>(n2);
	const auto m2 = static_cast<double>(n2);
	std::vector<double> sorted = pooled;
	std::sort(sorted.begin(), sorted.end());
	double ties = 0;
	for (std::size_t i = 0; i < sorted.size();) {
		std::size_t j = i;
		while (j + 1 < sorted.size() && sorted[j + 1] == sorted[i])
			++j;
		const auto t = static_cast<double>(j - i + 1);
		ties += t * t * t - t;
		i = j + 1;
	}
	const double mean = n1 * m2 / 2;
	const double sigma = std::sqrt(n1 * m2 / 12 * ((n + 1) - ties / (n * (n - 1))));
	const boost::math::normal_distribution<double> normal;
	PValues result;
	result.smallest = (alternative == Alternative::less ? 1.0 : 2.0) / binomial(pooled.size(), n2);
	if (sigma <= 0)
		return result; // every run equal: nothing to tell apart
	if (alternative == Alternative::less) {
		result.p = boost::math::cdf(normal, (u - mean + 0.5) / sigma);
	} else {
		const double z = (std::fabs(u - mean) - 0.5) / sigma;
		result.p = std::min(1.0, 2 * boost::math::cdf(boost::math::complement(normal, std::max(0.0, z))));
	}
	return result;
}

// The fewest runs per side with which the one-sided rank test can reach alpha at all.
std::size_t fewest_runs_for_rank_test(double alpha)
{
	std::size_t m = 1;
	while (m < most_runs_estimated && !reaches(1.0 / binomial(2 * m, m), alpha))
		++m;
	return m;
}

double pooled_relative_stddev(const Summary &base, const Summary &candidate)
{
	const double degrees = static_cast<double>(base.n + candidate.n) - 2;
	if (degrees <= 0 || base.median <= 0)
		return 0;
	const double pooled_variance =
		(base.stddev * base.stddev * static_cast<double>(base.n ? base.n - 1 : 0) +
		 candidate.stddev * candidate.stddev * static_cast<double>(candidate.n ? candidate.n - 1 : 0)) /
		degrees;
	return std::sqrt(pooled_variance) / base.median;
}

struct LogSample {
	double mean = 0;
	double variance = 0; // sample variance (n - 1)
	std::size_t n = 0;
};

LogSample log_sample(const std::vector<double> &values)
{
	LogSample s;
	s.n = values.size();
	if (s.n == 0)
		return s;
	std::vector<double> logs;
	for (double v : values)
		logs.push_back(std::log(std::max(v, std::numeric_limits<double>::min())));
	s.mean = std::accumulate(logs.begin(), logs.end(), 0.0) / static_cast<double>(s.n);
	if (s.n >= 2) {
		double squares = 0;
		for (double l : logs)
			squares += (l - s.mean) * (l - s.mean);
		s.variance = squares / static_cast<double>(s.n - 1);
	}
	return s;
}

// The runs per side at which an interval at `level` around a difference of `margin` (log scale)
// would exclude the margin's far end with 80% power, for a per-run standard deviation `spread`.
std::size_t runs_for_margin(double spread, double margin, double level)
{
	if (margin <= 0)
		return most_runs_estimated;
	if (spread <= 0)
		return 2;
	// The normal approximation is a lower bound (t quantiles exceed z): start there.
	const boost::math::normal_distribution<double> normal;
	const double z = boost::math::quantile(normal, 1 - level / 2) + boost::math::quantile(normal, settling_power);
	const double start = std::ceil(2 * z * z * spread * spread / (margin * margin));
	if (start >= static_cast<double>(most_runs_estimated))
		return most_runs_estimated;
	for (auto n = std::max<std::size_t>(2, static_cast<std::size_t>(start)); n < most_runs_estimated; ++n) {
		const double degrees = 2.0 * static_cast<double>(n) - 2;
		const double z = t_quantile(1 - level / 2, degrees) + t_quantile(settling_power, degrees);
		if (z * spread * std::sqrt(2.0 / static_cast<double>(n)) <= margin)
			return n;
	}
	return most_runs_estimated;
}

} // namespace

double DecisionRule::level() const
{
	return alpha / static_cast<double>(std::max<std::size_t>(1, cases) * std::max<std::size_t>(1, looks));
}

Decision decide(const std::vector<double> &base, const std::vector<double> &candidate, const DecisionRule &rule)
{
	Decision d;
	d.level = rule.level();
	const auto b = log_sample(base);
	const auto c = log_sample(candidate);
	const double difference = c.mean - b.mean;
	d.ratio = std::exp(difference);
	const double lower_bound = std::log(1 - rule.threshold);
	const double upper_bound = std::log(1 + rule.threshold);
	const bool beyond = difference < lower_bound || difference > upper_bound;
	if (b.n < 2 || c.n < 2) {
		d.low = 0;
		d.high = std::numeric_limits<double>::infinity();
		d.runs_needed = std::max<std::size_t>({3, b.n + 1, c.n + 1});
		return d;
	}
	const double vb = b.variance / static_cast<double>(b.n);
	const double vc = c.variance / static_cast<double>(c.n);
	const double se = std::sqrt(vb + vc);
	double half = 0;
	if (se > 0) {
		const double degrees =
			(vb + vc) * (vb + vc) / (vb * vb / static_cast<double>(b.n - 1) + vc * vc / static_cast<double>(c.n - 1));
		half = t_quantile(1 - d.level / 2, degrees) * se;
		const boost::math::students_t_distribution<double> t(degrees);
		d.p_value = 2 * boost::math::cdf(boost::math::complement(t, std::fabs(difference) / se));
	} else {
		d.p_value = difference == 0 ? 1 : 0;
	}
	d.low = std::exp(difference - half);
	d.high = std::exp(difference + half);
	const bool excludes_no_change = difference - half > 0 || difference + half < 0;
	if (excludes_no_change && beyond)
		d.verdict = Verdict::changed;
	else if (difference - half > lower_bound && difference + half < upper_bound)
		d.verdict = Verdict::equivalent;
	if (d.verdict != Verdict::undecided)
		return d;
	const double spread = std::sqrt((b.variance * static_cast<double>(b.n - 1) + c.variance * static_cast<double>(c.n - 1)) /
					static_cast<double>(b.n + c.n - 2));
	const double margin = beyond ? std::fabs(difference) : std::min(difference - lower_bound, upper_bound - difference);
	d.runs_needed = std::max({runs_for_margin(spread, margin, d.level), b.n + 1, c.n + 1});
	d.runs_needed = std::min(d.runs_needed, most_runs_estimated);
	return d;
}

std::string describe(Verdict verdict)
{
	switch (verdict) {
	case Verdict::changed: return "changed";
	case Verdict::equivalent: return "equivalent";
	case Verdict::undecided: break;
	}
	return "undecided";
}

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
	s.values = std::move(values);
	return s;
}

double relative_stddev_percent(const Summary &summary)
{
	return summary.median > 0 ? summary.stddev / summary.median * 100.0 : 0.0;
}

double t_quantile(double probability, double degrees_of_freedom)
{
	const boost::math::students_t_distribution<double> t(degrees_of_freedom);
	return boost::math::quantile(t, probability);
}

Interval confidence_interval_95(const Summary &summary)
{
	if (summary.n < 2)
		return {summary.mean, summary.mean};
	const double half =
		t_quantile(0.975, static_cast<double>(summary.n - 1)) * summary.stddev / std::sqrt(static_cast<double>(summary.n));
	return {summary.mean - half, summary.mean + half};
}

RankTest mann_whitney(const std::vector<double> &base, const std::vector<double> &candidate, Alternative alternative)
{
	RankTest test;
	if (base.empty() || candidate.empty())
		return test;
	std::vector<double> pooled = base;
	pooled.insert(pooled.end(), candidate.begin(), candidate.end());
	const auto n2 = candidate.size();
	const auto ranks = doubled_midranks(pooled);
	// The candidate occupies the last n2 positions of pooled.
	std::int64_t candidate_rank_sum = 0;
	for (std::size_t i = base.size(); i < pooled.size(); ++i)
		candidate_rank_sum += ranks[i];
	const auto observed = doubled_u(candidate_rank_sum, n2);
	test.u = static_cast<double>(observed) / 2;
	PValues p;
	if (pooled.size() <= largest_exact_pool) {
		p = exact_p(ranks, n2, observed, alternative);
	} else {
		test.exact = false;
		p = approximate_p(pooled, n2, test.u, alternative);
	}
	test.p_value = p.p;
	test.smallest_possible_p = p.smallest;
	if (!reaches(test.smallest_possible_p, significance_level))
		test.significance = Significance::too_few_runs;
	else
		test.significance =
			reaches(test.p_value, significance_level) ? Significance::significant : Significance::not_significant;
	return test;
}

std::vector<double> holm_levels(const std::vector<double> &p_values, double alpha)
{
	std::vector<std::size_t> order(p_values.size());
	std::iota(order.begin(), order.end(), 0);
	std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p_values[a] < p_values[b]; });
	std::vector<double> levels(p_values.size(), 0.0);
	const auto m = p_values.size();
	for (std::size_t rank = 0; rank < m; ++rank) {
		const double level = alpha / static_cast<double>(m - rank);
		levels[order[rank]] = level;
		if (!reaches(p_values[order[rank]], level))
			break; // the step-down stops: every larger p keeps level 0
	}
	return levels;
}

bool reaches_level(double p, double level)
{
	return level > 0 && reaches(p, level);
}

std::size_t runs_to_settle(const Summary &base, const Summary &candidate, double relative_change, double alpha)
{
	const auto floor = std::max({fewest_runs_for_rank_test(alpha), base.n + 1, candidate.n + 1});
	const double spread = pooled_relative_stddev(base, candidate);
	const double effect = std::fabs(relative_change);
	if (effect <= 0 || spread <= 0)
		return floor;
	for (std::size_t n = 2; n <= most_runs_estimated; ++n) {
		const double degrees = 2.0 * static_cast<double>(n) - 2;
		const double z = t_quantile(1 - alpha, degrees) + t_quantile(settling_power, degrees);
		const double needed = 2 * z * z * spread * spread / (effect * effect);
		if (static_cast<double>(n) >= needed) {
			const auto rank_runs = static_cast<std::size_t>(std::ceil(static_cast<double>(n) / rank_test_efficiency));
			return std::min(most_runs_estimated, std::max(floor, rank_runs));
		}
	}
	return most_runs_estimated;
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

std::string format_p_value(double p)
{
	if (p < 0.001)
		return "p<0.001";
	std::array<char, 32> text{};
	std::snprintf(text.data(), text.size(), "p=%.3f", p);
	return text.data();
}

void judge_with_holm(const std::vector<RankTest *> &tests, std::vector<double> &levels)
{
	std::vector<double> p_values;
	for (const auto *test : tests)
		p_values.push_back(test->p_value);
	levels = holm_levels(p_values);
	const double strictest = significance_level / static_cast<double>(std::max<std::size_t>(1, tests.size()));
	for (std::size_t i = 0; i < tests.size(); ++i) {
		auto &test = *tests[i];
		if (reaches_level(test.p_value, levels[i]))
			test.significance = Significance::significant;
		else if (!reaches_level(test.smallest_possible_p, levels[i] > 0 ? levels[i] : strictest))
			test.significance = Significance::too_few_runs;
		else
			test.significance = Significance::not_significant;
		if (levels[i] <= 0)
			levels[i] = strictest; // what it would have needed at the least
	}
}

} // namespace e4mext::report
