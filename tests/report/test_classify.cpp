// Classification: U/M, block size, and the dimensions that must never be merged silently.
#include "case_record.hpp"
#include "classify.hpp"
#include "compare.hpp"
#include "fio_parse.hpp"
#include "input_error.hpp"
#include "result_set.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

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

namespace {

// A bench-like set: copies of one fio JSON, each with a case record beside it (layout, bs, cache,
// size as jobs/cases.json declares them), or without records.
struct RecordedRuns {
	std::filesystem::path dir = std::filesystem::temp_directory_path() / ("e4mext-records-" + std::to_string(::getpid()));
	RecordedRuns() { std::filesystem::remove_all(dir); }
	~RecordedRuns() { std::filesystem::remove_all(dir); }
	void add(const std::string &id, int run, const std::string &cache, const std::string &size, bool with_record = true)
	{
		const auto base = dir / id / ("run-" + std::to_string(run) + ".json");
		std::filesystem::create_directories(base.parent_path());
		std::filesystem::copy_file(std::filesystem::path(E4MEXT_TEST_DATA) / "fio-3.33/e4defrag-written-4k.json", base);
		if (!with_record)
			return;
		CaseRecord record;
		record.id = id;
		record.factors.factors = {{"layout", "M", "M", 1, true},
					  {"bs", "4k", "4k", 0, true, true},
					  {"cache", cache, cache, cache == "warm" ? 1 : 0},
					  {"size", size, "size=" + size, size == "512m" ? 3 : 2}};
		std::ofstream(case_record_for(base)) << case_record_json(record);
	}
};

} // namespace

TEST_CASE("case records: warm and cold runs, and two sizes, of one case are separate cases", "[classify]")
{
	RecordedRuns runs;
	for (int run = 1; run <= 3; ++run) {
		runs.add("coverletter/M-4k", run, "cold", "512m");
		runs.add("coverletter/M-4k-warm", run, "warm", "512m");
	}
	auto set = load_result_set({runs.dir.string()}, "s");
	CHECK(set.measurements.size() == 6); // the records themselves are not results
	auto cases = set.cases();
	REQUIRE(cases.size() == 2);
	CHECK(cases[0].iops.n == 3);
	CHECK(cases[1].iops.n == 3);
	const auto varying = varying_dimensions(keys_of(cases));
	CHECK(case_label(cases[0].key, varying) == "M 4k cold");
	CHECK(case_label(cases[1].key, varying) == "M 4k warm");

	runs.add("coverletter/M-4k-size_128m", 1, "cold", "128m");
	set = load_result_set({runs.dir.string()}, "s");
	cases = set.cases();
	REQUIRE(cases.size() == 3);
	const auto varying3 = varying_dimensions(keys_of(cases));
	CHECK(case_label(cases[0].key, varying3) == "M 4k cold size=128m");
	CHECK(case_label(cases[1].key, varying3) == "M 4k cold size=512m");
	CHECK(cases[0].iops.n == 1);
}

TEST_CASE("case records: without them the same runs are classified from fio's options", "[classify]")
{
	RecordedRuns runs;
	for (int run = 1; run <= 3; ++run) {
		runs.add("coverletter/M-4k", run, "cold", "512m", false);
		runs.add("coverletter/M-4k-warm", run, "warm", "512m", false);
	}
	const auto cases = load_result_set({runs.dir.string()}, "s").cases();
	REQUIRE(cases.size() == 1); // fio's options cannot tell the page cache apart: what records are for
	CHECK(cases[0].iops.n == 6);
	CHECK(cases[0].key.find("extents")->value == "written");
}

TEST_CASE("case records: a broken record is named", "[classify]")
{
	CHECK_THROWS_WITH(parse_case_record("{\"case\": \"x\"}", "r.case.json"), Catch::Contains("r.case.json"));
	CHECK_THROWS_WITH(parse_case_record("{\"case\": \"x\", \"factors\": []}", "r.case.json"),
			  Catch::Contains("without factors"));
	CHECK(is_case_record("runs/a/run-1.case.json"));
	CHECK(!is_case_record("runs/a/run-1.json"));
}

