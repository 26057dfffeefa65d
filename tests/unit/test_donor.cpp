// Donor state handling on real files of an ext4 directory (no ioctl involved): the donor is brought
// to the requested state, e4mext's own stale donors are reset, and nobody else's file is clobbered.
#include "donor.h"
#include "engine_error.h"
#include "ext4_files.h"
#include "extent_map.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

using namespace e4mext;
using namespace e4mext::test;
namespace fs = std::filesystem;

namespace {

constexpr uint64_t kSize = 1 << 20;

FileFacts facts_of(const fs::path &p)
{
	UniqueFd fd(::open(p.c_str(), O_RDWR | O_CLOEXEC));
	REQUIRE(fd.valid());
	const Result<FileFacts> facts = inspect_file(fd.get(), p);
	REQUIRE(facts);
	return facts.value();
}

ExtentSummary extents_of(int fd)
{
	const Result<ExtentMap> map = read_extent_map(fd, 12, true, "test file");
	REQUIRE(map);
	return summarize(map.value());
}

std::vector<unsigned char> read_all(const fs::path &p)
{
	UniqueFd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
	std::vector<unsigned char> data(fs::file_size(p));
	REQUIRE(::pread(fd.get(), data.data(), data.size(), 0) == static_cast<ssize_t>(data.size()));
	return data;
}

DonorSpec spec_for(const fs::path &p, DonorMode mode, bool default_name, const std::string &run = "run 1")
{
	DonorSpec spec;
	spec.path = p;
	spec.mode = mode;
	spec.default_name = default_name;
	spec.run_token = run;
	return spec;
}

// A donor that must open; the test stops here when it does not, saying why.
std::unique_ptr<Donor> open_donor(const DonorSpec &spec, const FileFacts &orig)
{
	Result<std::unique_ptr<Donor>> donor = Donor::open(spec, orig, 0, kSize);
	if (!donor)
		FAIL(donor.error().message);
	return std::move(donor.value());
}

// Why a donor was refused ("" when it was not).
std::string refusal(const DonorSpec &spec, const FileFacts &orig)
{
	const Result<std::unique_ptr<Donor>> donor = Donor::open(spec, orig, 0, kSize);
	return donor ? std::string() : donor.error().message;
}

} // namespace

