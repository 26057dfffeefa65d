#include "bench_vm.h"
#include "unfinished_runs.h"

#include <catch2/catch.hpp>

#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace e4mext::runner;
namespace fs = std::filesystem;

TEST_CASE("bench in VMs: a failed run's log is named by its host path, which exists", "[bench-vm]")
{
	char base[] = "/tmp/e4mext-test-bench-vm.XXXXXX";
	REQUIRE(::mkdtemp(base));
	const fs::path set = fs::path(base) / "6.19.13", boot = set / "vm" / "round-1";
	fs::create_directories(set / "runs" / "coverletter" / "M-4k");
	fs::create_directories(boot);
	std::ofstream(set / "runs" / "coverletter" / "M-4k" / "run-1.log") << "fio: io_u error\n";
	const std::string guest = "e4mext: fio failed on coverletter/M-4k run 1: exit status 1 (log "
				  "/tmp/e4mext-results/runs/coverletter/M-4k/run-1.log):\n"
				  "fio: io_u error on file /mnt/e4mext-bench.orig: No space left on device\n"
				  "see /tmp/e4mext-results/runs/coverletter/U-4k/run-2.log and /tmp/e4mext-results/console.log";
	const std::string host = host_paths(guest, boot.string(), set.string());
	const std::string log = (set / "runs" / "coverletter" / "M-4k" / "run-1.log").string();
	CHECK(host.find("(log " + log + "):\n") != std::string::npos);
	CHECK(fs::exists(log));
	CHECK(host.find("fio: io_u error on file /mnt/e4mext-bench.orig: No space left on device") != std::string::npos);
	CHECK(host.find((set / "unfinished" / "coverletter" / "U-4k" / "run-2.log").string()) != std::string::npos);
	CHECK(host.find((boot / "console.log").string()) != std::string::npos);
	CHECK(host.find("/tmp/e4mext-results") == std::string::npos);
	fs::remove_all(base);
}

namespace {

VmOutcome boot_crash()
{
	VmOutcome o;
	o.end = VmEnd::boot_failed;
	o.crashes.push_back({CrashKind::oops, "Oops: int3: 0000 [#1] SMP NOPTI", {}});
	return o;
}

VmOutcome finished()
{
	VmOutcome o;
	o.end = VmEnd::finished;
	o.reached_init = true;
	o.command_status = 0;
	return o;
}

} // namespace

TEST_CASE("bench in VMs: a guest that crashed before /init is booted once more, and only once", "[bench-vm]")
{
	CHECK(crashed_before_init(boot_crash()));
	VmOutcome after_init = boot_crash();
	after_init.reached_init = true; // the bench's part had begun: a crash there is a finding, not retried
	CHECK_FALSE(crashed_before_init(after_init));
	VmOutcome no_report = boot_crash();
	no_report.crashes.clear(); // qemu refused the kernel, or no line in time: booting again would not help
	CHECK_FALSE(crashed_before_init(no_report));
	CHECK_FALSE(crashed_before_init(finished()));

	std::vector<VmOutcome> boots = {boot_crash(), finished()};
	size_t booted = 0, set_aside = 0;
	const auto boot = [&] { return boots.at(booted++); };
	const auto keep = [&](const VmOutcome &crashed) {
		CHECK(crashed_before_init(crashed));
		++set_aside;
	};
	CHECK(boot_once_more_on_boot_crash(boot, keep).end == VmEnd::finished);
	CHECK(booted == 2);
	CHECK(set_aside == 1);

	boots = {boot_crash(), boot_crash(), finished()};
	booted = set_aside = 0;
	CHECK(boot_once_more_on_boot_crash(boot, keep).end == VmEnd::boot_failed); // twice: the kernel's, reported
	CHECK(booted == 2);

	boots = {after_init, finished()};
	booted = set_aside = 0;
	CHECK(boot_once_more_on_boot_crash(boot, keep).reached_init);
	CHECK(booted == 1);
	CHECK(set_aside == 0);
}

TEST_CASE("unfinished runs: every file of the run set aside, named, its paths in messages followed", "[bench-vm]")
{
	char base[] = "/tmp/e4mext-test-unfinished.XXXXXX";
	REQUIRE(::mkdtemp(base));
	const fs::path runs = fs::path(base) / "runs", aside = fs::path(base) / "unfinished";
	const fs::path dir = runs / "in-use" / "M-4k";
	fs::create_directories(dir);
	for (const char *f : {"run-2.fio", "run-2.json", "run-2.alone.json", "run-2.log", "run-2_iops.1.log", "run-20.json",
			      "run-1.json", "profile.txt"})
		std::ofstream(dir / f) << "x";
	CHECK(run_of("run-2.alone.json") == "run-2");
	CHECK(run_of("run-2_iops.1.log") == "run-2");
	CHECK(run_of("profile.txt").empty());
	CHECK(set_aside(runs, "in-use/M-4k/run-2", aside) == (aside / "in-use" / "M-4k").string());
	for (const char *f : {"run-2.fio", "run-2.json", "run-2.alone.json", "run-2.log", "run-2_iops.1.log"}) {
		CHECK(fs::exists(aside / "in-use" / "M-4k" / f));
		CHECK_FALSE(fs::exists(dir / f));
	}
	for (const char *f : {"run-20.json", "run-1.json", "profile.txt"})
		CHECK(fs::exists(dir / f));
	CHECK(unfinished_runs(aside) == std::vector<std::string>{"in-use/M-4k/run-2"});
	CHECK(unfinished_runs(fs::path(base) / "none").empty());
	// A message naming the run's log where it was names it where it is.
	const std::string message = "fio failed on in-use/M-4k run 2 (log " + (dir / "run-2.log").string() + "):\nlast line; see " +
				    (dir / "run-1.json").string();
	CHECK(where_files_are(message, runs.string(), aside.string()) ==
	      "fio failed on in-use/M-4k run 2 (log " + (aside / "in-use" / "M-4k" / "run-2.log").string() + "):\nlast line; see " +
		      (dir / "run-1.json").string());
	CHECK(interruption(SIGINT, {"in-use/M-4k/run-2"}) == "interrupted by SIGINT during in-use/M-4k/run-2");
	CHECK(interruption(SIGTERM, {}) == "interrupted by SIGTERM");
	// A JSON that fio cut short is not a finished run.
	CHECK_FALSE(run_finished(dir / "run-1.json"));
	CHECK_FALSE(run_finished(dir / "run-9.json"));
	fs::remove_all(base);
}
