// `report SET SET... -o DIR`: a self-contained HTML page for sharing a comparison - each set's
// metadata (kernel, machine, fio, e4mext version and git sha, date, load, and every other line of
// its metadata.txt), the cover letter's blocks, the comparison tables, the IOPS and bandwidth
// charts (inline SVG) and every run - and its Markdown twin.
// Writes DIR/report.html, DIR/report.md and the charts the Markdown links to: DIR/report-iops.svg,
// report-bw.svg, their ratio charts report-iops-ratio.svg and report-bw-ratio.svg, and, where the
// runs have fio's latency percentiles, report-latency.svg (p50, p99 and p99.9 of a move).
#pragma once

#include "compare.hpp"
#include "result_set.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace e4mext::report {

std::string html_escaped(std::string_view text);

// The metadata rows shown for the sets: the well-known ones first (kernel, machine, fio, e4mext,
// date, load), then every other metadata.txt key in the order first seen; "not recorded" where a
// set lacks one.
struct MetadataRow {
	std::string name;
	std::vector<std::string> values; // one per set
};
std::vector<MetadataRow> metadata_table(const std::vector<const ResultSet *> &sets);

struct ReportCharts {
	std::string iops_svg; // inline <svg> elements
	std::string bw_svg;
	std::string iops_ratio_svg; // each set's median over the first set's, per case
	std::string bw_ratio_svg;
	std::string latency_svg; // p50, p99 and p99.9 of a move; empty without fio's percentiles
};

std::string render_html_report(const Comparison &comparison, const ReportCharts &charts);
// The chart arguments are the SVG files' names, relative to the Markdown file.
struct ReportChartFiles {
	std::string iops, bw, iops_ratio, bw_ratio;
	std::string latency; // empty: no latency chart
};
std::string render_markdown_report(const Comparison &comparison, const ReportChartFiles &charts);

// Two or more sets. Throws UsageError/InputError/PlotError; creates dir if needed.
void write_report(const std::vector<const ResultSet *> &sets, const std::filesystem::path &dir);

} // namespace e4mext::report
