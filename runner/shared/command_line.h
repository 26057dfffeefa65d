// The command line of a program without subcommands (move-ext-regression, job-fuzz), parsed by
// CLI11 the same way for each: --help prints the help and exits 0; a mistake says
// "PROGRAM: what (PROGRAM --help lists the options)" and exits 2.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

namespace e4mext::runner {

// A usage mistake of `program`, found by CLI11 or by the program's own checks after it.
[[noreturn]] inline void exit_with_usage_error(const std::string &program, const std::string &what)
{
	std::cerr << program << ": " << what << " (" << program << " --help lists the options)\n";
	std::exit(2);
}

// Parses argv into the options bound to `app` (named by the program), or exits as above.
inline void parse_or_exit(CLI::App &app, int argc, char **argv)
{
	try {
		app.parse(argc, argv);
	} catch (const CLI::CallForHelp &) {
		std::cout << app.help();
		std::exit(0);
	} catch (const CLI::ParseError &e) {
		exit_with_usage_error(app.get_name(), e.what());
	}
}

} // namespace e4mext::runner
