#include "render.hpp"

#include "compare.hpp"
#include "input_error.hpp"
#include "num2str.hpp"
#include "number_text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace e4mext::report {

namespace {

std::string pad_right(std::string text, std::size_t width)
{
	if (text.size() < width)
		text.append(width - text.size(), ' ');
	return text;
}

// Every factor name of the cases, in the order the cases declare them: the columns of CSV output.
std::vector<std::string> factor_columns(const std::vector<CaseFactors> &keys)
{
	std::vector<std::string> names;
	for (const auto &key : keys)
		for (const auto &f : key.factors)
			if (std::find(names.begin(), names.end(), f.name) == names.end())
				names.push_back(f.name);
	return names;
}

nlohmann::ordered_json factor_json(const CaseFactor &f)
{
	switch (f.kind) {
	case CaseFactor::Kind::number: try { return std::stoull(f.value);
		} catch (const std::exception &) {
			return f.value;
		}
	case CaseFactor::Kind::boolean: return f.value != "0" && !f.value.empty();
	case CaseFactor::Kind::text: break;
	}
	return f.value;
}

nlohmann::ordered_json summary_json(const Summary &s, const std::string &text)
{
	nlohmann::ordered_json out;
	out["median"] = s.median;
	out["min"] = s.min;
	out["max"] = s.max;
	out["stddev"] = s.stddev;
	out["n"] = s.n;
	if (!text.empty())
		out["text"] = text;
	return out;
}

bool any_engine_stats(const std::vector<CaseResult> &cases)
{
	for (const auto &c : cases)
		if (c.engine)
			return true;
	return false;
}

bool any_foreground(const std::vector<CaseResult> &cases)
{
	return std::any_of(cases.begin(), cases.end(), [](const CaseResult &c) { return c.foreground.has_value(); });
}

std::string latency_or_dash(const std::optional<LatencySummary> &latency, Latency which)
{
	if (!latency)
		return "-";
	const Summary &s = which == Latency::p50 ? latency->p50_ns : which == Latency::p99 ? latency->p99_ns : latency->p99_9_ns;
	return format_latency(s.median);
}

std::string ratio_or_dash(const Summary &ratio)
{
	return ratio.n > 0 ? format_ratio(ratio.median) : "-";
}

std::string render_markdown(const ResultSet &set, const std::vector<CaseResult> &cases, const VaryingDimensions &varying)
{
	const bool engine = any_engine_stats(cases);
	const bool foreground = any_foreground(cases);
	std::ostringstream out;
	out << "### " << markdown_cell(set.label) << "\n\n";
	out << "| case | IOPS | BW | n | IOPS min | IOPS max | IOPS stddev | BW min | BW max | BW stddev | moves |";
	if (engine)
		out << " extents before | extents after | partial moves | retries |";
	if (foreground)
		out << " foreground | fg p50 | fg p99 | fg p99.9 | alone p50 | alone p99 | alone p99.9 | p99 ratio | fg IOPS | alone IOPS |";
	out << "\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|";
	if (engine)
		out << "---:|---:|---:|---:|";
	if (foreground)
		out << "---|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
	out << "\n";
	for (const auto &c : cases) {
		out << "| " << markdown_cell(case_label(c.key, varying)) << " | " << format_iops(c.median_iops()) << " | "
		    << format_bw(c.median_bw()) << " | " << c.iops.n << " | " << format_figure(Metric::iops, c.iops.min) << " | "
		    << format_figure(Metric::iops, c.iops.max) << " | " << format_figure(Metric::iops, c.iops.stddev) << " | "
		    << format_figure(Metric::bw, c.bw.min) << " | " << format_figure(Metric::bw, c.bw.max) << " | "
		    << format_figure(Metric::bw, c.bw.stddev) << " | " << markdown_cell(moves_per_run_text(c)) << " |";
		if (engine) {
			if (c.engine)
				out << " " << exact_number(c.engine->extents_before.median) << " | "
				    << exact_number(c.engine->extents_after.median) << " | "
				    << exact_number(c.engine->partial_moves.median) << " | "
				    << exact_number(c.engine->retries.median) << " |";
			else
				out << " - | - | - | - |";
		}
		if (foreground) {
			if (const auto &f = c.foreground)
				out << " " << f->kind << " | " << latency_or_dash(f->loaded, Latency::p50) << " | "
				    << latency_or_dash(f->loaded, Latency::p99) << " | "
				    << latency_or_dash(f->loaded, Latency::p99_9) << " | "
				    << latency_or_dash(f->alone, Latency::p50) << " | " << latency_or_dash(f->alone, Latency::p99)
				    << " | " << latency_or_dash(f->alone, Latency::p99_9) << " | " << ratio_or_dash(f->p99_ratio)
				    << " | " << format_whole(f->iops.median) << " | "
				    << (f->alone_iops.n ? format_whole(f->alone_iops.median) : "-") << " |";
			else
				out << " - | - | - | - | - | - | - | - | - | - |";
		}
		out << "\n";
	}
	const auto excluded = set.excluded();
	if (!excluded.empty()) {
		out << "\nNot counted:\n\n";
		for (const auto *m : excluded)
			out << "- " << markdown_cell(case_label(m->key, varying)) << ": " << markdown_cell(m->source) << " job '"
			    << markdown_cell(m->jobname) << "': " << describe_status(*m) << "\n";
	}
	return out.str();
}

std::string render_csv(const ResultSet &set, const std::vector<CaseResult> &cases, const VaryingDimensions &varying)
{
	std::ostringstream out;
	auto keys = keys_of(cases);
	for (const auto *m : set.excluded())
		keys.push_back(m->key);
	const auto columns = factor_columns(keys);
	out << "set,case";
	for (const auto &name : columns)
		out << "," << csv_field(name);
	out << ",n,iops_median,iops_min,iops_max,iops_stddev,bw_bytes_median,bw_bytes_min,bw_bytes_max,bw_bytes_stddev,"
	       "iops_text,bw_text,extents_before,extents_after,partial_moves,retries,status,source,moves_min,moves_max,"
	       "runs_ended_early,flags\n";
	auto key_fields = [&](const CaseFactors &key) {
		std::ostringstream k;
		k << csv_field(set.label) << "," << csv_field(case_label(key, varying));
		for (const auto &name : columns) {
			const auto *f = key.find(name);
			k << "," << csv_field(f ? f->value : "");
		}
		return k.str();
	};
	for (const auto &c : cases) {
		out << key_fields(c.key) << "," << c.iops.n << "," << exact_number(c.iops.median) << "," << exact_number(c.iops.min)
		    << "," << exact_number(c.iops.max) << "," << exact_number(c.iops.stddev) << "," << exact_number(c.bw.median)
		    << "," << exact_number(c.bw.min) << "," << exact_number(c.bw.max) << "," << exact_number(c.bw.stddev) << ","
		    << format_iops(c.median_iops()) << "," << csv_field(format_bw(c.median_bw())) << ",";
		if (c.engine)
			out << exact_number(c.engine->extents_before.median) << "," << exact_number(c.engine->extents_after.median)
			    << "," << exact_number(c.engine->partial_moves.median) << "," << exact_number(c.engine->retries.median);
		else
			out << ",,,";
		out << ",ok,," << exact_number(c.moves.min) << "," << exact_number(c.moves.max) << "," << c.runs_ended_early << ","
		    << csv_field(evidence_flags(c)) << "\n";
	}
	for (const auto *m : set.excluded())
		out << key_fields(m->key) << ",0,,,,,,,,,,,,,,," << csv_field(describe_status(*m)) << "," << csv_field(m->source)
		    << ",,,,\n";
	return out.str();
}

std::string render_json(const ResultSet &set, const std::vector<CaseResult> &cases, const VaryingDimensions &varying)
{
	nlohmann::ordered_json out;
	out["set"] = set.label;
	out["cases"] = nlohmann::ordered_json::array();
	for (const auto &c : cases) {
		nlohmann::ordered_json row;
		row["case"] = case_label(c.key, varying);
		for (const auto &f : c.key.factors)
			row[f.name] = factor_json(f);
		row["iops"] = summary_json(c.iops, format_iops(c.median_iops()));
		row["bw_bytes"] = summary_json(c.bw, format_bw(c.median_bw()));
		row["moves"] = summary_json(c.moves, "");
		row["runs_ended_early"] = c.runs_ended_early;
		row["flags"] = evidence_flags(c);
		if (c.engine) {
			nlohmann::ordered_json engine;
			engine["extents_before"] = summary_json(c.engine->extents_before, "");
			engine["extents_after"] = summary_json(c.engine->extents_after, "");
			engine["partial_moves"] = summary_json(c.engine->partial_moves, "");
			engine["retries"] = summary_json(c.engine->retries, "");
			engine["verify_failed"] = c.engine->verify_failed;
			row["engine_stats"] = std::move(engine);
		}
		if (const auto &f = c.foreground) {
			nlohmann::ordered_json fg;
			fg["kind"] = f->kind;
			fg["rate_iops"] = f->rate_iops;
			for (const auto &[name, latency] : {std::pair{"loaded", &f->loaded}, std::pair{"alone", &f->alone}})
				if (*latency) {
					fg[name]["p50_ns"] =
						summary_json((*latency)->p50_ns, format_latency((*latency)->p50_ns.median));
					fg[name]["p99_ns"] =
						summary_json((*latency)->p99_ns, format_latency((*latency)->p99_ns.median));
					fg[name]["p99_9_ns"] =
						summary_json((*latency)->p99_9_ns, format_latency((*latency)->p99_9_ns.median));
				}
			fg["iops"] = summary_json(f->iops, exact_number(f->iops.median));
			if (f->alone_iops.n)
				fg["alone_iops"] = summary_json(f->alone_iops, exact_number(f->alone_iops.median));
			if (f->p99_ratio.n)
				fg["p99_ratio"] = summary_json(f->p99_ratio, format_ratio(f->p99_ratio.median));
			row["foreground"] = std::move(fg);
		}
		row["sources"] = nlohmann::ordered_json::array();
		for (const auto *run : c.runs)
			row["sources"].push_back(run->source);
		out["cases"].push_back(std::move(row));
	}
	out["excluded"] = nlohmann::ordered_json::array();
	for (const auto *m : set.excluded()) {
		nlohmann::ordered_json row;
		row["case"] = case_label(m->key, varying);
		row["source"] = m->source;
		row["jobname"] = m->jobname;
		row["reason"] = describe_status(*m);
		out["excluded"].push_back(std::move(row));
	}
	return out.dump(2) + "\n";
}

} // namespace

