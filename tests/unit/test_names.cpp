// Option values and file names: donor_mode parsing, $-expansion, where donors go.
#include "names.h"

#include <catch2/catch.hpp>

#include <cerrno>

using namespace e4mext;

TEST_CASE("donor_mode accepts unwritten (the default) and written only", "[options]")
{
	CHECK(parse_donor_mode("").value() == DonorMode::unwritten);
	CHECK(parse_donor_mode("unwritten").value() == DonorMode::unwritten);
	CHECK(parse_donor_mode("written").value() == DonorMode::written);
	CHECK_FALSE(parse_donor_mode("1"));
	const Result<DonorMode> wrong_case = parse_donor_mode("Written");
	REQUIRE_FALSE(wrong_case);
	CHECK(wrong_case.error().errnum == EINVAL);
	CHECK(wrong_case.error().message == "donor_mode=Written is not understood: use unwritten or written");
	CHECK(std::string(donor_mode_name(DonorMode::written)) == "written");
}

TEST_CASE("names expand $jobnum, $jobname and $filename", "[options]")
{
	NameContext ctx{"defrag", 3, 7, "/mnt/data/test", "/mnt/data"};
	CHECK(expand_name("d.$jobname.$jobnum", ctx) == "d.defrag.3");
	CHECK(expand_name("$filename.donor", ctx) == "test.donor");
	CHECK(expand_name("$jobnum$jobnum", ctx) == "33");
	CHECK(expand_name("plain", ctx) == "plain");
	CHECK(expand_name("$unknown", ctx) == "$unknown");
}

TEST_CASE("default donors are private per clone and sit next to the original", "[options]")
{
	NameContext ctx{"defrag", 1, 2, "/mnt/data/test", "/mnt/data"};
	CHECK(donor_path("", ctx) == "/mnt/data/test.e4mext-donor.2");
	ctx.thread_number = 3;
	CHECK(donor_path("", ctx) == "/mnt/data/test.e4mext-donor.3");
}

TEST_CASE("explicit donor names are relative to directory= like fio's built-in engine", "[options]")
{
	NameContext ctx{"defrag", 0, 1, "/mnt/data/test", "/mnt/data"};
	CHECK(donor_path("test.def", ctx) == "/mnt/data/test.def");
	CHECK(donor_path("/elsewhere/d.$jobnum", ctx) == "/elsewhere/d.0");
	ctx.directory.clear();
	CHECK(donor_path("test.def", ctx) == "test.def");
}

TEST_CASE("directory=a:b: the donor goes to the directory fio put the file in", "[options]")
{
	CHECK(directory_of_file("/mnt/a:/mnt/b", "/mnt/b/f") == "/mnt/b");
	CHECK(directory_of_file("/mnt/a:/mnt/b", "/mnt/a/sub/f") == "/mnt/a");
	CHECK(directory_of_file("/mnt/a:/mnt/ab", "/mnt/ab/f") == "/mnt/ab");      // a prefix of the name is not its directory
	CHECK(directory_of_file("/mnt/a\\:b:/mnt/c", "/mnt/a:b/f") == "/mnt/a:b"); // fio's escaped colon
	CHECK(directory_of_file("/mnt/a:/mnt/b", "/elsewhere/f") == "/mnt/a");
	CHECK(directory_of_file("/mnt/a", "/mnt/a/f") == "/mnt/a");
	CHECK(directory_of_file("", "f").empty());

	NameContext ctx{"defrag", 1, 2, "/mnt/b/test", directory_of_file("/mnt/a:/mnt/b", "/mnt/b/test")};
	CHECK(donor_path("d.$jobnum", ctx) == "/mnt/b/d.1");
}
