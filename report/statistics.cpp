#include "statistics.hpp"

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace e4mext::report {

namespace {

constexpr double settling_power = 0.8;

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

} // namespace e4mext::report
