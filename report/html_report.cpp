#include "html_report.hpp"

#include "fio_parse.hpp"
#include "input_error.hpp"
#include "num2str.hpp"
#include "number_text.hpp"
#include "plot.hpp"
#include "render.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
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

std::string options_text(const FioOptions &options)
{
	std::string out;
	for (const auto &[key, value] : options)
		out += (out.empty() ? "" : " ") + key + (value.empty() ? "" : "=" + value);
	return out;
}

struct RunRow {
	std::string set, source, fio_version, time, jobname, case_label, status, options;
};

std::vector<RunRow> run_rows(const Comparison &cmp)
{
	std::vector<RunRow> rows;
	for (const auto *set : cmp.sets)
		for (const auto &m : set->measurements)
			rows.push_back({set->label, m.source, m.fio_version, utc_time(m.timestamp), m.jobname,
					case_label(m.key, cmp.varying), describe_status(m), options_text(m.options)});
	return rows;
}

std::string first_run_time(const ResultSet &set)
{
	std::int64_t earliest = 0;
	for (const auto &m : set.measurements)
		if (m.timestamp > 0 && (earliest == 0 || m.timestamp < earliest))
			earliest = m.timestamp;
	return earliest ? utc_time(earliest) + " (first fio run)" : "not recorded";
}

std::string or_not_recorded(std::string value)
{
	return value.empty() ? "not recorded" : value;
}

std::string machine_of(const ResultSet &set)
{
	const auto cpu = set.metadata_value("cpu");
	const auto memory = set.metadata_value("memory");
	if (cpu.empty() && memory.empty())
		return "not recorded";
	return or_not_recorded(cpu) + ", memory " + or_not_recorded(memory);
}

std::string load_of(const ResultSet &set)
{
	const auto start = set.metadata_value("load average at start");
	const auto end = set.metadata_value("load average at end");
	if (start.empty() && end.empty())
		return "not recorded";
	return "start " + or_not_recorded(start) + "; end " + or_not_recorded(end);
}

std::string html_table_row(const std::string &cell_tag, const std::vector<std::string> &cells)
{
	std::string row = "<tr>";
	for (const auto &cell : cells)
		row += "<" + cell_tag + ">" + html_escaped(cell) + "</" + cell_tag + ">";
	return row + "</tr>\n";
}

// One figure of compare's tables: where a case's runs keep it, how it prints, and its change and
// verdict against the first set.
struct TableFigure {
	std::string caption;
	std::function<const Summary *(const CaseResult &)> summary; // nullptr: the case lacks it
	std::function<std::string(double)> format;
	std::function<std::optional<double>(const CaseCell &)> change;
	std::function<const Decision &(const CaseCell &)> decision;
};

TableFigure metric_figure(Metric metric)
{
	return {std::string(metric_name(metric)) +
			": median, stddev as % of the median, min-max, runs and the moves per run behind them; change "
			"against the first set",
		[metric](const CaseResult &r) { return &r.summary(metric); },
		[metric](double value) { return format_figure(metric, value); },
		[metric](const CaseCell &cell) { return cell.change(metric); },
		[metric](const CaseCell &cell) -> const Decision & { return cell.decision(metric); }};
}

TableFigure latency_figure(std::size_t l)
{
	const auto which = every_latency[l];
	return {std::string("completion latency of a move, ") + latency_name(which) +
			" (fio's clat percentile; median over the runs, stddev as % of it, min-max, runs); change against "
			"the first set",
		[which](const CaseResult &r) { return r.latency ? &r.latency_of(which) : nullptr; }, format_latency,
		[l](const CaseCell &cell) { return cell.latency_change[l]; },
		[l](const CaseCell &cell) -> const Decision & { return cell.latency_decision[l]; }};
}

