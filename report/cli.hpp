// The command lines of the report's commands: table, compare, plot, gate, report. Each parses its
// arguments into a request of commands.hpp and runs it; the program's one dispatcher
// (runner/e4mext_main.cpp) lists them from report_commands().
// Exit statuses: commands.hpp (exit_ok, exit_regression, exit_error, exit_undecided); every
// error is one line on stderr.
#pragma once

#include "commands.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace e4mext::report {

struct ReportCommand {
	const char *name;    // "table"
	const char *summary; // the line the program's --help lists
	// args: the command's name first, then its arguments; errors throw (run_command maps them).
	int (*run)(const std::vector<std::string> &args, const Console &console);
};

// table, compare, plot, gate, report, in that order.
const std::vector<ReportCommand> &report_commands();

// What the commands share (inputs, sets, figures, verdicts): the text of e4mext-report --help.
const char *report_overview();

// Runs the command args[0] of report_commands() in this process; errors are one line
// "PROGRAM: message" on err (exit 2).
int run_cli(const std::vector<std::string> &args, std::ostream &out, std::ostream &err,
	    const std::string &program = "e4mext-report");

// Runs `command` as a program does, on std::cout and std::cerr: output that could not be written
// (a full disk, a closed pipe) is an error (exit 2), never a silent success.
int run_on_stdout(const ReportCommand &command, const std::vector<std::string> &args, const std::string &program);

} // namespace e4mext::report
