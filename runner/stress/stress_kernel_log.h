// What stress counts as trouble in the kernel log (read through runner/shared/kernel_log.h).
#pragma once

#include "kernel_log.h"

#include <string>
#include <vector>

namespace e4mext::runner {

// The lines among `lines` that mean trouble: kernel warnings and crashes, and unless
// `ext4_errors_injected`, ext4 errors or a journal abort on `device` ("loop3").
std::vector<std::string> kernel_log_problems(const std::vector<std::string> &lines, const std::string &device,
					     bool ext4_errors_injected);

} // namespace e4mext::runner