TableFigure foreground_p99_figure()
{
	return {"foreground p99 beside the moves (in-use cases: the application's latency while the defragmenter "
		"runs; median over the runs); change against the first set",
		[](const CaseResult &r) { return r.foreground && r.foreground->loaded ? &r.foreground->loaded->p99_ns : nullptr; },
		format_latency, [](const CaseCell &cell) { return cell.foreground_p99_change; },
		[](const CaseCell &cell) -> const Decision & { return cell.foreground_p99_decision; }};
}

bool any_figure(const Comparison &cmp, const TableFigure &figure)
{
	for (const auto &row : cmp.cases)
		for (const auto &cell : row.cells)
			if (cell.result && figure.summary(*cell.result))
				return true;
	return false;
}

std::string html_comparison_table(const Comparison &cmp, const TableFigure &figure, const std::string &id,
				  const std::optional<Metric> &geomean_of)
{
	std::ostringstream out;
	std::vector<std::string> header{"case"};
	for (std::size_t s = 0; s < cmp.sets.size(); ++s) {
		header.push_back(cmp.sets[s]->label);
		if (s > 0)
			header.push_back("change vs " + cmp.sets[0]->label);
	}
	out << "<table class=\"cmp\" id=\"" << id << "\">\n<caption>" << html_escaped(figure.caption) << "</caption>\n"
	    << html_table_row("th", header);
	for (const auto &row : cmp.cases) {
		std::vector<std::string> cells{case_label(row.key, cmp.varying)};
		for (std::size_t s = 0; s < row.cells.size(); ++s) {
			const auto &cell = row.cells[s];
			const Summary *summary = cell.result ? figure.summary(*cell.result) : nullptr;
			if (summary == nullptr || summary->n == 0) {
				cells.push_back("-");
			} else {
				cells.push_back(
					figure.format(summary->median) + " +-" + format_percent(relative_stddev_percent(*summary)) +
					" (" + figure.format(summary->min) + "-" + figure.format(summary->max) +
					", n=" + std::to_string(summary->n) + "; " + moves_per_run_text(*cell.result) + ")");
			}
			if (s == 0)
				continue;
			const auto change = figure.change(cell);
			const auto &d = figure.decision(cell);
			cells.push_back(change ? format_change(*change) + verdict_mark(d.verdict) + " (" +
							 decision_text(change, d) + ")"
					       : "-");
		}
		out << html_table_row("td", cells);
	}
	if (geomean_of && cmp.geomean.cases > 0) {
		const auto &means = cmp.geomean.of(*geomean_of);
		std::vector<std::string> cells{"geomean (" + std::to_string(cmp.geomean.cases) + " cases)"};
		for (std::size_t s = 0; s < means.size(); ++s) {
			cells.push_back(figure.format(means[s]));
			if (s > 0)
				cells.push_back(means[0] > 0 ? format_change((means[s] - means[0]) / means[0]) + " (" +
								       format_ratio(means[s] / means[0]) + ")"
							     : "-");
		}
		out << html_table_row("td", cells);
	}
	out << "</table>\n";
	return out.str();
}

std::string latency_or_dash(const std::optional<LatencySummary> &latency, Latency which)
{
	if (!latency)
		return "-";
	const Summary &s = which == Latency::p50 ? latency->p50_ns : which == Latency::p99 ? latency->p99_ns : latency->p99_9_ns;
	return s.n ? format_latency(s.median) : "-";
}

