#include "cli.hpp"

#include "compare.hpp"
#include "gate.hpp"
#include "html_report.hpp"
#include "input_error.hpp"
#include "json_fields.hpp"
#include "move_cost.hpp"
#include "plot.hpp"
#include "profile.hpp"
#include "render.hpp"
#include "result_set.hpp"

#include <CLI/CLI.hpp>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

namespace e4mext::report {

namespace {

namespace fs = std::filesystem;

constexpr const char *main_help = R"(usage: e4mext-report COMMAND [ARGS]  (e4mext-report COMMAND --help for details)

Tables, comparisons, plots and a CI gate from fio JSON results of ext4 online defragmentation
(EXT4_IOC_MOVE_EXT via fio's e4defrag engine or libe4mext).

commands:
  table PATH... [--label NAME | --labels "A,B,..."] [--format text|markdown|csv|json]
  compare PATH... [--labels "A,B,..."] [--format text|markdown|csv|json] [--threshold 5%] [--looks K]
  plot PATH... -o OUT.png|OUT.svg [--metric iops|bw] [--log] [--labels "A,B,..."]
                 (also OUT-latency.png|svg: p50/p99 of a move; OUT-foreground.png|svg:
                 in-use cases' foreground p99 beside the moves and alone; with two or more sets
                 OUT-ratio.png|svg: each case against the first set)
  gate BASE CAND [--max-regression 5%] [--metric iops|bw] [--min-samples 3] [--labels "A,B"]
                 [--looks K] [--allow-undecided] [--markdown-summary FILE] [--verdict-json FILE]
  report PATH... -o DIR [--labels "A,B,..."]

PATH, BASE and CAND are fio --output-format=json (or json+) files or directories of them
(searched recursively for *.json). An engine statistics side file x.stats.jsonl next to x.json
is joined automatically.
Sets: a set is the runs of one label - a directory holding metadata.txt (scripts/bench's
results/<label>/) or a file named "label" (results/coverletter/wo), with everything under it.
A PATH holding several such directories gives several sets, a PATH inside one gives that set;
result files under none form one set per PATH. Sets are never merged.
Figures: rates are unrounded (1000 * total I/Os / runtime in ms); tables print them truncated, as
fio does. Verdicts (compare and gate alike): the ratio of the candidate's runs to the base's, its
interval by Welch's t on the log of the runs (Boost.Math students_t) at 1 - 0.05/(cases x looks):
"changed" beyond the threshold and significant, "equivalent" when the interval lies within the
threshold, else "undecided" with the runs per side the measured spread would need.
exit status: 0 ok (gate: pass), 1 the gate found a regression, 2 bad usage, bad input or a failed
gnuplot, 5 the gate left a case undecided (unless --allow-undecided).
)";

// Each command's help: the usage line first (as it always was), then the description, CLI11's
// list of arguments and options, and the footer.
class UsageFirstFormatter : public CLI::Formatter {
public:
	explicit UsageFirstFormatter(std::string usage) : usage_(std::move(usage)) { column_width(26); }

	std::string make_help(const CLI::App *app, std::string, CLI::AppFormatMode mode) const override
	{
		return "usage: " + usage_ + "\n\n" + app->get_description() + make_positionals(app) + make_groups(app, mode) +
		       (app->get_footer().empty() ? "" : "\n" + make_footer(app));
	}

