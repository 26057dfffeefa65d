// What a VM run says about itself: the metadata block (printed, and written as metadata.txt in the
// kernel's results directory), the verdict line, and the exit status it maps to.
#pragma once

#include "kernel_spec.h"
#include "runner_errors.h"
#include "vm_run.h"

#include <string>

namespace e4mext::runner {

struct RunFacts {
	const Kernel &kernel;
	const VmRequest &request;
	const AcceleratorChoice &accel;
	const VmOutcome &outcome;
	std::string qemu_version;
};

// "key: value" lines: kernel, guest kernel, accelerator, vCPUs, memory, disks, qemu, times, status.
std::string metadata_block(const RunFacts &facts);

// The command's status when it finished without a crash report; 3 when the guest did not come
// up or the host could not write its disks; 4 when the console showed a crash (even if the command
// finished) or the guest hung.
int exit_status_of(const VmOutcome &outcome);

// What happened, for a person: the status, each crash with the first lines of its trace, or why
// the guest did not boot with the console's last lines.
std::string verdict(const VmOutcome &outcome);

} // namespace e4mext::runner
