// Placeholder while the regression command is being written (this session); replaced by its module.
#include "runner_errors.h"
#include "subcommand.h"

namespace e4mext::runner {

Subcommand add_regression_command(CLI::App &parent)
{
	CLI::App *app = parent.add_subcommand("regression", "(being written)");
	return {app, []() -> int { throw UsageError("e4mext regression is not written yet"); }};
}

} // namespace e4mext::runner
