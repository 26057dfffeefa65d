#include "case_model.h"
#include "file_text.h"
#include "runner_errors.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

using namespace e4mext::runner;
namespace fs = std::filesystem;

namespace {

const std::string jobs_dir = std::string(E4MEXT_SOURCE_ROOT) + "/jobs";

// (const char *: a std::string temporary argument made GCC 14 warn -Wdangling-reference)
const BenchCase &find_case(const std::vector<BenchCase> &cases, const char *id)
{
	for (const BenchCase &c : cases)
		if (c.id == id)
			return c;
	FAIL("no case " << id);
	throw;
}

// A copy of jobs/ with cases.json's text changed by `edit`.
struct JobsCopy {
	fs::path dir = fs::temp_directory_path() / ("e4mext-case-model-" + std::to_string(::getpid()));
	explicit JobsCopy(const std::function<std::string(std::string)> &edit)
	{
		fs::remove_all(dir);
		fs::create_directories(dir);
		for (const auto &entry : fs::directory_iterator(jobs_dir)) // the templates: defrag.fio, foreground.fio
			if (entry.path().extension() == ".fio")
				fs::copy_file(entry.path(), dir / entry.path().filename());
		std::ofstream(dir / "cases.json") << edit(read_text(jobs_dir + "/cases.json"));
	}
	~JobsCopy() { fs::remove_all(dir); }
};

std::string replaced(std::string text, const std::string &what, const std::string &with)
{
	const auto at = text.find(what);
	REQUIRE(at != std::string::npos);
	return text.replace(at, what.size(), with);
}

} // namespace

TEST_CASE("case model: the sets of jobs/cases.json, ids and what each value makes of the job", "[case_model]")
{
	const CaseModel model = CaseModel::load(jobs_dir);
	const auto quick = model.cases("quick");
	REQUIRE(quick.size() == 6);
	CHECK(quick.front().id == "coverletter/U-4k");
	CHECK(quick.back().id == "coverletter/M-128k");
	const BenchCase &m = find_case(quick, "coverletter/M-32k");
	CHECK(m.variables.at("OVERWRITE") == "1");
	CHECK(m.variables.at("BS") == "32k");
	CHECK(m.variables.at("INVALIDATE") == "1");
	CHECK(m.variables.at("FILESIZE") == "512m");
	CHECK(m.step("original") == "written");
	CHECK(m.step("cache") == "cold");
	CHECK(m.factor("cache") == "cold");
	CHECK(model.cases("matrix").size() == 36);
	const auto full = model.cases("full");
	CHECK(full.size() == 192);
	const BenchCase &cross = find_case(full, "cross/F-1m-donor_written-inplace-rand-warm");
	CHECK(cross.variables.at("RW") == "randwrite");
	CHECK(cross.variables.at("INVALIDATE") == "0");
	CHECK(cross.step("original") == "fragmented");
	CHECK(cross.step("cache") == "warm");
	CHECK_THROWS_WITH(model.cases("nosuch"), Catch::Contains("no set 'nosuch'") && Catch::Contains("quick"));
}

TEST_CASE("case model: overrides change the factors, not the ids; only_at_baseline leaves a sweep alone", "[case_model]")
{
	const CaseModel model = CaseModel::load(jobs_dir);
	const auto warm = model.cases("quick", {{"cache", "warm"}, {"size", "32m"}});
	const BenchCase &u = find_case(warm, "coverletter/U-4k");
	CHECK(u.factor("cache") == "warm");
	CHECK(u.variables.at("INVALIDATE") == "0");
	CHECK(u.factor("size") == "32m"); // open: any size
	CHECK(u.step("size") == "32m");
	CHECK_THROWS_WITH(model.cases("quick", {{"cache", "lukewarm"}}), Catch::Contains("no value 'lukewarm'"));
	JobsCopy sweep([](std::string text) {
		return replaced(text, R"("sets": {)",
				R"("sets": {"sizes": [{"group": "size-sweep", "layout": ["U"], "size": ["64m", "512m"]}],)");
	});
	const auto sizes = CaseModel::load(sweep.dir.string()).cases("sizes", {{"size", "256m", true}});
	REQUIRE(sizes.size() == 2);
	CHECK(sizes[0].id == "size-sweep/U-4k-size_64m");
	CHECK(sizes[0].step("size") == "64m");
	CHECK(sizes[1].id == "size-sweep/U-4k");
	CHECK(sizes[1].step("size") == "256m"); // the default replaces the baseline only
}

