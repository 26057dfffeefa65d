// DefragFile checks every write where fio issues it: one that is not whole filesystem blocks, or
// reaches past the original's end, is refused with EINVAL and never reaches the ioctl (faked here).
// And it checks the descriptor the moves really go through (fio's), not only its own.
#include "defrag_file.h"
#include "ext4_files.h"

#include <catch2/catch.hpp>

#include <fcntl.h>

#include <cerrno>
#include <memory>

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

// A DefragFile that must open and prepare; the test stops here when it does not, saying why.
std::unique_ptr<DefragFile> prepared_file(const fs::path &orig, const DefragConfig &config)
{
	Result<std::unique_ptr<DefragFile>> file = DefragFile::open(orig.string(), config);
	if (!file)
		FAIL(file.error().message);
	if (const Status prepared = file.value()->prepare(0, kSize); !prepared)
		FAIL(prepared.error().message);
	return std::move(file.value());
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
	const std::unique_ptr<DefragFile> prepared = prepared_file(orig, config);
	DefragFile &file = *prepared;
	UniqueFd fd(::open(orig.c_str(), O_RDWR | O_CLOEXEC));
	ioctl_calls = 0;

	CHECK(file.move(fd.get(), 8192, 65536).error == 0);
	CHECK(ioctl_calls == 1);
	CHECK(file.take_message("x").empty()); // nothing went wrong

	CHECK(file.move(fd.get(), 2048, 65536).error == EINVAL);        // offset off by half a block
	CHECK(file.move(fd.get(), 4096, 6144).error == EINVAL);         // length not whole blocks
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

TEST_CASE("the descriptor the moves go through must be the prepared inode, open read-write", "[defrag_file]")
{
	Ext4TempDir dir;
	REQUIRE_FALSE(dir.path.empty());
	const fs::path orig = dir.path / "orig", other = dir.path / "other";
	write_file(orig, kSize, 0x11);
	write_file(other, kSize, 0x22);
	DefragConfig config;
	config.donor.path = (dir.path / "donor").string();
	config.move_fn = fake_move;
	const std::unique_ptr<DefragFile> file = prepared_file(orig, config);

	UniqueFd read_write(::open(orig.c_str(), O_RDWR | O_CLOEXEC));
	CHECK(file->check_move_fd(read_write.get()));
	for (int mode : {O_RDONLY, O_WRONLY}) {
		UniqueFd fd(::open(orig.c_str(), mode | O_CLOEXEC));
		REQUIRE(fd.valid());
		const Status refused = file->check_move_fd(fd.get());
		REQUIRE_FALSE(refused);
		CHECK(refused.error().errnum == EBADF);
		CHECK_THAT(refused.error().message,
			   Catch::Contains("original " + orig.string() + " is not open for reading and writing"));
	}
	UniqueFd replaced(::open(other.c_str(), O_RDWR | O_CLOEXEC));
	const Status stale = file->check_move_fd(replaced.get());
	REQUIRE_FALSE(stale);
	CHECK(stale.error().errnum == ESTALE);
	CHECK_THAT(stale.error().message, Catch::Contains("was replaced after e4mext prepared it"));
}

TEST_CASE("verify_data passes only for the bytes at the very end: a change after the last checksum fails it", "[defrag_file]")
{
	Ext4TempDir dir;
	REQUIRE_FALSE(dir.path.empty());
	const fs::path orig = dir.path / "orig";
	write_file(orig, kSize, 0x11);
	DefragConfig config;
	config.donor.path = (dir.path / "donor").string();
	config.move_fn = fake_move;
	config.verify_data = true;

	std::unique_ptr<DefragFile> untouched = prepared_file(orig, config);
	DefragReport kept = untouched->finish({});
	untouched->confirm_unchanged_since_verify(kept);
	CHECK(kept.verify == VerifyResult::passed);
	untouched.reset();

	std::unique_ptr<DefragFile> appended = prepared_file(orig, config);
	DefragReport report = appended->finish({});
	REQUIRE(report.verify == VerifyResult::passed); // the checksums agree...
	UniqueFd fd(::open(orig.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
	REQUIRE(::write(fd.get(), "{}\n", 3) == 3); // ...then something writes after the last one
	appended->confirm_unchanged_since_verify(report);
	CHECK(report.verify == VerifyResult::failed);
	CHECK_THAT(report.verify_detail,
		   Catch::Contains("changed after its final checksum") &&
			   Catch::Contains("size " + std::to_string(kSize) + " then " + std::to_string(kSize + 3)));
}
