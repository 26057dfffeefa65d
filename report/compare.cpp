#include "compare.hpp"

#include "input_error.hpp"
#include "num2str.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

namespace e4mext::report {

namespace {

constexpr std::array<Metric, 2> both_metrics{Metric::iops, Metric::bw};

std::string pad_right(std::string text, std::size_t width)
{
	if (text.size() < width)
		text.append(width - text.size(), ' ');
	return text;
}

std::string trim_right(std::string text)
{
	text.erase(text.find_last_not_of(' ') + 1);
	return text;
}

std::string number(double value)
{
	std::ostringstream out;
	out.precision(15);
	out << value;
	return out.str();
}

std::string spread_percent(const Summary &s)
{
	if (s.n < 2)
		return "(1 run)";
	std::array<char, 32> text{};
	std::snprintf(text.data(), text.size(), "+-%.1f%%", relative_stddev_percent(s));
	return text.data();
}

std::optional<double> relative_change(double base, double value)
{
	if (base <= 0)
		return std::nullopt;
	return (value - base) / base;
}

double geometric_mean(const std::vector<double> &values)
{
	double log_sum = 0;
	for (double v : values)
		log_sum += std::log(std::max(v, 1.0));
	return values.empty() ? 0 : std::exp(log_sum / static_cast<double>(values.size()));
}

std::vector<std::string> lines_of(const std::string &text)
{
	std::vector<std::string> lines;
	std::istringstream in(text);
	std::string line;
	while (std::getline(in, line))
		lines.push_back(line);
	return lines;
}

// The cover letter's blocks, one per set, side by side.
std::string blocks_side_by_side(const Comparison &cmp)
{
	std::vector<std::vector<std::string>> blocks;
	for (std::size_t s = 0; s < cmp.sets.size(); ++s)
		blocks.push_back(lines_of(render_text_block(cmp.sets[s]->label, cmp.set_cases[s], cmp.varying)));
	std::size_t rows = 0;
	std::vector<std::size_t> widths;
	for (const auto &block : blocks) {
		rows = std::max(rows, block.size());
		std::size_t width = 0;
		for (const auto &line : block)
			width = std::max(width, line.size());
		widths.push_back(width + 3);
	}
	std::string out;
	for (std::size_t r = 0; r < rows; ++r) {
		std::string line;
		for (std::size_t b = 0; b < blocks.size(); ++b)
			line += pad_right(r < blocks[b].size() ? blocks[b][r] : "", widths[b]);
		out += trim_right(line) + "\n";
	}
	return out;
}

std::string change_cell(const CaseCell &cell, Metric metric)
{
	const auto change = cell.change(metric);
	if (!change)
		return "n/a";
	return format_change(*change) + significance_mark(cell.test(metric).significance);
}

std::string text_cell(const CaseCell &cell, Metric metric, bool first)
{
	if (!cell.result)
		return "-";
	const auto &s = cell.result->summary(metric);
	auto text = format_figure(metric, static_cast<double>(cell.result->median(metric))) + " " + spread_percent(s);
	if (!first)
		text += " " + change_cell(cell, metric);
	return text;
}

std::string text_metric_table(const Comparison &cmp, Metric metric)
{
	std::vector<std::vector<std::string>> grid; // [row][0] = label, then one cell per set
	std::vector<std::string> header{""};
	for (const auto *set : cmp.sets)
		header.push_back(set->label);
	grid.push_back(header);
	for (const auto &row : cmp.cases) {
		std::vector<std::string> cells{case_label(row.key, cmp.varying) + ":"};
		for (std::size_t s = 0; s < row.cells.size(); ++s)
			cells.push_back(text_cell(row.cells[s], metric, s == 0));
		grid.push_back(std::move(cells));
	}
	if (cmp.geomean.cases > 0) {
		const auto &means = cmp.geomean.of(metric);
		std::vector<std::string> cells{"geomean:"};
		for (std::size_t s = 0; s < means.size(); ++s) {
			auto text = format_figure(metric, means[s]);
			if (s > 0)
				if (const auto change = relative_change(means[0], means[s]))
					text += " " + format_change(*change);
			cells.push_back(std::move(text));
		}
		grid.push_back(std::move(cells));
	}
	std::vector<std::size_t> widths(header.size(), 0);
	for (const auto &cells : grid)
		for (std::size_t c = 0; c < cells.size(); ++c)
			widths[c] = std::max(widths[c], cells[c].size() + 2);
	std::string out =
		"  " + std::string(metric_name(metric)) + ": median +-stddev, change against " + cmp.sets[0]->label + "\n";
	for (const auto &cells : grid) {
		std::string line = "   ";
		for (std::size_t c = 0; c < cells.size(); ++c)
			line += pad_right(cells[c], widths[c]);
		out += trim_right(line) + "\n";
	}
	return out;
}

std::string render_text(const Comparison &cmp)
{
	std::string out = blocks_side_by_side(cmp);
	for (const auto *set : cmp.sets) {
		const auto excluded = render_exclusions(*set, cmp.varying);
		if (!excluded.empty())
			out += "  [" + set->label + "] not counted:\n" + excluded;
	}
	for (const auto metric : both_metrics)
		out += "\n" + text_metric_table(cmp, metric);
	out += "\n  " + significance_legend() + "\n";
	return out;
}

std::string markdown_cell_of(const CaseCell &cell, Metric metric)
{
	if (!cell.result)
		return "-";
	const auto &s = cell.result->summary(metric);
	return format_figure(metric, static_cast<double>(cell.result->median(metric))) + " " + spread_percent(s) + " (" +
	       format_figure(metric, s.min) + "-" + format_figure(metric, s.max) + ", n=" + std::to_string(s.n) + ")";
}

std::string markdown_change_of(const CaseCell &cell, Metric metric)
{
	if (!cell.change(metric))
		return "-";
	const auto &test = cell.test(metric);
	return change_cell(cell, metric) + " (" + format_p_value(test.p_value) + ")";
}

std::string render_markdown(const Comparison &cmp)
{
	std::ostringstream out;
	for (const auto metric : both_metrics) {
		out << "#### " << metric_name(metric) << "\n\n| case |";
		for (std::size_t s = 0; s < cmp.sets.size(); ++s) {
			out << " " << markdown_cell(cmp.sets[s]->label) << " |";
			if (s > 0)
				out << " change |";
		}
		out << "\n|---|";
		for (std::size_t s = 0; s < cmp.sets.size(); ++s)
			out << (s > 0 ? "---:|---:|" : "---:|");
		out << "\n";
		for (const auto &row : cmp.cases) {
			out << "| " << markdown_cell(case_label(row.key, cmp.varying)) << " |";
			for (std::size_t s = 0; s < row.cells.size(); ++s) {
				out << " " << markdown_cell(markdown_cell_of(row.cells[s], metric)) << " |";
				if (s > 0)
					out << " " << markdown_cell(markdown_change_of(row.cells[s], metric)) << " |";
			}
			out << "\n";
		}
		if (cmp.geomean.cases > 0) {
			const auto &means = cmp.geomean.of(metric);
			out << "| geomean (" << cmp.geomean.cases << " cases) |";
			for (std::size_t s = 0; s < means.size(); ++s) {
				out << " " << format_figure(metric, means[s]) << " |";
				if (s > 0) {
					const auto change = relative_change(means[0], means[s]);
					out << " " << (change ? format_change(*change) : "-") << " |";
				}
			}
			out << "\n";
		}
		out << "\n";
	}
	out << markdown_cell(significance_legend()) << "\n";
	return out.str();
}

std::string render_csv(const Comparison &cmp)
{
	std::ostringstream out;
	out << "metric,case,set,n,median,min,max,stddev,stddev_percent,ci95_low,ci95_high,change_percent,p_value,"
	       "holm_level,significance,text\n";
	for (const auto metric : both_metrics) {
		const std::string name = metric == Metric::iops ? "iops" : "bw_bytes";
		for (const auto &row : cmp.cases) {
			for (std::size_t s = 0; s < row.cells.size(); ++s) {
				const auto &cell = row.cells[s];
				if (!cell.result)
					continue;
				const auto &summary = cell.result->summary(metric);
				const auto ci = confidence_interval_95(summary);
				const auto change = cell.change(metric);
				out << name << "," << csv_field(case_label(row.key, cmp.varying)) << ","
				    << csv_field(cmp.sets[s]->label) << "," << summary.n << "," << number(summary.median) << ","
				    << number(summary.min) << "," << number(summary.max) << "," << number(summary.stddev) << ","
				    << number(relative_stddev_percent(summary)) << ",";
				if (summary.n >= 2)
					out << number(ci.low) << "," << number(ci.high);
				else
					out << ",";
				out << "," << (change ? number(*change * 100.0) : "") << ","
				    << (change ? number(cell.test(metric).p_value) : "") << ","
				    << (change ? number(cell.level(metric)) : "") << ","
				    << (change ? describe(cell.test(metric).significance) : "") << ","
				    << csv_field(format_figure(metric, static_cast<double>(cell.result->median(metric)))) << "\n";
			}
		}
		if (cmp.geomean.cases > 0) {
			const auto &means = cmp.geomean.of(metric);
			for (std::size_t s = 0; s < means.size(); ++s) {
				const auto change = s > 0 ? relative_change(means[0], means[s]) : std::nullopt;
				out << name << ",geomean," << csv_field(cmp.sets[s]->label) << "," << cmp.geomean.cases << ","
				    << number(means[s]) << ",,,,,,," << (change ? number(*change * 100.0) : "") << ",,,,"
				    << csv_field(format_figure(metric, means[s])) << "\n";
			}
		}
	}
	return out.str();
}

nlohmann::ordered_json summary_json(const Summary &s, Metric metric)
{
	nlohmann::ordered_json out{{"median", s.median}, {"min", s.min},       {"max", s.max},
				   {"mean", s.mean},     {"stddev", s.stddev}, {"n", s.n}};
	if (s.n >= 2) {
		const auto ci = confidence_interval_95(s);
		out["ci95_of_mean"] = {ci.low, ci.high};
	}
	out["runs"] = s.values;
	out["text"] = format_figure(metric, s.median);
	return out;
}

std::string render_json(const Comparison &cmp)
{
	nlohmann::ordered_json out;
	out["sets"] = nlohmann::ordered_json::array();
	for (const auto *set : cmp.sets)
		out["sets"].push_back({{"label", set->label},
				       {"root", set->root.string()},
				       {"kernel", set->kernel()},
				       {"fio", set->fio_version()},
				       {"e4mext", set->e4mext_version()}});
	out["significance"] = significance_legend();
	out["alpha"] = significance_level;
	out["cases"] = nlohmann::ordered_json::array();
	for (const auto &row : cmp.cases) {
		nlohmann::ordered_json entry;
		entry["case"] = case_label(row.key, cmp.varying);
		entry["results"] = nlohmann::ordered_json::array();
		for (std::size_t s = 0; s < row.cells.size(); ++s) {
			const auto &cell = row.cells[s];
			if (!cell.result) {
				entry["results"].push_back(nullptr);
				continue;
			}
			nlohmann::ordered_json result{{"set", cmp.sets[s]->label}};
			for (const auto metric : both_metrics) {
				const std::string name = metric == Metric::iops ? "iops" : "bw_bytes";
				result[name] = summary_json(cell.result->summary(metric), metric);
				if (const auto change = cell.change(metric)) {
					const auto &test = cell.test(metric);
					result[name]["change_percent"] = *change * 100.0;
					result[name]["p_value"] = test.p_value;
					result[name]["holm_level"] = cell.level(metric);
					result[name]["significance"] = describe(test.significance);
				}
			}
			entry["results"].push_back(std::move(result));
		}
		out["cases"].push_back(std::move(entry));
	}
	nlohmann::ordered_json geomean{{"cases", cmp.geomean.cases}};
	for (const auto metric : both_metrics) {
		const auto &means = cmp.geomean.of(metric);
		auto values = nlohmann::ordered_json::array();
		for (std::size_t s = 0; s < means.size(); ++s) {
			const auto change = s > 0 ? relative_change(means[0], means[s]) : std::nullopt;
			values.push_back({{"set", cmp.sets[s]->label},
					  {"value", means[s]},
					  {"change_percent", change ? nlohmann::ordered_json(*change * 100.0) : nullptr}});
		}
		geomean[metric == Metric::iops ? "iops" : "bw_bytes"] = std::move(values);
	}
	out["geomean"] = std::move(geomean);
	return out.dump(2) + "\n";
}

GeometricMeans geometric_means(const Comparison &cmp)
{
	GeometricMeans means;
	std::vector<std::vector<double>> iops(cmp.sets.size()), bw(cmp.sets.size());
	for (const auto &row : cmp.cases) {
		if (!row.in_every_set())
			continue;
		++means.cases;
		for (std::size_t s = 0; s < row.cells.size(); ++s) {
			iops[s].push_back(static_cast<double>(row.cells[s].result->median_iops()));
			bw[s].push_back(static_cast<double>(row.cells[s].result->median_bw()));
		}
	}
	for (std::size_t s = 0; s < cmp.sets.size(); ++s) {
		means.iops.push_back(geometric_mean(iops[s]));
		means.bw.push_back(geometric_mean(bw[s]));
	}
	return means;
}

// One Holm family: the cases set s shares with the first set, on one metric.
void judge_family(Comparison &cmp, std::size_t s, Metric metric)
{
	std::vector<RankTest *> tests;
	std::vector<CaseCell *> cells;
	for (auto &row : cmp.cases) {
		auto &cell = row.cells[s];
		if (!row.cells[0].result || !cell.result)
			continue;
		tests.push_back(metric == Metric::iops ? &cell.iops_test : &cell.bw_test);
		cells.push_back(&cell);
	}
	std::vector<double> levels;
	judge_with_holm(tests, levels);
	for (std::size_t i = 0; i < cells.size(); ++i)
		(metric == Metric::iops ? cells[i]->iops_level : cells[i]->bw_level) = levels[i];
}

} // namespace

bool CaseRow::in_every_set() const
{
	return std::all_of(cells.begin(), cells.end(), [](const CaseCell &c) { return c.result.has_value(); });
}

Comparison compare_sets(const std::vector<const ResultSet *> &sets)
{
	if (sets.size() < 2)
		throw UsageError("compare: needs two or more sets, got " + std::to_string(sets.size()) +
				 " (a PATH holding several results directories counts as several)");
	Comparison cmp;
	cmp.sets = sets;
	std::map<CaseKey, CaseRow> by_key;
	std::vector<CaseKey> keys;
	for (std::size_t s = 0; s < sets.size(); ++s) {
		cmp.set_cases.push_back(sets[s]->cases());
		for (const auto &c : cmp.set_cases.back()) {
			auto &row = by_key[c.key];
			row.key = c.key;
			row.cells.resize(sets.size());
			row.cells[s].result = c;
			keys.push_back(c.key);
		}
		for (const auto *m : sets[s]->excluded())
			keys.push_back(m->key);
	}
	for (auto &[key, row] : by_key) {
		const auto &first = row.cells[0].result;
		for (std::size_t s = 1; s < row.cells.size() && first; ++s) {
			auto &cell = row.cells[s];
			if (!cell.result)
				continue;
			cell.iops_change = relative_change(static_cast<double>(first->median_iops()),
							   static_cast<double>(cell.result->median_iops()));
			cell.bw_change = relative_change(static_cast<double>(first->median_bw()),
							 static_cast<double>(cell.result->median_bw()));
			cell.iops_test = mann_whitney(first->iops.values, cell.result->iops.values, Alternative::two_sided);
			cell.bw_test = mann_whitney(first->bw.values, cell.result->bw.values, Alternative::two_sided);
		}
		cmp.cases.push_back(std::move(row));
	}
	for (std::size_t s = 1; s < sets.size(); ++s)
		for (const auto metric : both_metrics)
			judge_family(cmp, s, metric);
	cmp.varying = varying_dimensions(keys);
	cmp.geomean = geometric_means(cmp);
	return cmp;
}

std::string format_change(double change)
{
	std::array<char, 32> text{};
	std::snprintf(text.data(), text.size(), "%+.1f%%", change * 100.0);
	return text.data();
}

std::string significance_mark(Significance significance)
{
	switch (significance) {
	case Significance::significant: return "*";
	case Significance::too_few_runs: return "?";
	case Significance::not_significant: break;
	}
	return "";
}

std::string significance_legend()
{
	return "* significant, ? too few runs to tell, no mark: not significant (two-sided Mann-Whitney U on the "
	       "runs, p held to its Holm level over the cases each set shares with the first, alpha 0.05 per set and "
	       "metric); +-: sample stddev as % of the median; geomean: over the cases every set has";
}

std::string render_comparison(const Comparison &comparison, OutputFormat format)
{
	switch (format) {
	case OutputFormat::text: return render_text(comparison);
	case OutputFormat::markdown: return render_markdown(comparison);
	case OutputFormat::csv: return render_csv(comparison);
	case OutputFormat::json: break;
	}
	return render_json(comparison);
}

} // namespace e4mext::report
