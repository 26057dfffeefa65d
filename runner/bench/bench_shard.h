// `bench --shard I/N`: a deterministic part of a bench's work for one machine of N. The work is
// the (case, round) pairs; a shard is a slice of them, never of the kernels: every shard runs all
// of them on its own machine (alternating in VMs), so a machine's speed falls on every kernel
// alike and cancels inside the shard. `e4mext merge` joins the shards' runs into one result.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace e4mext::runner {

struct Shard {
	unsigned index = 1; // 1..count
	unsigned count = 1;
};

// "I/N" (1 <= I <= N); throws UsageError naming `option` otherwise.
Shard parse_shard(const std::string &text, const std::string &option = "--shard");

// The indices of the cases (of `cases`) that `shard` runs in `round` (1..rounds). The pairs are
// taken case by case (every round of case 1, then of case 2, ...) and cut into N runs of pairs
// as equal as can be (sizes differ by one at most): a case stays on one machine where the counts
// allow, and its rounds are spread over machines only when there are more shards than cases.
// Throws UsageError when a shard would have no work (more shards than pairs).
std::vector<std::size_t> shard_cases(const Shard &shard, std::size_t cases, unsigned rounds, unsigned round);

// The pairs `shard` runs in all (the sum of shard_cases over the rounds).
std::size_t shard_runs(const Shard &shard, std::size_t cases, unsigned rounds);

// "shard: 2/3 (runs 7-12 of 18: the (case, round) pairs case by case)", the metadata line
// `e4mext merge` checks the shards by.
std::string shard_metadata(const Shard &shard, std::size_t cases, unsigned rounds);

// "2/3" of a metadata line's value ("2/3 (runs ...)"); throws UsageError naming `source`.
Shard shard_of_metadata(const std::string &value, const std::string &source);

} // namespace e4mext::runner
