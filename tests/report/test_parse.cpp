// Parsing of each fio version and output shape, and one clear error per malformed input.
#include "engine_stats.hpp"
#include "fio_parse.hpp"
#include "input_error.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace e4mext::report;
namespace fs = std::filesystem;

namespace {
fs::path data(const std::string &rel)
{
	return fs::path(E4MEXT_TEST_DATA) / rel;
}
} // namespace

TEST_CASE("fio 3.33 json from this machine", "[parse]")
{
	const auto run = load_fio_file(data("fio-3.33/e4defrag-unwritten-4k.json"));
	CHECK(run.fio_version == "fio-3.33");
	REQUIRE(run.jobs.size() == 1);
	const auto &job = run.jobs[0];
	CHECK(job.jobname == "defrag");
	CHECK(job.error == 0);
	CHECK(job.host.empty());
	CHECK(job.options.at("ioengine") == "e4defrag");
	CHECK(job.options.at("overwrite") == "0");
	CHECK(job.write.io_bytes == 67108864);
	CHECK(job.write.total_ios == 16384);
	CHECK(job.write.runtime_ms > 0);
}

TEST_CASE("json+ parses like json", "[parse]")
{
	const auto plain = load_fio_file(data("fio-3.33/null-write.json"));
	const auto plus = load_fio_file(data("fio-3.33/null-write-jsonplus.json"));
	CHECK(plus.jobs.size() == 1);
	CHECK(plus.jobs[0].write.io_bytes == plain.jobs[0].write.io_bytes);
}

TEST_CASE("--status-interval: several documents, the last one counts", "[parse]")
{
	const auto text = read_file_text(data("fio-3.33/status-interval.json"));
	const auto documents = extract_json_documents(text, "status-interval.json");
	REQUIRE(documents.size() >= 2);
	CHECK(documents[1].first_line > documents[0].first_line);
	const auto run = parse_fio_output(text, "status-interval.json");
	const auto last = parse_fio_output(documents.back().text, "last");
	CHECK(run.jobs[0].write.total_ios == last.jobs[0].write.total_ios);
	const auto first = parse_fio_output(documents.front().text, "first");
	CHECK(first.jobs[0].write.total_ios < run.jobs[0].write.total_ios);
}

TEST_CASE("numjobs clones are summed as fio's group_reporting sums them", "[parse]")
{
	const auto clones = load_fio_file(data("fio-3.33/clones.json"));
	const auto grouped = load_fio_file(data("fio-3.33/clones-grouped.json"));
	REQUIRE(clones.jobs.size() == 1);
	REQUIRE(grouped.jobs.size() == 1);
	CHECK(clones.jobs[0].clones == 2);
	CHECK(grouped.jobs[0].clones == 1);
	CHECK(clones.jobs[0].write.io_bytes == 2 * 67108864ULL);
	CHECK(clones.jobs[0].write.io_bytes == grouped.jobs[0].write.io_bytes);
	CHECK(clones.jobs[0].write.total_ios == grouped.jobs[0].write.total_ios);
}

TEST_CASE("informational lines, nan and inf", "[parse]")
{
	const auto run = load_fio_file(data("shapes/nan-inf.json"));
	REQUIRE(run.jobs.size() == 1);
	CHECK(run.jobs[0].write.total_ios == 30000);
	// Kept, not dropped: the bench fails a run whose fio wrote anything before its JSON.
	CHECK(run.preamble == "fio: this platform does not support the requested clocksource\n"
			      "note: both iodepth >= 1 and synchronous I/O engine are selected");
	CHECK(load_fio_file(data("fio-3.33/null-write.json")).preamble.empty());
	const auto docs = extract_json_documents("note\n{\"a\": -nan, \"b\": inf, \"c\": \"nan inf\", \"d\": infinity}\n", "x");
	REQUIRE(docs.size() == 1);
	CHECK(docs[0].text == "{\"a\": null, \"b\": null, \"c\": \"nan inf\", \"d\": null}");
	CHECK(docs[0].first_line == 2);
}

TEST_CASE("fio 3.39: flag options printed as empty strings", "[parse]")
{
	const auto run = load_fio_file(data("fio-3.39/flags-empty-string.json"));
	REQUIRE(run.jobs.size() == 1);
	CHECK(run.jobs[0].options.at("overwrite").empty());
	CHECK(run.jobs[0].options.at("directory") == "/mnt"); // from "global options"
}

