// The errors build/e4mext's commands end with, and every exit status they map to: the one list.
//
//   0    done (a gate: no regression)          1    the report's gate found a regression
//   2    UsageError: bad usage                  3    RunFailed and its kinds: the run could not be done
//   4    the guest crashed or hung              5    a gate could not decide (never a pass)
//   128+N  signal N (Interrupted, cleanup_registry.h): results so far kept, marked partial
#pragma once

#include <stdexcept>

namespace e4mext::runner {

inline constexpr int kExitBadUsage = 2;
inline constexpr int kExitRunFailed = 3;
inline constexpr int kExitGuestCrashed = 4;
inline constexpr int kExitUndecided = 5;     // e4mext-report gate exits 5 too
inline constexpr int kExitInterrupted = 130; // 128 + SIGINT

// The user asked for something that cannot be: an unknown kernel version, a bad size (exit 2).
struct UsageError : std::runtime_error {
	using std::runtime_error::runtime_error;
};

// The run could not be done or did not complete: fio failed, a VM's disks could not be made
// (exit 3). The kinds below say what happened.
struct RunFailed : std::runtime_error {
	using std::runtime_error::runtime_error;
};

// The machine lacks what the command needs: a program (fio, virtiofsd, busybox, perf, the
// regression suite) or root (exit 3).
struct MissingRequirement : RunFailed {
	using RunFailed::RunFailed;
};

// The kernel under test cannot be had: the archive unreachable, a download or unpack failed
// (exit 3).
struct KernelUnavailable : RunFailed {
	using RunFailed::RunFailed;
};

// A write to the results failed (disk full, read-only, removed) (exit 3).
struct WriteFailed : RunFailed {
	using RunFailed::RunFailed;
};

} // namespace e4mext::runner
