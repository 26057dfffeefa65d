#include "kernel_log.h"

#include <catch2/catch.hpp>

using namespace e4mext::runner;

TEST_CASE("kernel log: a /dev/kmsg record's sequence number and first line", "[kernel_log]")
{
	const auto r =
		parse_kernel_log_record("4,1234,5678,-;WARNING: CPU: 1 PID: 42 at fs/ext4/move_extent.c:100\n SUBSYSTEM=x\n");
	REQUIRE(r);
	CHECK(r->sequence == 1234);
	CHECK(r->text == "WARNING: CPU: 1 PID: 42 at fs/ext4/move_extent.c:100");
	const auto caller = parse_kernel_log_record("12,99,1,c,caller=T7;EXT4-fs (loop3): mounted filesystem");
	REQUIRE(caller);
	CHECK(caller->sequence == 99);
	CHECK(caller->text == "EXT4-fs (loop3): mounted filesystem");
	CHECK_FALSE(parse_kernel_log_record("no record here"));
	CHECK_FALSE(parse_kernel_log_record("message; with a semicolon, then a comma"));
}
