// What one move cost, from the kernel profiles of the runs (bench --profile): per case and set,
// the moves of the profiled runs (fio's total_ios), their wall time per move (fio's runtime over
// the moves) and the CPU time per move of the move path's kernel functions - the samples of call
// chains through ext4_move_extents that hold the function (counted once per sample), over the
// moves, at perf's sampling period (1/kSamplesPerSecond s). Wall time beyond the move path's CPU
// time is off-CPU waiting (cpu-clock does not see it) or outside the move (fio, the engine, the
// syscall). The one reader of profiles and run files it uses is the report core's.
#pragma once

#include "compare.hpp"
#include "profile.hpp"

#include <optional>
#include <string>

namespace e4mext::report {

struct MoveCost {
	std::size_t runs = 0;         // the case's runs with a profile beside them
	std::uint64_t moves = 0;      // their total_ios
	std::uint64_t runtime_ms = 0; // their fio runtimes
	KernelFunctions functions;    // their profiles, merged

	double moves_per_second() const;
	double wall_ms_per_move() const;
	double cpu_ms_per_move(const std::string &function) const; // under ext4_move_extents
};

// The runs' profiles: run-N.perf.folded beside each run-N.json. None when no run has one.
std::optional<MoveCost> move_cost_of(const CaseResult &result);

// Per case of the comparison with a profile in some set: one column per set, the runs, moves,
// moves per second, wall ms per move and CPU ms per move under ext4_move_extents and of the `count`
// functions on that path whose cost per move differs most between the sets (one set: the
// costliest). Text (lines within 80 columns for two sets) or Markdown; "" without profiles.
std::string render_move_costs(const Comparison &comparison, bool markdown, std::size_t count = 24);

} // namespace e4mext::report
