#include "commands.hpp"

#include "html_report.hpp"
#include "input_error.hpp"
#include "json_fields.hpp"
#include "move_cost.hpp"
#include "plot.hpp"
#include "profile.hpp"

#include <fstream>

namespace e4mext::report {

namespace {

namespace fs = std::filesystem;

std::string set_names(const std::vector<ResultSet> &sets)
{
	std::string names;
	for (const auto &set : sets)
		names += (names.empty() ? "" : ", ") + set.label + " (" + set.root.string() + ")";
	return names;
}

std::string joined(const std::vector<std::string> &labels)
{
	std::string text;
	for (const auto &label : labels)
		text += (text.empty() ? "" : ",") + label;
	return text;
}

// Names as --labels gives them: exactly `expected`, none empty.
void check_labels(const std::vector<std::string> &labels, std::size_t expected, const std::string &command)
{
	if (labels.size() != expected)
		throw UsageError(command + ": --labels \"" + joined(labels) + "\" names " + std::to_string(labels.size()) +
				 " set(s), expected " + std::to_string(expected) + " (comma-separated)");
	for (const auto &label : labels)
		if (label.empty())
			throw UsageError(command + ": --labels \"" + joined(labels) + "\" has an empty name");
}

// Why a set is not a finished bench's, or "": a PARTIAL file, a "status: partial" line in its
// metadata, or STATUS "running" (a bench still running, or one that was killed).
std::string unfinished(const ResultSet &set)
{
	if (set.root.empty())
		return "";
	std::error_code ec;
	const auto first_line = [](const fs::path &file) {
		std::ifstream in(file);
		std::string line;
		std::getline(in, line);
		return line;
	};
	for (const fs::path &dir : {set.root, set.root.parent_path()}) {
		if (dir != set.root && !fs::is_regular_file(dir / "bench.txt", ec))
			continue; // a kernel's set of `bench --kernel`: the bench's own files are one level up
		if (fs::is_regular_file(dir / "PARTIAL", ec))
			return "marked PARTIAL: " + first_line(dir / "PARTIAL");
		if (fs::is_regular_file(dir / "STATUS", ec) && first_line(dir / "STATUS") == "running")
			return "STATUS: running (a bench still running, or one that was killed)";
	}
	const std::string status = set.metadata_value("status");
	if (status.rfind("partial", 0) == 0 || status.rfind("running", 0) == 0)
		return "status: " + status;
	return "";
}

void warn_if_unfinished(const ResultSet &set, const std::string &command, const Console &console)
{
	if (const std::string why = unfinished(set); !why.empty())
		console.err << console.program << ": " << command << ": warning: set " << set.label << " (" << set.root.string()
			    << ") is not a finished bench's: " << why << "; its figures cover only the runs that finished\n";
}

void note_key_alike(const std::vector<ResultSet *> &sets, const std::string &command, const Console &console)
{
	if (const std::string note = key_alike(sets); !note.empty())
		console.err << console.program << ": " << command << ": note: " << note << "\n";
}

std::vector<ResultSet> load_sets(const std::vector<std::string> &paths, const SetNames &names, const std::string &command,
				 const Console &console)
{
	auto sets = load_result_sets(paths);
	for (const ResultSet &set : sets)
		warn_if_unfinished(set, command, console);
	if (!names.labels.empty()) {
		check_labels(names.labels, sets.size(), command);
		for (std::size_t i = 0; i < sets.size(); ++i)
			sets[i].label = names.labels[i];
	}
	if (names.label) {
		if (sets.size() != 1)
			throw UsageError(command + ": --label names one set, but the PATHs hold " + std::to_string(sets.size()) +
					 ": " + set_names(sets) + "; use --labels \"A,B,...\"");
		sets[0].label = *names.label;
	}
	std::vector<ResultSet *> pointers;
	for (auto &s : sets)
		pointers.push_back(&s);
	note_key_alike(pointers, command, console);
	return sets;
}

// BASE or CAND of the gate: exactly one set.
ResultSet load_one_set(const std::string &path, const std::string &role, const std::string &command)
{
	auto sets = load_result_sets({path});
	if (sets.size() != 1)
		throw UsageError(command + ": " + role + " " + path + " holds " + std::to_string(sets.size()) +
				 " sets: " + set_names(sets) + "; name one of them");
	return std::move(sets[0]);
}

std::vector<const ResultSet *> pointers_to(const std::vector<ResultSet> &sets)
{
	std::vector<const ResultSet *> pointers;
	for (const auto &s : sets)
		pointers.push_back(&s);
	return pointers;
}

void require_two_sets(const std::vector<ResultSet> &sets, const std::string &command, const Console &console)
{
	if (sets.size() < 2)
		throw UsageError(command + ": needs two or more sets, the PATHs hold " + std::to_string(sets.size()) + ": " +
				 set_names(sets) + " (see " + console.program + " " + command + " --help)");
}

void write_file(const std::string &path, const std::string &text, bool append)
{
	std::ofstream file(path, append ? std::ios::app : std::ios::trunc);
	file << text;
	file.close();
	if (!file)
		throw InputError(path + ": cannot write; check the path and its permissions");
}

} // namespace

void table(const TableRequest &request, const Console &console)
{
	const auto sets = load_sets(request.paths, request.names, "table", console);
	console.out << render_tables(pointers_to(sets), request.format);
}

void compare(const CompareRequest &request, const Console &console)
{
	const auto sets = load_sets(request.paths, request.names, "compare", console);
	require_two_sets(sets, "compare", console);
	const auto comparison = compare_sets(pointers_to(sets), request.options);
	console.out << render_comparison(comparison, request.format);
	if (request.format == OutputFormat::text || request.format == OutputFormat::markdown) {
		std::vector<fs::path> roots;
		std::vector<std::string> set_labels;
		for (const ResultSet &set : sets) {
			roots.push_back(set.root);
			set_labels.push_back(set.label);
		}
		console.out << render_profile_comparisons(roots, set_labels, request.format == OutputFormat::markdown)
			    << render_move_costs(comparison, request.format == OutputFormat::markdown);
	}
}

void check_plot_output(const fs::path &output)
{
	const std::string text = output.string();
	plot_format_for(output);
	std::error_code ec;
	if (fs::is_directory(output, ec))
		throw UsageError("-o " + text + " is a directory; give an image's file name, e.g. " +
				 (output / "plot.png").string());
	const fs::path parent = output.parent_path();
	if (!parent.empty() && !fs::is_directory(parent, ec))
		throw UsageError("-o " + text + ": no directory " + parent.string() + "; make it first");
}

void plot(const PlotRequest &request, const Console &console)
{
	check_plot_output(request.output);
	const auto sets = load_sets(request.paths, request.names, "plot", console);
	write_plot(plot_data_of(pointers_to(sets), request.metric), request.output, request.log_scale);
	console.out << "wrote " << request.output.string();
	// The latency chart, where fio printed completion-latency percentiles.
	if (const auto latency = latency_plot_data_of(pointers_to(sets)); !latency.panels.empty()) {
		const auto latency_output = latency_plot_path(request.output);
		write_plot(latency, latency_output, request.log_scale);
		console.out << (sets.size() >= 2 ? ", " : " and ") << latency_output.string();
	}
	// In-use cases: the foreground's p99 beside the moves and alone.
	if (const auto foreground = foreground_plot_data_of(pointers_to(sets)); !foreground.panels.empty()) {
		const auto foreground_output = foreground_plot_path(request.output);
		write_plot(foreground, foreground_output, request.log_scale);
		console.out << (sets.size() >= 2 ? ", " : " and ") << foreground_output.string();
	}
	if (sets.size() >= 2) {
		const auto ratio_output = ratio_plot_path(request.output);
		write_ratio_plot(ratio_plot_data_of(compare_sets(pointers_to(sets)), request.metric), ratio_output);
		console.out << " and " << ratio_output.string();
	}
	console.out << "\n";
}

int gate(const GateRequest &request, const Console &console)
{
	auto base = load_one_set(request.base, "BASE", "gate");
	auto candidate = load_one_set(request.candidate, "CAND", "gate");
	note_key_alike({&base, &candidate}, "gate", console);
	for (const auto *set : {&base, &candidate}) {
		const std::string why = unfinished(*set);
		if (why.empty())
			continue;
		if (!request.allow_partial)
			throw UsageError("gate: " + set->root.string() + " is not a finished bench's set (" + why +
					 "): rerun it, or give --allow-partial to gate the runs that finished");
		warn_if_unfinished(*set, "gate", console);
	}
	if (!request.labels.empty()) {
		check_labels(request.labels, 2, "gate");
		base.label = request.labels[0];
		candidate.label = request.labels[1];
	}
	const auto verdict = run_gate(base, candidate, request.options);
	console.out << render_gate_text(verdict);
	if (request.markdown_summary)
		write_file(*request.markdown_summary, render_gate_markdown(verdict), true);
	if (request.verdict_json)
		write_file(*request.verdict_json, render_gate_json(verdict), false);
	if (verdict.regressions() > 0)
		return exit_regression;
	return verdict.undecided() > 0 && !request.allow_undecided ? exit_undecided : exit_ok;
}

void html_report(const ReportRequest &request, const Console &console)
{
	const auto sets = load_sets(request.paths, request.names, "report", console);
	require_two_sets(sets, "report", console);
	write_report(pointers_to(sets), request.dir);
	console.out << "wrote " << (request.dir / "report.html").string() << " and " << (request.dir / "report.md").string()
		    << "\n";
}

int run_command(const std::function<int()> &action, const Console &console)
{
	const auto fail = [&](const std::string &message) {
		console.err << console.program << ": " << one_line(message, 600) << "\n";
		return exit_error;
	};
	try {
		return action();
	} catch (const UsageError &e) {
		return fail(e.what());
	} catch (const InputError &e) {
		return fail(e.what());
	} catch (const PlotError &e) {
		return fail(e.what());
	} catch (const std::bad_alloc &) {
		return fail("out of memory");
	} catch (const std::exception &e) {
		return fail(std::string("unexpected error: ") + e.what());
	}
}

} // namespace e4mext::report
