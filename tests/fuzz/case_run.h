// One case from start to verdict: lay its files out on the empty mount, run fio on its job file,
// then check what the run left: data, engine statistics, donors, fio's end and the kernel log.
#pragma once

#include "case_spec.h"
#include "checks.h"
#include "kernel_complaints.h"

#include <string>
#include <vector>

namespace e4mext::jobfuzz {

// Seconds a case spent in each step, summed over a run to show where its time goes.
struct PhaseTimes {
	double prepare = 0; // emptying (or making again) the filesystem: main.cpp's
	double lay_out = 0; // writing and syncing the case's files
	double fio = 0;
	double caches = 0; // making the checks read from the device
	double checks = 0;
	PhaseTimes &operator+=(const PhaseTimes &o);
};

struct CaseOutcome {
	std::vector<Failure> failures;
	PhaseTimes times;
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
	std::string mnt;    // the loop filesystem's mount point: emptied before each case
	std::string device; // the loop device mounted there (ext4, no mount options)
	std::string work;   // outside the mount: the job file, fio's output, the engine's statistics
	KernelLog *kernel_log = nullptr;
};

CaseOutcome run_case(const CaseSpec &c, const CaseEnvironment &env);

// Marks the mount unbindable: a recursive bind of a directory above it (another program's chroot
// binding /dev, whose /dev/shm may hold the image) then leaves it out, instead of keeping a copy
// that holds the loop device after the fuzzer ends. Throws std::runtime_error.
void keep_out_of_bind_mounts(const std::string &mnt);

// Removes everything in the mount but lost+found. Throws std::runtime_error.
void clear_mount(const std::string &mnt);

} // namespace e4mext::jobfuzz
