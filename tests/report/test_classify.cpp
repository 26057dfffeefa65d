// Classification: U/M, block size, and the dimensions that must never be merged silently.
#include "classify.hpp"
#include "fio_parse.hpp"
#include "input_error.hpp"
#include "result_set.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace e4mext::report;

namespace {
FioJob job_with(FioOptions options)
{
	FioJob job;
	job.jobname = std::string(1, 'j'); // move-assigned: GCC 12's -Wrestrict misfires on assign("j") at -O3
	job.options = std::move(options);
	return job;
}
} // namespace

TEST_CASE("U or M from overwrite", "[classify]")
{
	CHECK(classify(job_with({}), "f").extents == ExtentState::unwritten);
	CHECK(classify(job_with({{"overwrite", "0"}}), "f").extents == ExtentState::unwritten);
	CHECK(classify(job_with({{"overwrite", "1"}}), "f").extents == ExtentState::written);
	CHECK(classify(job_with({{"overwrite", ""}}), "f").extents == ExtentState::written); // fio 3.39 flag
	CHECK(classify(job_with({{"overwrite", "true"}}), "f").extents == ExtentState::written);
	// F: the bench's fragmented layout, named in the description of a written original only
	CHECK(classify(job_with({{"overwrite", "1"}, {"description", "e4mext case layout=F bs=4k"}}), "f").extents ==
	      ExtentState::fragmented);
	CHECK(classify(job_with({{"overwrite", "1"}, {"description", "layout=Fx"}}), "f").extents == ExtentState::written);
	CHECK(classify(job_with({{"overwrite", "0"}, {"description", "layout=F"}}), "f").extents == ExtentState::unwritten);
	CHECK_THROWS_WITH(classify(job_with({{"overwrite", "maybe"}}), "f.json"),
			  Catch::Contains("f.json: job 'j': option overwrite=maybe"));
}

TEST_CASE("block sizes normalised", "[classify]")
{
	CHECK(write_block_size("4k", false) == 4096);
	CHECK(write_block_size("4096", false) == 4096);
	CHECK(write_block_size("4KiB", false) == 4096);
	CHECK(write_block_size("4K", false) == 4096);
	CHECK(write_block_size("4kb", false) == 4096);
	CHECK(write_block_size("128k", false) == 131072);
	CHECK(write_block_size("1m", false) == 1048576);
	CHECK(write_block_size("4k,32k", false) == 32768); // READ,WRITE
	CHECK(write_block_size("4k,32k,8k", false) == 32768);
	CHECK(write_block_size("4k,", false) == 4096); // empty WRITE part: the first value
	CHECK(write_block_size("4k", true) == 4000);   // kb_base=1000
	CHECK(write_block_size("4KiB", true) == 4096);
	CHECK_THROWS(write_block_size("4q", false));
	CHECK_THROWS(write_block_size("", false));
	CHECK_THROWS(write_block_size("0", false));
	CHECK_THROWS(write_block_size("99999999999999999999", false));
	CHECK(classify(job_with({{"blocksize", "32k"}}), "f").block_size == 32768);
	CHECK(classify(job_with({{"bs", "4k"}, {"kb_base", "1000"}}), "f").block_size == 4000);
	CHECK(classify(job_with({}), "f").block_size == 4096); // fio's default
	CHECK(format_block_size(4096) == "4k");
	CHECK(format_block_size(131072) == "128k");
	CHECK(format_block_size(1048576) == "1m");
	CHECK(format_block_size(512) == "512");
	CHECK(format_block_size(4000) == "4000");
}

TEST_CASE("engines: e4defrag and libe4mext", "[classify]")
{
	CHECK(engine_label("e4defrag") == "e4defrag");
	CHECK(engine_label("external:/usr/lib/fio/libe4mext.so") == "libe4mext");
	CHECK(engine_label("external:libe4mext.so") == "libe4mext");
	CHECK(engine_label("") == "psync");
	CHECK(classify(job_with({{"ioengine", "external:/x/libe4mext.so"}}), "f").engine == "libe4mext");
}

TEST_CASE("donor_mode, inplace, rw", "[classify]")
{
	const auto key = classify(job_with({{"donor_mode", "written"}, {"inplace", "1"}, {"rw", "randwrite"}}), "f");
	CHECK(key.donor_mode == "written");
	CHECK(key.inplace);
	CHECK(key.access == "rand");
	CHECK(classify(job_with({{"readwrite", "write"}}), "f").access == "seq");
	CHECK(classify(job_with({}), "f").donor_mode == "unwritten");
	CHECK_THROWS_WITH(classify(job_with({{"donor_mode", "sideways"}}), "f"), Catch::Contains("donor_mode=sideways"));
}

TEST_CASE("labels name only the dimensions that differ", "[classify]")
{
	CaseKey a;
	a.engine = "e4defrag";
	CaseKey b = a;
	CHECK(case_label(a, varying_dimensions({a, b})) == "U 4k");
	b.extents = ExtentState::written;
	b.block_size = 131072;
	CHECK(case_label(b, varying_dimensions({a, b})) == "M 128k");
	b.engine = "libe4mext";
	b.donor_mode = "written";
	b.inplace = true;
	b.access = "rand";
	b.host = "h1";
	const auto varying = varying_dimensions({a, b});
	CHECK(case_label(a, varying) == "U 4k donor=unwritten copy seq e4defrag @local");
	CHECK(case_label(b, varying) == "M 128k donor=written inplace rand libe4mext @h1");
	CHECK(a < b); // U before M
	CaseKey c = a;
	c.block_size = 32768;
	CHECK(a < c); // bs ascending
}

TEST_CASE("a set never merges cases that differ", "[classify]")
{
	const auto set = load_result_set({(std::filesystem::path(E4MEXT_TEST_DATA) / "classify/mixed.json").string()}, "mixed");
	CHECK(set.cases().size() == 5);
}

TEST_CASE("jobs with an error or without writes are excluded, not averaged", "[classify]")
{
	const auto set =
		load_result_set({(std::filesystem::path(E4MEXT_TEST_DATA) / "shapes/error-and-no-writes.json").string()}, "s");
	REQUIRE(set.cases().size() == 1);
	const auto excluded = set.excluded();
	REQUIRE(excluded.size() == 2);
	CHECK(excluded[0]->status == RunStatus::failed);
	CHECK(describe_status(*excluded[0]) == "error=22 (Invalid argument)");
	CHECK(excluded[1]->status == RunStatus::no_writes);
}
