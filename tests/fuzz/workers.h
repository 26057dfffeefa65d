// job-fuzz --jobs N: N worker processes (job-fuzz itself, with --worker W), each running every Nth
// case on a loop ext4 of its own; this process counts their cases and prints the one summary.
#pragma once

#include "options.h"

#include <cstdint>

namespace e4mext::jobfuzz {

// The exit status of the run, as for one process: 0, or 1 when a case failed or a worker did not
// end as a worker ends. Throws runner::Interrupted after a SIGINT/SIGTERM, once the workers have
// stopped their fio and removed their filesystems.
int run_workers(const CommandLine &cmd, uint64_t seed);

} // namespace e4mext::jobfuzz
