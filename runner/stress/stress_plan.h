// What `e4mext stress` runs: the workloads (the plain fio jobs of jobs/stress/) and the faults, with
// the loop filesystem each needs, and the settings of one run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace e4mext::runner {

struct StressWorkload {
	std::string name;
	std::string job;       // relative to the checkout
	std::string file_size; // FILESIZE= of the job
};

struct StressFault {
	std::string name;
	uint64_t fs_size;
	std::vector<std::string> mkfs_options;
	std::string mount_options;
	bool ext4_errors_injected; // the fault itself raises ext4 errors on our device
};

const std::vector<StressWorkload> &stress_workloads();
const std::vector<StressFault> &stress_faults();
std::vector<std::string> stress_names(); // workloads, then faults

// What every workload and fault needs to know of the run.
struct StressSettings {
	std::string top;      // the directory jobs/stress/ is in: the checkout, or PREFIX/share/e4mext installed
	std::string engine;   // absolute path of libe4mext.so
	unsigned runtime = 4; // seconds per workload
};

} // namespace e4mext::runner
