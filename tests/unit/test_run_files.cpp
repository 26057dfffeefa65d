// A donor may be no file of the run: the same name, a hard or symbolic link, or a name a job has
// not created yet are all caught before any donor is touched.
#include "run_files.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

using namespace e4mext;
namespace fs = std::filesystem;

namespace {

struct TempDir {
	fs::path path;
	TempDir()
	{
		std::string templ = (fs::temp_directory_path() / "e4mext-run.XXXXXX").string();
		REQUIRE(::mkdtemp(templ.data()) != nullptr);
		path = templ;
	}
	~TempDir() { fs::remove_all(path); }
	std::string file(const std::string &name, bool create = true) const
	{
		if (create)
			std::ofstream(path / name) << "data";
		return (path / name).string();
	}
};

// The message of a refusal, or "" when the donor is allowed.
std::string refusal(const std::string &donor, const std::string &original, const std::vector<RunFile> &run)
{
	const Status status = check_donor_not_in_run(donor, original, run);
	return status ? std::string() : status.error().message;
}

} // namespace

TEST_CASE("a donor that is another file of the run is refused, naming the job", "[run]")
{
	TempDir dir;
	const std::string f1 = dir.file("f1"), f2 = dir.file("f2");
	const std::vector<RunFile> run{{f1, "a"}, {f2, "b"}};

	CHECK(check_donor_not_in_run(dir.file("donor", false), f1, run));
	const Status other = check_donor_not_in_run(f2, f1, run);
	REQUIRE_FALSE(other);
	CHECK(other.error().errnum == EINVAL);
	CHECK_THAT(other.error().message,
		   Catch::Contains("is a file of job 'b'") && Catch::Contains("refuses the job before touching any file"));
	CHECK_THAT(refusal(f1, f1, run), Catch::Contains("is the original " + f1 + " itself"));
}

TEST_CASE("links and relative or unnormalised names are the same file", "[run]")
{
	TempDir dir;
	const std::string f1 = dir.file("f1"), f2 = dir.file("f2");
	const std::vector<RunFile> run{{f1, "a"}, {f2, "b"}};
	fs::create_hard_link(f2, dir.path / "hard");
	fs::create_symlink("f2", dir.path / "soft");
	CHECK_THAT(refusal((dir.path / "hard").string(), f1, run), Catch::Contains("is the same file as " + f2));
	CHECK_THAT(refusal((dir.path / "soft").string(), f1, run), Catch::Contains("job 'b'"));
	CHECK_FALSE(check_donor_not_in_run((dir.path / "." / "sub" / ".." / "f2").string(), f1, run));
}

TEST_CASE("a name a job will create is caught before it exists", "[run]")
{
	TempDir dir;
	const std::string f1 = dir.file("f1"), later = dir.file("later", false);
	const std::vector<RunFile> run{{f1, "a"}, {later, "b"}};
	CHECK_THAT(refusal(later, f1, run), Catch::Contains("is a file of job 'b'"));
}

TEST_CASE("a statistics file that is an original or a donor of the run is refused, under any name", "[run]")
{
	TempDir dir;
	const std::string f1 = dir.file("f1"), f2 = dir.file("f2");
	const std::string donor = dir.file("d", false), default_donor = dir.file("f1.e4mext-donor.1", false);
	const std::vector<RunFile> run{{f1, "a", RunFileRole::original},
				       {default_donor, "a", RunFileRole::donor},
				       {f2, "b", RunFileRole::original},
				       {donor, "b", RunFileRole::donor},
				       {dir.file("s", false), "b", RunFileRole::stats}};
	const auto refused = [&](const std::string &stats) {
		const Status status = check_stats_file_not_in_run(stats, run);
		return status ? std::string() : status.error().message;
	};
	fs::create_hard_link(f1, dir.path / "hard");
	fs::create_symlink("f2", dir.path / "soft");

	CHECK_THAT(refused(f1), Catch::Contains("stats_file=" + f1 + " is a file of job 'a'") &&
					Catch::Contains("refuses the job before opening any file"));
	CHECK_THAT(refused(f2), Catch::Contains("is a file of job 'b'"));
	CHECK_THAT(refused((dir.path / "hard").string()), Catch::Contains("is the same file as " + f1 + " (a hard link)"));
	CHECK_THAT(refused((dir.path / "soft").string()),
		   Catch::Contains("is the same file as " + f2 + " (a symbolic link), a file of job 'b'"));
	CHECK_THAT(refused(donor), Catch::Contains("is the donor of job 'b'"));
	CHECK_THAT(refused(default_donor), Catch::Contains("is the donor of job 'a'"));
	CHECK_THAT(refused((dir.path / "sub" / ".." / "d").string()), Catch::Contains("is the donor of job 'b'"));
	// A link to a donor not made yet: opening the statistics file through it would make the donor.
	fs::create_symlink("f1.e4mext-donor.1", dir.path / "dangling");
	fs::create_symlink("dangling", dir.path / "chain");
	CHECK_THAT(refused((dir.path / "dangling").string()),
		   Catch::Contains("is the same file as " + default_donor + " (a symbolic link), the donor of job 'a'"));
	CHECK_THAT(refused((dir.path / "chain").string()), Catch::Contains("the donor of job 'a'"));
	CHECK(check_stats_file_not_in_run(dir.file("s", false), run)); // jobs may share a statistics file
	CHECK(check_stats_file_not_in_run(dir.file("other", false), run));
}

TEST_CASE("a donor that is a statistics file of the run is refused; jobs may share a donor", "[run]")
{
	TempDir dir;
	const std::string f1 = dir.file("f1"), f2 = dir.file("f2"), shared = dir.file("d", false);
	const std::vector<RunFile> run{{f1, "a", RunFileRole::original},
				       {shared, "a", RunFileRole::donor},
				       {f2, "b", RunFileRole::original},
				       {dir.file("s", false), "b", RunFileRole::stats}};
	CHECK_THAT(refusal(dir.file("s", false), f2, run), Catch::Contains("is the statistics file (stats_file=) of job 'b'"));
	CHECK(check_donor_not_in_run(shared, f2, run));
}