TEST_CASE("client/server: one row per host plus the aggregate", "[parse]")
{
	SECTION("fio 3.42, two hosts, global options as an array")
	{
		const auto run = load_fio_file(data("fio-3.42/client-two-hosts.json"));
		REQUIRE(run.jobs.size() == 3);
		CHECK(run.jobs[0].host == "host-a");
		CHECK(run.jobs[1].host == "host-b");
		CHECK(run.jobs[2].host == "All clients");
		CHECK(run.jobs[2].options.at("bs") == "4k"); // shared by every client
		CHECK(run.jobs[2].options.at("ioengine") == "e4defrag");
		CHECK(run.jobs[2].write.total_ios == 540000);
	}
	SECTION("fio 3.33, one client with numjobs=2: clones summed per host")
	{
		const auto run = load_fio_file(data("fio-3.33/client-numjobs2.json"));
		REQUIRE(run.jobs.size() == 2);
		CHECK(run.jobs[0].host == "localhost");
		CHECK(run.jobs[0].clones == 2);
		CHECK(run.jobs[1].host == "All clients");
		CHECK(run.jobs[1].write.io_bytes == run.jobs[0].write.io_bytes);
	}
}

TEST_CASE("client/server: cut per server, what the servers said kept in front of each", "[parse]")
{
	const std::string two_hosts = read_file_text(data("fio-3.42/client-two-hosts.json"));
	const auto parts = split_client_output(two_hosts, "x");
	REQUIRE(parts.size() == 2);
	CHECK(parts[0].hostname == "host-a");
	CHECK(parts[1].hostname == "host-b");
	for (const auto &part : parts) {
		const auto run = parse_fio_output(part.text, "x");
		REQUIRE(run.jobs.size() == 1);
		CHECK(run.jobs[0].host == part.hostname);
		CHECK(run.preamble.empty());
	}
	// A server in normal output mode says this of every run (fio 3.33's lines, and the engine's):
	// no preamble, as a local run writing JSON prints none of it there.
	const std::string progress = "<box> defrag: (g=0): rw=write, bs=(R) 4096B-4096B, (W) 4096B-4096B, (T) 4096B-4096B, "
				     "ioengine=e4defrag, iodepth=1\n<box> ...\n<box> Starting 1 thread and 2 processes\n"
				     "<box> layout-unwritten: Laying out IO file (1 file / 32MiB)\n<box> \n"
				     "<box> e4mext: defrag.0 /mnt/f: 3 moves, 24 blocks moved\n\n";
	for (const auto &part : split_client_output(progress + two_hosts, "x"))
		CHECK(parse_fio_output(part.text, "x").preamble.empty());
	// Anything else (what fio says of a job it changed): in front of every server's run, as the
	// client's hostname prefix may be shared by servers, so that the bench refuses the run.
	const std::string said = "<box> fio: time_based requires a runtime/timeout setting\n";
	for (const auto &part : split_client_output(progress + said + two_hosts, "x"))
		CHECK(parse_fio_output(part.text, "x").preamble == "<box> fio: time_based requires a runtime/timeout setting");
}

TEST_CASE("every malformed input is one InputError naming the file", "[parse]")
{
	const std::vector<std::pair<std::string, std::string>> cases{
		{"empty.json", "empty file"},
		{"whitespace.json", "empty file"},
		{"garbage.json", "binary data"},
		{"not-fio.json", "not fio output"},
		{"array.json", "not fio output"},
		{"truncated.json", "truncated"},
		{"invalid-json.json", "invalid JSON"},
		{"wrong-type-io-bytes.json", "jobs[0].write.io_bytes: expected a non-negative integer, found a string"},
		{"wrong-type-jobs.json", "jobs[0]: expected an object"},
		{"missing-write.json", "jobs[0].write: missing"},
		{"missing-runtime.json", "jobs[0].write.runtime: missing"},
		{"negative-total-ios.json", "found the integer -10"},
		{"option-not-string.json", "\"job options\".bs: expected a string"},
		{"empty-jobs.json", "\"jobs\" is empty"},
		{"deep-nesting.json", "nested deeper"},
		{"number-overflow.json", "invalid JSON"},
	};
	for (const auto &[file, expected] : cases) {
		INFO(file);
		const auto path = data("malformed/" + file);
		try {
			load_fio_file(path);
			FAIL("no error for " << file);
		} catch (const InputError &e) {
			const std::string message = e.what();
			CHECK_THAT(message, Catch::Contains(path.string()));
			CHECK_THAT(message, Catch::Contains(expected));
			CHECK(message.find('\n') == std::string::npos);
		}
	}
}

