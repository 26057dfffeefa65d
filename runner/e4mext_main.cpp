// build/e4mext, the project's one program: the bench, stress and overhead runs, the regression
// suite on any kernel, kernels in VMs, and the report's table/compare/plot/gate/report. One
// dispatcher (CLI11) runs every command. The same source builds the thin aliases e4mext-report
// (the report's commands only) and e4mext-vm (vm's run and kernels at the top), named by
// E4MEXT_PROGRAM.
#include "cli.hpp"
#include "runner_errors.h"
#include "subcommand.h"

#include <string>

#ifndef E4MEXT_PROGRAM
#define E4MEXT_PROGRAM "e4mext"
#endif

namespace {

using namespace e4mext::runner;

// One list of exit statuses (runner_errors.h): the report's commands use the same numbers.
static_assert(e4mext::report::exit_regression == 1 && e4mext::report::exit_error == kExitBadUsage &&
	      e4mext::report::exit_undecided == kExitUndecided);

std::string description(const std::string &program)
{
	if (program == "e4mext-report")
		return "e4mext-report: the report's commands of e4mext (e4mext-report COMMAND is e4mext COMMAND): tables,\n"
		       "comparisons, plots, an HTML report and a CI gate from fio JSON results.";
	if (program == "e4mext-vm")
		return "e4mext-vm: runs a command in a throwaway VM booting a kernel under test (e4mext-vm COMMAND is\n"
		       "e4mext vm COMMAND).";
	return "e4mext: measure and guard ext4 online defragmentation (EXT4_IOC_MOVE_EXT) with fio and libe4mext.";
}

// The report's commands as subcommands: CLI11 stops at the first argument (prefix_command) and the
// report's own parser takes every argument, --help included.
void add_report_commands(CLI::App &app, const std::string &program, std::vector<Subcommand> &commands)
{
	for (const e4mext::report::ReportCommand &command : e4mext::report::report_commands()) {
		CLI::App *sub = app.add_subcommand(command.name, command.summary);
		sub->prefix_command();
		sub->set_help_flag();
		commands.push_back({sub, [sub, &command, program] {
					    std::vector<std::string> args{command.name};
					    for (std::string &arg : sub->remaining())
						    args.push_back(std::move(arg));
					    return e4mext::report::run_on_stdout(command, args, program);
				    }});
	}
}

} // namespace

int main(int argc, char **argv)
{
	const std::string program = E4MEXT_PROGRAM;
	CLI::App app(description(program), program);
	app.require_subcommand(1);
	app.set_version_flag("--version", program + " " E4MEXT_VERSION);
	std::vector<Subcommand> commands;
	if (program == "e4mext-vm") {
		commands = add_vm_commands(app);
	} else if (program == "e4mext") {
		commands = {add_bench_command(app), add_merge_command(app), add_stress_command(app), add_overhead_command(app),
			    add_regression_command(app)};
		CLI::App *vm = app.add_subcommand("vm", "run a command in a throwaway VM per kernel; list Debian's kernels");
		vm->require_subcommand(1);
		for (Subcommand &c : add_vm_commands(*vm))
			commands.push_back(std::move(c));
	}
	if (program != "e4mext-vm")
		add_report_commands(app, program, commands);
	app.footer((program == "e4mext-report" ? std::string(e4mext::report::report_overview()) : std::string()) +
		   exit_status_help(program));
	return run_subcommands(app, commands, program, argc, argv);
}