	// The value's name only: defaults and exclusions are written in the descriptions.
	std::string make_option_opts(const CLI::Option *option) const override
	{
		return option->get_type_name().empty() ? "" : " " + option->get_type_name();
	}

private:
	std::string usage_;
};

struct CommandHelp {
	const char *name;
	const char *usage;
	const char *description;
	const char *footer = "";
};

constexpr CommandHelp table_help{
	"table", R"(e4mext-report table PATH... [--label NAME | --labels "A,B,..."] [--format text|markdown|csv|json])",
	R"(Prints one block of the cover letter's table per set: "  [NAME]", then one row per case,
"   U 4k:    IOPS=225k,  BW=877MiB/s", U rows before M rows, block sizes ascending, numbers
formatted exactly as fio formats them. Several runs of one case print their median; markdown,
csv and json add min, max, stddev, n and, when a side file exists, the engine's extents
before/after, partial moves and retries. Jobs with an error or without writes are listed as
excluded, never averaged in. Several sets print one block each (json: an array of them).
)"};

constexpr CommandHelp compare_help{"compare",
				   R"(e4mext-report compare PATH... [--labels "A,B,..."] [--format text|markdown|csv|json]
                             [--threshold 5%] [--looks K])",
				   R"(Compares two or more sets (PATHs, or the sets inside them), one column per set: text prints
the cover letter's blocks side by side, then for IOPS and for BW each case's median with its
spread (+-stddev as % of the median), its % change against the first set (unrounded rates) and
the verdict of the decision rule the gate uses:
  *  changed: the change is beyond --threshold and significant
  =  equivalent: the ratio's whole interval lies within +-threshold
  ?  undecided: neither; the verdicts list the runs per side the measured spread would need
The interval: Welch's t on the log of the runs' rates (Boost.Math students_t), at 1 - 0.05 /
(cases x looks): Bonferroni over the cases a set shares with the first (per metric) and over the
looks the runs may have had (--looks: the bench's --max-rounds; 1 for a fixed number of runs).
Then the completion latency of a move (fio's p50 / p99 / p99.9, median over runs) judged by the
same rule, and per case the verdict with the ratio of medians, its interval and the moves behind
each figure: THIN marks a run with fewer than 400 moves, ENDED BEFORE THE WINDOW a run that
stopped before its runtime=. A geomean row: the geometric mean of the medians over the cases
every set has. markdown adds min-max, n and the moves; csv has one row per metric, case and set
(with the 95% CI of the mean, the ratio and its interval, the verdict and runs needed); json has
everything, runs and latencies included.
Sets recorded with bench --profile (runs/<case>/run-N.perf.folded) get a profile section in text
and markdown: per case, the kernel functions whose share of the samples changed most against the
first set (children and self, in percentage points, as lkp's perf-profile), and the functions
under ext4_move_extents that only one of the two kernels' profiles ever sampled; then the cost
of a move per case and set: moves per second, wall ms per move and the CPU ms per move of the
move path's functions whose cost differs most between the sets (perf samples over the moves).
)",
				   R"(compare and the gate judge alike (one decision rule, statistics.hpp); the gate fails only on
drops.)"};

constexpr CommandHelp plot_help{"plot",
				R"(e4mext-report plot PATH... -o OUT.png|OUT.svg [--metric iops|bw] [--log] [--labels "A,B,..."])",
				R"(Bar charts drawn by gnuplot (E4MEXT_GNUPLOT names another gnuplot binary): small multiples, one
panel per group of cases that differ only in block size (U, M, "U donor=written", ...), block
sizes along x, one bar per set (each PATH's sets) with the median written over it and a min-max
bar; each panel has its own y scale, labelled with the figure and its unit, and a log scale
where its values span more than a decade (--log: every panel). The key gives each set's runs
per case. Panels are 420x340 px, four per row at most, whatever the number of cases. The title
names each set's kernel, fio and e4mext versions. The format follows the extension. A failed
gnuplot or a missing output file is an error (exit 2).
Where the runs have fio's completion-latency percentiles it also writes the latency chart
OUT-latency.png (or .svg): per group a p50, a p99 and a p99.9 panel of a move's time in microseconds.
Where the runs have a foreground (in-use cases) it also writes OUT-foreground.png (or .svg): per
group the foreground's p99 in microseconds, beside the moves and alone, two bars per set.
With two or more sets it also writes the ratio chart OUT-ratio.png (or .svg): one row per case
(and the geomean), one bar per set after the first: its median divided by the first set's, on a
log axis around the 1.0 line (the first set), the ratio and compare's mark written at the bar's
end (* changed, = equivalent, ? undecided; see e4mext-report compare --help).
)"};

constexpr CommandHelp gate_help{"gate",
				R"(e4mext-report gate BASE CAND [--max-regression 5%] [--metric iops|bw] [--min-samples 3]
                          [--labels "A,B"] [--markdown-summary FILE] [--verdict-json FILE])",
				R"(Compares each case of CAND with BASE's (each one set) by compare's decision rule: the ratio of
the runs' unrounded rates and its interval (Welch's t on the logs, at 1 - 0.05/(cases x looks)).
A case
  regresses     when it is lower by more than --max-regression and significantly so;
  passes        when it is equivalent within --max-regression, improved, or its interval's low
                end lies above 1 - max-regression;
  is undecided  otherwise: the gate says how many runs per side the measured spread would need
                and does not pass (exit 5, unless --allow-undecided);
  is missing    when CAND has no usable run of it: a failure.
Cases only in CAND are listed as new.
)",
				R"(Exit status: 0 pass, 1 a case regressed or is missing, 2 bad usage or input (including a case
with fewer runs than --min-samples), 5 no regression but a case undecided (0 with --allow-undecided).)"};

