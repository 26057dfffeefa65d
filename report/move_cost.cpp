#include "move_cost.hpp"

#include "input_error.hpp"
#include "number_text.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <vector>

namespace e4mext::report {

namespace fs = std::filesystem;

double MoveCost::moves_per_second() const
{
	return runtime_ms == 0 ? 0 : 1000.0 * double(moves) / double(runtime_ms);
}

double MoveCost::wall_ms_per_move() const
{
	return moves == 0 ? 0 : double(runtime_ms) / double(moves);
}

double MoveCost::cpu_ms_per_move(const std::string &function) const
{
	const auto f = functions.functions.find(function);
	if (moves == 0 || f == functions.functions.end())
		return 0;
	return double(f->second.under_move) * 1000.0 / kSamplesPerSecond / double(moves);
}

std::optional<MoveCost> move_cost_of(const CaseResult &result)
{
	MoveCost cost;
	FoldedProfile merged;
	std::set<std::string> seen; // a run's file once, however many jobs it held
	for (const Measurement *run : result.runs) {
		if (!seen.insert(run->source).second)
			continue;
		const fs::path folded = fs::path(run->source).replace_extension(".perf.folded");
		std::error_code ec;
		if (!fs::is_regular_file(folded, ec))
			continue;
		std::ifstream in(folded);
		if (!in)
			throw InputError(folded.string() + ": cannot read; check its permissions");
		merged.merge(read_folded(in, folded.string()));
		++cost.runs;
		cost.moves += run->write.total_ios;
		cost.runtime_ms += run->write.runtime_ms;
	}
	if (cost.runs == 0)
		return std::nullopt;
	cost.functions = kernel_functions(merged);
	return cost;
}

namespace {

// The functions below ext4_move_extents whose CPU per move differs most between the sets that
// have a profile (with one such set: the costliest), largest first.
std::vector<std::string> functions_to_list(const std::vector<std::optional<MoveCost>> &costs, std::size_t count)
{
	std::set<std::string> names;
	std::size_t profiled = 0;
	for (const auto &cost : costs)
		if (cost) {
			++profiled;
			for (const auto &[name, share] : cost->functions.functions)
				if (share.under_move > 0 && name != kMoveEntry)
					names.insert(name);
		}
	std::vector<std::pair<double, std::string>> ranked;
	for (const auto &name : names) {
		double low = 0, high = 0;
		bool first = true;
		for (const auto &cost : costs)
			if (cost) {
				const double ms = cost->cpu_ms_per_move(name);
				low = first ? ms : std::min(low, ms);
				high = first ? ms : std::max(high, ms);
				first = false;
			}
		ranked.emplace_back(profiled > 1 ? high - low : high, name);
	}
	std::stable_sort(ranked.begin(), ranked.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
	std::vector<std::string> listed;
	for (std::size_t i = 0; i < ranked.size() && i < count; ++i)
		listed.push_back(ranked[i].second);
	return listed;
}

struct CostTable {
	std::string title;
	std::vector<std::string> columns;                                   // the sets
	std::vector<std::pair<std::string, std::vector<std::string>>> rows; // name, one value per set
};

CostTable cost_table(const std::string &title, const std::vector<std::string> &labels,
		     const std::vector<std::optional<MoveCost>> &costs, std::size_t count)
{
	CostTable table{title, labels, {}};
	const auto row = [&](const std::string &name, const auto &value_of) {
		std::vector<std::string> values;
		for (const auto &cost : costs)
			values.push_back(cost ? value_of(*cost) : std::string("-"));
		table.rows.emplace_back(name, std::move(values));
	};
	row("profiled runs", [](const MoveCost &c) { return std::to_string(c.runs); });
	row("moves", [](const MoveCost &c) { return std::to_string(c.moves); });
	row("moves per second", [](const MoveCost &c) { return format_fixed(c.moves_per_second(), 1); });
	row("wall ms per move", [](const MoveCost &c) { return format_fixed(c.wall_ms_per_move(), 2); });
	row(std::string(kMoveEntry) + " (CPU)", [](const MoveCost &c) { return format_fixed(c.cpu_ms_per_move(kMoveEntry), 2); });
	for (const auto &name : functions_to_list(costs, count))
		row(name, [&name](const MoveCost &c) { return format_fixed(c.cpu_ms_per_move(name), 2); });
	return table;
}

std::string pad(const std::string &text, std::size_t width, bool left)
{
	if (text.size() >= width)
		return text;
	const std::string fill(width - text.size(), ' ');
	return left ? fill + text : text + fill;
}

std::string render_text_table(const CostTable &t)
{
	std::size_t name_width = t.title.size() + 2;
	for (const auto &[name, values] : t.rows)
		name_width = std::max(name_width, name.size() + 4);
	std::size_t column = 12;
	for (const auto &label : t.columns)
		column = std::max(column, label.size() + 2);
	std::string out = pad(t.title, name_width, false);
	for (const auto &label : t.columns)
		out += pad(label, column, true);
	out += "\n";
	for (const auto &[name, values] : t.rows) {
		std::string line = pad("  " + name, name_width, false);
		for (const auto &value : values)
			line += pad(value, column, true);
		out += line + "\n";
	}
	return out;
}

std::string render_markdown_table(const CostTable &t)
{
	std::string out = "| " + markdown_cell(t.title) + " |";
	std::string rule = "|---|";
	for (const auto &label : t.columns) {
		out += " " + markdown_cell(label) + " |";
		rule += "---:|";
	}
	out += "\n" + rule + "\n";
	for (const auto &[name, values] : t.rows) {
		out += "| " + markdown_cell(name) + " |";
		for (const auto &value : values)
			out += " " + value + " |";
		out += "\n";
	}
	return out;
}

std::string explanation()
{
	const std::string rate = std::to_string(kSamplesPerSecond);
	return "Wall: fio's runtime over the moves of the profiled runs. CPU: ms per move of the\n"
	       "samples (perf record -e cpu-clock -F " +
	       rate + ": a sample is 1/" + rate +
	       " s of one CPU) of call\n"
	       "chains that hold the function at or below ext4_move_extents; listed: the move\n"
	       "path's functions whose CPU per move differs most between the sets. Wall time\n"
	       "beyond the CPU is off-CPU waiting (cpu-clock does not see it) or outside the move.\n";
}

} // namespace

std::string render_move_costs(const Comparison &cmp, bool markdown, std::size_t count)
{
	std::vector<std::string> labels;
	for (const auto *set : cmp.sets)
		labels.push_back(set->label);
	std::string tables;
	for (const auto &row : cmp.cases) {
		std::vector<std::optional<MoveCost>> costs;
		bool any = false;
		for (const auto &cell : row.cells) {
			costs.push_back(cell.result ? move_cost_of(*cell.result) : std::nullopt);
			any = any || costs.back().has_value();
		}
		if (!any)
			continue;
		const auto table = cost_table(case_label(row.key, cmp.varying), labels, costs, count);
		tables += "\n" + (markdown ? render_markdown_table(table) : render_text_table(table));
	}
	if (tables.empty())
		return "";
	return std::string("\n") + (markdown ? "## " : "") + "Cost of a move (bench --profile)\n\n" + explanation() + tables;
}

} // namespace e4mext::report
