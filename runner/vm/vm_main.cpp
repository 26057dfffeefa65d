// e4mext-vm: the same program as `e4mext vm` (run, kernels), kept for existing commands.
#include "subcommand.h"

int main(int argc, char **argv)
{
	CLI::App app("Runs a command in a throwaway VM booting a kernel under test (the same as `e4mext vm`).", "e4mext-vm");
	app.require_subcommand(1);
	const auto commands = e4mext::runner::add_vm_commands(app);
	return e4mext::runner::run_subcommands(app, commands, "e4mext-vm", argc, argv);
}
