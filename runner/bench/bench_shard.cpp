#include "bench_shard.h"

#include "runner_errors.h"

#include <regex>

namespace e4mext::runner {

namespace {

// The pairs [first, end) of the case-by-case order that `shard` runs.
struct PairRange {
	std::size_t first, end;
};

PairRange pair_range(const Shard &shard, std::size_t cases, unsigned rounds)
{
	const std::size_t total = cases * rounds;
	if (shard.count > total)
		throw UsageError("--shard " + std::to_string(shard.index) + "/" + std::to_string(shard.count) + ": " +
				 std::to_string(cases) + " case(s) x " + std::to_string(rounds) + " round(s) make only " +
				 std::to_string(total) + " runs, fewer than the " + std::to_string(shard.count) +
				 " shards: use at most " + std::to_string(total) + " shards, or more --repeat");
	return {total * (shard.index - 1) / shard.count, total * shard.index / shard.count};
}

} // namespace

Shard parse_shard(const std::string &text, const std::string &option)
{
	static const std::regex form("([1-9][0-9]{0,5})/([1-9][0-9]{0,5})");
	std::smatch m;
	if (!std::regex_match(text, m, form))
		throw UsageError(option + " must be I/N, this machine's shard of N (e.g. 1/3; I from 1 to N), not '" + text + "'");
	Shard shard{unsigned(std::stoul(m[1].str())), unsigned(std::stoul(m[2].str()))};
	if (shard.index > shard.count)
		throw UsageError(option + " " + text + ": the shard's number must be from 1 to " + m[2].str());
	return shard;
}

std::vector<std::size_t> shard_cases(const Shard &shard, std::size_t cases, unsigned rounds, unsigned round)
{
	const PairRange range = pair_range(shard, cases, rounds);
	std::vector<std::size_t> chosen;
	for (std::size_t c = 0; c < cases; ++c)
		if (const std::size_t pair = c * rounds + (round - 1); pair >= range.first && pair < range.end)
			chosen.push_back(c);
	return chosen;
}

std::size_t shard_runs(const Shard &shard, std::size_t cases, unsigned rounds)
{
	const PairRange range = pair_range(shard, cases, rounds);
	return range.end - range.first;
}

std::string shard_metadata(const Shard &shard, std::size_t cases, unsigned rounds)
{
	const PairRange range = pair_range(shard, cases, rounds);
	return "shard: " + std::to_string(shard.index) + "/" + std::to_string(shard.count) + " (runs " +
	       std::to_string(range.first + 1) + "-" + std::to_string(range.end) + " of " + std::to_string(cases * rounds) +
	       ": the (case, round) pairs case by case)";
}

Shard shard_of_metadata(const std::string &value, const std::string &source)
{
	return parse_shard(value.substr(0, value.find(' ')), source + "'s shard line");
}

} // namespace e4mext::runner