constexpr CommandHelp report_help{"report", R"(e4mext-report report PATH... -o DIR [--labels "A,B,..."])",
				  R"(For two or more sets, writes DIR/report.html (self-contained: each set's metadata - kernel,
machine, fio, e4mext version and git sha, date, load and every other metadata.txt line - the
cover letter's blocks, the comparison tables of compare, the IOPS and BW charts of plot and their
ratio charts (each set over the first) inline, and every run), DIR/report.md (its Markdown twin)
and DIR/report-iops.svg, report-bw.svg, report-iops-ratio.svg, report-bw-ratio.svg and, where
the runs have fio's latency percentiles, report-latency.svg (the charts the Markdown shows).
)"};

constexpr const char *paths_help = "fio JSON (or json+) files, or directories searched for *.json";
constexpr const char *labels_help = "one name per set, in the order found\n"
				    "(default: metadata.txt's label, the \"label\" file, else the directory name)";
constexpr const char *format_help = "text (default), markdown, csv or json";
constexpr const char *metric_help = "IOPS (default) or bandwidth in MiB/s";

void describe_command(CLI::App &app, const CommandHelp &help)
{
	app.description(help.description);
	app.footer(help.footer);
	app.formatter(std::make_shared<UsageFirstFormatter>(help.usage));
	app.set_help_flag("-h,--help", "print this help and exit");
}

// CLI11's message, but for the one that does not say what was wrong in words a user knows.
std::string readable(const CLI::ParseError &e)
{
	std::string message = e.what();
	const std::string override_text = " was given a disallowed flag override";
	if (const auto at = message.find(override_text); at != std::string::npos)
		return "--" + message.substr(0, at) + " is a flag and takes no value";
	return message;
}

// Parses args (the command's name first) into the options bound to app. False when --help was
// asked for: then the help is printed and nothing else is done. Bad usage throws UsageError.
bool parse_command(CLI::App &app, const std::vector<std::string> &args, std::ostream &out)
{
	const auto command = app.get_name();
	// CLI11 checks values before it looks at --help; asked for, help wins over a bad value.
	const auto help_asked = [&app, &out] {
		if (app.get_help_ptr()->count() == 0)
			return false;
		out << app.help();
		return true;
	};
	std::vector<std::string> reversed(args.rbegin(), args.rend() - 1); // CLI11 takes them last first
	try {
		app.parse(reversed);
	} catch (const CLI::CallForHelp &) {
		out << app.help();
		return false;
	} catch (const CLI::ParseError &e) {
		if (help_asked())
			return false;
		throw UsageError(command + ": " + readable(e) + " (see e4mext-report " + command + " --help)");
	} catch (const UsageError &e) { // a value our parsers refused (percentage, count, format, ...)
		if (help_asked())
			return false;
		throw UsageError(command + ": " + e.what());
	}
	return true;
}

