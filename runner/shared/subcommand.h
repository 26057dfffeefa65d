// The subcommands of build/e4mext. Each module adds its CLI11 subcommand to a parent app, binds the
// options to state of its own, and returns what runs it once the command line has been parsed.
// Errors: throw UsageError (exit 2), RunFailed or a kind of it (exit 3; runner_errors.h), or return the command's status.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <vector>

namespace e4mext::runner {

struct Subcommand {
	CLI::App *app = nullptr;
	std::function<int()> run;
};

Subcommand add_bench_command(CLI::App &parent);
// `e4mext merge`: the shards of one bench (bench --shard I/N) as one result (bench_command.cpp).
Subcommand add_merge_command(CLI::App &parent);
Subcommand add_stress_command(CLI::App &parent);
Subcommand add_overhead_command(CLI::App &parent);
Subcommand add_regression_command(CLI::App &parent);
// `run` and `kernels` (e4mext vm run|kernels, and the e4mext-vm program's own two).
std::vector<Subcommand> add_vm_commands(CLI::App &parent);

// The arguments this program was started with (after its name), for metadata ("command: ...").
const std::vector<std::string> &program_arguments();

// --accel auto|kvm|tcg (vm run, bench, regression), bound to `accel`, its default shown.
CLI::Option *add_accelerator_option(CLI::App &app, std::string &accel);

// "exit status: 0 done ..., 2 ...": the statuses of runner_errors.h that `program` (e4mext,
// e4mext-report or e4mext-vm) returns, for its --help.
std::string exit_status_help(const std::string &program);

// Parses argv for `app` and runs the one subcommand given, mapping the runner's errors to exit
// statuses with messages prefixed by `program`.
int run_subcommands(CLI::App &app, const std::vector<Subcommand> &commands, const std::string &program, int argc, char **argv);

} // namespace e4mext::runner
