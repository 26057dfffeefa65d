// One case from start to verdict: lay its files out on the empty mount, run fio on its job file,
// then check what the run left: data, engine statistics, donors, fio's end and the kernel log.
#pragma once

#include "case_spec.h"
#include "checks.h"
#include "kernel_complaints.h"

#include <string>
#include <vector>

namespace e4mext::jobfuzz {

struct CaseOutcome {
	std::vector<Failure> failures;
	unsigned jobs = 0;
	unsigned refused_jobs = 0;       // jobs fio reports with an error
	bool fio_rejected = false;       // fio ran no job: it refused the job file itself
	std::string fio_rejection;       // fio's first complaint then
	bool misaligned_refused = false; // the engine refused I/Os as not on block boundaries
	unsigned stats_records = 0;
	unsigned records_without_requests = 0; // stats lines without the ioctl request sums
	std::string job_text;                  // what ran
	std::string fio_log;                   // what fio printed
};

struct CaseEnvironment {
	std::string fio;
	std::string engine;
	std::string mnt;  // the loop filesystem's mount point: emptied before each case
	std::string work; // outside the mount: the job file, fio's output, the engine's statistics
	KernelLog *kernel_log = nullptr;
	std::string drop_caches_problem; // set when the caches could not be dropped
};

CaseOutcome run_case(const CaseSpec &c, CaseEnvironment &env);

// Removes everything in the mount but lost+found. Throws std::runtime_error.
void clear_mount(const std::string &mnt);

} // namespace e4mext::jobfuzz
