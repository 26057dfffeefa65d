// e4mext-report: tables, comparisons, plots and a CI gate from fio JSON results.
#include "cli.hpp"

#include <exception>
#include <iostream>

int main(int argc, char **argv)
{
	try {
		const std::vector<std::string> args(argv + 1, argv + argc);
		return e4mext::report::run_cli(args, std::cout, std::cerr);
	} catch (const std::exception &e) {
		std::cerr << "e4mext-report: unexpected error: " << e.what() << "\n";
	} catch (...) {
		std::cerr << "e4mext-report: unexpected error\n";
	}
	return e4mext::report::exit_error;
}
