#include "subcommand.h"

#include "runner_errors.h"

#include <iostream>

namespace e4mext::runner {

int run_subcommands(CLI::App &app, const std::vector<Subcommand> &commands, const std::string &program, int argc, char **argv)
{
	try {
		app.parse(argc, argv);
	} catch (const CLI::CallForHelp &e) {
		return app.exit(e);
	} catch (const CLI::CallForAllHelp &e) {
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
	} catch (const UsageError &e) {
		std::cerr << program << ": " << e.what() << "\n";
		return kExitBadUsage;
	} catch (const KernelUnavailable &e) {
		std::cerr << program << ": " << e.what() << "\n";
		return kExitBootFailed;
	} catch (const std::exception &e) {
		std::cerr << program << ": " << e.what() << "\n";
		return kExitBootFailed;
	}
}

} // namespace e4mext::runner
