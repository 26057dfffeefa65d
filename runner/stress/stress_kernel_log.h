// The kernel log as /dev/kmsg gives it: records "prio,seq,usec,flags;text" with a sequence number,
// so that a check sees only what appeared since a point, never older lines.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace e4mext::runner {

// The sequence number of the newest record (0 when /dev/kmsg cannot be read).
uint64_t kernel_log_sequence();

// The text of every record newer than `sequence`.
std::vector<std::string> kernel_log_since(uint64_t sequence);

// The lines among `lines` that mean trouble: kernel warnings and crashes, and unless
// `ext4_errors_injected`, ext4 errors or a journal abort on `device` ("loop3").
std::vector<std::string> kernel_log_problems(const std::vector<std::string> &lines, const std::string &device,
					     bool ext4_errors_injected);

} // namespace e4mext::runner
