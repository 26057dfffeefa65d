#include "cli.hpp"

#include "input_error.hpp"

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

constexpr const char *overview = R"(The report's commands read fio --output-format=json (or json+) files or directories of them
(searched recursively for *.json); an engine statistics side file x.stats.jsonl next to x.json
is joined automatically.
Sets: a set is the runs of one label - a directory holding metadata.txt (the bench's
results/<label>/) or a file named "label" (results/coverletter/wo), with everything under it.
A PATH holding several such directories gives several sets, a PATH inside one gives that set;
result files under none form one set per PATH. Sets are never merged.
Figures: rates are unrounded (1000 * total I/Os / runtime in ms); tables print them truncated, as
fio does. Verdicts (compare and gate alike): the ratio of the candidate's runs to the base's, its
interval by Welch's t on the log of the runs (Boost.Math students_t) at 1 - 0.05/(cases x looks):
"changed" beyond the threshold and significant, "equivalent" when the interval lies within the
threshold, else "undecided" with the runs per side the measured spread would need.
)";

// Each command's help: the usage line first ("usage: e4mext table PATH..."), then the description,
// CLI11's list of arguments and options, and the footer.
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
	const char *summary; // the line the program's --help lists
	const char *usage;   // after the program's name
	const char *description;
	const char *footer = "";
};

constexpr CommandHelp table_help{"table", "the cover letter's table of each set (text, markdown, csv or json)",
				 R"(table PATH... [--label NAME | --labels "A,B,..."] [--format text|markdown|csv|json])",
				 R"(Prints one block of the cover letter's table per set: "  [NAME]", then one row per case,
"   U 4k:    IOPS=225k,  BW=877MiB/s", U rows before M rows, block sizes ascending, numbers
formatted exactly as fio formats them. Several runs of one case print their median; markdown,
csv and json add min, max, stddev, n and, when a side file exists, the engine's extents
before/after, partial moves and retries. Jobs with an error or without writes are listed as
excluded, never averaged in. Several sets print one block each (json: an array of them).
)"};

constexpr CommandHelp compare_help{"compare", "two or more sets case by case: changes and verdicts",
				   R"(compare PATH... [--labels "A,B,..."] [--format text|markdown|csv|json]
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
looks the runs may have had (--looks: the bench's --max-rounds - 2; 1 for a fixed number of runs).
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
under ext4_move_extents that only one of the two kernels' profiles ever sampled, and where an
in-use case's foreground waited off a CPU beside the moves (run-N.offcpu.folded); then the cost
of a move per case and set: moves per second, wall ms per move and the CPU ms per move of the
move path's functions whose cost differs most between the sets (perf samples over the moves).
)",
				   R"(compare and the gate judge alike (one decision rule, statistics.hpp); the gate fails only on
drops.)"};

constexpr CommandHelp plot_help{"plot", "bar charts of the sets, their ratios and latencies (gnuplot)",
				R"(plot PATH... -o OUT.png|OUT.svg [--metric iops|bw] [--log] [--labels "A,B,..."])",
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
end (* changed, = equivalent, ? undecided; see compare --help).
)"};