std::vector<std::string> split_labels(const std::string &text, std::size_t expected, const std::string &command)
{
	std::vector<std::string> labels;
	std::size_t start = 0;
	while (true) {
		const auto comma = text.find(',', start);
		labels.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
		if (comma == std::string::npos)
			break;
		start = comma + 1;
	}
	if (labels.size() != expected)
		throw UsageError(command + ": --labels \"" + text + "\" names " + std::to_string(labels.size()) +
				 " set(s), expected " + std::to_string(expected) + " (comma-separated)");
	for (const auto &label : labels)
		if (label.empty())
			throw UsageError(command + ": --labels \"" + text + "\" has an empty name");
	return labels;
}

std::string set_names(const std::vector<ResultSet> &sets)
{
	std::string names;
	for (const auto &set : sets)
		names += (names.empty() ? "" : ", ") + set.label + " (" + set.root.string() + ")";
	return names;
}

// Every set of the PATHs, named by --labels (one per set) or --label (the only set).
// Where warnings go: run_cli's error stream.
std::ostream *warnings = &std::cerr;

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

void warn_if_unfinished(const ResultSet &set, const std::string &command)
{
	if (const std::string why = unfinished(set); !why.empty())
		*warnings << "e4mext-report: " << command << ": warning: set " << set.label << " (" << set.root.string()
			  << ") is not a finished bench's: " << why << "; its figures cover only the runs that finished\n";
}

std::vector<ResultSet *> pointers_to_mutable(std::vector<ResultSet> &sets)
{
	std::vector<ResultSet *> pointers;
	for (auto &s : sets)
		pointers.push_back(&s);
	return pointers;
}

std::vector<ResultSet> load_sets(const std::vector<std::string> &paths, const std::optional<std::string> &labels,
				 const std::optional<std::string> &label, const std::string &command)
{
	auto sets = load_result_sets(paths);
	for (const ResultSet &set : sets)
		warn_if_unfinished(set, command);
	if (labels) {
		const auto names = split_labels(*labels, sets.size(), command);
		for (std::size_t i = 0; i < sets.size(); ++i)
			sets[i].label = names[i];
	}
	if (label) {
		if (sets.size() != 1)
			throw UsageError(command + ": --label names one set, but the PATHs hold " + std::to_string(sets.size()) +
					 ": " + set_names(sets) + "; use --labels \"A,B,...\"");
		sets[0].label = *label;
	}
	if (const std::string note = key_alike(pointers_to_mutable(sets)); !note.empty())
		*warnings << "e4mext-report: " << command << ": note: " << note << "\n";
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

void require_two_sets(const std::vector<ResultSet> &sets, const std::string &command)
{
	if (sets.size() < 2)
		throw UsageError(command + ": needs two or more sets, the PATHs hold " + std::to_string(sets.size()) + ": " +
				 set_names(sets) + " (see e4mext-report " + command + " --help)");
}

std::size_t parse_count(const std::string &text, const std::string &option)
{
	std::size_t value = 0;
	const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
	if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value == 0)
		throw UsageError(option + " " + text + ": expected a whole number >= 1");
	return value;
}

// The PATH... every command but the gate takes.
void add_paths(CLI::App &app, std::vector<std::string> &paths)
{
	app.add_option("PATH", paths, paths_help)->required()->type_name("...");
}

CLI::Option *add_labels(CLI::App &app, std::optional<std::string> &labels)
{
	return app.add_option("--labels", labels, labels_help)->type_name("\"A,B,...\"");
}

void add_format(CLI::App &app, OutputFormat &format)
{
	app.add_option_function<std::string>(
		   "--format", [&format](const std::string &text) { format = parse_output_format(text); }, format_help)
		->type_name("FORMAT");
}

