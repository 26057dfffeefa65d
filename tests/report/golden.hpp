// Shared helpers of the report tests: run the CLI in-process, read golden files.
// The tests run with tests/data/report as the working directory, so outputs hold relative paths.
#pragma once

#include "cli.hpp"
#include "fio_parse.hpp"

#include <sstream>
#include <string>
#include <vector>

struct CliRun {
	int status = -1;
	std::string out;
	std::string err;
};

inline CliRun run_report(const std::vector<std::string> &args)
{
	std::ostringstream out, err;
	CliRun run;
	run.status = e4mext::report::run_cli(args, out, err);
	run.out = out.str();
	run.err = err.str();
	return run;
}

inline std::string golden(const std::string &name)
{
	return e4mext::report::read_file_text("golden/" + name);
}

inline std::string coverletter(const std::string &table)
{
	return std::string(E4MEXT_SOURCE_ROOT) + "/results/coverletter/" + table;
}
