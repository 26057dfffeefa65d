#include "stress_plan.h"

namespace e4mext::runner {

namespace {

constexpr uint64_t MiB = 1ull << 20;

} // namespace

const std::vector<StressWorkload> &stress_workloads()
{
	static const std::vector<StressWorkload> workloads = {
		{"aio-dio-verify", "jobs/stress/aio-dio-verify.fio", "256m"},
		{"buffered-donor-writer", "jobs/stress/buffered-donor-writer.fio", "256m"},
		{"shared-donor", "jobs/stress/shared-donor.fio", "128m"},
		{"inplace-random", "jobs/stress/inplace-random.fio", "256m"},
	};
	return workloads;
}

const std::vector<StressFault> &stress_faults()
{
	// The ENOSPC faults want a small filesystem without reserved blocks, so that it really fills.
	static const std::vector<std::string> small = {"-b", "4096", "-m", "0"};
	static const std::vector<StressFault> faults = {
		{"enospc-prepare", 256 * MiB, small, "", false},
		{"enospc-midrun", 256 * MiB, small, "", false},
		{"remount-ro", 512 * MiB, {}, "errors=remount-ro", true},
		{"truncate", 512 * MiB, {}, "", false},
		{"delete", 512 * MiB, {}, "", false},
		{"sigint", 512 * MiB, {}, "", false},
		{"sigterm", 512 * MiB, {}, "", false},
		{"sigkill", 512 * MiB, {}, "", false},
		{"sigkill-named-donor", 512 * MiB, {}, "", false},
		{"donor-dir-missing", 512 * MiB, {}, "", false},
		{"donor-dir-not-writable", 512 * MiB, {}, "", false},
		{"foreign-donor", 512 * MiB, {}, "", false},
	};
	return faults;
}

std::vector<std::string> stress_names()
{
	std::vector<std::string> names;
	for (const StressWorkload &w : stress_workloads())
		names.push_back(w.name);
	for (const StressFault &f : stress_faults())
		names.push_back(f.name);
	return names;
}

} // namespace e4mext::runner