// In-use cases: per case and set, the foreground's latencies beside the moves and alone (the same
// job without the defragmenter, each run side by side), their p99 ratio and the rates - the
// columns of table.md's foreground; the first row is the header. Empty when no case has one.
std::vector<std::vector<std::string>> foreground_rows(const Comparison &cmp)
{
	std::vector<std::vector<std::string>> rows{{"case", "set", "foreground", "p50", "p99", "p99.9", "alone p50", "alone p99",
						    "alone p99.9", "p99 ratio (beside / alone)", "IOPS", "alone IOPS",
						    "asked IOPS"}};
	for (const auto &row : cmp.cases)
		for (std::size_t s = 0; s < row.cells.size(); ++s) {
			const auto &cell = row.cells[s];
			if (!cell.result || !cell.result->foreground)
				continue;
			const auto &f = *cell.result->foreground;
			const auto whole = [](double value) { return std::to_string(std::llround(value)); };
			rows.push_back({case_label(row.key, cmp.varying), cmp.sets[s]->label, f.kind,
					latency_or_dash(f.loaded, Latency::p50), latency_or_dash(f.loaded, Latency::p99),
					latency_or_dash(f.loaded, Latency::p99_9), latency_or_dash(f.alone, Latency::p50),
					latency_or_dash(f.alone, Latency::p99), latency_or_dash(f.alone, Latency::p99_9),
					f.p99_ratio.n ? format_ratio(f.p99_ratio.median) : "-", whole(f.iops.median),
					f.alone_iops.n ? whole(f.alone_iops.median) : "-",
					f.rate_iops > 0 ? whole(f.rate_iops) : "-"});
		}
	if (rows.size() == 1)
		rows.clear();
	return rows;
}

constexpr const char *foreground_caption =
	"foreground beside the moves and alone: medians over the runs of fio's completion-latency percentiles (a reader's "
	"read, a writer's write, an fsyncing writer's fsync) and of the achieved rates";

std::string html_foreground_table(const Comparison &cmp)
{
	const auto rows = foreground_rows(cmp);
	if (rows.empty())
		return "";
	std::string out = "<table class=\"cmp\" id=\"foreground\">\n<caption>" + html_escaped(foreground_caption) + "</caption>\n" +
			  html_table_row("th", rows[0]);
	for (std::size_t r = 1; r < rows.size(); ++r)
		out += html_table_row("td", rows[r]);
	return out + "</table>\n";
}

std::string markdown_foreground_table(const Comparison &cmp)
{
	const auto rows = foreground_rows(cmp);
	if (rows.empty())
		return "";
	std::string out = "#### " + std::string(foreground_caption) + "\n\n";
	for (std::size_t r = 0; r < rows.size(); ++r) {
		out += "|";
		for (const auto &cell : rows[r])
			out += " " + markdown_cell(cell) + " |";
		out += "\n";
		if (r == 0) {
			out += "|---|---|---|";
			for (std::size_t c = 3; c < rows[0].size(); ++c)
				out += "---:|";
			out += "\n";
		}
	}
	return out + "\n";
}

// compare's tables: IOPS, BW, the latency of a move (p50, p99, p99.9) and, for in-use cases, the
// foreground's p99 (each judged by the decision rule) and its other figures.
std::string html_comparison_tables(const Comparison &cmp)
{
	std::string out = html_comparison_table(cmp, metric_figure(Metric::iops), "iops", Metric::iops) +
			  html_comparison_table(cmp, metric_figure(Metric::bw), "bw", Metric::bw);
	for (std::size_t l = 0; l < every_latency.size(); ++l)
		if (const auto figure = latency_figure(l); any_figure(cmp, figure))
			out += html_comparison_table(cmp, figure, std::string("latency-") + latency_name(every_latency[l]),
						     std::nullopt);
	if (const auto figure = foreground_p99_figure(); any_figure(cmp, figure))
		out += html_comparison_table(cmp, figure, "foreground-p99", std::nullopt);
	return out + html_foreground_table(cmp);
}

void write_text_file(const fs::path &path, const std::string &text)
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

