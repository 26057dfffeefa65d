#include "compare.hpp"

#include "input_error.hpp"
#include "number_text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
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

// The runs' sample stddev as % of the median ("1.9%"); "-" for one run.
std::string stddev_cell(const Summary &s)
{
	if (s.n < 2)
		return "-";
	return format_percent(relative_stddev_percent(s));
}

std::string spread_percent(const Summary &s)
{
	return s.n < 2 ? "(1 run)" : "+-" + stddev_cell(s);
}

std::optional<double> relative_change(double base, double value)
{
	if (base <= 0)
		return std::nullopt;
	return (value - base) / base;
}

// 0 when any value is 0 or less (a case without throughput has no place in a product of ratios;
// relative_change then gives none instead of a figure from a made-up floor).
double geometric_mean(const std::vector<double> &values)
{
	double log_sum = 0;
	for (double v : values) {
		if (!(v > 0))
			return 0;
		log_sum += std::log(v);
	}
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

std::string change_cell(const CaseCell &cell, Metric metric)
{
	const auto change = cell.change(metric);
	if (!change)
		return "n/a";
	return format_change(*change) + verdict_mark(cell.decision(metric).verdict);
}

std::string latency_triplet(const CaseResult &r)
{
	return format_latency(r.latency_of(Latency::p50).median) + " / " + format_latency(r.latency_of(Latency::p99).median) +
	       " / " + format_latency(r.latency_of(Latency::p99_9).median);
}

bool any_latency(const Comparison &cmp)
{
	for (const auto &row : cmp.cases)
		for (const auto &cell : row.cells)
			if (cell.result && cell.result->latency)
				return true;
	return false;
}

constexpr std::size_t mail_width = 80; // compare's text goes into mail: no line wider

// text as lines of at most `width` columns, broken at spaces: the first after `first`, the rest
// after `rest` (a word longer than a line stays whole).
std::string wrapped(const std::string &text, const std::string &first, const std::string &rest, std::size_t width = mail_width)
{
	std::string out, line = first;
	bool empty = true;
	std::istringstream words(text);
	for (std::string word; words >> word;) {
		if (!empty && line.size() + 1 + word.size() > width) {
			out += line + "\n";
			line = rest;
			empty = true;
		}
		line += (empty ? "" : " ") + word;
		empty = false;
	}
	return out + line + "\n";
}

// What each set is, from its metadata.txt: the kernel in full, runs per case, file size, the time
// window, the accelerator.
std::string text_header(const Comparison &cmp)
{
	std::string out =
		"e4mext compare: " + std::to_string(cmp.sets.size()) + " sets, every change against " + cmp.sets[0]->label + "\n";
	for (std::size_t s = 0; s < cmp.sets.size(); ++s) {
		const auto &set = *cmp.sets[s];
		std::size_t fewest = 0, most = 0;
		for (const auto &c : cmp.set_cases[s]) {
			fewest = fewest == 0 ? c.iops.n : std::min(fewest, c.iops.n);
			most = std::max(most, c.iops.n);
		}
		const auto value_or = [&set](std::string_view key, std::string_view fallback) {
			const auto value = set.metadata_value(key);
			return value.empty() ? std::string(fallback) : value.substr(0, value.find(" ("));
		};
		const auto accelerator = set.metadata_value("accelerator");
		std::string facts = "kernel " + set.kernel() + "; " +
				    (fewest == most ? std::to_string(most) : std::to_string(fewest) + "-" + std::to_string(most)) +
				    (most == 1 ? " run" : " runs") + " per case; file size " +
				    value_or("file size", "not recorded") + "; runtime " +
				    value_or("runtime limit", "not recorded") + "; accelerator " +
				    (accelerator.empty() ? std::string("none recorded (the host)")
							 : accelerator.substr(0, accelerator.find(' ')));
		out += wrapped(facts, "  " + set.label + ": ", "      ");
	}
	return out;
}

// The cover letter's blocks, two sets side by side per row where two fit the mail's width.
std::string blocks_side_by_side(const Comparison &cmp)
{
	std::string out;
	std::size_t widest = 0;
	for (std::size_t s = 0; s < cmp.sets.size(); ++s)
		for (const auto &line : lines_of(render_text_block(cmp.sets[s]->label, cmp.set_cases[s], cmp.varying)))
			widest = std::max(widest, line.size());
	const std::size_t per_row = 2 * widest + 3 <= mail_width ? 2 : 1;
	for (std::size_t first = 0; first < cmp.sets.size(); first += per_row) {
		std::vector<std::vector<std::string>> blocks;
		for (std::size_t s = first; s < std::min(first + per_row, cmp.sets.size()); ++s)
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
		out += first == 0 ? "" : "\n";
		for (std::size_t r = 0; r < rows; ++r) {
			std::string line;
			for (std::size_t b = 0; b < blocks.size(); ++b)
				line += pad_right(r < blocks[b].size() ? blocks[b][r] : "", widths[b]);
			out += trim_right(line) + "\n";
		}
	}
	return out;
}

std::string pad_left(std::string text, std::size_t width)
{
	if (text.size() < width)
		text.insert(0, width - text.size(), ' ');
	return text;
}

// One row of lkp's table: base, %stddev, %change and mark, candidate, %stddev, metric.
std::string lkp_row(const std::string &base, const std::string &base_spread, const std::string &change,
		    const std::string &candidate, const std::string &candidate_spread, const std::string &metric)
{
	const auto numbers = pad_left(base, 11) + pad_left(base_spread, 9) + pad_left(change, 12) + pad_left(candidate, 12) +
			     pad_left(candidate_spread, 9);
	if (numbers.size() + 2 + metric.size() > mail_width) // a long case label: on a line of its own, above
		return "  " + metric + "\n" + trim_right(numbers) + "\n";
	return trim_right(numbers + "  " + metric) + "\n";
}

std::string change_with_mark(const std::optional<double> &change, const Decision &d)
{
	return change ? format_change(*change) + " " + verdict_mark(d.verdict) : std::string("n/a  ");
}

// In-use cases: the foreground's p99 beside the moves (judged by the decision rule) and alone,
// without them (the baseline of each side), as lkp rows; "" without a foreground on both sides.
std::string text_foreground_rows(const CaseCell &base, const CaseCell &cell, const std::string &label)
{
	const auto &b = base.result->foreground, &c = cell.result->foreground;
	if (!b || !c || !b->loaded || !c->loaded)
		return "";
	std::string out = lkp_row(format_latency(b->loaded->p99_ns.median), stddev_cell(b->loaded->p99_ns),
				  change_with_mark(cell.foreground_p99_change, cell.foreground_p99_decision),
				  format_latency(c->loaded->p99_ns.median), stddev_cell(c->loaded->p99_ns),
				  label + " fg " + c->kind + " p99");
	if (b->alone && c->alone) {
		const auto change = relative_change(b->alone->p99_ns.median, c->alone->p99_ns.median);
		out += lkp_row(format_latency(b->alone->p99_ns.median), stddev_cell(b->alone->p99_ns),
			       change ? format_change(*change) + "  " : "n/a  ", format_latency(c->alone->p99_ns.median),
			       stddev_cell(c->alone->p99_ns), label + " fg " + c->kind + " p99 alone");
	}
	return out;
}

// Set s against the first, lkp's way: one row per case and figure (IOPS, BW, the latency
// percentiles of a move), the metric named last.
std::string text_lkp_table(const Comparison &cmp, std::size_t s)
{
	std::string out = wrapped("base = " + cmp.sets[0]->label + ", cand = " + cmp.sets[s]->label +
					  " (medians; %stddev: the runs' sample stddev as % of the median)",
				  "  ", "  ");
	out += lkp_row("base", "%stddev", "%change", "cand", "%stddev", "metric");
	out += lkp_row("----------", "-------", "---------", "----------", "-------", "------");
	for (const auto &row : cmp.cases) {
		const auto &base = row.cells[0];
		const auto &cell = row.cells[s];
		if (!base.result && !cell.result)
			continue;
		const auto label = case_label(row.key, cmp.varying);
		for (const auto metric : both_metrics) {
			const auto figure = [metric](const CaseCell &c) {
				return c.result ? format_figure(metric, static_cast<double>(c.result->median(metric))) : "-";
			};
			const auto spread = [metric](const CaseCell &c) {
				return c.result ? stddev_cell(c.result->summary(metric)) : "";
			};
			out += lkp_row(figure(base), spread(base),
				       cell.result && base.result ? change_with_mark(cell.change(metric), cell.decision(metric))
								  : "",
				       figure(cell), spread(cell), label + " " + metric_name(metric));
		}
		if (!base.result || !cell.result)
			continue;
		if (base.result->latency && cell.result->latency)
			for (std::size_t l = 0; l < every_latency.size(); ++l) {
				const auto which = every_latency[l];
				out += lkp_row(format_latency(base.result->latency_of(which).median),
					       stddev_cell(base.result->latency_of(which)),
					       change_with_mark(cell.latency_change[l], cell.latency_decision[l]),
					       format_latency(cell.result->latency_of(which).median),
					       stddev_cell(cell.result->latency_of(which)),
					       label + " " + latency_name(which) + " latency");
			}
		out += text_foreground_rows(base, cell, label);
	}
	if (cmp.geomean.cases > 0)
		for (const auto metric : both_metrics) {
			const auto &means = cmp.geomean.of(metric);
			const auto change = relative_change(means[0], means[s]);
			out += lkp_row(format_figure(metric, means[0]), "", change ? format_change(*change) + "  " : "n/a  ",
				       format_figure(metric, means[s]), "",
				       "geomean " + std::string(metric_name(metric)) + " (" + std::to_string(cmp.geomean.cases) +
					       " cases)");
		}
	return out;
}

// Per case, set s against the first: the ratio of medians, the interval and verdict of the
// decision rule, and the moves behind the figures; wrapped to the mail's width.
std::string text_verdicts(const Comparison &cmp, std::size_t s)
{
	std::string out =
		wrapped("verdicts, " + cmp.sets[s]->label + " against " + cmp.sets[0]->label +
				" (IOPS: ratio of medians, interval of the ratio, verdict; the moves per run behind each figure):",
			"  ", "  ");
	for (const auto &row : cmp.cases) {
		const auto &cell = row.cells[s];
		const auto label = pad_right(case_label(row.key, cmp.varying) + ":", 9);
		if (!cell.judged()) {
			out += wrapped("not in both sets", "   " + label + " ", "             ");
			continue;
		}
		out += wrapped(decision_text(cell.iops_change, cell.iops_decision) + "; moves: " + cmp.sets[0]->label + " " +
				       moves_per_run_text(*row.cells[0].result) + ", " + cmp.sets[s]->label + " " +
				       moves_per_run_text(*cell.result),
			       "   " + label + " ", "             ");
	}
	return out;
}

std::string render_text(const Comparison &cmp)
{
	std::string out = text_header(cmp) + "\n" + blocks_side_by_side(cmp);
	for (const auto *set : cmp.sets) {
		const auto excluded = render_exclusions(*set, cmp.varying);
		if (excluded.empty())
			continue;
		out += "  [" + set->label + "] not counted:\n";
		for (const auto &line : lines_of(excluded))
			out += wrapped(line, "   ", "      ");
	}
	for (std::size_t s = 1; s < cmp.sets.size(); ++s)
		out += "\n" + text_lkp_table(cmp, s) + "\n" + text_verdicts(cmp, s);
	out += "\n" + wrapped(verdict_legend(cmp.options), "  ", "  ");
	return out;
}

std::string markdown_cell_of(const CaseCell &cell, Metric metric)
{
	if (!cell.result)
		return "-";
	const auto &s = cell.result->summary(metric);
	return format_figure(metric, static_cast<double>(cell.result->median(metric))) + " " + spread_percent(s) + " (" +
	       format_figure(metric, s.min) + "-" + format_figure(metric, s.max) + ", n=" + std::to_string(s.n) + "; " +
	       moves_per_run_text(*cell.result) + ")";
}

std::string markdown_change_of(const CaseCell &cell, Metric metric)
{
	if (!cell.change(metric))
		return "-";
	return change_cell(cell, metric) + " (" + decision_text(cell.change(metric), cell.decision(metric)) + ")";
}

// A Markdown table's title and head: the case column, then each set with, after the first, its change.
std::string markdown_table_head(const Comparison &cmp, const std::string &title)
{
	std::string head = "#### " + title + "\n\n| case |";
	for (std::size_t s = 0; s < cmp.sets.size(); ++s)
		head += " " + markdown_cell(cmp.sets[s]->label) + (s > 0 ? " | change |" : " |");
	head += "\n|---|";
	for (std::size_t s = 0; s < cmp.sets.size(); ++s)
		head += s > 0 ? "---:|---:|" : "---:|";
	return head + "\n";
}

std::string markdown_latency(const Comparison &cmp)
{
	std::ostringstream out;
	out << markdown_table_head(cmp, "completion latency of a move (p50 / p99 / p99.9, median over runs)");
	for (const auto &row : cmp.cases) {
		out << "| " << markdown_cell(case_label(row.key, cmp.varying)) << " |";
		for (std::size_t s = 0; s < row.cells.size(); ++s) {
			const auto &cell = row.cells[s];
			const bool has = cell.result && cell.result->latency;
			out << " " << (has ? latency_triplet(*cell.result) : "-") << " |";
			if (s == 0)
				continue;
			std::string changes;
			for (std::size_t l = 0; l < every_latency.size() && has; ++l) {
				const auto &change = cell.latency_change[l];
				changes += (l ? " / " : "") +
					   (change ? format_change(*change) + verdict_mark(cell.latency_decision[l].verdict)
						   : std::string("n/a"));
			}
			out << " " << (changes.empty() ? "-" : markdown_cell(changes)) << " |";
		}
		out << "\n";
	}
	return out.str() + "\n";
}

std::string render_markdown(const Comparison &cmp)
{
	std::ostringstream out;
	for (const auto metric : both_metrics) {
		out << markdown_table_head(cmp, metric_name(metric));
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
	if (any_latency(cmp))
		out << markdown_latency(cmp);
	out << markdown_cell(verdict_legend(cmp.options)) << "\n";
	return out.str();
}

// One csv row of a figure: its summary over the runs, its change and decision against the first
// set (empty for the first set), the case's evidence of moves, and the figure as the text shows it.
struct CsvFigure {
	const Summary &summary;
	std::optional<double> change;
	const Decision &decision;
	std::string text;
};

void csv_row(std::ostream &out, const std::string &metric, const std::string &label, const std::string &set,
	     const CsvFigure &figure, const CaseResult &result)
{
	const auto &summary = figure.summary;
	const auto &change = figure.change;
	const auto &d = figure.decision;
	out << metric << "," << csv_field(label) << "," << csv_field(set) << "," << summary.n << "," << exact_number(summary.median)
	    << "," << exact_number(summary.min) << "," << exact_number(summary.max) << "," << exact_number(summary.stddev) << ","
	    << exact_number(relative_stddev_percent(summary)) << ",";
	if (summary.n >= 2) {
		const auto ci = confidence_interval_95(summary);
		out << exact_number(ci.low) << "," << exact_number(ci.high);
	} else {
		out << ",";
	}
	out << "," << (change ? exact_number(*change * 100.0) : "") << "," << (change ? exact_number(1 + *change) : "") << ","
	    << (change ? exact_number(d.low) : "") << "," << (change ? exact_number(d.high) : "") << ","
	    << (change ? exact_number(d.p_value) : "") << "," << (change ? exact_number(d.level) : "") << ","
	    << (change ? describe(d.verdict) : "") << ","
	    << (change && d.verdict == Verdict::undecided ? std::to_string(d.runs_needed) : "") << ","
	    << exact_number(result.moves.min) << "," << exact_number(result.moves.median) << "," << result.runs_ended_early << ","
	    << csv_field(figure.text) << "," << csv_field(evidence_flags(result)) << "\n";
}

std::string render_csv(const Comparison &cmp)
{
	std::ostringstream out;
	out << "metric,case,set,n,median,min,max,stddev,stddev_percent,ci95_low,ci95_high,change_percent,ratio,"
	       "ratio_low,ratio_high,p_value,level,verdict,runs_needed,moves_min,moves_median,ended_early,text,flags\n";
	for (const auto metric : both_metrics) {
		const std::string name = metric == Metric::iops ? "iops" : "bw_bytes";
		for (const auto &row : cmp.cases)
			for (std::size_t s = 0; s < row.cells.size(); ++s)
				if (const auto &cell = row.cells[s]; cell.result)
					csv_row(out, name, case_label(row.key, cmp.varying), cmp.sets[s]->label,
						{cell.result->summary(metric), cell.change(metric), cell.decision(metric),
						 format_figure(metric, static_cast<double>(cell.result->median(metric)))},
						*cell.result);
		if (cmp.geomean.cases > 0) {
			const auto &means = cmp.geomean.of(metric);
			for (std::size_t s = 0; s < means.size(); ++s) {
				const auto change = s > 0 ? relative_change(means[0], means[s]) : std::nullopt;
				out << name << ",geomean," << csv_field(cmp.sets[s]->label) << "," << cmp.geomean.cases << ","
				    << exact_number(means[s]) << ",,,,,,," << (change ? exact_number(*change * 100.0) : "") << ","
				    << (change ? exact_number(1 + *change) : "") << ",,,,,,,,,,"
				    << csv_field(format_figure(metric, means[s])) << ",\n";
			}
		}
	}
	// Latency rows, in nanoseconds: a move's completion-latency percentiles, then an in-use case's
	// foreground p99 beside the moves - each judged by the same rule as the rates.
	for (std::size_t l = 0; l < every_latency.size(); ++l)
		for (const auto &row : cmp.cases)
			for (std::size_t s = 0; s < row.cells.size(); ++s)
				if (const auto &cell = row.cells[s]; cell.result && cell.result->latency) {
					const auto &summary = cell.result->latency_of(every_latency[l]);
					csv_row(out, std::string(latency_name(every_latency[l])) + "_latency_ns",
						case_label(row.key, cmp.varying), cmp.sets[s]->label,
						{summary, cell.latency_change[l], cell.latency_decision[l],
						 format_latency(summary.median)},
						*cell.result);
				}
	for (const auto &row : cmp.cases)
		for (std::size_t s = 0; s < row.cells.size(); ++s)
			if (const auto &cell = row.cells[s];
			    cell.result && cell.result->foreground && cell.result->foreground->loaded) {
				const auto &summary = cell.result->foreground->loaded->p99_ns;
				csv_row(out, "foreground_p99_latency_ns", case_label(row.key, cmp.varying), cmp.sets[s]->label,
					{summary, cell.foreground_p99_change, cell.foreground_p99_decision,
					 format_latency(summary.median)},
					*cell.result);
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

nlohmann::ordered_json decision_json(double change, const Decision &d)
{
	nlohmann::ordered_json out{{"change_percent", change * 100.0},
				   {"ratio", 1 + change},
				   {"ratio_low", d.low},
				   {"ratio_high", std::isfinite(d.high) ? nlohmann::ordered_json(d.high) : nullptr},
				   {"p_value", d.p_value},
				   {"level", d.level},
				   {"verdict", describe(d.verdict)}};
	if (d.verdict == Verdict::undecided)
		out["runs_needed"] = d.runs_needed;
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
	out["rule"] = verdict_legend(cmp.options);
	out["alpha"] = significance_level;
	out["threshold_percent"] = cmp.options.threshold * 100.0;
	out["looks"] = cmp.options.looks;
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
				if (const auto change = cell.change(metric))
					result[name].update(decision_json(*change, cell.decision(metric)));
			}
			result["moves"] = summary_json(cell.result->moves, Metric::iops);
			result["moves"].erase("text");
			result["thin"] = cell.result->thin();
			result["runs_ended_early"] = cell.result->runs_ended_early;
			result["flags"] = evidence_flags(*cell.result);
			if (cell.result->latency) {
				nlohmann::ordered_json latency;
				for (std::size_t l = 0; l < every_latency.size(); ++l) {
					auto figures = summary_json(cell.result->latency_of(every_latency[l]), Metric::iops);
					figures.erase("text");
					if (const auto &change = cell.latency_change[l])
						figures.update(decision_json(*change, cell.latency_decision[l]));
					latency[std::string(latency_name(every_latency[l])) + "_ns"] = std::move(figures);
				}
				result["completion_latency"] = std::move(latency);
			}
			if (const auto &f = cell.result->foreground; f && f->loaded) {
				auto p99 = summary_json(f->loaded->p99_ns, Metric::iops);
				p99.erase("text");
				if (const auto &change = cell.foreground_p99_change)
					p99.update(decision_json(*change, cell.foreground_p99_decision));
				result["foreground"] = {{"kind", f->kind}, {"p99_ns", std::move(p99)}};
				if (f->alone)
					result["foreground"]["alone_p99_ns_median"] = f->alone->p99_ns.median;
				if (f->p99_ratio.n)
					result["foreground"]["p99_ratio_median"] = f->p99_ratio.median;
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
			iops[s].push_back(row.cells[s].result->iops.median);
			bw[s].push_back(row.cells[s].result->bw.median);
		}
	}
	for (std::size_t s = 0; s < cmp.sets.size(); ++s) {
		means.iops.push_back(geometric_mean(iops[s]));
		means.bw.push_back(geometric_mean(bw[s]));
	}
	return means;
}

// One family: the cases set s shares with the first set, on one figure; each judged by the
// decision rule with the family's size.
template <typename Values, typename Assign> void judge_family(Comparison &cmp, std::size_t s, Values values_of, Assign assign)
{
	std::vector<CaseRow *> rows;
	for (auto &row : cmp.cases)
		if (row.cells[0].result && row.cells[s].result && values_of(*row.cells[0].result) &&
		    values_of(*row.cells[s].result))
			rows.push_back(&row);
	DecisionRule rule;
	rule.threshold = cmp.options.threshold;
	rule.looks = cmp.options.looks;
	rule.cases = rows.size();
	for (auto *row : rows)
		assign(row->cells[s], decide(*values_of(*row->cells[0].result), *values_of(*row->cells[s].result), rule));
}

void judge(Comparison &cmp, std::size_t s)
{
	judge_family(
		cmp, s, [](const CaseResult &r) { return &r.iops.values; },
		[](CaseCell &cell, const Decision &d) { cell.iops_decision = d; });
	judge_family(
		cmp, s, [](const CaseResult &r) { return &r.bw.values; },
		[](CaseCell &cell, const Decision &d) { cell.bw_decision = d; });
	for (std::size_t l = 0; l < every_latency.size(); ++l) {
		const auto which = every_latency[l];
		judge_family(
			cmp, s,
			[which](const CaseResult &r) -> const std::vector<double> * {
				return r.latency ? &r.latency_of(which).values : nullptr;
			},
			[l](CaseCell &cell, const Decision &d) { cell.latency_decision[l] = d; });
	}
	judge_family(
		cmp, s,
		[](const CaseResult &r) -> const std::vector<double> * {
			return r.foreground && r.foreground->loaded ? &r.foreground->loaded->p99_ns.values : nullptr;
		},
		[](CaseCell &cell, const Decision &d) { cell.foreground_p99_decision = d; });
}

} // namespace

bool CaseRow::in_every_set() const
{
	return std::all_of(cells.begin(), cells.end(), [](const CaseCell &c) { return c.result.has_value(); });
}

Comparison compare_sets(const std::vector<const ResultSet *> &sets, const CompareOptions &options)
{
	if (sets.size() < 2)
		throw UsageError("compare: needs two or more sets, got " + std::to_string(sets.size()) +
				 " (a PATH holding several results directories counts as several)");
	Comparison cmp;
	cmp.sets = sets;
	cmp.options = options;
	std::map<CaseFactors, CaseRow> by_key;
	std::vector<CaseFactors> keys;
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
			cell.iops_change = relative_change(first->iops.median, cell.result->iops.median);
			cell.bw_change = relative_change(first->bw.median, cell.result->bw.median);
			if (first->latency && cell.result->latency)
				for (std::size_t l = 0; l < every_latency.size(); ++l)
					cell.latency_change[l] = relative_change(first->latency_of(every_latency[l]).median,
										 cell.result->latency_of(every_latency[l]).median);
			if (first->foreground && first->foreground->loaded && cell.result->foreground &&
			    cell.result->foreground->loaded)
				cell.foreground_p99_change = relative_change(first->foreground->loaded->p99_ns.median,
									     cell.result->foreground->loaded->p99_ns.median);
		}
		cmp.cases.push_back(std::move(row));
	}
	for (std::size_t s = 1; s < sets.size(); ++s)
		judge(cmp, s);
	cmp.varying = varying_dimensions(keys);
	cmp.geomean = geometric_means(cmp);
	return cmp;
}