void add_metric(CLI::App &app, Metric &metric)
{
	app.add_option_function<std::string>(
		   "--metric", [&metric](const std::string &text) { metric = parse_metric(text); }, metric_help)
		->type_name("iops|bw");
}

int run_table(const std::vector<std::string> &args, std::ostream &out)
{
	CLI::App app("", "table");
	describe_command(app, table_help);
	std::vector<std::string> paths;
	std::optional<std::string> label, labels;
	auto format = OutputFormat::text;
	add_paths(app, paths);
	auto *label_option = app.add_option("--label", label,
					    "the name of the one set (an error when PATHs hold several;\n"
					    "not with --labels)")
				     ->type_name("NAME");
	add_labels(app, labels)->excludes(label_option);
	add_format(app, format);
	if (!parse_command(app, args, out))
		return exit_ok;
	const auto sets = load_sets(paths, labels, label, "table");
	out << render_tables(pointers_to(sets), format);
	return exit_ok;
}

void add_looks(CLI::App &app, std::size_t &looks)
{
	app.add_option_function<std::string>(
		   "--looks", [&looks](const std::string &text) { looks = parse_count(text, "--looks"); },
		   "the most looks the runs may have had: the bench's --max-rounds\n(default 1: a fixed number of runs)")
		->type_name("K");
}

int run_compare(const std::vector<std::string> &args, std::ostream &out)
{
	CLI::App app("", "compare");
	describe_command(app, compare_help);
	std::vector<std::string> paths;
	std::optional<std::string> labels;
	auto format = OutputFormat::text;
	add_paths(app, paths);
	add_labels(app, labels);
	add_format(app, format);
	CompareOptions options;
	app.add_option_function<std::string>(
		   "--threshold",
		   [&options](const std::string &text) {
			   options.threshold = parse_percentage(text, "--threshold").percent / 100.0;
		   },
		   "the change that matters, in percent (default 5%)")
		->type_name("P");
	add_looks(app, options.looks);
	if (!parse_command(app, args, out))
		return exit_ok;
	const auto sets = load_sets(paths, labels, std::nullopt, "compare");
	require_two_sets(sets, "compare");
	const auto comparison = compare_sets(pointers_to(sets), options);
	out << render_comparison(comparison, format);
	if (format == OutputFormat::text || format == OutputFormat::markdown) {
		std::vector<std::filesystem::path> roots;
		std::vector<std::string> set_labels;
		for (const ResultSet &set : sets) {
			roots.push_back(set.root);
			set_labels.push_back(set.label);
		}
		out << render_profile_comparisons(roots, set_labels, format == OutputFormat::markdown)
		    << render_move_costs(comparison, format == OutputFormat::markdown);
	}
	return exit_ok;
}

