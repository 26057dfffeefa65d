// The e4mext-report command line: table, compare, plot, gate, report.
// Exit status: 0 success (gate: pass), 1 gate found a regression, 2 bad usage, bad input or a
// failed tool (gnuplot), 5 the gate left a case undecided (never a pass unless --allow-undecided);
// every error is one line on stderr.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace e4mext::report {

inline constexpr int exit_ok = 0;
inline constexpr int exit_regression = 1;
inline constexpr int exit_error = 2;
inline constexpr int exit_undecided = 5; // 3 and 4 are the runner's run failure and guest crash

// args: the arguments after the program name.
int run_cli(const std::vector<std::string> &args, std::ostream &out, std::ostream &err);

// run_cli with std::cout and std::cerr as a program's main calls it: output that could not be
// written (a full disk, a closed pipe) is an error (exit 2), never a silent success.
int run_cli_on_stdout(const std::vector<std::string> &args, const std::string &program);

} // namespace e4mext::report
