// Grouped bar charts (IOPS and BW per case, one bar per labelled set) drawn by gnuplot through
// gnuplot-iostream. The gnuplot command is "gnuplot" unless E4MEXT_GNUPLOT names another.
// A gnuplot that fails, or an output file that is missing or empty afterwards, is an error.
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

struct PlotData {
    std::vector<std::string> case_labels;
    std::vector<std::string> set_labels;
    std::vector<std::vector<double>> iops; // [set][case]; 0 when the set lacks the case
    std::vector<std::vector<double>> bw_mib; // MiB/s
};

PlotData plot_data_of(const std::vector<const ResultSet*>& sets);

// Format from the extension (.png or .svg); throws UsageError otherwise.
PlotFormat plot_format_for(const std::filesystem::path& output);

// The gnuplot script (without the inline data) for data; exposed for tests.
std::string gnuplot_script(const PlotData& data, const std::filesystem::path& output, PlotFormat format, bool log_scale);

// Draws; throws PlotError with gnuplot's first error line when it fails.
void write_plot(const PlotData& data, const std::filesystem::path& output, bool log_scale);

} // namespace e4mext::report
