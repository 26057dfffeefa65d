// `e4mext merge`: the shards of one bench (`bench --shard I/N`, each on its own machine) read,
// checked and joined into one result: every shard finished, each of 1..N once, all with the same
// cases and options; their runs copied into one set per kernel (or one set for a bench here),
// where the report's table, compare and gate take them as one run's.
#pragma once

#include "bench_shard.h"

#include <string>
#include <utility>
#include <vector>

namespace e4mext::runner {

using MetadataLines = std::vector<std::pair<std::string, std::string>>;

struct ShardDirectory {
	std::string dir; // the shard's results directory
	Shard shard;
	MetadataLines bench; // its bench.txt (bench --kernel) or metadata.txt
};

struct ShardedBench {
	std::vector<ShardDirectory> shards; // in shard order, 1..N
	// The result sets every shard has: the kernels' labels (bench --kernel), or {""}: the shard's
	// own directory is the set.
	std::vector<std::string> sets;
	bool kernels = false;
};

// Reads and checks the shards' directories; throws UsageError saying what is wrong and what to do
// (not a shard, unfinished, a shard missing or given twice, different cases or options).
ShardedBench read_shards(const std::vector<std::string> &dirs);

// The directory of `set` in a shard ("" is the shard's own).
std::string set_directory(const ShardDirectory &shard, const std::string &set);

// Copies every shard's runs/ of `set` into to_dir/runs; returns the number of runs (run-N.json).
// Throws UsageError when two shards hold one run's file.
unsigned merge_runs(const ShardedBench &bench, const std::string &set, const std::string &to_dir);

// The merged set's metadata ("" with bench --kernel: the bench's bench.txt): the first shard's
// lines about the bench (cases, options, kernel, fio, filesystem) and, per shard, where and when it
// ran (date, cpu, load, runs). No status line.
std::string merged_metadata(const ShardedBench &bench, const std::string &set, const std::string &label);

} // namespace e4mext::runner
