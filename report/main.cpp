// e4mext-report: tables, comparisons, plots and a CI gate from fio JSON results.
#include "cli.hpp"

#include <exception>
#include <iostream>

int main(int argc, char **argv)
{
	return e4mext::report::run_cli_on_stdout(std::vector<std::string>(argv + 1, argv + argc), "e4mext-report");
}
