// Charts drawn by gnuplot through gnuplot-iostream: small multiples, one panel per group of cases
// that differ only in block size (U, M, "U donor=written inplace rand", ...), block sizes along
// the x axis, one bar per set with its median written on it and a min-max bar over it; each
// panel has its own y scale, so M's bars do not vanish beside U's. Panels are 420x340 px, at most
// four per row, so the image stays readable whatever the number of cases. The title names the
// metric and each set's kernel, fio and e4mext versions.
// The gnuplot command is "gnuplot" unless E4MEXT_GNUPLOT names another. A gnuplot that fails, or
// an output file that is missing or empty afterwards, is an error.
#pragma once

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
    std::string text;     // the median: IOPS as fio prints it, MiB/s to 3 significant figures
};

struct PlotPanel {
    std::string title;                      // group_label: "U", "M donor=written"
    std::vector<std::string> x_labels;      // block sizes: "4k", "32k"
    std::vector<std::vector<PlotBar>> bars; // [set][x]
};

struct PlotData {
    std::string title;                   // metric, then one line per set: label, kernel, fio, e4mext
    std::vector<std::string> set_labels;
    std::vector<PlotPanel> panels;       // unwritten donor, copy, seq first within U and M
};

// IOPS, or BW in MiB/s.
PlotData plot_data_of(const std::vector<const ResultSet*>& sets, Metric metric);

// Format from the extension (.png or .svg); throws UsageError otherwise.
PlotFormat plot_format_for(const std::filesystem::path& output);

struct PlotSize {
    std::size_t width = 0;
    std::size_t height = 0;
};
PlotSize plot_size(const PlotData& data);

// The whole gnuplot script, data included; exposed for tests.
std::string gnuplot_script(const PlotData& data, const std::filesystem::path& output, PlotFormat format, bool log_scale);

// Draws; throws PlotError with gnuplot's first error line when it fails.
void write_plot(const PlotData& data, const std::filesystem::path& output, bool log_scale);

} // namespace e4mext::report
