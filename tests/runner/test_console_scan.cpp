#include "console_scan.h"
#include "test_data.h"

#include <catch2/catch.hpp>

using namespace e4mext::runner;

TEST_CASE("console: a clean boot of 6.19.13 to /init has no crash report", "[console]")
{
	CHECK(scan_console(read_vm_data("console-clean-boot.log")).empty());
}

TEST_CASE("console: the sysrq panic of a 6.19.13 guest, with its trace", "[console]")
{
	const auto c = scan_console(read_vm_data("console-panic-sysrq.log"));
	REQUIRE(c.size() == 1);
	CHECK(c[0].kind == CrashKind::panic);
	CHECK(c[0].first_line == "Kernel panic - not syncing: sysrq triggered crash");
	REQUIRE(c[0].trace.size() == ConsoleScanner::kTraceLines);
	CHECK(c[0].trace[0].rfind("CPU: 0 UID: 0 PID: ", 0) == 0);
	CHECK(std::find(c[0].trace.begin(), c[0].trace.end(), " sysrq_handle_crash+0x1a/0x20") != c[0].trace.end());
}

TEST_CASE("console: syzbot's general protection fault oops (the series' first posting)", "[console]")
{
	const auto c = scan_console(read_vm_data("console-oops.log"));
	REQUIRE(!c.empty());
	CHECK(c[0].kind == CrashKind::oops);
	CHECK(c[0].first_line.rfind("Oops: general protection fault, probably for non-canonical address", 0) == 0);
	REQUIRE(c[0].trace.size() >= 2);
	CHECK(c[0].trace[0].rfind("KASAN: null-ptr-deref in range", 0) == 0); // part of the oops, not a report of its own
	for (const CrashReport &r : c)
		CHECK(r.kind != CrashKind::kasan);
}

TEST_CASE("console: syzbot's KASAN slab-out-of-bounds report ends at its rule", "[console]")
{
	const auto c = scan_console(read_vm_data("console-kasan.log"));
	REQUIRE(c.size() == 1);
	CHECK(c[0].kind == CrashKind::kasan);
	CHECK(c[0].first_line == "BUG: KASAN: slab-out-of-bounds in ext4_inode_journal_mode+0x7b/0x480 fs/ext4/ext4_jbd2.c:12");
	CHECK(c[0].trace[0] == "Read of size 8 at addr ffff88801cefc378 by task syz.0.17/5984");
}

TEST_CASE("console: BUG, kernel BUG at, WARNING and hung tasks, in chunks split anywhere", "[console]")
{
	const std::string log = "[    1.000000] ok\r\n"
				"[    2.000000] ------------[ cut here ]------------\n"
				"[    2.000001] WARNING: CPU: 1 PID: 7 at fs/ext4/move_extent.c:600 ext4_move_extents+0x1/0x2\n"
				"[    2.000002] Modules linked in:\n"
				"[    2.000003] ---[ end trace 0000000000000000 ]---\n"
				"[    3.000000] kernel BUG at fs/ext4/inode.c:42!\n"
				"[    4.000000][    T1] BUG: unable to handle page fault for address: 0000000000001000\n"
				"[  120.000000] INFO: task kworker/0:1:12 blocked for more than 120 seconds.\n";
	ConsoleScanner s;
	for (size_t i = 0; i < log.size(); i += 7)
		s.feed(std::string_view(log).substr(i, 7));
	s.finish();
	const auto &c = s.crashes();
	REQUIRE(c.size() == 4);
	CHECK(c[0].kind == CrashKind::warning);
	CHECK(c[0].trace == std::vector<std::string>{"Modules linked in:"});
	CHECK(c[1].kind == CrashKind::bug);
	CHECK(c[2].kind == CrashKind::bug);
	CHECK(c[2].first_line == "BUG: unable to handle page fault for address: 0000000000001000");
	CHECK(c[3].kind == CrashKind::hung_task);
	CHECK(std::string(crash_kind_name(c[3].kind)) == "hung task");
}

TEST_CASE("console: printk prefixes and carriage returns are removed", "[console]")
{
	CHECK(strip_printk_prefix("[    5.682267] Run /init as init process\r") == "Run /init as init process");
	CHECK(strip_printk_prefix("[ 1234.000001][  T123] Oops: 0000 [#1]") == "Oops: 0000 [#1]");
	CHECK(strip_printk_prefix("e4mext-init: up") == "e4mext-init: up");
}