TEST_CASE("donors are prepared in the requested state and removed when e4mext made them", "[donor]")
{
	Ext4TempDir dir;
	REQUIRE_FALSE(dir.path.empty()); // ext4_main.cpp runs these tests only where there is one
	const fs::path orig = dir.path / "orig";
	write_file(orig, kSize, 0x11);
	const FileFacts orig_facts = facts_of(orig);
	const fs::path donor_path = dir.path / "orig.e4mext-donor.1";

	SECTION("unwritten: one preallocated, unwritten range")
	{
		{
			const std::unique_ptr<Donor> donor =
				open_donor(spec_for(donor_path, DonorMode::unwritten, true), orig_facts);
			CHECK(donor->created());
			CHECK(donor->notice().empty());
			const ExtentSummary s = extents_of(donor->fd());
			CHECK(s.written == 0);
			CHECK(s.unwritten >= 1);
			CHECK(s.blocks == kSize / 4096);
			char tag[64];
			CHECK(::getxattr(donor_path.c_str(), kDonorXattr, tag, sizeof tag) > 0);
		}
		CHECK_FALSE(fs::exists(donor_path));
	}

	SECTION("written: real data, synced, and the original untouched")
	{
		{
			const std::unique_ptr<Donor> donor = open_donor(spec_for(donor_path, DonorMode::written, true), orig_facts);
			const ExtentSummary s = extents_of(donor->fd());
			CHECK(s.unwritten == 0);
			CHECK(s.blocks == kSize / 4096);
			CHECK(read_all(donor_path) == std::vector<unsigned char>(kSize, 0xd0));
		}
		CHECK(read_all(orig) == std::vector<unsigned char>(kSize, 0x11));
	}

	SECTION("keep_donor leaves a created donor in place")
	{
		DonorSpec spec = spec_for(donor_path, DonorMode::unwritten, true);
		spec.keep = true;
		{
			const std::unique_ptr<Donor> donor = open_donor(spec, orig_facts);
		}
		CHECK(fs::exists(donor_path));
	}

	SECTION("a foreign file at the default name is refused and left as it was")
	{
		write_file(donor_path, 4096, 0x42);
		CHECK_THAT(refusal(spec_for(donor_path, DonorMode::unwritten, true), orig_facts),
			   Catch::Contains("was not created by e4mext"));
		CHECK(read_all(donor_path) == std::vector<unsigned char>(4096, 0x42));
	}

	SECTION("a stale written donor of ours is reset to unwritten, so U never turns into M")
	{
		{
			DonorSpec spec = spec_for(donor_path, DonorMode::written, true);
			spec.keep = true; // as if the run had been killed
			const std::unique_ptr<Donor> donor = open_donor(spec, orig_facts);
		}
		{
			const std::unique_ptr<Donor> donor =
				open_donor(spec_for(donor_path, DonorMode::unwritten, true, "run 2"), orig_facts);
			CHECK(donor->created());
			CHECK_THAT(donor->notice(), Catch::Contains("interrupted"));
			const ExtentSummary s = extents_of(donor->fd());
			CHECK(s.written == 0);
			CHECK(s.blocks == kSize / 4096);
		}
		CHECK_FALSE(fs::exists(donor_path));
	}

	SECTION("an explicitly named donor that e4mext made (a killed run) is reset and removed")
	{
		const fs::path named = dir.path / "named-donor";
		{
			DonorSpec spec = spec_for(named, DonorMode::written, false);
			spec.keep = true; // as if the run had been killed
			const std::unique_ptr<Donor> donor = open_donor(spec, orig_facts);
		}
		{
			const std::unique_ptr<Donor> donor =
				open_donor(spec_for(named, DonorMode::unwritten, false, "run 2"), orig_facts);
			CHECK(donor->created());
			CHECK(extents_of(donor->fd()).written == 0);
		}
		CHECK_FALSE(fs::exists(named));
	}

	SECTION("an existing file e4mext did not create is refused untouched, unless donor_overwrite gives it up")
	{
		const fs::path named = dir.path / "mydonor";
		write_file(named, kSize, 0x77);
		CHECK_THAT(refusal(spec_for(named, DonorMode::unwritten, false), orig_facts),
			   Catch::Contains("was not created by e4mext; serving as donor would give up its contents") &&
				   Catch::Contains("donor_overwrite=1"));
		CHECK(read_all(named) == std::vector<unsigned char>(kSize, 0x77));
		{
			DonorSpec spec = spec_for(named, DonorMode::unwritten, false);
			spec.overwrite = true;
			const std::unique_ptr<Donor> donor = open_donor(spec, orig_facts);
			CHECK_FALSE(donor->created());
			CHECK_THAT(donor->notice(), Catch::Contains("gave up the contents of the existing file"));
			CHECK(extents_of(donor->fd()).written == 0);
		}
		CHECK(fs::exists(named));
		CHECK(::getxattr(named.c_str(), kDonorXattr, nullptr, 0) < 0); // still not e4mext's
	}

	SECTION("another run's live donor is refused; once no job holds it, it is left over and taken over")
	{
		const fs::path named = dir.path / "shared";
		DonorSpec first = spec_for(named, DonorMode::unwritten, false, "run 1");
		first.keep = true;
		std::unique_ptr<Donor> live = open_donor(first, orig_facts);
		const std::vector<unsigned char> before = read_all(named);
		CHECK_THAT(refusal(spec_for(named, DonorMode::written, false, "run 2"), orig_facts),
			   Catch::Contains("is in use by another e4mext run that is still running (run 1 holds it)"));
		CHECK(read_all(named) == before); // not reset to written
		{
			// A job of the same run shares it.
			DonorSpec same_run = spec_for(named, DonorMode::unwritten, false, "run 1");
			same_run.keep = true;
			const std::unique_ptr<Donor> sibling = open_donor(same_run, orig_facts);
			CHECK(sibling->created());
		}
		live.reset(); // the first run ends without removing it, as a killed run would
		{
			const std::unique_ptr<Donor> later =
				open_donor(spec_for(named, DonorMode::unwritten, false, "run 2"), orig_facts);
			CHECK_THAT(later->notice(), Catch::Contains("interrupted"));
			char tag[16] = {};
			CHECK(::getxattr(named.c_str(), kDonorXattr, tag, sizeof tag - 1) > 0);
			CHECK(std::string(tag) == "run 2"); // taken over
		}
		CHECK_FALSE(fs::exists(named));
	}

	SECTION("the run token names this process and its start, the same on every call")
	{
		CHECK_THAT(this_run_token(), Catch::StartsWith("run " + std::to_string(::getpid()) + "."));
		CHECK(this_run_token() == this_run_token());
		CHECK(this_run_token() != "run " + std::to_string(::getpid()) + ".0");
	}

	SECTION("the original named as its own donor is refused before anything is written")
	{
		CHECK_THAT(refusal(spec_for(orig, DonorMode::written, false), orig_facts), Catch::Contains("itself"));
		const fs::path link = dir.path / "hardlink";
		fs::create_hard_link(orig, link);
		CHECK_THAT(refusal(spec_for(link, DonorMode::written, false), orig_facts), Catch::Contains("itself"));
		CHECK(read_all(orig) == std::vector<unsigned char>(kSize, 0x11));
	}

	SECTION("a missing donor directory is an error that says so")
	{
		CHECK_THAT(refusal(spec_for(dir.path / "nope" / "d", DonorMode::unwritten, false), orig_facts),
			   Catch::Contains("ENOENT") && Catch::Contains("directory does not exist"));
	}

	SECTION("in place: holes until a move acquires its range, holes again after release")
	{
		DonorSpec spec = spec_for(donor_path, DonorMode::unwritten, true);
		spec.inplace = true;
		spec.lock_ranges = true; // exercises the range locks
		const std::unique_ptr<Donor> donor = open_donor(spec, orig_facts);
		CHECK(extents_of(donor->fd()).blocks == 0);
		struct stat st;
		REQUIRE(::fstat(donor->fd(), &st) == 0);
		CHECK(static_cast<uint64_t>(st.st_size) >= kSize);
		REQUIRE(donor->acquire(65536, 32768));
		CHECK(extents_of(donor->fd()).blocks == 8);
		REQUIRE(donor->release(65536, 32768));
		CHECK(extents_of(donor->fd()).blocks == 0);
	}
}