std::vector<MetadataRow> metadata_table(const std::vector<const ResultSet *> &sets)
{
	std::vector<MetadataRow> rows{{"kernel", {}}, {"machine", {}},      {"fio", {}}, {"e4mext", {}},
				      {"date", {}},   {"load average", {}}, {"path", {}}};
	for (const auto *set : sets) {
		rows[0].values.push_back(set->kernel());
		rows[1].values.push_back(machine_of(*set));
		rows[2].values.push_back(set->fio_version());
		rows[3].values.push_back(set->e4mext_version());
		const auto date = set->metadata_value("date");
		rows[4].values.push_back(date.empty() ? first_run_time(*set) : date);
		rows[5].values.push_back(load_of(*set));
		rows[6].values.push_back(set->root.empty() ? "-" : set->root.string());
	}
	const std::set<std::string> shown{
		"label", "kernel", "cpu", "memory", "fio", "e4mext", "date", "load average at start", "load average at end"};
	std::vector<std::string> other_keys;
	for (const auto *set : sets)
		for (const auto &[key, value] : set->metadata)
			if (!shown.contains(key) && std::find(other_keys.begin(), other_keys.end(), key) == other_keys.end())
				other_keys.push_back(key);
	for (const auto &key : other_keys) {
		MetadataRow row{key, {}};
		for (const auto *set : sets)
			row.values.push_back(or_not_recorded(set->metadata_value(key)));
		rows.push_back(std::move(row));
	}
	return rows;
}

std::string render_html_report(const Comparison &cmp, const ReportCharts &charts)
{
	std::string title = "e4mext:";
	for (std::size_t s = 0; s < cmp.sets.size(); ++s)
		title += (s ? " vs " : " ") + cmp.sets[s]->label;
	std::ostringstream out;
	out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" << html_escaped(title)
	    << "</title>\n<style>\nbody{font-family:sans-serif;margin:2em;max-width:1700px}\n"
	       "table{border-collapse:collapse;margin:1em 0}\ncaption{text-align:left;font-weight:bold;padding:.3em 0}\n"
	       "th,td{border:1px solid #bbb;padding:.25em .6em;text-align:right}\n"
	       "th:first-child,td:first-child{text-align:left}\npre{background:#f4f4f4;padding:1em;overflow-x:auto}\n"
	       ".meta td,.runs td{text-align:left;font-size:90%}\nsvg{max-width:100%;height:auto}\n</style>\n</head>\n"
	       "<body>\n";
	out << "<h1>" << html_escaped(title) << "</h1>\n";
	out << "<h2>Sets</h2>\n<table class=\"meta\" id=\"sets\">\n";
	std::vector<std::string> header{""};
	for (const auto *set : cmp.sets)
		header.push_back(set->label);
	out << html_table_row("th", header);
	for (const auto &row : metadata_table(cmp.sets)) {
		std::vector<std::string> cells{row.name};
		cells.insert(cells.end(), row.values.begin(), row.values.end());
		out << html_table_row("td", cells);
	}
	out << "</table>\n";
	out << "<h2>As the cover letter prints it</h2>\n<pre>" << html_escaped(render_comparison(cmp, OutputFormat::text))
	    << "</pre>\n";
	out << "<h2>Comparison</h2>\n"
	    << html_comparison_tables(cmp) << "<p>" << html_escaped(verdict_legend(cmp.options)) << "</p>\n";
	out << "<h2>Charts</h2>\n"
	    << charts.iops_svg << "\n"
	    << charts.iops_ratio_svg << "\n"
	    << charts.bw_svg << "\n"
	    << charts.bw_ratio_svg << "\n"
	    << charts.latency_svg << (charts.latency_svg.empty() ? "" : "\n");
	out << "<h2>Runs</h2>\n<table class=\"runs\">\n"
	    << html_table_row("th", {"set", "file", "fio", "time", "job", "case", "status", "options"});
	for (const auto &row : run_rows(cmp))
		out << html_table_row("td", {row.set, row.source, row.fio_version, row.time, row.jobname, row.case_label,
					     row.status, row.options});
	out << "</table>\n<p id=\"generated\">Generated by e4mext-report " << E4MEXT_VERSION << ".</p>\n</body>\n</html>\n";
	return out.str();
}

