#include "bench_vm.h"

#include <catch2/catch.hpp>

#include <stdlib.h>

#include <filesystem>
#include <fstream>

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
	CHECK(host.find((boot / "unfinished" / "coverletter" / "U-4k" / "run-2.log").string()) != std::string::npos);
	CHECK(host.find((boot / "console.log").string()) != std::string::npos);
	CHECK(host.find("/tmp/e4mext-results") == std::string::npos);
	fs::remove_all(base);
}