TEST_CASE("unreadable paths", "[parse]")
{
	CHECK_THROWS_WITH(load_fio_file(data("no-such-file.json")), Catch::Contains("cannot open"));
	CHECK_THROWS_WITH(load_fio_file(data("malformed")), Catch::Contains("is a directory"));
}

TEST_CASE("engine statistics side file", "[parse][sidefile]")
{
	CHECK(side_file_for("a/b/run.json") == fs::path("a/b/run.stats.jsonl"));
	const auto stats = load_engine_stats_beside(data("sidefile/run.json"));
	REQUIRE(stats);
	const auto &defrag = stats->at("defrag");
	CHECK(defrag.records == 2);
	CHECK(defrag.extents_before == 100);
	CHECK(defrag.extents_after == 3);
	CHECK(defrag.partial_moves == 2);
	CHECK(defrag.retries == 4);
	CHECK_FALSE(defrag.verify_failed);
	CHECK_FALSE(load_engine_stats_beside(data("fio-3.33/null-write.json")));
	CHECK_THROWS_WITH(load_engine_stats_beside(data("sidefile-bad/run.json")),
			  Catch::Contains("run.stats.jsonl:2: not a JSON object"));
	// found by the fuzzer: number overflow is an InputError, not an escaping out_of_range
	CHECK_THROWS_WITH(parse_engine_stats("444444444E4444444\n", "s.jsonl"), Catch::Contains("s.jsonl:1: not a JSON object"));
	CHECK_THROWS_WITH(parse_engine_stats("{\"e4mext_stats\": 2}\n", "s.jsonl"),
			  Catch::Contains("s.jsonl:1: e4mext_stats: unsupported"));
	CHECK_THROWS_WITH(parse_engine_stats("\n{\"e4mext_stats\": 1, \"jobname\": \"x\"}\n", "s.jsonl"),
			  Catch::Contains("s.jsonl:2: orig_before: missing"));
	const auto failed =
		parse_engine_stats("{\"e4mext_stats\":1,\"jobname\":\"j\",\"partial_moves\":0,\"retries\":0,\"verify\":\"failed\","
				   "\"orig_before\":{\"extents\":5},\"orig_after\":{\"extents\":1}}\n",
				   "s.jsonl");
	CHECK(failed.at("j").verify_failed);
}

TEST_CASE("completion-latency percentiles of a move: p50, p99, p99.9", "[parse][latency]")
{
	const auto run = load_fio_file(data("fio-3.33/e4defrag-unwritten-4k.json"));
	REQUIRE(run.jobs[0].write_clat);
	CHECK(run.jobs[0].write_clat->p50_ns == 5472);
	CHECK(run.jobs[0].write_clat->p99_ns == 8512);
	CHECK(run.jobs[0].write_clat->p99_9_ns == 42240);
	CHECK_FALSE(load_fio_file(data("fio-3.33/read-only.json")).jobs[0].write_clat); // no writes, no percentiles
}

TEST_CASE("the read and sync directions: an in-use case's foreground", "[parse]")
{
	// A real bench run of in-use/M-4k-load_fsync-other: 4k appends with an fsync after each,
	// beside the moves (job "defrag").
	const auto run = load_fio_file(data("fio-3.33/in-use-fsync-other.json"));
	REQUIRE(run.jobs.size() == 2);
	const auto &foreground = run.jobs[0];
	CHECK(foreground.jobname == "foreground");
	CHECK(foreground.sync_ios > 0);
	CHECK(foreground.sync_ios == foreground.write.total_ios); // fsync=1
	REQUIRE(foreground.sync_lat);
	CHECK(foreground.sync_lat->p50_ns > 0);
	CHECK(foreground.sync_lat->p99_ns >= foreground.sync_lat->p50_ns);
	CHECK(foreground.read.total_ios == 0);
	CHECK_FALSE(foreground.read_clat);
	CHECK(run.jobs[1].jobname == "defrag");
	CHECK(run.jobs[1].sync_ios == 0);
	CHECK_FALSE(run.jobs[1].sync_lat);
	// A verify pass reads back what the foreground wrote: the read direction's figures.
	const auto pass = load_fio_file(std::filesystem::path(E4MEXT_TEST_DATA) /
					"in-use/runs/in-use/M-4k-load_write-same/run-1.verify.json");
	REQUIRE(pass.jobs.size() == 1);
	CHECK(pass.jobs[0].read.total_ios == 222);
	CHECK(pass.jobs[0].read.runtime_ms > 0);
	CHECK(pass.jobs[0].read_clat);
}