std::string verdict_mark(Verdict verdict)
{
	switch (verdict) {
	case Verdict::changed: return "*";
	case Verdict::equivalent: return "=";
	case Verdict::undecided: break;
	}
	return "?";
}

std::string decision_text(const std::optional<double> &change, const Decision &d)
{
	std::string text = (change ? format_ratio(1 + *change) + ", " : std::string()) +
			   (std::isfinite(d.high) ? "interval " + format_ratio(d.low) + "-" + format_ratio(d.high)
						  : std::string("no interval (a side has one run)")) +
			   ", " + describe(d.verdict);
	if (d.verdict == Verdict::undecided)
		text += d.runs_needed >= most_runs_estimated
				? ": needs " + std::to_string(most_runs_estimated) + " or more runs per side"
				: ": needs " + std::to_string(d.runs_needed) + " runs per side";
	return text;
}

std::string verdict_legend(const CompareOptions &options)
{
	const auto threshold = format_setting_percent(options.threshold * 100.0);
	return "* changed: beyond " + threshold + " and significant; = equivalent: the ratio's interval within +-" + threshold +
	       "; ? undecided (the runs per side it needs in the verdicts); the interval: Welch's t on the log of the "
	       "runs' unrounded rates, at 1 - 0.05/(cases x " +
	       std::to_string(options.looks) + " look" + (options.looks == 1 ? "" : "s") +
	       "), Bonferroni over the cases each set shares with the first and over the looks; +- (%stddev): sample stddev as % "
	       "of the median; THIN: a run with fewer than " +
	       std::to_string(fewest_moves_per_run) + " moves; geomean: over the cases every set has";
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