namespace {

// A copy of committed results made before the bench wrote case records (results/6.18-reference-quiet,
// the quick set), with a record beside every run, as the bench writes them today.
std::filesystem::path recorded_copy_of_reference(const std::filesystem::path &dir)
{
	namespace fs = std::filesystem;
	const fs::path reference = fs::path(E4MEXT_SOURCE_ROOT) / "results/6.18-reference-quiet";
	fs::remove_all(dir);
	fs::copy(reference, dir, fs::copy_options::recursive);
	for (const auto &entry : fs::recursive_directory_iterator(dir / "runs")) {
		const fs::path &file = entry.path();
		if (file.extension() != ".json" || is_case_record(file) ||
		    file.filename().string().find(".stats") != std::string::npos)
			continue;
		const std::string name = file.parent_path().filename().string(); // "M-4k"
		const std::string layout = name.substr(0, 1), bs = name.substr(2);
		CaseRecord record;
		record.id = "coverletter/" + name;
		record.factors.factors = {{"layout", layout, layout, layout == "M" ? 1 : 0, true},
					  {"bs", bs, bs, 0, true, true},
					  {"cache", "cold", "cold", 0},
					  {"size", "512m", "size=512m", 3}};
		std::ofstream(case_record_for(file)) << case_record_json(record);
	}
	return dir;
}

} // namespace

TEST_CASE("results without case records compare with recorded ones: keyed by fio's options", "[classify]")
{
	const auto dir = recorded_copy_of_reference(std::filesystem::temp_directory_path() /
						    ("e4mext-reference-recorded-" + std::to_string(::getpid())));
	auto old_set = load_result_sets({std::string(E4MEXT_SOURCE_ROOT) + "/results/6.18-reference-quiet"});
	auto new_set = load_result_sets({dir.string()});
	REQUIRE(old_set.size() == 1);
	REQUIRE(new_set.size() == 1);
	REQUIRE(new_set[0].measurements.front().case_id ==
		"coverletter/" + std::filesystem::path(new_set[0].measurements.front().source).parent_path().filename().string());
	// Keyed by different factors, the two sets share no case...
	CHECK(compare_sets({&old_set[0], &new_set[0]}).cases.size() == 12);
	// ...keyed alike, every case of the quick set is in both.
	const std::string note = key_alike({&old_set[0], &new_set[0]});
	CHECK_THAT(note, Catch::Contains("has no case records") && Catch::Contains("fio's options"));
	const auto cmp = compare_sets({&old_set[0], &new_set[0]});
	REQUIRE(cmp.cases.size() == 6);
	for (const auto &row : cmp.cases)
		CHECK(row.in_every_set());
	CHECK(key_alike({&new_set[0], &new_set[0]}).empty()); // records on both sides: nothing to do
	std::filesystem::remove_all(dir);
}

TEST_CASE("results without case records: cases fio's options cannot tell apart are refused, sizes stay apart", "[classify]")
{
	RecordedRuns old_runs, recorded;
	old_runs.dir += "-old";
	std::filesystem::remove_all(old_runs.dir);
	old_runs.add("coverletter/M-4k", 1, "cold", "64m", false);
	recorded.add("coverletter/M-4k", 1, "cold", "64m");
	auto old_set = load_result_set({old_runs.dir.string()}, "old");
	auto new_set = load_result_set({recorded.dir.string()}, "new");
	CHECK_FALSE(key_alike({&old_set, &new_set}).empty());
	auto cmp = compare_sets({&old_set, &new_set});
	REQUIRE(cmp.cases.size() == 1);
	CHECK(cmp.cases[0].in_every_set());

	// Warm and cold runs of the same job look alike to fio's options: refused, not pooled.
	recorded.add("coverletter/M-4k-warm", 1, "warm", "64m");
	new_set = load_result_set({recorded.dir.string()}, "new");
	CHECK_THROWS_WITH(key_alike({&old_set, &new_set}), Catch::Contains("coverletter/M-4k") &&
								   Catch::Contains("coverletter/M-4k-warm") &&
								   Catch::Contains("old has no case records"));

	// Another file size is another case (the fixture's job has filesize=64m; the reference's 512m).
	auto reference = load_result_sets({std::string(E4MEXT_SOURCE_ROOT) + "/results/6.18-reference-quiet"});
	RecordedRuns small;
	small.dir += "-small";
	std::filesystem::remove_all(small.dir);
	small.add("coverletter/M-4k", 1, "cold", "64m");
	auto small_set = load_result_set({small.dir.string()}, "small");
	key_alike({&reference[0], &small_set});
	cmp = compare_sets({&reference[0], &small_set});
	for (const auto &row : cmp.cases)
		CHECK_FALSE(row.in_every_set());
}

