// The workloads of jobs/stress/: a defrag job races verifiers in one fio run on a fresh 1 GiB loop
// filesystem; their figures come from fio's JSON and the engine's statistics (through report_core).
#pragma once

#include "engine_stats.hpp"
#include "fio_result.hpp"
#include "stress_plan.h"

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace e4mext::runner {

class StressChecks;

struct WorkloadFigures {
	uint64_t moves = 0;
	uint64_t bytes_moved = 0;
	uint64_t ebusy = 0;
	uint64_t enodata = 0;
	uint64_t other = 0;
	uint64_t retries = 0;
	uint64_t clones = 0;        // statistics lines the engine wrote
	uint64_t defrag_clones = 0; // clones of jobs with ioengine=external:...
	uint64_t fio_errors = 0;    // move errors fio let pass (continue_on_error)
	// A write-only verifier reads only to verify; a randrw one also reads for its own sake, so its
	// figure is an upper bound (fio does not count verify reads apart).
	uint64_t verified = 0;
	std::vector<std::string> verify_failed; // "jobname error N"
	std::vector<std::string> untolerated;
};

WorkloadFigures workload_figures(const report::FioRun &fio, const std::vector<report::EngineStatsRecord> &stats);

// What the figures say is wrong (a verifier failed, clones without statistics, ...).
void check_workload_figures(const WorkloadFigures &figures, const std::string &fio_err, StressChecks &checks);

void print_workload_header(std::ostream &out);
void print_workload_row(std::ostream &out, const std::string &name, unsigned runtime, const WorkloadFigures &figures);

// Runs one workload, logs in `log`, and prints its row (the verdict follows on the same line).
void run_workload(const StressSettings &settings, const StressWorkload &workload, const std::string &log, StressChecks &checks,
		  std::ostream &out);

} // namespace e4mext::runner
