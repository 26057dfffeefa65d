// The bench on kernels under test: one throwaway VM per kernel per round, the kernels alternating
// (round 1: A B, round 2: A B, ...), so a shared machine's drift falls on every kernel alike. In
// each VM the same e4mext, fio and engine (the host's, read-only over virtiofs) run one round of
// the cases on the VM's emulated NVMe disk (`e4mext bench --guest-disk`); the runs land on the
// host under <out>/<kernel>/runs/, one result set per kernel, with the VM's metadata.
#pragma once

#include "kernel_spec.h"
#include "vm_run.h"

#include <chrono>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace e4mext::runner {

struct KernelBenchPlan {
	std::vector<Kernel> kernels;
	std::vector<std::string> labels; // one per kernel: its results directory under out_dir
	AcceleratorChoice accel;
	std::string e4mext;                  // this program, as the guest runs it
	std::vector<std::string> guest_args; // the bench's case and size options, passed on
	unsigned rounds = 3;                 // fixed rounds; with sequential rounds the most (--max-rounds)
	bool sequential = false;
	std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now(); // for the progress lines
	std::string out_dir;
	VmRequest vm;                           // memory, cpus, disk size, timeouts
	std::vector<std::string> host_metadata; // bench facts for every kernel's metadata.txt
};

// One round: a VM per kernel, in order, each running case_ids (every case when empty) as run
// number `round`. Returns 0, or the VM's exit status (3 no boot / the bench failed in the guest,
// 4 a crash or hang: the verdict is printed). Throws Interrupted.
int run_kernel_round(const KernelBenchPlan &plan, unsigned round, const std::vector<std::string> &case_ids, std::ostream &out);

// Every round of a fixed plan (plan.rounds); returns as run_kernel_round.
int run_kernel_rounds(const KernelBenchPlan &plan, std::ostream &out);

// The guest kernel crashed while booting, before /init began: nothing of the bench ran. Under TCG a
// kernel can crash there now and then (an int3 Oops in sched_clock_cpu while static keys are patched,
// seen on 6.18.15 at 2.5 s), so the bench boots such a VM once more instead of losing the comparison.
bool crashed_before_init(const VmOutcome &outcome);

// Runs boot(), and once more when the first boot crashed before /init (crashed_before_init); before
// the second boot, set_aside() keeps the first one's files. Returns the outcome that counts.
VmOutcome boot_once_more_on_boot_crash(const std::function<VmOutcome()> &boot,
				       const std::function<void(const VmOutcome &)> &set_aside);

// An extended regex matching exactly these case ids, for the guest's --only.
std::string only_these_cases(const std::vector<std::string> &case_ids);

// `text` (the guest's output) with the guest's paths under its results directory ("(log
// /tmp/e4mext-results/runs/<case>/run-1.log)" of a failed fio run) replaced by the host's, where the
// file is after the round: the set's runs/, the set's unfinished/, or the round's directory.
std::string host_paths(std::string text, const std::string &boot_dir, const std::string &set_dir);

} // namespace e4mext::runner