// In-use cases (jobs/cases.json's load factor), from a real bench run (M 4k, write-same, 32m, 1s):
// the foreground is no case of its own; its figures go with the defragmenter's, beside those of
// the same job alone, and its writes count only with a verify pass that read every one back.
TEST_CASE("in use: the foreground's figures, alone and beside the moves, and its verification", "[classify]")
{
	namespace fs = std::filesystem;
	const fs::path data = fs::path(E4MEXT_TEST_DATA) / "in-use";
	const fs::path run = data / "runs/in-use/M-4k-load_write-same/run-1.json";
	const auto set = load_result_set({data.string()}, "in-use");
	REQUIRE(set.measurements.size() == 1); // the defragmenter only; alone and verify files are beside it
	const auto &m = set.measurements.front();
	CHECK(m.jobname == "defrag");
	CHECK(m.status == RunStatus::ok);
	REQUIRE(m.foreground);
	REQUIRE(m.foreground_alone);
	CHECK(m.foreground->kind == "write");
	CHECK(m.foreground->rate_iops == 500);
	REQUIRE(m.foreground->latency);
	REQUIRE(m.foreground_alone->latency);
	const auto cases = set.cases();
	REQUIRE(cases.size() == 1);
	REQUIRE(cases[0].foreground);
	CHECK(cases[0].foreground->p99_ratio.n == 1);
	CHECK(cases[0].foreground->p99_ratio.median == Approx(m.foreground->latency->p99_ns / m.foreground_alone->latency->p99_ns));

	const fs::path dir = fs::temp_directory_path() / ("e4mext-in-use-" + std::to_string(::getpid()));
	const fs::path copy = dir / "runs/in-use/M-4k-load_write-same";
	const auto fresh_copy = [&] {
		fs::remove_all(dir);
		fs::create_directories(copy);
		for (const auto &entry : fs::directory_iterator(run.parent_path()))
			fs::copy_file(entry.path(), copy / entry.path().filename());
	};
	SECTION("a writing foreground without its verify pass is unverified, never a figure")
	{
		fresh_copy();
		fs::remove(copy / "run-1.verify.json");
		const auto unverified = load_result_set({dir.string()}, "x");
		REQUIRE(unverified.measurements.size() == 1);
		CHECK(unverified.measurements[0].status == RunStatus::unverified);
		CHECK(describe_status(unverified.measurements[0]).find("no verify pass") != std::string::npos);
		CHECK(unverified.cases().empty());
	}
	SECTION("a verify pass that failed (lost or stale data) excludes the run")
	{
		fresh_copy();
		auto text = read_file_text(copy / "run-1.alone.verify.json");
		const auto at = text.find("\"error\" : 0");
		REQUIRE(at != std::string::npos);
		text.replace(at, 11, "\"error\" : 84");
		std::ofstream(copy / "run-1.alone.verify.json") << text;
		const auto lost = load_result_set({dir.string()}, "x");
		REQUIRE(lost.measurements.size() == 1);
		CHECK(lost.measurements[0].status == RunStatus::unverified);
		CHECK(describe_status(lost.measurements[0]).find("lost or stale data") != std::string::npos);
	}
	SECTION("a verify pass that read back fewer blocks than were written leaves writes unchecked")
	{
		fresh_copy();
		const auto pass = load_fio_file(copy / "run-1.verify.json");
		const auto written = load_fio_file(copy / "run-1.json");
		auto text = read_file_text(copy / "run-1.verify.json");
		const std::string reads = "\"total_ios\" : " + std::to_string(pass.jobs[0].read.total_ios);
		const auto at = text.find(reads);
		REQUIRE(at != std::string::npos);
		text.replace(at, reads.size(), "\"total_ios\" : " + std::to_string(written.jobs[0].write.total_ios - 1));
		std::ofstream(copy / "run-1.verify.json") << text;
		const auto fewer = load_result_set({dir.string()}, "x");
		REQUIRE(fewer.measurements.size() == 1);
		CHECK(fewer.measurements[0].status == RunStatus::unverified);
	}
	fs::remove_all(dir);
}