OutputFormat parse_output_format(std::string_view name)
{
	if (name == "text")
		return OutputFormat::text;
	if (name == "markdown")
		return OutputFormat::markdown;
	if (name == "csv")
		return OutputFormat::csv;
	if (name == "json")
		return OutputFormat::json;
	throw UsageError("--format " + std::string(name) + ": unknown format; use text, markdown, csv or json");
}

std::size_t label_column_width(const std::vector<std::string> &labels)
{
	std::size_t width = 9;
	for (const auto &label : labels)
		width = std::max(width, label.size() + 2); // "LABEL:" and a space
	return width;
}

std::string format_case_row(const std::string &label, std::uint64_t iops, std::uint64_t bw_bytes, std::size_t label_width)
{
	std::string row = "   ";
	row += pad_right(label + ":", label_width);
	row += pad_right("IOPS=" + format_iops(iops) + ",", 12);
	row += "BW=";
	row += format_bw(bw_bytes);
	row += "\n";
	return row;
}

std::string render_text_block(const std::string &name, const std::vector<CaseResult> &cases, const VaryingDimensions &varying)
{
	std::string out = "  [" + name + "]\n";
	std::vector<std::string> labels;
	for (const auto &c : cases)
		labels.push_back(case_label(c.key, varying));
	const auto width = label_column_width(labels);
	for (std::size_t i = 0; i < cases.size(); ++i)
		out += format_case_row(labels[i], cases[i].median_iops(), cases[i].median_bw(), width);
	return out;
}

