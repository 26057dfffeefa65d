// build/e4mext: the project's one program. The bench, stress and overhead runs, the regression
// suite on any kernel, kernels in VMs, and the report's table/compare/plot/gate/report (the same
// code as build/report/e4mext-report, which stays for existing users' commands).
#include "cli.hpp"
#include "subcommand.h"

#include <iostream>
#include <set>

namespace {

const std::set<std::string> kReportCommands = {"table", "compare", "plot", "gate", "report"};

constexpr const char *kDescription =
	"e4mext: measure and guard ext4 online defragmentation (EXT4_IOC_MOVE_EXT) with fio and libe4mext.\n"
	"Report commands (e4mext COMMAND --help for each): table, compare, plot, gate, report.";

} // namespace

int main(int argc, char **argv)
{
	using namespace e4mext::runner;
	if (argc > 1 && kReportCommands.count(argv[1]))
		return e4mext::report::run_cli_on_stdout(std::vector<std::string>(argv + 1, argv + argc), "e4mext");
	CLI::App app(kDescription, "e4mext");
	app.require_subcommand(1);
	app.set_version_flag("--version", "e4mext " E4MEXT_VERSION);
	app.footer("report commands: table, compare, plot, gate, report (as e4mext-report; see e4mext table --help)");
	std::vector<Subcommand> commands = {add_bench_command(app), add_stress_command(app), add_overhead_command(app),
					    add_regression_command(app)};
	CLI::App *vm = app.add_subcommand("vm", "run a command in a throwaway VM per kernel; list Debian's kernels");
	vm->require_subcommand(1);
	for (Subcommand &c : add_vm_commands(*vm))
		commands.push_back(std::move(c));
	return run_subcommands(app, commands, "e4mext", argc, argv);
}
