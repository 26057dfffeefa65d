// The errors build/e4mext's commands end with, and every exit status they map to: the one list
// (kExitStatuses below). The programs' --help prints it, each program only the statuses it
// returns; the docs suite (tests/docs/t_exit_statuses.sh) fails when a man page, README or doc
// page lists other statuses than the program's --help.
#pragma once

#include <stdexcept>

namespace e4mext::runner {

inline constexpr int kExitBadUsage = 2;
inline constexpr int kExitRunFailed = 3;
inline constexpr int kExitGuestCrashed = 4;
inline constexpr int kExitUndecided = 5;     // e4mext-report gate exits 5 too
inline constexpr int kExitNotRun = 77;       // as meson and autopkgtest count a skip
inline constexpr int kExitInterrupted = 130; // 128 + SIGINT

// One exit status, what it means, and which of the aliases return it (build/e4mext returns all).
struct ExitStatusEntry {
	const char *status; // "2", "128+N"
	const char *meaning;
	bool report; // e4mext-report (the report's commands: 0, 1, 2, 5)
	bool vm;     // e4mext-vm (vm run and kernels)
};

inline constexpr ExitStatusEntry kExitStatuses[] = {
	{"0", "done (a gate: pass)", true, true},
	{"1", "a gate found a regression (or a check failed)", true, false},
	{"2", "bad usage or input", true, true},
	{"3", "the run could not be done", false, true},
	{"4", "the guest crashed or hung", false, true},
	{"5", "a gate left a case undecided", true, false},
	{"77", "not run (stress or regression on the host, not root)", false, false},
	{"128+N", "signal N", false, true},
};

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
