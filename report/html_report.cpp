#include "html_report.hpp"

#include "fio_parse.hpp"
#include "input_error.hpp"
#include "num2str.hpp"
#include "plot.hpp"
#include "render.hpp"

#include <ctime>
#include <fstream>
#include <sstream>

namespace e4mext::report {

namespace fs = std::filesystem;

namespace {

std::string utc_time(std::int64_t timestamp)
{
    if (timestamp <= 0)
        return "-";
    const std::time_t t = static_cast<std::time_t>(timestamp);
    std::tm tm{};
    if (::gmtime_r(&t, &tm) == nullptr)
        return "-";
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return text;
}

std::string options_text(const FioOptions& options)
{
    std::string out;
    for (const auto& [key, value] : options)
        out += (out.empty() ? "" : " ") + key + (value.empty() ? "" : "=" + value);
    return out;
}

struct MetadataRow {
    std::string set, source, fio_version, time, jobname, case_label, status, options;
};

std::vector<MetadataRow> metadata_rows(const Comparison& cmp)
{
    std::vector<MetadataRow> rows;
    for (const auto* set : {cmp.base, cmp.candidate})
        for (const auto& m : set->measurements)
            rows.push_back({set->label, m.source, m.fio_version, utc_time(m.timestamp), m.jobname,
                            case_label(m.key, cmp.varying), describe_status(m), options_text(m.options)});
    return rows;
}

void write_text_file(const fs::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out)
        throw InputError(path.string() + ": cannot write; check the directory's permissions and free space");
}

} // namespace

std::string html_escaped(std::string_view text)
{
    std::string out;
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string render_html_report(const Comparison& cmp, const std::string& inline_svg)
{
    const auto title = "e4mext: " + cmp.candidate->label + " vs " + cmp.base->label;
    std::ostringstream out;
    out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" << html_escaped(title)
        << "</title>\n<style>\nbody{font-family:sans-serif;margin:2em;max-width:1400px}\n"
           "table{border-collapse:collapse;margin:1em 0}\nth,td{border:1px solid #bbb;padding:.25em .6em;text-align:right}\n"
           "th:first-child,td:first-child{text-align:left}\npre{background:#f4f4f4;padding:1em}\n"
           ".meta td{text-align:left;font-size:90%}\n</style>\n</head>\n<body>\n";
    out << "<h1>" << html_escaped(title) << "</h1>\n";
    out << "<h2>As the cover letter prints it</h2>\n<pre>" << html_escaped(render_comparison(cmp, OutputFormat::text))
        << "</pre>\n";
    out << "<p>Significance: n &gt;= 3 runs on both sides and disjoint 95% confidence intervals of the means; "
           "otherwise \"n too small\".</p>\n";
    out << "<h2>Chart</h2>\n" << inline_svg << "\n";
    out << "<h2>Comparison</h2>\n<table>\n<tr><th>case</th><th>IOPS " << html_escaped(cmp.base->label)
        << "</th><th>IOPS " << html_escaped(cmp.candidate->label) << "</th><th>IOPS ratio</th><th>BW "
        << html_escaped(cmp.base->label) << "</th><th>BW " << html_escaped(cmp.candidate->label)
        << "</th><th>BW ratio</th><th>n</th><th>significance (IOPS / BW)</th></tr>\n";
    for (const auto& c : cmp.cases) {
        out << "<tr><td>" << html_escaped(case_label(c.key, cmp.varying)) << "</td><td>"
            << (c.base ? format_iops(c.base->median_iops()) : "-") << "</td><td>"
            << (c.candidate ? format_iops(c.candidate->median_iops()) : "-") << "</td><td>"
            << (c.iops_ratio() ? format_ratio(*c.iops_ratio()) + " (" + format_change(*c.iops_ratio()) + ")" : "-")
            << "</td><td>" << (c.base ? format_bw(c.base->median_bw()) : "-") << "</td><td>"
            << (c.candidate ? format_bw(c.candidate->median_bw()) : "-") << "</td><td>"
            << (c.bw_ratio() ? format_ratio(*c.bw_ratio()) + " (" + format_change(*c.bw_ratio()) + ")" : "-")
            << "</td><td>" << (c.base ? c.base->iops.n : 0) << " vs " << (c.candidate ? c.candidate->iops.n : 0)
            << "</td><td>"
            << (c.in_both() ? describe(c.iops_significance) + " / " + describe(c.bw_significance) : "-")
            << "</td></tr>\n";
    }
    out << "</table>\n<h2>Runs</h2>\n<table class=\"meta\">\n<tr><th>set</th><th>file</th><th>fio</th><th>time</th>"
           "<th>job</th><th>case</th><th>status</th><th>options</th></tr>\n";
    for (const auto& row : metadata_rows(cmp))
        out << "<tr><td>" << html_escaped(row.set) << "</td><td>" << html_escaped(row.source) << "</td><td>"
            << html_escaped(row.fio_version) << "</td><td>" << row.time << "</td><td>" << html_escaped(row.jobname)
            << "</td><td>" << html_escaped(row.case_label) << "</td><td>" << html_escaped(row.status) << "</td><td>"
            << html_escaped(row.options) << "</td></tr>\n";
    out << "</table>\n<p>Generated by e4mext-report " << E4MEXT_VERSION << ".</p>\n</body>\n</html>\n";
    return out.str();
}

std::string render_markdown_report(const Comparison& cmp, const std::string& chart_file)
{
    std::ostringstream out;
    out << "# e4mext: " << markdown_cell(cmp.candidate->label) << " vs " << markdown_cell(cmp.base->label) << "\n\n";
    out << "```\n" << render_comparison(cmp, OutputFormat::text) << "```\n\n";
    out << "Significance: n >= 3 runs on both sides and disjoint 95% confidence intervals of the means; "
           "otherwise \"n too small\".\n\n";
    out << "![IOPS and BW per case](" << chart_file << ")\n\n## Comparison\n\n"
        << render_comparison(cmp, OutputFormat::markdown) << "\n## Runs\n\n";
    out << "| set | file | fio | time | job | case | status | options |\n|---|---|---|---|---|---|---|---|\n";
    for (const auto& row : metadata_rows(cmp))
        out << "| " << markdown_cell(row.set) << " | " << markdown_cell(row.source) << " | "
            << markdown_cell(row.fio_version) << " | " << row.time << " | " << markdown_cell(row.jobname) << " | "
            << markdown_cell(row.case_label) << " | " << markdown_cell(row.status) << " | "
            << markdown_cell(row.options) << " |\n";
    return out.str();
}

void write_report(const ResultSet& base, const ResultSet& candidate, const fs::path& dir)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir))
        throw InputError(dir.string() + ": cannot create the output directory" + (ec ? ": " + ec.message() : ""));
    const auto comparison = compare_sets(base, candidate);
    const auto chart = dir / "report.svg";
    write_plot(plot_data_of({&base, &candidate}), chart, false);
    auto svg = read_file_text(chart);
    if (const auto start = svg.find("<svg"); start != std::string::npos)
        svg.erase(0, start);
    write_text_file(dir / "report.html", render_html_report(comparison, svg));
    write_text_file(dir / "report.md", render_markdown_report(comparison, "report.svg"));
}

} // namespace e4mext::report
