// e4mext-stat: what the integration tests read of a run's results, read through report_core - the
// one reader of the engine's stats file (engine_stats.hpp) and of fio's output (fio_parse.hpp) -
// so the shell scripts parse no JSON themselves.
//
// usage: e4mext-stat STATS_FILE KEY    KEY of every record of the engine's stats_file, one line each
//        e4mext-stat --fio-json FILE   exit 0 when FILE is one fio JSON document and nothing else
// Exit 1 for a file that cannot be read or lacks KEY, 2 for bad usage.
#include "engine_stats.hpp"
#include "fio_parse.hpp"
#include "input_error.hpp"

#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace {

using e4mext::report::EngineExtentCounts;
using e4mext::report::EngineStatsRecord;
using e4mext::report::InputError;

constexpr const char *kUsage =
	"usage: e4mext-stat STATS_FILE KEY     print KEY of every record of the engine's stats file, one per line\n"
	"       e4mext-stat --fio-json FILE    exit 0 when FILE is one fio JSON document and nothing else\n"
	"KEY: a field of the record, e.g. moves, verify, donor, orig_after.written (e4mext-stat --keys lists them)\n";

using Field = std::function<std::optional<std::string>(const EngineStatsRecord &)>;

std::optional<std::string> text(const std::optional<std::uint64_t> &v)
{
	return v ? std::optional(std::to_string(*v)) : std::nullopt;
}

std::string text(bool v)
{
	return v ? "true" : "false";
}

// The keys a test may ask for, named as in the stats file (objects' fields joined by '.').
std::map<std::string, Field> fields()
{
	std::map<std::string, Field> f = {
		{"jobname", [](const EngineStatsRecord &r) { return std::optional(r.jobname); }},
		{"jobnum", [](const EngineStatsRecord &r) { return text(r.jobnum); }},
		{"file", [](const EngineStatsRecord &r) { return std::optional(r.file); }},
		{"donor", [](const EngineStatsRecord &r) { return std::optional(r.donor); }},
		{"block_size", [](const EngineStatsRecord &r) { return text(r.block_size); }},
		{"moves", [](const EngineStatsRecord &r) { return std::optional(std::to_string(r.moves)); }},
		{"blocks_moved", [](const EngineStatsRecord &r) { return std::optional(std::to_string(r.blocks_moved)); }},
		{"partial_moves", [](const EngineStatsRecord &r) { return std::optional(std::to_string(r.partial_moves)); }},
		{"retries", [](const EngineStatsRecord &r) { return std::optional(std::to_string(r.retries)); }},
		{"write_backs", [](const EngineStatsRecord &r) { return std::optional(std::to_string(r.write_backs)); }},
		{"ebusy", [](const EngineStatsRecord &r) { return std::optional(std::to_string(r.ebusy)); }},
		{"other_errors", [](const EngineStatsRecord &r) { return text(r.other_errors); }},
		{"bytes_requested", [](const EngineStatsRecord &r) { return text(r.bytes_requested); }},
		{"blocks_requested", [](const EngineStatsRecord &r) { return text(r.blocks_requested); }},
		{"misaligned_refused", [](const EngineStatsRecord &r) { return text(r.misaligned_refused); }},
		{"orig_blocks_relocated", [](const EngineStatsRecord &r) { return text(r.orig_blocks_relocated); }},
		{"donor_created", [](const EngineStatsRecord &r) { return std::optional(text(r.donor_created)); }},
		{"donor_kept", [](const EngineStatsRecord &r) { return std::optional(text(r.donor_kept)); }},
		{"verify", [](const EngineStatsRecord &r) { return std::optional(r.verify); }},
		{"verify_xxh64_before", [](const EngineStatsRecord &r) { return std::optional(r.verify_xxh64_before); }},
		{"verify_xxh64_after", [](const EngineStatsRecord &r) { return std::optional(r.verify_xxh64_after); }},
	};
	using Map = std::optional<EngineExtentCounts> EngineStatsRecord::*;
	using Count = std::uint64_t EngineExtentCounts::*;
	const std::pair<const char *, Map> maps[] = {{"orig_before", &EngineStatsRecord::orig_before},
						     {"orig_after", &EngineStatsRecord::orig_after},
						     {"donor_before", &EngineStatsRecord::donor_before},
						     {"donor_after", &EngineStatsRecord::donor_after}};
	const std::pair<const char *, Count> counts[] = {{"extents", &EngineExtentCounts::extents},
							 {"written", &EngineExtentCounts::written},
							 {"unwritten", &EngineExtentCounts::unwritten},
							 {"blocks", &EngineExtentCounts::blocks}};
	for (const auto &[map_name, map] : maps)
		for (const auto &[count_name, count] : counts)
			f[std::string(map_name) + "." + count_name] = [map, count](const EngineStatsRecord &r) {
				const std::optional<EngineExtentCounts> &counts_of_map = r.*map;
				return counts_of_map ? std::optional(std::to_string((*counts_of_map).*count)) : std::nullopt;
			};
	return f;
}

int print_field(const std::string &path, const std::string &key)
{
	const auto all = fields();
	const auto field = all.find(key);
	if (field == all.end()) {
		std::fprintf(stderr, "e4mext-stat: unknown KEY '%s'; e4mext-stat --keys lists the keys\n", key.c_str());
		return 2;
	}
	const auto records = e4mext::report::parse_engine_stats_records(e4mext::report::read_file_text(path), path);
	if (records.empty())
		throw InputError(path + ": no records: the engine writes one line per job clone and file at the end of the run");
	std::string out;
	for (const EngineStatsRecord &r : records) {
		const std::optional<std::string> value = field->second(r);
		if (!value)
			throw InputError(path + ":" + std::to_string(r.line) + ": the record has no " + key +
					 " (written by an older engine?)");
		out += *value + "\n";
	}
	std::fputs(out.c_str(), stdout);
	return 0;
}

// fio's document alone: an engine line before, after or inside it would break this.
int check_fio_json(const std::string &path)
{
	const std::string content = e4mext::report::read_file_text(path);
	const auto documents = e4mext::report::extract_json_documents(content, path);
	const size_t first = content.find_first_not_of(" \t\r\n");
	const size_t last = content.find_last_not_of(" \t\r\n");
	if (documents.size() != 1 || first == std::string::npos || content[first] != '{' || content[last] != '}')
		throw InputError(path + ": not one JSON document and nothing else (" + std::to_string(documents.size()) +
				 " documents; other text before or after them?)");
	e4mext::report::parse_fio_output(content, path); // and it is fio's
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	const std::string_view first = argc > 1 ? argv[1] : "";
	if (first == "--help" || first == "-h") {
		std::fputs(kUsage, stdout);
		return 0;
	}
	try {
		if (argc == 2 && first == "--keys") {
			for (const auto &[key, field] : fields())
				std::printf("%s\n", key.c_str());
			return 0;
		}
		if (argc == 3 && first == "--fio-json")
			return check_fio_json(argv[2]);
		if (argc == 3 && !first.starts_with("-"))
			return print_field(argv[1], argv[2]);
	} catch (const InputError &e) {
		std::fprintf(stderr, "e4mext-stat: %s\n", e.what());
		return 1;
	}
	std::fputs(kUsage, stderr);
	return 2;
}