std::string render_foreground_block(const std::vector<CaseResult> &cases, const VaryingDimensions &varying)
{
	if (!any_foreground(cases))
		return "";
	std::vector<std::string> labels;
	for (const auto &c : cases)
		labels.push_back(case_label(c.key, varying));
	const auto width = label_column_width(labels);
	std::string out = "  foreground beside the moves (medians; alone: the same job without the defragmenter, each run "
			  "side by side):\n";
	for (std::size_t i = 0; i < cases.size(); ++i) {
		const auto &f = cases[i].foreground;
		if (!f)
			continue;
		out += "   " + pad_right(labels[i] + ":", width) +
		       pad_right("IOPS=" + format_iops(cases[i].median_iops()) + ",", 12) + f->kind +
		       " p99=" + latency_or_dash(f->loaded, Latency::p99) + " alone=" + latency_or_dash(f->alone, Latency::p99) +
		       " (" + ratio_or_dash(f->p99_ratio) + "), p50=" + latency_or_dash(f->loaded, Latency::p50) +
		       " p99.9=" + latency_or_dash(f->loaded, Latency::p99_9) + ", " + format_whole(f->iops.median) + " of " +
		       format_whole(f->rate_iops) + " IOPS\n";
	}
	return out;
}

std::string moves_per_run_text(const CaseResult &c)
{
	const std::string flags = evidence_flags(c);
	return exact_number(c.moves.min) + (c.moves.max != c.moves.min ? "-" + exact_number(c.moves.max) : "") + " moves per run" +
	       (flags.empty() ? "" : ", " + flags);
}

