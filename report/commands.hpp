// The report's commands as typed functions: what `e4mext table|compare|plot|gate|report` do once
// their command line is parsed (cli.cpp), and what the bench calls for its tables, comparisons,
// charts and gate. Each reads the sets of its PATHs, warns on err about sets that did not finish,
// and writes its result on out (gate: also its files); bad usage throws UsageError, bad input
// InputError, a failed gnuplot PlotError (run_command turns each into one line and exit 2).
#pragma once

#include "compare.hpp"
#include "gate.hpp"
#include "render.hpp"
#include "result_set.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace e4mext::report {

// The exit statuses of the report's commands: 0, 1, 2 and 5 of the program's one list
// (runner/shared/runner_errors.h).
inline constexpr int exit_ok = 0;
inline constexpr int exit_regression = 1;
inline constexpr int exit_error = 2;
inline constexpr int exit_undecided = 5;

// Where a command writes: its result on out; warnings and notes on err, each line starting with
// the program's name ("e4mext: compare: note: ...").
struct Console {
	std::ostream &out;
	std::ostream &err;
	std::string program = "e4mext";
};

// Set names: labels (one per set, in the order found) or label (the only set); neither: the
// names the sets carry (metadata.txt's label, the "label" file, the directory's name).
struct SetNames {
	std::vector<std::string> labels;
	std::optional<std::string> label;
};

struct TableRequest {
	std::vector<std::string> paths;
	SetNames names;
	OutputFormat format = OutputFormat::text;
};
void table(const TableRequest &request, const Console &console);

struct CompareRequest {
	std::vector<std::string> paths;
	SetNames names;
	OutputFormat format = OutputFormat::text;
	CompareOptions options;
};
void compare(const CompareRequest &request, const Console &console);

struct PlotRequest {
	std::vector<std::string> paths;
	SetNames names;
	std::filesystem::path output; // .png or .svg; OUT-latency and OUT-ratio beside it
	Metric metric = Metric::iops;
	bool log_scale = false;
};
// Refuses an output plot cannot write (extension, a directory, no parent) before anything is read.
void check_plot_output(const std::filesystem::path &output);
void plot(const PlotRequest &request, const Console &console);

struct GateRequest {
	std::string base;
	std::string candidate;
	std::vector<std::string> labels; // none, or the names of BASE and CAND
	GateOptions options;
	bool allow_undecided = false;
	bool allow_partial = false;
	std::optional<std::string> markdown_summary; // appended to
	std::optional<std::string> verdict_json;     // written
};
// exit_ok, exit_regression or exit_undecided (exit_ok with allow_undecided).
int gate(const GateRequest &request, const Console &console);

struct ReportRequest {
	std::vector<std::string> paths;
	SetNames names;
	std::filesystem::path dir;
};
void html_report(const ReportRequest &request, const Console &console);

// Runs a command's action as the program does: its status, or for an error one line
// "PROGRAM: message" on console.err and exit_error.
int run_command(const std::function<int()> &action, const Console &console);

} // namespace e4mext::report
