// The suite inside an e4mext VM guest (`e4mext regression --kernel ...`): how it knows it is there,
// how it tells the host which case is running, and the test-only crash trigger.
#pragma once

#include <string>

namespace e4mext::regress {

// True inside the guest of e4mext's VM runner: $E4MEXT_DISKS is set and the root is the host's,
// shared read-only over virtiofs (a FUSE filesystem). Never true on a host booted from a disk.
bool in_e4mext_guest();

// Prefix of the kernel-log line written when a case starts (see mark_case_start).
inline constexpr const char *kCaseStartMarker = "e4mext-regression: case start ";

// Writes "e4mext-regression: case start <id>" to /dev/kmsg, so the line sits in the kernel's own
// log (the VM's console) right before anything the kernel prints while the case runs: the host
// attributes a panic, oops or WARNING to the case by it. Turns off /dev/kmsg's rate limit first.
void mark_case_start(const std::string &id);

// Panics the kernel through /proc/sysrq-trigger (test-only: proves the host reports a crash as a
// failure of the case that was running). Throws std::runtime_error outside an e4mext guest.
[[noreturn]] void crash_kernel_with_sysrq(const std::string &id);

} // namespace e4mext::regress
