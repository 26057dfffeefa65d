// bench --shard I/N and e4mext merge: the cut of the work and the checks of the shards' directories.
#include "bench_merge.h"
#include "bench_shard.h"
#include "runner_errors.h"

#include <catch2/catch.hpp>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

using namespace e4mext::runner;
namespace fs = std::filesystem;

TEST_CASE("shards: every (case, round) pair runs in exactly one shard, shards differ by one pair at most", "[shard]")
{
	for (const unsigned count : {1u, 2u, 3u, 4u, 5u, 7u, 12u})
		for (const std::size_t cases : {1u, 2u, 6u, 36u})
			for (const unsigned rounds : {1u, 3u, 6u}) {
				if (count > cases * rounds)
					continue;
				std::map<std::pair<std::size_t, unsigned>, unsigned> owner;
				std::set<std::size_t> sizes;
				for (unsigned i = 1; i <= count; ++i) {
					std::size_t mine = 0;
					for (unsigned r = 1; r <= rounds; ++r)
						for (const std::size_t c : shard_cases({i, count}, cases, rounds, r)) {
							CHECK(owner.emplace(std::pair{c, r}, i).second);
							++mine;
						}
					CHECK(mine == shard_runs({i, count}, cases, rounds));
					sizes.insert(mine);
				}
				CHECK(owner.size() == cases * rounds);
				CHECK(*sizes.rbegin() - *sizes.begin() <= 1);
			}
}

TEST_CASE("shards: a case stays on one machine when the cases divide evenly; rounds split only past the cases", "[shard]")
{
	// The quick set (6 cases) x 6 rounds on 2 machines: 3 whole cases each.
	for (unsigned r = 1; r <= 6; ++r) {
		CHECK(shard_cases({1, 2}, 6, 6, r) == std::vector<std::size_t>{0, 1, 2});
		CHECK(shard_cases({2, 2}, 6, 6, r) == std::vector<std::size_t>{3, 4, 5});
	}
	// One case, 3 rounds, 3 machines: a round each.
	for (unsigned i = 1; i <= 3; ++i)
		for (unsigned r = 1; r <= 3; ++r)
			CHECK(shard_cases({i, 3}, 1, 3, r).size() == (r == i ? 1u : 0u));
	CHECK(shard_metadata({2, 3}, 6, 3) == "shard: 2/3 (runs 7-12 of 18: the (case, round) pairs case by case)");
}

TEST_CASE("shards: I/N is checked, and more shards than runs is refused", "[shard]")
{
	CHECK(parse_shard("2/3").index == 2);
	CHECK(parse_shard("2/3").count == 3);
	for (const char *bad : {"0/2", "3/2", "1/0", "a/b", "1", "1/2/3", " 1/2", "-1/2", ""})
		CHECK_THROWS_AS(parse_shard(bad), UsageError);
	CHECK_THROWS_WITH(shard_cases({1, 4}, 1, 3, 1), Catch::Contains("use at most 3 shards"));
	CHECK(shard_of_metadata("2/3 (runs 7-12 of 18: ...)", "metadata.txt").index == 2);
}

namespace {

// A finished shard of a bench here: metadata.txt with its shard line, STATUS, runs of its pairs.
void make_shard(const fs::path &dir, const std::string &shard, const std::vector<std::string> &runs,
		const std::string &cases = "2 (coverletter/U-4k coverletter/M-4k)", const std::string &status = "complete")
{
	fs::create_directories(dir);
	std::ofstream(dir / "metadata.txt") << "label: " << dir.filename().string()
					    << "\nkernel: 6.1.0 (#1)\nset: quick\ncases: " << cases
					    << "\nrepeats: 2\nshard: " << shard << " (runs ...)\nruns: " << runs.size() << " of "
					    << runs.size() << "\nstatus: " << status << "\n";
	std::ofstream(dir / "STATUS") << status << "\n";
	for (const std::string &run : runs) {
		fs::create_directories((dir / "runs" / run).parent_path());
		std::ofstream(dir / "runs" / (run + ".json")) << "{}";
		std::ofstream(dir / "runs" / (run + ".case.json")) << "{}";
	}
	std::ofstream(dir / "runs" / "coverletter" / "profile.txt") << "remade from the runs";
}

struct TempDir {
	fs::path path;
	TempDir()
	{
		char base[] = "/tmp/e4mext-test-shard.XXXXXX";
		REQUIRE(::mkdtemp(base));
		path = base;
	}
	~TempDir() { fs::remove_all(path); }
};

} // namespace

TEST_CASE("merge: the shards of one bench join; a missing, repeated, unfinished or foreign shard is refused", "[merge]")
{
	TempDir t;
	const fs::path a = t.path / "a", b = t.path / "b";
	make_shard(a, "1/2", {"coverletter/U-4k/run-1", "coverletter/U-4k/run-2"});
	make_shard(b, "2/2", {"coverletter/M-4k/run-1", "coverletter/M-4k/run-2"});

	const ShardedBench bench = read_shards({b.string(), a.string()});
	REQUIRE(bench.shards.size() == 2);
	CHECK(bench.shards[0].shard.index == 1); // in shard order, whatever the order given
	CHECK(bench.sets == std::vector<std::string>{""});
	CHECK(merge_runs(bench, "", (t.path / "m").string()) == 4);
	CHECK(fs::exists(t.path / "m" / "runs" / "coverletter" / "M-4k" / "run-2.case.json"));
	CHECK(!fs::exists(t.path / "m" / "runs" / "coverletter" / "profile.txt"));
	const std::string meta = merged_metadata(bench, "", "merged");
	CHECK(meta.find("label: merged\n") == 0);
	CHECK(meta.find("\nshard 2: " + fs::canonical(b).string()) != std::string::npos);
	CHECK(meta.find("\nstatus:") == std::string::npos);

	CHECK_THROWS_WITH(read_shards({a.string()}), Catch::Contains("shard 2/2 is missing"));
	CHECK_THROWS_WITH(read_shards({a.string(), a.string()}), Catch::Contains("are the same shard"));
	const fs::path c = t.path / "c";
	make_shard(c, "2/2", {"coverletter/M-4k/run-1"}, "1 (coverletter/M-4k)");
	CHECK_THROWS_WITH(read_shards({a.string(), c.string()}), Catch::Contains("must run the same command"));
	const fs::path d = t.path / "d";
	make_shard(d, "2/2", {"coverletter/M-4k/run-1"}, "2 (coverletter/U-4k coverletter/M-4k)", "running");
	CHECK_THROWS_WITH(read_shards({a.string(), d.string()}), Catch::Contains("did not finish"));
	const fs::path e = t.path / "e";
	make_shard(e, "2/3", {"coverletter/M-4k/run-1"});
	CHECK_THROWS_WITH(read_shards({a.string(), e.string()}), Catch::Contains("one of 3 shards"));
	// Overlapping runs: both hold U-4k run 1.
	const fs::path f = t.path / "f";
	make_shard(f, "2/2", {"coverletter/U-4k/run-1"});
	CHECK_THROWS_WITH(merge_runs(read_shards({a.string(), f.string()}), "", (t.path / "m2").string()),
			  Catch::Contains("the shards overlap"));
	fs::remove(a / "metadata.txt");
	CHECK_THROWS_WITH(read_shards({a.string(), b.string()}), Catch::Contains("not a bench's results directory"));
}
