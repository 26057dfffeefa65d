// The two kinds of failure the runner's commands turn into distinct exit statuses.
#pragma once

#include <stdexcept>

namespace e4mext::runner {

// Exit statuses shared by the runner's commands (the report's gate uses 1 for a regression).
inline constexpr int kExitBadUsage = 2;
inline constexpr int kExitBootFailed = 3; // a run or the environment failed: no kernel, no boot, fio failed
inline constexpr int kExitGuestCrashed = 4;
inline constexpr int kExitUndecided = 5;     // a gate could not decide: never a pass (e4mext-report gate exits 5 too)
inline constexpr int kExitInterrupted = 130; // 128 + SIGINT; results kept, marked partial

// The user asked for something that cannot be: an unknown kernel version, a bad size (exit 2).
struct UsageError : std::runtime_error {
	using std::runtime_error::runtime_error;
};

// The kernel cannot be brought up: the archive unreachable, a download failed, no qemu or
// virtiofsd, a kernel that does not boot (exit 3).
struct KernelUnavailable : std::runtime_error {
	using std::runtime_error::runtime_error;
};

} // namespace e4mext::runner
