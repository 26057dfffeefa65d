// Placeholder while the overhead command is being written (this session); replaced by its module.
#include "runner_errors.h"
#include "subcommand.h"

namespace e4mext::runner {

Subcommand add_overhead_command(CLI::App &parent)
{
	CLI::App *app = parent.add_subcommand("overhead", "(being written)");
	return {app, []() -> int { throw UsageError("e4mext overhead is not written yet"); }};
}

} // namespace e4mext::runner
