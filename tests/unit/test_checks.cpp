// The checks made before any ioctl, on faked file facts: what the kernel would refuse never reaches it.
#include "checks.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>

using namespace e4mext;

namespace {

FileFacts ext4_file(const char *path, ino_t ino)
{
	FileFacts f;
	f.path = path;
	f.dev = makedev(7, 3);
	f.ino = ino;
	f.mode = S_IFREG | 0644;
	f.access_mode = O_RDWR;
	f.fs_type = "ext4";
	f.block_size = 4096;
	f.inode_flags = kFlagExtents;
	f.bigalloc = false;
	return f;
}

// The single problem found, or a failed test when there is not exactly one.
Error only_problem(const std::vector<Error> &problems)
{
	REQUIRE(problems.size() == 1);
	return problems.front();
}

} // namespace

TEST_CASE("a plain pair of ext4 files passes", "[checks]")
{
	const FileFacts orig = ext4_file("/mnt/test", 12), donor = ext4_file("/mnt/test.def", 13);
	CHECK(check_original(orig).empty());
	CHECK(check_donor(orig, donor).empty());
}

TEST_CASE("files off ext4 are refused, naming the filesystem", "[checks]")
{
	FileFacts orig = ext4_file("/tmp/x", 12);
	orig.fs_type = "tmpfs";
	const Error p = only_problem(check_original(orig));
	CHECK(p.errnum == ENOTTY);
	CHECK_THAT(p.message, Catch::Contains("/tmp/x") && Catch::Contains("tmpfs") && Catch::Contains("ext4"));
}

TEST_CASE("a donor on another filesystem never reaches the kernel", "[checks]")
{
	const FileFacts orig = ext4_file("/mnt/a/test", 12);
	FileFacts donor = ext4_file("/dev/shm/donor", 12);
	donor.dev = makedev(0, 45);
	donor.fs_type = "tmpfs";
	const Error p = only_problem(check_donor(orig, donor));
	CHECK(p.errnum == EXDEV);
	CHECK_THAT(p.message, Catch::Contains("/dev/shm/donor") && Catch::Contains("0:45") && Catch::Contains("7:3"));
}

TEST_CASE("the donor must not be the original (same inode, hard link)", "[checks]")
{
	const FileFacts orig = ext4_file("/mnt/test", 12);
	const FileFacts link = ext4_file("/mnt/link-to-test", 12);
	const Error p = only_problem(check_donor(orig, link));
	CHECK(p.errnum == EINVAL);
	CHECK_THAT(p.message, Catch::Contains("itself"));
}

TEST_CASE("each kernel refusal has its own message and errno", "[checks]")
{
	const FileFacts orig = ext4_file("/mnt/test", 12);
	struct Case {
		const char *name;
		void (*spoil)(FileFacts &);
		int errnum;
		const char *says;
	};
	const Case cases[] = {
		{"directory", [](FileFacts &f) { f.mode = S_IFDIR | 0755; }, EINVAL, "not a regular file"},
		{"read-only mount", [](FileFacts &f) { f.read_only_mount = true; }, EROFS, "read-only"},
		{"bigalloc", [](FileFacts &f) { f.bigalloc = true; }, EOPNOTSUPP, "bigalloc"},
		{"dax mount", [](FileFacts &f) { f.dax_mount = true; }, EOPNOTSUPP, "DAX"},
		{"dax inode", [](FileFacts &f) { f.inode_flags = kFlagExtents | kFlagDax; }, EOPNOTSUPP, "DAX"},
		{"data=journal", [](FileFacts &f) { f.data_journal_mount = true; }, EOPNOTSUPP, "data journaling"},
		{"chattr +j", [](FileFacts &f) { f.inode_flags = kFlagExtents | kFlagJournalData; }, EOPNOTSUPP, "data journaling"},
		{"encrypted", [](FileFacts &f) { f.inode_flags = kFlagExtents | kFlagEncrypted; }, EOPNOTSUPP, "encrypted"},
		{"inline data", [](FileFacts &f) { f.inode_flags = kFlagInlineData; }, EOPNOTSUPP, "inline"},
		{"indirect blocks", [](FileFacts &f) { f.inode_flags = 0u; }, EOPNOTSUPP, "not extent-mapped"},
		{"swapfile", [](FileFacts &f) { f.active_swapfile = true; }, ETXTBSY, "swap"},
	};
	for (const Case &c : cases) {
		SECTION(c.name)
		{
			FileFacts bad_orig = orig;
			c.spoil(bad_orig);
			const Error as_orig = only_problem(check_original(bad_orig));
			CHECK(as_orig.errnum == c.errnum);
			CHECK_THAT(as_orig.message, Catch::Contains(c.says) && Catch::Contains("original /mnt/test"));

			FileFacts bad_donor = ext4_file("/mnt/d", 13);
			c.spoil(bad_donor);
			const Error as_donor = only_problem(check_donor(orig, bad_donor));
			CHECK(as_donor.errnum == c.errnum);
			CHECK_THAT(as_donor.message, Catch::Contains("donor /mnt/d"));
		}
	}
}

TEST_CASE("donor-only rules: setuid/setgid, immutable, append-only", "[checks]")
{
	const FileFacts orig = ext4_file("/mnt/test", 12);
	FileFacts donor = ext4_file("/mnt/d", 13);
	donor.mode |= S_ISUID;
	CHECK(only_problem(check_donor(orig, donor)).errnum == EINVAL);
	donor.mode = S_IFREG | S_ISGID | 0644;
	CHECK(only_problem(check_donor(orig, donor)).errnum == EINVAL);
	donor = ext4_file("/mnt/d", 13);
	donor.inode_flags = kFlagExtents | kFlagImmutable;
	CHECK(only_problem(check_donor(orig, donor)).errnum == EPERM);
	donor.inode_flags = kFlagExtents | kFlagAppend;
	CHECK(only_problem(check_donor(orig, donor)).errnum == EPERM);

	// The kernel checks these on the donor only: the original may carry them.
	FileFacts odd_orig = orig;
	odd_orig.mode |= S_ISUID;
	odd_orig.inode_flags = kFlagExtents | kFlagAppend;
	CHECK(check_original(odd_orig).empty());
}

TEST_CASE("access modes: the original read-write, the donor writable", "[checks]")
{
	CHECK(check_original_access("/mnt/test", O_RDWR));
	for (int mode : {O_WRONLY, O_RDONLY, -1}) {
		const Status refused = check_original_access("/mnt/test", mode);
		REQUIRE_FALSE(refused);
		CHECK(refused.error().errnum == EBADF);
		CHECK_THAT(refused.error().message, Catch::Contains("original /mnt/test is not open for reading and writing"));
	}
	const FileFacts orig = ext4_file("/mnt/test", 12);
	FileFacts donor = ext4_file("/mnt/d", 13);
	donor.access_mode = O_WRONLY;
	CHECK(check_donor(orig, donor).empty());
	donor.access_mode = O_RDONLY;
	CHECK(only_problem(check_donor(orig, donor)).errnum == EBADF);
}

TEST_CASE("unknown facts (no superblock access) do not invent problems", "[checks]")
{
	FileFacts orig = ext4_file("/mnt/test", 12);
	orig.bigalloc.reset();
	orig.inode_flags.reset();
	CHECK(check_original(orig).empty());
}
