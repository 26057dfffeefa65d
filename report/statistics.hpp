// The statistics of e4mext-report, in one place.
//
// Summary: median (what the tables print), min, max, mean, sample stddev, n of one case's runs.
// Confidence intervals of means use Student's t (Boost.Math students_t).
// decide(): the one decision rule of compare, the gate and the bench's rounds (below).
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
	double stddev = 0;          // sample standard deviation (n - 1); 0 for n < 2
	std::vector<double> values; // sorted ascending, the runs the figures came from
};

Summary summarize(std::vector<double> values);

// stddev as a percentage of the median ("+-1.2%"); 0 when the median is 0.
double relative_stddev_percent(const Summary &summary);

// Student's t quantile (Boost.Math): the value t with P(T <= t) = probability for the given
// degrees of freedom (> 0).
double t_quantile(double probability, double degrees_of_freedom);

struct Interval {
	double low = 0;
	double high = 0;
};
// The 95% confidence interval of the mean: mean +- t(0.975, n-1) * stddev / sqrt(n); requires n >= 2.
Interval confidence_interval_95(const Summary &summary);

inline constexpr double significance_level = 0.05; // alpha of every verdict

// decide()'s "that many or more" runs needed.
inline constexpr std::size_t most_runs_estimated = 1000;

// The decision rule of compare, the gate and the bench's rounds: one verdict per case.
//
// The change is the ratio of the candidate's runs to the base's, estimated on the log scale (the
// ratio of geometric means: rates are positive and their noise multiplies) with Welch's t (Boost.Math
// students_t). A t interval lets a few runs of a large change decide; a rank test cannot, since
// n runs per side never give it p below 1/C(2n, n) (3 vs 3: 0.05) however far apart they are.
// The interval of the ratio is taken at level 1 - a, a = alpha / (cases x looks): Bonferroni over
// the cases judged together and over the looks the data may have had (the bench's --max-rounds).
// Bonferroni over looks is the simplest alpha spending (alpha/K at each of at most K looks): the
// chance of any false verdict over every look stays at most alpha whenever the bench stops,
// however the looks correlate, and needs no planned information fractions (which O'Brien-Fleming
// spending does and an open-ended, noisy machine cannot give). Its price is a wider interval, paid
// in a round or two more.
// With threshold d (5%):
//   changed     the interval excludes 1 and the estimate lies beyond the threshold (< 1-d or > 1+d)
//   equivalent  the whole interval lies within (1-d, 1+d) (two one-sided tests at a/2 each)
//   undecided   otherwise; runs_needed: the runs per side with which the measured spread would
//               decide the measured ratio with 80% power at the same level.
enum class Verdict { changed, equivalent, undecided };

struct DecisionRule {
	double threshold = 0.05; // relative change that matters
	double alpha = significance_level;
	std::size_t cases = 1; // judged together (Bonferroni)
	std::size_t looks = 1; // the most looks the data may have had (Bonferroni)

	double level() const; // alpha / (cases * looks)
};

struct Decision {
	Verdict verdict = Verdict::undecided;
	double ratio = 1; // geometric mean of the candidate's runs over the base's
	double low = 0;   // the ratio's interval at 1 - level
	double high = 0;
	double p_value = 1;          // Welch's t, two-sided, of no change
	double level = 0;            // the a the interval was taken at
	std::size_t runs_needed = 0; // undecided: runs per side (most_runs_estimated: that many or more)
};

// Values must be positive (rates, latencies); a value <= 0 is taken as the smallest positive double.
// Fewer than two runs on a side: undecided (no spread to judge by).
Decision decide(const std::vector<double> &base, const std::vector<double> &candidate, const DecisionRule &rule);

std::string describe(Verdict verdict); // "changed", "equivalent", "undecided"

} // namespace e4mext::report
