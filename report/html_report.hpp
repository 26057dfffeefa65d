// `report BASE CAND -o DIR`: a self-contained HTML page (inline SVG chart, the comparison, both
// tables, the runs' metadata) and its Markdown twin, for sharing a comparison.
// Writes DIR/report.html, DIR/report.md and DIR/report.svg (the chart the Markdown links to).
#pragma once

#include "compare.hpp"
#include "result_set.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace e4mext::report {

std::string html_escaped(std::string_view text);

std::string render_html_report(const Comparison& comparison, const std::string& inline_svg);
std::string render_markdown_report(const Comparison& comparison, const std::string& chart_file);

// Throws InputError/PlotError; creates dir if needed.
void write_report(const ResultSet& base, const ResultSet& candidate, const std::filesystem::path& dir);

} // namespace e4mext::report