constexpr CommandHelp gate_help{"gate", "fail on a significant drop of CAND against BASE (CI)",
				R"(gate BASE CAND [--max-regression 5%] [--metric iops|bw] [--min-samples 3]
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

constexpr CommandHelp report_help{"report", "a self-contained HTML report and its Markdown twin",
				  R"(report PATH... -o DIR [--labels "A,B,..."])",
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

void describe_command(CLI::App &app, const CommandHelp &help, const std::string &program)
{
	app.description(help.description);
	app.footer(help.footer);
	app.formatter(std::make_shared<UsageFirstFormatter>(program + " " + help.usage));
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
bool parse_command(CLI::App &app, const std::vector<std::string> &args, const Console &console)
{
	const auto command = app.get_name();
	// CLI11 checks values before it looks at --help; asked for, help wins over a bad value.
	const auto help_asked = [&app, &console] {
		if (app.get_help_ptr()->count() == 0)
			return false;
		console.out << app.help();
		return true;
	};
	std::vector<std::string> reversed(args.rbegin(), args.rend() - 1); // CLI11 takes them last first
	try {
		app.parse(reversed);
	} catch (const CLI::CallForHelp &) {
		console.out << app.help();
		return false;
	} catch (const CLI::ParseError &e) {
		if (help_asked())
			return false;
		throw UsageError(command + ": " + readable(e) + " (see " + console.program + " " + command + " --help)");
	} catch (const UsageError &e) { // a value our parsers refused (percentage, count, format, ...)
		if (help_asked())
			return false;
		throw UsageError(command + ": " + e.what());
	}
	return true;
}

// --labels "A,B,...": the names, split at commas (their number is checked against the sets).
std::vector<std::string> split_labels(const std::optional<std::string> &text)
{
	std::vector<std::string> labels;
	if (!text)
		return labels;
	std::size_t start = 0;
	while (true) {
		const auto comma = text->find(',', start);
		labels.push_back(text->substr(start, comma == std::string::npos ? std::string::npos : comma - start));
		if (comma == std::string::npos)
			return labels;
		start = comma + 1;
	}
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

void add_looks(CLI::App &app, std::size_t &looks)
{
	app.add_option_function<std::string>(
		   "--looks", [&looks](const std::string &text) { looks = parse_count(text, "--looks"); },
		   "the most looks the runs may have had: the bench's --max-rounds - 2\n(default 1: a fixed number of runs)")
		->type_name("K");
}

int table_command(const std::vector<std::string> &args, const Console &console)
{
	CLI::App app("", "table");
	describe_command(app, table_help, console.program);
	TableRequest request;
	std::optional<std::string> labels;
	add_paths(app, request.paths);
	auto *label_option = app.add_option("--label", request.names.label,
					    "the name of the one set (an error when PATHs hold several;\n"
					    "not with --labels)")
				     ->type_name("NAME");
	add_labels(app, labels)->excludes(label_option);
	add_format(app, request.format);
	if (!parse_command(app, args, console))
		return exit_ok;
	request.names.labels = split_labels(labels);
	table(request, console);
	return exit_ok;
}

int compare_command(const std::vector<std::string> &args, const Console &console)
{
	CLI::App app("", "compare");
	describe_command(app, compare_help, console.program);
	CompareRequest request;
	std::optional<std::string> labels;
	add_paths(app, request.paths);
	add_labels(app, labels);
	add_format(app, request.format);
	app.add_option_function<std::string>(
		   "--threshold",
		   [&request](const std::string &text) {
			   request.options.threshold = parse_percentage(text, "--threshold").percent / 100.0;
		   },
		   "the change that matters, in percent (default 5%)")
		->type_name("P");
	add_looks(app, request.options.looks);
	if (!parse_command(app, args, console))
		return exit_ok;
	request.names.labels = split_labels(labels);
	compare(request, console);
	return exit_ok;
}

int plot_command(const std::vector<std::string> &args, const Console &console)
{
	CLI::App app("", "plot");
	describe_command(app, plot_help, console.program);
	PlotRequest request;
	std::optional<std::string> labels;
	add_paths(app, request.paths);
	app.add_option_function<std::string>(
		   "-o,--output",
		   [&request](const std::string &text) {
			   check_plot_output(text); // a bad extension or place is refused before anything is read
			   request.output = text;
		   },
		   "the image to write (.png or .svg); also the latency chart\nOUT-latency.png or .svg (p50, p99 and p99.9 of a move, where fio\nprinted them), OUT-foreground.png or .svg (in-use cases: the\nforeground's p99 beside the moves and alone) and with two or more sets the ratio chart,\nOUT-ratio.png or .svg")
		->required()
		->type_name("OUT");
	add_metric(app, request.metric);
	app.add_flag(
		   "--log", request.log_scale,
		   "logarithmic y axes on every panel (without it: where a panel's\nvalues span more than a decade; the ratio chart's always)")
		->disable_flag_override();
	add_labels(app, labels);
	if (!parse_command(app, args, console))
		return exit_ok;
	request.names.labels = split_labels(labels);
	plot(request, console);
	return exit_ok;
}

int gate_command(const std::vector<std::string> &args, const Console &console)
{
	CLI::App app("", "gate");
	describe_command(app, gate_help, console.program);
	GateRequest request;
	std::optional<std::string> labels;
	app.add_option("BASE", request.base, "the base set: fio JSON files or a directory of them")->required()->type_name("");
	app.add_option("CAND", request.candidate, "the candidate set, likewise")->required()->type_name("");
	app.add_option_function<std::string>(
		   "--max-regression",
		   [&request](const std::string &text) { request.options.max_regression = parse_percentage(text); },
		   "allowed drop in percent: 5% and 5 both mean five percent; a bare\n"
		   "number below 1 (0.05) is refused as ambiguous (default 5%)")
		->type_name("P");
	add_metric(app, request.options.metric);
	app.add_option_function<std::string>(
		   "--min-samples",
		   [&request](const std::string &text) { request.options.min_samples = parse_count(text, "--min-samples"); },
		   "runs required per case on both sides (default 3)")
		->type_name("N");
	app.add_option("--labels", labels, "names of BASE and CAND")->type_name("\"A,B\"");
	add_looks(app, request.options.looks);
	app.add_flag("--allow-undecided", request.allow_undecided, "exit 0 when no case regressed but some are undecided");
	app.add_option("--markdown-summary", request.markdown_summary,
		       "append a Markdown summary to F (e.g. \"$GITHUB_STEP_SUMMARY\")")
		->type_name("F");
	app.add_option("--verdict-json", request.verdict_json,
		       "write the verdict as JSON to F (max_regression as given,\nand in percent)")
		->type_name("F");
	app.add_flag(
		   "--allow-partial", request.allow_partial,
		   "gate sets marked PARTIAL or still running (refused otherwise: their\nfigures cover only the runs that finished)")
		->disable_flag_override();
	if (!parse_command(app, args, console))
		return exit_ok;
	request.labels = split_labels(labels);
	return gate(request, console);
}

int report_command(const std::vector<std::string> &args, const Console &console)
{
	CLI::App app("", "report");
	describe_command(app, report_help, console.program);
	ReportRequest request;
	std::optional<std::string> labels;
	std::string dir;
	add_paths(app, request.paths);
	app.add_option("-o,--output", dir, "the directory to write (created if needed)")->required()->type_name("DIR");
	add_labels(app, labels);
	if (!parse_command(app, args, console))
		return exit_ok;
	request.names.labels = split_labels(labels);
	request.dir = dir;
	html_report(request, console);
	return exit_ok;
}

} // namespace

const std::vector<ReportCommand> &report_commands()
{
	static const std::vector<ReportCommand> commands{
		{table_help.name, table_help.summary, table_command},    {compare_help.name, compare_help.summary, compare_command},
		{plot_help.name, plot_help.summary, plot_command},       {gate_help.name, gate_help.summary, gate_command},
		{report_help.name, report_help.summary, report_command},
	};
	return commands;
}

const char *report_overview()
{
	return overview;
}

int run_cli(const std::vector<std::string> &args, std::ostream &out, std::ostream &err, const std::string &program)
{
	const Console console{out, err, program};
	return run_command(
		[&] {
			if (args.empty())
				throw UsageError("no command given; try " + program + " --help");
			for (const ReportCommand &command : report_commands())
				if (args[0] == command.name)
					return command.run(args, console);
			throw UsageError("unknown command '" + args[0] +
					 "'; commands: table, compare, plot, gate, report (see --help)");
		},
		console);
}

int run_on_stdout(const ReportCommand &command, const std::vector<std::string> &args, const std::string &program)
{
	int status = exit_error;
	try {
		const Console console{std::cout, std::cerr, program};
		status = run_command([&] { return command.run(args, console); }, console);
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

} // namespace e4mext::report