int run_plot(const std::vector<std::string> &args, std::ostream &out)
{
	CLI::App app("", "plot");
	describe_command(app, plot_help);
	std::vector<std::string> paths;
	std::optional<std::string> labels;
	std::filesystem::path output;
	auto metric = Metric::iops;
	bool log_scale = false;
	add_paths(app, paths);
	app.add_option_function<std::string>(
		   "-o,--output",
		   [&output](const std::string &text) {
			   plot_format_for(text); // a bad extension is refused before anything is read
			   std::error_code ec;
			   if (fs::is_directory(text, ec))
				   throw UsageError("-o " + text + " is a directory; give an image's file name, e.g. " +
						    (fs::path(text) / "plot.png").string());
			   const fs::path parent = fs::path(text).parent_path();
			   if (!parent.empty() && !fs::is_directory(parent, ec))
				   throw UsageError("-o " + text + ": no directory " + parent.string() + "; make it first");
			   output = text;
		   },
		   "the image to write (.png or .svg); also the latency chart\nOUT-latency.png or .svg (p50, p99 and p99.9 of a move, where fio\nprinted them), OUT-foreground.png or .svg (in-use cases: the\nforeground's p99 beside the moves and alone) and with two or more sets the ratio chart,\nOUT-ratio.png or .svg")
		->required()
		->type_name("OUT");
	add_metric(app, metric);
	app.add_flag(
		   "--log", log_scale,
		   "logarithmic y axes on every panel (without it: where a panel's\nvalues span more than a decade; the ratio chart's always)")
		->disable_flag_override();
	add_labels(app, labels);
	if (!parse_command(app, args, out))
		return exit_ok;
	const auto sets = load_sets(paths, labels, std::nullopt, "plot");
	write_plot(plot_data_of(pointers_to(sets), metric), output, log_scale);
	out << "wrote " << output.string();
	// The latency chart, where fio printed completion-latency percentiles.
	if (const auto latency = latency_plot_data_of(pointers_to(sets)); !latency.panels.empty()) {
		const auto latency_output = latency_plot_path(output);
		write_plot(latency, latency_output, log_scale);
		out << (sets.size() >= 2 ? ", " : " and ") << latency_output.string();
	}
	// In-use cases: the foreground's p99 beside the moves and alone.
	if (const auto foreground = foreground_plot_data_of(pointers_to(sets)); !foreground.panels.empty()) {
		const auto foreground_output = foreground_plot_path(output);
		write_plot(foreground, foreground_output, log_scale);
		out << (sets.size() >= 2 ? ", " : " and ") << foreground_output.string();
	}
	if (sets.size() >= 2) {
		const auto ratio_output = ratio_plot_path(output);
		write_ratio_plot(ratio_plot_data_of(compare_sets(pointers_to(sets)), metric), ratio_output);
		out << " and " << ratio_output.string();
	}
	out << "\n";
	return exit_ok;
}

void write_file(const std::string &path, const std::string &text, bool append)
{
	std::ofstream file(path, append ? std::ios::app : std::ios::trunc);
	file << text;
	file.close();
	if (!file)
		throw InputError(path + ": cannot write; check the path and its permissions");
}

int run_gate_command(const std::vector<std::string> &args, std::ostream &out)
{
	CLI::App app("", "gate");
	describe_command(app, gate_help);
	std::string base_path, candidate_path;
	std::optional<std::string> labels, markdown_summary, verdict_json;
	GateOptions options;
	app.add_option("BASE", base_path, "the base set: fio JSON files or a directory of them")->required()->type_name("");
	app.add_option("CAND", candidate_path, "the candidate set, likewise")->required()->type_name("");
	app.add_option_function<std::string>(
		   "--max-regression", [&options](const std::string &text) { options.max_regression = parse_percentage(text); },
		   "allowed drop in percent: 5% and 5 both mean five percent; a bare\n"
		   "number below 1 (0.05) is refused as ambiguous (default 5%)")
		->type_name("P");
	add_metric(app, options.metric);
	app.add_option_function<std::string>(
		   "--min-samples",
		   [&options](const std::string &text) { options.min_samples = parse_count(text, "--min-samples"); },
		   "runs required per case on both sides (default 3)")
		->type_name("N");
	app.add_option("--labels", labels, "names of BASE and CAND")->type_name("\"A,B\"");
	add_looks(app, options.looks);
	bool allow_undecided = false;
	app.add_flag("--allow-undecided", allow_undecided, "exit 0 when no case regressed but some are undecided");
	app.add_option("--markdown-summary", markdown_summary, "append a Markdown summary to F (e.g. \"$GITHUB_STEP_SUMMARY\")")
		->type_name("F");
	app.add_option("--verdict-json", verdict_json, "write the verdict as JSON to F (max_regression as given,\nand in percent)")
		->type_name("F");
	bool allow_partial = false;
	app.add_flag(
		   "--allow-partial", allow_partial,
		   "gate sets marked PARTIAL or still running (refused otherwise: their\nfigures cover only the runs that finished)")
		->disable_flag_override();
	if (!parse_command(app, args, out))
		return exit_ok;
	auto base = load_one_set(base_path, "BASE", "gate");
	auto candidate = load_one_set(candidate_path, "CAND", "gate");
	if (const std::string note = key_alike({&base, &candidate}); !note.empty())
		*warnings << "e4mext-report: gate: note: " << note << "\n";
	for (const auto *set : {&base, &candidate}) {
		const std::string why = unfinished(*set);
		if (why.empty())
			continue;
		if (!allow_partial)
			throw UsageError("gate: " + set->root.string() + " is not a finished bench's set (" + why +
					 "): rerun it, or give --allow-partial to gate the runs that finished");
		warn_if_unfinished(*set, "gate");
	}
	if (labels) {
		const auto names = split_labels(*labels, 2, "gate");
		base.label = names[0];
		candidate.label = names[1];
	}
	const auto verdict = run_gate(base, candidate, options);
	out << render_gate_text(verdict);
	if (markdown_summary)
		write_file(*markdown_summary, render_gate_markdown(verdict), true);
	if (verdict_json)
		write_file(*verdict_json, render_gate_json(verdict), false);
	if (verdict.regressions() > 0)
		return exit_regression;
	return verdict.undecided() > 0 && !allow_undecided ? exit_undecided : exit_ok;
}

