// Placeholder while the stress command is being written (this session); replaced by its module.
#include "runner_errors.h"
#include "subcommand.h"

namespace e4mext::runner {

Subcommand add_stress_command(CLI::App &parent)
{
	CLI::App *app = parent.add_subcommand("stress", "(being written)");
	return {app, []() -> int { throw UsageError("e4mext stress is not written yet"); }};
}

} // namespace e4mext::runner
