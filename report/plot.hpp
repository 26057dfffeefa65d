// Charts drawn by gnuplot through gnuplot-iostream: small multiples, one panel per group of cases
// that differ only in block size (U, M, "U donor=written inplace rand", ...), block sizes along
// the x axis, one bar per set with its median written on it and a min-max bar over it; each
// panel has its own y scale, so M's bars do not vanish beside U's, and a log scale where its
// values span more than a decade (U's 4k and 1m), so no bar vanishes beside another. The y axis
// names the figure and its unit, its tics are whole numbers where the values are; the key gives
// each set's runs per case. Panels are 420x340 px, at most four per row, so the image stays
// readable whatever the number of cases. The title names the metric and each set's kernel, fio
// and e4mext versions.
// The ratio chart, for two or more sets: one row per case (table order) and the geomean, one
// horizontal bar per set after the first, from the 1.0 line (the first set) to the case's median
// over the first set's, on a log axis so that 0.5 and 2 lie equally far from it; each bar ends in
// its ratio and compare's mark (* changed, = equivalent, ? undecided: the decision rule).
// The gnuplot command is "gnuplot" unless E4MEXT_GNUPLOT names another. A gnuplot that fails, or
// an output file that is missing or empty afterwards, is an error.
#pragma once

#include "compare.hpp"
#include "result_set.hpp"

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace e4mext::report {

class PlotError : public std::runtime_error {
public:
	using std::runtime_error::runtime_error;
};

enum class PlotFormat { png, svg };

struct PlotBar {
	bool present = false; // the set has this case
	double median = 0;
	double min = 0;
	double max = 0;
	std::string text; // the median: IOPS as fio prints it, MiB/s to 3 significant figures
};

struct PlotPanel {
	std::string title;                      // group_label: "U", "M donor=written"
	std::vector<std::string> x_labels;      // the x-axis factor's labels: block sizes "4k", "32k"
	std::vector<std::vector<PlotBar>> bars; // [set][x]
};

struct PlotData {
	std::string title;                   // metric, then one line per set: label, kernel, fio, e4mext
	std::string y_label;                 // the figure and its unit: "IOPS (moves/s)"
	std::vector<std::string> set_labels; // each set's label and its runs per case: "w/o (3 runs per case)"
	std::vector<PlotPanel> panels;       // in case order: U before M, each factor's declared order
};

// IOPS, or BW in MiB/s.
PlotData plot_data_of(const std::vector<const ResultSet *> &sets, Metric metric);

// The completion latency of a move in microseconds: per group of cases a p50, a p99 and a p99.9 panel,
// each bar the median over the runs of the run's percentile (min-max over the runs). Cases
// without fio's percentiles are left out.
PlotData latency_plot_data_of(const std::vector<const ResultSet *> &sets);

// Where the latency chart of OUT goes: x.png -> x-latency.png, x.svg -> x-latency.svg.
std::filesystem::path latency_plot_path(const std::filesystem::path &output);

// In-use cases: the foreground's p99 completion latency in microseconds beside the moves and
// alone (the same job without the defragmenter), two bars per set side by side ("6.19.13-tcg
// beside the moves", "6.19.13-tcg alone"), per group of cases (M load=read-same) along the block
// sizes of the moves; each bar the median over the runs (min-max over the runs). No panels when
// no case has a foreground.
PlotData foreground_plot_data_of(const std::vector<const ResultSet *> &sets);

// Where the foreground chart of OUT goes: x.png -> x-foreground.png, x.svg -> x-foreground.svg.
std::filesystem::path foreground_plot_path(const std::filesystem::path &output);

// Format from the extension (.png or .svg); throws UsageError otherwise.
PlotFormat plot_format_for(const std::filesystem::path &output);

struct PlotSize {
	std::size_t width = 0;
	std::size_t height = 0;
};
PlotSize plot_size(const PlotData &data);

// The whole gnuplot script, data included; exposed for tests.
std::string gnuplot_script(const PlotData &data, const std::filesystem::path &output, PlotFormat format, bool log_scale);

// Draws; throws PlotError with gnuplot's first error line when it fails.
void write_plot(const PlotData &data, const std::filesystem::path &output, bool log_scale);

struct RatioBar {
	bool present = false; // both this set and the first have the case (and a median above 0)
	double ratio = 0;     // median / the first set's median
	std::string text;     // "0.90*": the ratio and compare's mark
};

struct RatioRow {
	std::string label;          // the case, or "geomean (N cases)"
	std::vector<RatioBar> bars; // one per set after the first
};

struct RatioPlotData {
	std::string title;                   // metric and base, the marks, one line per set
	std::string base_label;              // the first set: every ratio's denominator
	std::vector<std::string> set_labels; // the sets after the first
	std::vector<RatioRow> rows;          // cases in table order, then the geomean
};

// IOPS or BW ratios of every set after the first against the first.
RatioPlotData ratio_plot_data_of(const Comparison &comparison, Metric metric);

// Where the ratio chart of OUT goes: x.png -> x-ratio.png, x.svg -> x-ratio.svg.
std::filesystem::path ratio_plot_path(const std::filesystem::path &output);

PlotSize ratio_plot_size(const RatioPlotData &data);
std::string ratio_gnuplot_script(const RatioPlotData &data, const std::filesystem::path &output, PlotFormat format);

// Draws the ratio chart; errors as write_plot.
void write_ratio_plot(const RatioPlotData &data, const std::filesystem::path &output);

} // namespace e4mext::report