TEST_CASE("case model: a factor added in cases.json reaches the job with no code change", "[case_model]")
{
	JobsCopy copy([](std::string text) {
		text = replaced(text, R"("factors": [)",
				R"("factors": [
    {"name": "hint", "baseline": "none", "values": ["none", {"value": "seq", "options": {"fadvise_hint": "sequential"}}]},)");
		return replaced(text, R"("sets": {)",
				R"("sets": {"hints": [{"group": "hint", "layout": ["M"], "hint": ["none", "seq"]}],)");
	});
	const CaseModel model = CaseModel::load(copy.dir.string());
	const auto cases = model.cases("hints");
	REQUIRE(cases.size() == 2);
	CHECK(cases[0].id == "hint/M-4k");
	CHECK(cases[1].id == "hint/M-4k-hint_seq");
	CHECK(cases[1].factor("hint") == "seq");
	CHECK(cases[1].factors.front().label == "hint=seq");
	const std::string job = case_job_text(cases[1], model.template_text(), model.template_path(),
					      {{"DIR", "/d"}, {"FILENAME", "f"}, {"RUNTIME", "1s"}, {"ENGINE", "e"}});
	CHECK_THAT(job, Catch::EndsWith("fadvise_hint=sequential\n"));
	CHECK_THAT(job, Catch::Contains("\nbs=4k\n"));
	CHECK_THAT(job, Catch::Contains("\noverwrite=1\n"));
}

TEST_CASE("case model: what is wrong in cases.json is named", "[case_model]")
{
	const auto refused = [](const std::string &what, const std::string &with, const std::string &message) {
		JobsCopy copy([&](std::string text) { return replaced(text, what, with); });
		const auto every_set = [&] { // some values are only in some sets (load: in-use)
			const CaseModel model = CaseModel::load(copy.dir.string());
			for (const std::string &set : model.set_names())
				model.cases(set);
		};
		CHECK_THROWS_WITH(every_set(), Catch::Contains(message));
	};
	refused(R"("baseline": "4k")", R"("baseline": "8k")", "baseline '8k' is not one of its values");
	refused(R"("group": "coverletter", "layout")", R"("group": "coverletter", "colour": ["red"], "layout")",
		"unknown factor 'colour'");
	refused(R"("variables": {"DONOR": "{value}"})", R"("variables": {"BS": "{value}"})", "variable BS is set by factor donor");
	refused(R"("prepare": {"cache": "{value}"})", R"("prepare": {"cache": "tepid-{value}"})",
		"prepare step cache 'tepid-cold' is not one the bench knows");
	refused(R"("in_label": "always", "axis")", R"("in_lable": "always", "axis")", "unknown key 'in_lable'");
	refused(R"({"value": "read-same", "second_job": "foreground.fio",)",
		R"({"value": "read-same", "second_job": "background.fio",)", "background.fio: cannot read it");
	refused(R"({"value": "read-same", "second_job": "foreground.fio",)",
		R"({"value": "read-same", "prepare": {"verify": "second-job"},)", "no factor gives a second_job to verify");
	JobsCopy two_owners([](std::string text) {
		return replaced(text, R"("values": ["unwritten", "written"]})",
				R"("second_job": "foreground.fio", "values": ["unwritten", "written"]})");
	});
	CHECK_THROWS_WITH(CaseModel::load(two_owners.dir.string()).cases("in-use"), Catch::Contains("both give a second_job"));
}

TEST_CASE("case model: the in-use set's load runs a second job beside the case's, verified when it writes", "[case_model]")
{
	const CaseModel model = CaseModel::load(jobs_dir);
	const auto in_use = model.cases("in-use");
	REQUIRE(in_use.size() == 12);
	const BenchCase &none = find_case(in_use, "in-use/M-4k");
	CHECK_FALSE(none.has_second_job());
	CHECK(none.step("verify") == "none");
	const BenchCase &reads = find_case(in_use, "in-use/M-4k-load_read-same");
	REQUIRE(reads.has_second_job());
	CHECK(reads.second_job_source == jobs_dir + "/foreground.fio");
	CHECK(reads.step("verify") == "none");
	CHECK(reads.variables.at("FG_RW") == "randread");
	const BenchCase &writes = find_case(in_use, "in-use/M-1m-load_write-same-buffered");
	CHECK(writes.step("verify") == "second-job");
	CHECK(writes.variables.at("FG_DIRECT") == "0");
	CHECK(writes.variables.at("FG_VERIFY") == "crc32c");
	const BenchCase &fsyncs = find_case(in_use, "in-use/M-4k-load_fsync-other");
	CHECK(fsyncs.variables.at("FG_FILE") == "e4mext-bench.other");
	CHECK(fsyncs.variables.at("FG_FSYNC") == "1");
	// Every other set keeps the baseline: no second job, ids unchanged.
	for (const BenchCase &c : model.cases("matrix"))
		CHECK_FALSE(c.has_second_job());
}
