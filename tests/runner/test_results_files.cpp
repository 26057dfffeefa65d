#include "file_text.h"
#include "names.h"
#include "results_files.h"
#include "runner_errors.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

using namespace e4mext::runner;
namespace fs = std::filesystem;

namespace {

struct ScratchDir {
	fs::path path;
	ScratchDir()
	{
		char templ[] = "/tmp/e4mext-results-files.XXXXXX";
		path = ::mkdtemp(templ);
	}
	~ScratchDir() { fs::remove_all(path); }
};

} // namespace

TEST_CASE("results dir: made once; a second run with the same label is refused", "[results]")
{
	ScratchDir scratch;
	const std::string dir = (scratch.path / "root" / "label").string();
	REQUIRE_NOTHROW(create_results_dir(dir));
	CHECK(fs::is_directory(dir));
	CHECK_THROWS_AS(create_results_dir(dir), UsageError);
	CHECK_THROWS_WITH(create_results_dir(dir), Catch::Contains("already exists"));
	// Two at once: exactly one of them gets the directory.
	const std::string raced = (scratch.path / "root" / "raced").string();
	int made = 0, refused = 0;
	std::thread other([&] {
		try {
			create_results_dir(raced);
			++made;
		} catch (const UsageError &) {
			++refused;
		}
	});
	int mine_made = 0, mine_refused = 0;
	try {
		create_results_dir(raced);
		++mine_made;
	} catch (const UsageError &) {
		++mine_refused;
	}
	other.join();
	CHECK(made + mine_made == 1);
	CHECK(refused + mine_refused == 1);
}

TEST_CASE("results files: a failed write is an error, never a silent short file", "[results]")
{
	ScratchDir scratch;
	const std::string file = (scratch.path / "a.txt").string();
	write_text_file(file, "one\n");
	write_text_file(file, "two\n", true);
	CHECK(read_text(file) == "one\ntwo\n");
	CHECK_THROWS_WITH(write_text_file("/dev/full", "x"), Catch::Contains("No space left"));
	CHECK_THROWS_AS(write_text_file((scratch.path / "missing" / "a").string(), "x"), WriteFailed);
	CHECK_THROWS_AS(expect_written((scratch.path / "none.json").string(), "fio"), WriteFailed);
	std::ofstream(scratch.path / "empty.json").close();
	CHECK_THROWS_WITH(expect_written((scratch.path / "empty.json").string(), "fio"), Catch::Contains("empty"));
	CHECK_NOTHROW(expect_written(file, "fio"));
}

TEST_CASE("names: what becomes a path stays one component; job values stay one line", "[names]")
{
	for (const char *bad : {"", ".", "..", "../../../../tmp/x", "a/b", "a\nb", "with space", "tab\t", "x;y"})
		CHECK_THROWS_AS(check_path_name("--label", bad), UsageError);
	CHECK_THROWS_AS(check_path_name("--label", std::string(129, 'a')), UsageError);
	CHECK_THROWS_WITH(check_path_name("group", "../x"), Catch::Contains("group '../x' cannot name a directory"));
	CHECK_THROWS_WITH(check_path_name("group", "a\nb"), Catch::Contains("a\\nb"));
	for (const char *good : {"quick", "6.19.13-tcg", "base+x", "a..b", "U-4k", "127.0.0.1_8765"})
		CHECK_NOTHROW(check_path_name("--label", good));
	for (const char *bad : {"", "4k\n[evil]", "4k\r"})
		CHECK_THROWS_AS(check_job_value("bs", bad), UsageError);
	CHECK_THROWS_AS(check_job_value("bs", std::string("4k\0x", 4)), UsageError);
	CHECK_NOTHROW(check_job_value("bs", "128k"));
	CHECK_NOTHROW(check_job_value("DIR", "/mnt/with space"));
}
