#include "subcommand.h"

#include "cleanup_registry.h"
#include "runner_errors.h"

#include <iostream>

namespace e4mext::runner {

namespace {

std::vector<std::string> g_arguments;

} // namespace

const std::vector<std::string> &program_arguments()
{
	return g_arguments;
}

CLI::Option *add_accelerator_option(CLI::App &app, std::string &accel)
{
	return app.add_option("--accel", accel, "VM accelerator: kvm, tcg, or auto (a short KVM boot decides)")
		->capture_default_str()
		->check(CLI::IsMember({"auto", "kvm", "tcg"}));
}

std::string exit_status_help(const std::string &program)
{
	std::string text = program == "e4mext-vm" ? "exit status: vm run: the command's own (several kernels: the first that "
						    "is not 0); else"
						  : "exit status:";
	bool first = true;
	for (const ExitStatusEntry &e : kExitStatuses) {
		if ((program == "e4mext-report" && !e.report) || (program == "e4mext-vm" && !e.vm))
			continue;
		text += (first ? " " : ", ") + std::string(e.status) + " " + e.meaning;
		first = false;
	}
	text += program == "e4mext-vm" ? "." : " (man " + program + ": EXIT STATUS).";
	// Lines of at most 100 columns, broken at spaces, as the rest of the help.
	for (size_t line_start = 0, space = 0; text.size() - line_start > 100; line_start = space + 1) {
		space = text.rfind(' ', line_start + 100);
		if (space == std::string::npos || space < line_start)
			break;
		text[space] = '\n';
	}
	return text;
}

int run_subcommands(CLI::App &app, const std::vector<Subcommand> &commands, const std::string &program, int argc, char **argv)
{
	g_arguments.assign(argv + 1, argv + argc);
	try {
		app.parse(argc, argv);
	} catch (const CLI::CallForHelp &e) {
		return app.exit(e);
	} catch (const CLI::CallForAllHelp &e) {
		return app.exit(e);
	} catch (const CLI::CallForVersion &e) {
		return app.exit(e);
	} catch (const CLI::ParseError &e) {
		std::cerr << program << ": " << e.what() << " (see " << program << " --help)\n";
		return kExitBadUsage;
	}
	try {
		for (const Subcommand &c : commands)
			if (c.app->parsed())
				return c.run();
		std::cerr << program << ": no command given (see " << program << " --help)\n";
		return kExitBadUsage;
	} catch (const Interrupted &e) {
		std::cerr << program << ": interrupted\n";
		return 128 + e.signal;
	} catch (const UsageError &e) {
		std::cerr << program << ": " << e.what() << "\n";
		return kExitBadUsage;
	} catch (const std::exception &e) { // RunFailed and its kinds, and whatever else went wrong
		std::cerr << program << ": " << e.what() << "\n";
		return kExitRunFailed;
	}
}

} // namespace e4mext::runner
