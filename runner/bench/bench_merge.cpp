#include "bench_merge.h"

#include "file_text.h"
#include "runner_errors.h"

#include "result_set.hpp"

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>
#include <system_error>

namespace e4mext::runner {

namespace fs = std::filesystem;

namespace {

std::string value_of(const MetadataLines &lines, const std::string &key)
{
	for (const auto &[k, v] : lines)
		if (k == key)
			return v;
	return "";
}

MetadataLines metadata_of(const fs::path &file)
{
	return report::parse_metadata(read_text(file));
}

std::string first_line_of(const fs::path &file)
{
	const std::string text = read_text(file);
	return text.substr(0, text.find('\n'));
}

std::string name_of(const ShardDirectory &s)
{
	return "shard " + std::to_string(s.shard.index) + "/" + std::to_string(s.shard.count) + " (" + s.dir + ")";
}

ShardDirectory read_shard(const std::string &given)
{
	std::error_code ec;
	if (!fs::is_directory(given, ec))
		throw UsageError("'" + given + "' is not a directory: give the results directories that bench --shard wrote");
	ShardDirectory s;
	s.dir = fs::canonical(given).string();
	const bool kernels = fs::is_regular_file(s.dir + "/bench.txt", ec);
	const fs::path file = s.dir + (kernels ? "/bench.txt" : "/metadata.txt");
	if (!fs::is_regular_file(file, ec))
		throw UsageError(s.dir + " is not a bench's results directory (no metadata.txt or bench.txt): give the "
					 "directories that bench --shard wrote");
	s.bench = metadata_of(file);
	const std::string shard = value_of(s.bench, "shard");
	if (shard.empty())
		throw UsageError(s.dir + " is not a shard: its bench ran without --shard I/N, so there is nothing to merge "
					 "(its table and compare are the result)");
	s.shard = shard_of_metadata(shard, file.string());
	const std::string status = first_line_of(s.dir + "/STATUS");
	if (status != "complete")
		throw UsageError(name_of(s) + " did not finish (STATUS: " + (status.empty() ? "missing" : status) +
				 "): run that shard again; a merge of unfinished shards would pass their missing runs off as a "
				 "whole bench");
	return s;
}

// The bench's facts every shard must share: the same cases, options and program.
constexpr const char *kSameInEveryShard[] = {"set",     "cases", "file size", "runtime limit", "repeats",
					     "profile", "fio",   "e4mext",    "kernels"};

void check_same_bench(const ShardedBench &bench)
{
	const ShardDirectory &first = bench.shards.front();
	for (const ShardDirectory &s : bench.shards) {
		if (fs::exists(s.dir + "/bench.txt") != bench.kernels)
			throw UsageError(name_of(s) + " and " + name_of(first) +
					 " are not shards of one bench: one ran kernels in VMs (--kernel), the other here");
		for (const char *key : kSameInEveryShard)
			if (value_of(s.bench, key) != value_of(first.bench, key))
				throw UsageError(name_of(s) + " ran with '" + key + ": " + value_of(s.bench, key) + "' where " +
						 name_of(first) + " has '" + key + ": " + value_of(first.bench, key) +
						 "': the shards of one bench must run the same command (but for --shard) with the "
						 "same e4mext and fio");
	}
}

std::vector<std::string> sets_of(const ShardedBench &bench)
{
	if (!bench.kernels)
		return {""};
	const std::string kernels = value_of(bench.shards.front().bench, "kernels");
	std::vector<std::string> sets;
	for (std::size_t at = 0; at <= kernels.size();) {
		const std::size_t end = std::min(kernels.find("-vs-", at), kernels.size());
		sets.push_back(kernels.substr(at, end - at));
		at = end + 4;
	}
	return sets;
}

// Every set's kernel line agrees across the shards (the host's, or the guest's in a VM).
void check_sets(const ShardedBench &bench)
{
	for (const std::string &set : bench.sets) {
		std::string kernel;
		for (const ShardDirectory &s : bench.shards) {
			const fs::path meta = fs::path(set_directory(s, set)) / "metadata.txt";
			if (!fs::is_directory(fs::path(set_directory(s, set)) / "runs"))
				throw UsageError(name_of(s) + " has no runs of " + (set.empty() ? "its bench" : "kernel " + set) +
						 " (" + set_directory(s, set) + "/runs): is the directory complete?");
			const std::string k = value_of(metadata_of(meta), "kernel");
			if (&s != &bench.shards.front() && k != kernel)
				throw UsageError(
					name_of(s) + " ran on kernel '" + k + "' where " + name_of(bench.shards.front()) +
					" ran on '" + kernel +
					"': a shard differs from another only by its cases and rounds, never by its kernel");
			kernel = k;
		}
	}
}

} // namespace

std::string set_directory(const ShardDirectory &shard, const std::string &set)
{
	return set.empty() ? shard.dir : shard.dir + "/" + set;
}

ShardedBench read_shards(const std::vector<std::string> &dirs)
{
	if (dirs.empty())
		throw UsageError("give the results directory of every shard (bench --shard I/N wrote one per shard)");
	ShardedBench bench;
	for (const std::string &d : dirs)
		bench.shards.push_back(read_shard(d));
	std::sort(bench.shards.begin(), bench.shards.end(),
		  [](const ShardDirectory &a, const ShardDirectory &b) { return a.shard.index < b.shard.index; });
	const unsigned count = bench.shards.front().shard.count;
	for (const ShardDirectory &s : bench.shards)
		if (s.shard.count != count)
			throw UsageError(name_of(s) + " is one of " + std::to_string(s.shard.count) + " shards, " +
					 name_of(bench.shards.front()) + " one of " + std::to_string(count) +
					 ": give the shards of one bench");
	for (std::size_t i = 1; i < bench.shards.size(); ++i)
		if (bench.shards[i].shard.index == bench.shards[i - 1].shard.index)
			throw UsageError(name_of(bench.shards[i]) + " and " + name_of(bench.shards[i - 1]) +
					 " are the same shard: give each shard's directory once");
	for (unsigned i = 1; i <= count; ++i)
		if (std::none_of(bench.shards.begin(), bench.shards.end(),
				 [i](const ShardDirectory &s) { return s.shard.index == i; }))
			throw UsageError("shard " + std::to_string(i) + "/" + std::to_string(count) +
					 " is missing: give the results directory of every shard (1 to " + std::to_string(count) +
					 "); a merge without it would lack its cases and rounds");
	bench.kernels = fs::exists(bench.shards.front().dir + "/bench.txt");
	check_same_bench(bench);
	bench.sets = sets_of(bench);
	check_sets(bench);
	return bench;
}

unsigned merge_runs(const ShardedBench &bench, const std::string &set, const std::string &to_dir)
{
	static const std::regex run_json("run-[0-9]+\\.json");
	unsigned runs = 0;
	for (const ShardDirectory &s : bench.shards) {
		const fs::path from = fs::path(set_directory(s, set)) / "runs";
		for (const auto &entry : fs::recursive_directory_iterator(from)) {
			const std::string name = entry.path().filename().string();
			// A run's own files only: runs/<case>/profile.txt and the flame graphs are remade from them.
			if (!entry.is_regular_file() || name.rfind("run-", 0) != 0)
				continue;
			const fs::path to = fs::path(to_dir) / "runs" / fs::relative(entry.path(), from);
			fs::create_directories(to.parent_path());
			std::error_code ec;
			if (!fs::copy_file(entry.path(), to, fs::copy_options::none, ec))
				throw UsageError(
					ec == std::errc::file_exists
						? name_of(s) + " holds " + fs::relative(to, to_dir).string() +
							  ", which an earlier shard holds too: the shards overlap (were they "
							  "run with different --repeat or N?)"
						: "copying " + entry.path().string() + " to " + to.string() + ": " + ec.message());
			runs += std::regex_match(name, run_json) ? 1 : 0;
		}
	}
	return runs;
}

std::string merged_metadata(const ShardedBench &bench, const std::string &set, const std::string &label)
{
	// Facts of one shard's run (where, when, how far), kept per shard below.
	static const std::set<std::string> per_shard = {"label",
							"date",
							"command",
							"load average at start",
							"load average at end",
							"others at start",
							"others at end",
							"runs",
							"wall time",
							"status",
							"shard",
							"cpu",
							"host kernel",
							"free space before"};
	// A set's metadata.txt, or with set "" of bench --kernel the bench's own bench.txt.
	const auto file = [&](const ShardDirectory &s) {
		return fs::path(set_directory(s, set)) / (set.empty() && bench.kernels ? "bench.txt" : "metadata.txt");
	};
	std::string text = "label: " + label + "\n";
	for (const auto &[key, value] : metadata_of(file(bench.shards.front())))
		if (!per_shard.count(key))
			text += key + ": " + value + "\n";
	text += "merged: " + std::to_string(bench.shards.size()) +
		" shards of one bench by e4mext merge (bench --shard I/N: the (case, round) pairs cut " +
		std::to_string(bench.shards.size()) + " ways, every kernel in every shard)\n";
	for (const ShardDirectory &s : bench.shards) {
		const MetadataLines meta = metadata_of(file(s));
		text += "shard " + std::to_string(s.shard.index) + ": " + s.dir + "; " + value_of(s.bench, "shard") + "; date " +
			value_of(s.bench, "date") + "; cpu " + value_of(s.bench, "cpu") + "; load average at start " +
			value_of(s.bench, "load average at start") + "; runs " + value_of(meta, "runs") + "\n";
	}
	return text;
}

} // namespace e4mext::runner
