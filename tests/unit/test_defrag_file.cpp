// DefragFile checks every write where fio issues it: one that is not whole filesystem blocks, or
// reaches past the original's end, is refused with EINVAL and never reaches the ioctl (faked here).
#include "defrag_file.h"
#include "ext4_files.h"

#include <catch2/catch.hpp>

using namespace e4mext;
using namespace e4mext::test;

namespace {

constexpr uint64_t kSize = 1 << 20;
unsigned ioctl_calls = 0;

int fake_move(int, int, const MoveRequest &request, uint64_t *moved_len)
{
	++ioctl_calls;
	*moved_len = request.len;
	return 0;
}

} // namespace

TEST_CASE("writes that are not whole blocks inside the file never reach the ioctl", "[defrag_file]")
{
	Ext4TempDir dir;
	REQUIRE_FALSE(dir.path.empty()); // ext4_main.cpp runs these tests only where there is one
	const fs::path orig = dir.path / "orig";
	write_file(orig, kSize, 0x11);
	DefragConfig config;
	config.donor.path = (dir.path / "donor").string();
	config.move_fn = fake_move;
	DefragFile file(orig.string(), config);
	file.prepare(0, kSize);
	UniqueFd fd(::open(orig.c_str(), O_RDWR | O_CLOEXEC));
	ioctl_calls = 0;

	CHECK(file.move(fd.get(), 8192, 65536).error == 0);
	CHECK(ioctl_calls == 1);
	CHECK(file.take_message("x").empty()); // nothing went wrong

	CHECK(file.move(fd.get(), 2048, 65536).error == EINVAL); // offset off by half a block
	CHECK(file.move(fd.get(), 4096, 6144).error == EINVAL);  // length not whole blocks
	CHECK(file.move(fd.get(), kSize - 4096, 8192).error == EINVAL); // past the end
	CHECK(ioctl_calls == 1);
	const std::string message = file.take_message("blockalign=2048");
	CHECK_THAT(message, Catch::Contains("offset 2048, length 65536 is not whole 4096-byte filesystem blocks") &&
				    Catch::Contains("It comes from blockalign=2048"));
	CHECK(file.take_message("blockalign=2048").empty()); // said once

	const DefragReport report = file.finish({"job", 0, 1});
	CHECK(report.misaligned_refused == 2);
	CHECK(report.outside_refused == 1);
	CHECK(report.moves.bytes_requested == 65536);
	CHECK(report.moves.blocks_requested == 16);
	CHECK(to_json(report)["misaligned_refused"] == 2);
}