std::string render_evidence_flags(const std::vector<CaseResult> &cases, const VaryingDimensions &varying)
{
	std::string out;
	for (const auto &c : cases)
		if (c.thin_evidence())
			out += "   " + case_label(c.key, varying) + ": " + moves_per_run_text(c) + "\n";
	return out;
}

std::string render_exclusions(const ResultSet &set, const VaryingDimensions &varying)
{
	std::string out;
	for (const auto *m : set.excluded())
		out += "   excluded: " + case_label(m->key, varying) + " (" + m->source + ", job '" + m->jobname +
		       "'): " + describe_status(*m) + "\n";
	return out;
}

std::string render_table(const ResultSet &set, OutputFormat format)
{
	const auto cases = set.cases();
	auto keys = keys_of(cases);
	for (const auto *m : set.excluded())
		keys.push_back(m->key);
	const auto varying = varying_dimensions(keys);
	switch (format) {
	case OutputFormat::text:
		return render_text_block(set.label, cases, varying) + render_evidence_flags(cases, varying) +
		       render_foreground_block(cases, varying) + render_exclusions(set, varying);
	case OutputFormat::markdown: return render_markdown(set, cases, varying);
	case OutputFormat::csv: return render_csv(set, cases, varying);
	case OutputFormat::json: break;
	}
	return render_json(set, cases, varying);
}

const char *metric_name(Metric metric)
{
	return metric == Metric::iops ? "IOPS" : "BW";
}

Metric parse_metric(std::string_view text)
{
	if (text == "iops")
		return Metric::iops;
	if (text == "bw")
		return Metric::bw;
	throw UsageError("--metric " + std::string(text) + ": expected iops or bw");
}

std::string render_tables(const std::vector<const ResultSet *> &sets, OutputFormat format)
{
	if (sets.size() == 1)
		return render_table(*sets[0], format);
	std::string out;
	if (format == OutputFormat::json) {
		auto array = nlohmann::ordered_json::array();
		for (const auto *set : sets)
			array.push_back(nlohmann::ordered_json::parse(render_table(*set, format)));
		return array.dump(2) + "\n";
	}
	for (std::size_t i = 0; i < sets.size(); ++i) {
		auto table = render_table(*sets[i], format);
		if (format == OutputFormat::csv && i > 0)
			table.erase(0, table.find('\n') + 1);
		else if (i > 0)
			out += "\n";
		out += table;
	}
	return out;
}

std::string csv_field(std::string_view text)
{
	if (text.find_first_of(",\"\n\r") == std::string_view::npos)
		return std::string(text);
	std::string out = "\"";
	for (char c : text) {
		if (c == '"')
			out += '"';
		out += c;
	}
	return out + "\"";
}

std::string markdown_cell(std::string_view text)
{
	std::string out;
	for (char c : text) {
		if (c == '|' || c == '\\' || c == '`' || c == '*' || c == '_' || c == '[' || c == ']' || c == '<' || c == '>')
			out += '\\';
		out += (c == '\n' || c == '\r') ? ' ' : c;
	}
	return out;
}

} // namespace e4mext::report
