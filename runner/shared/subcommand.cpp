#include "subcommand.h"

#include "cleanup_registry.h"
#include "runner_errors.h"

#include <iostream>

namespace e4mext::runner {

namespace {
std::vector<std::string> g_arguments;
}

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
