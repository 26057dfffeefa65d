// Placeholder while the bench command is being written (this session); replaced by its module.
#include "runner_errors.h"
#include "subcommand.h"

namespace e4mext::runner {

Subcommand add_bench_command(CLI::App &parent)
{
	CLI::App *app = parent.add_subcommand("bench", "(being written)");
	return {app, []() -> int { throw UsageError("e4mext bench is not written yet"); }};
}

} // namespace e4mext::runner
