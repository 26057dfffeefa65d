// The faults: each runs on a fresh loop filesystem of its own, injects its fault into a defrag run
// and checks fio's answer (a clear error, or a clean finish where the fault is harmless); then
// what is left behind is checked (no crash, no donor, e2fsck clean, kernel log clean, our mount and
// loop device gone).
#pragma once

#include "stress_plan.h"

#include <string>

namespace e4mext::runner {

class StressChecks;

// Runs one fault with logs in `log`; returns what the user sees (the clear error, or what
// happened instead), "" when nothing is to be shown.
std::string run_fault(const StressSettings &settings, const StressFault &fault, const std::string &log, StressChecks &checks);

} // namespace e4mext::runner