std::string render_markdown_report(const Comparison &cmp, const ReportChartFiles &charts)
{
	std::ostringstream out;
	out << "# e4mext:";
	for (std::size_t s = 0; s < cmp.sets.size(); ++s)
		out << (s ? " vs " : " ") << markdown_cell(cmp.sets[s]->label);
	out << "\n\n## Sets\n\n|  |";
	for (const auto *set : cmp.sets)
		out << " " << markdown_cell(set->label) << " |";
	out << "\n|---|";
	for (std::size_t s = 0; s < cmp.sets.size(); ++s)
		out << "---|";
	out << "\n";
	for (const auto &row : metadata_table(cmp.sets)) {
		out << "| " << markdown_cell(row.name) << " |";
		for (const auto &value : row.values)
			out << " " << markdown_cell(value) << " |";
		out << "\n";
	}
	out << "\n```\n" << render_comparison(cmp, OutputFormat::text) << "```\n\n";
	out << "![IOPS per case](" << charts.iops << ")\n\n![IOPS ratio to the first set](" << charts.iops_ratio
	    << ")\n\n![Bandwidth per case](" << charts.bw << ")\n\n![Bandwidth ratio to the first set](" << charts.bw_ratio
	    << ")\n\n";
	if (!charts.latency.empty())
		out << "![Completion latency of a move, p50, p99 and p99.9](" << charts.latency << ")\n\n";
	out << "## Comparison\n\n"
	    << render_comparison(cmp, OutputFormat::markdown) << "\n"
	    << markdown_foreground_table(cmp) << "## Runs\n\n";
	out << "| set | file | fio | time | job | case | status | options |\n|---|---|---|---|---|---|---|---|\n";
	for (const auto &row : run_rows(cmp))
		out << "| " << markdown_cell(row.set) << " | " << markdown_cell(row.source) << " | "
		    << markdown_cell(row.fio_version) << " | " << row.time << " | " << markdown_cell(row.jobname) << " | "
		    << markdown_cell(row.case_label) << " | " << markdown_cell(row.status) << " | " << markdown_cell(row.options)
		    << " |\n";
	return out.str();
}

namespace {

std::string inline_svg(const fs::path &chart)
{
	auto svg = read_file_text(chart);
	if (const auto start = svg.find("<svg"); start != std::string::npos)
		svg.erase(0, start);
	return svg;
}

} // namespace

void write_report(const std::vector<const ResultSet *> &sets, const fs::path &dir)
{
	const auto comparison = compare_sets(sets);
	std::error_code ec;
	fs::create_directories(dir, ec);
	if (ec || !fs::is_directory(dir))
		throw InputError(dir.string() + ": cannot create the output directory" + (ec ? ": " + ec.message() : ""));
	const auto latency = latency_plot_data_of(sets);
	const ReportChartFiles files{"report-iops.svg", "report-bw.svg", "report-iops-ratio.svg", "report-bw-ratio.svg",
				     latency.panels.empty() ? "" : "report-latency.svg"};
	write_plot(plot_data_of(sets, Metric::iops), dir / files.iops, false);
	if (!files.latency.empty())
		write_plot(latency, dir / files.latency, false);
	write_plot(plot_data_of(sets, Metric::bw), dir / files.bw, false);
	write_ratio_plot(ratio_plot_data_of(comparison, Metric::iops), dir / files.iops_ratio);
	write_ratio_plot(ratio_plot_data_of(comparison, Metric::bw), dir / files.bw_ratio);
	write_text_file(dir / "report.html",
			render_html_report(comparison, {inline_svg(dir / files.iops), inline_svg(dir / files.bw),
							inline_svg(dir / files.iops_ratio), inline_svg(dir / files.bw_ratio),
							files.latency.empty() ? "" : inline_svg(dir / files.latency)}));
	write_text_file(dir / "report.md", render_markdown_report(comparison, files));
}

} // namespace e4mext::report