int run_report(const std::vector<std::string> &args, std::ostream &out)
{
	CLI::App app("", "report");
	describe_command(app, report_help);
	std::vector<std::string> paths;
	std::optional<std::string> labels;
	std::string dir;
	add_paths(app, paths);
	app.add_option("-o,--output", dir, "the directory to write (created if needed)")->required()->type_name("DIR");
	add_labels(app, labels);
	if (!parse_command(app, args, out))
		return exit_ok;
	const auto sets = load_sets(paths, labels, std::nullopt, "report");
	require_two_sets(sets, "report");
	write_report(pointers_to(sets), dir);
	out << "wrote " << (std::filesystem::path(dir) / "report.html").string() << " and "
	    << (std::filesystem::path(dir) / "report.md").string() << "\n";
	return exit_ok;
}

} // namespace

int run_cli_on_stdout(const std::vector<std::string> &args, const std::string &program)
{
	int status = exit_error;
	try {
		status = run_cli(args, std::cout, std::cerr);
	} catch (const std::exception &e) {
		std::cerr << program << ": unexpected error: " << e.what() << "\n";
	} catch (...) {
		std::cerr << program << ": unexpected error\n";
	}
	errno = 0;
	std::cout.flush();
	if (!std::cout || std::fflush(stdout) != 0 || std::ferror(stdout)) {
		std::cerr << program << ": cannot write the output to stdout"
			  << (errno ? std::string(": ") + std::strerror(errno) : std::string()) << "\n";
		return status == exit_ok ? exit_error : status;
	}
	return status;
}

int run_cli(const std::vector<std::string> &args, std::ostream &out, std::ostream &err)
{
	const auto fail = [&](const std::string &message) {
		err << "e4mext-report: " << one_line(message, 600) << "\n";
		return exit_error;
	};
	warnings = &err;
	try {
		if (args.empty())
			throw UsageError("no command given; try e4mext-report --help");
		const auto &command = args[0];
		if (command == "--help" || command == "-h" || command == "help") {
			out << main_help;
			return exit_ok;
		}
		if (command == "--version") {
			out << "e4mext-report " << E4MEXT_VERSION << "\n";
			return exit_ok;
		}
		if (command == "table")
			return run_table(args, out);
		if (command == "compare")
			return run_compare(args, out);
		if (command == "plot")
			return run_plot(args, out);
		if (command == "gate")
			return run_gate_command(args, out);
		if (command == "report")
			return run_report(args, out);
		throw UsageError("unknown command '" + command + "'; commands: table, compare, plot, gate, report (see --help)");
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
