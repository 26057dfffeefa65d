#include "engine_stats.hpp"

#include "fio_parse.hpp"
#include "input_error.hpp"
#include "json_fields.hpp"

#include <nlohmann/json.hpp>

namespace e4mext::report {

std::filesystem::path side_file_for(const std::filesystem::path &fio_json)
{
	auto side = fio_json;
	side.replace_extension(".stats.jsonl");
	return side;
}

namespace {

std::optional<std::uint64_t> optional_count(const JsonFields &fields, const char *key)
{
	if (!fields.has(key))
		return std::nullopt;
	return fields.unsigned_integer(key);
}

bool optional_flag(const JsonFields &fields, const nlohmann::json &record, const char *key)
{
	const auto it = record.find(key);
	if (it == record.end())
		return false;
	if (!it->is_boolean())
		fields.fail(key, "expected true or false, found " + describe_json_type(*it));
	return it->get<bool>();
}

std::optional<EngineExtentCounts> optional_extent_counts(const JsonFields &fields, const std::string &where, const char *key)
{
	const auto *object = fields.optional_object(key);
	if (!object || !object->contains("written"))
		return std::nullopt;
	const JsonFields counts(*object, where, key);
	return EngineExtentCounts{counts.unsigned_integer("extents"), counts.unsigned_integer("written"),
				  counts.unsigned_integer("unwritten"), counts.unsigned_integer("blocks")};
}

// Required fields first, in the order older e4mext-report read them, so messages stay the same.
EngineStatsRecord parse_record(const nlohmann::json &record, const std::string &where, std::size_t line_number)
{
	const JsonFields fields(record, where, "");
	if (fields.unsigned_integer("e4mext_stats") != 1)
		fields.fail("e4mext_stats", "unsupported side-file version (this e4mext-report reads version 1)");
	EngineStatsRecord r;
	r.line = line_number;
	r.jobname = fields.string("jobname");
	r.extents_before = JsonFields(fields.object("orig_before"), where, "orig_before").unsigned_integer("extents");
	r.extents_after = JsonFields(fields.object("orig_after"), where, "orig_after").unsigned_integer("extents");
	r.partial_moves = fields.unsigned_integer("partial_moves");
	r.retries = fields.unsigned_integer("retries");
	r.verify = fields.optional_string("verify").value_or("off");
	r.jobnum = optional_count(fields, "jobnum");
	r.file = fields.optional_string("file").value_or("");
	r.donor = fields.optional_string("donor").value_or("");
	r.block_size = optional_count(fields, "block_size");
	r.moves = optional_count(fields, "moves").value_or(0);
	r.blocks_moved = optional_count(fields, "blocks_moved").value_or(0);
	r.write_backs = optional_count(fields, "write_backs").value_or(0);
	r.ebusy = optional_count(fields, "ebusy").value_or(0);
	r.enodata = optional_count(fields, "enodata").value_or(0);
	r.bytes_requested = optional_count(fields, "bytes_requested");
	r.blocks_requested = optional_count(fields, "blocks_requested");
	r.misaligned_refused = optional_count(fields, "misaligned_refused");
	r.donor_created = optional_flag(fields, record, "donor_created");
	r.donor_kept = optional_flag(fields, record, "donor_kept");
	r.orig_before = optional_extent_counts(fields, where, "orig_before");
	r.orig_after = optional_extent_counts(fields, where, "orig_after");
	r.donor_before = optional_extent_counts(fields, where, "donor_before");
	r.donor_after = optional_extent_counts(fields, where, "donor_after");
	r.orig_blocks_relocated = optional_count(fields, "orig_blocks_relocated");
	r.other_errors = optional_count(fields, "other_errors");
	r.verify_xxh64_before = fields.optional_string("verify_xxh64_before").value_or("");
	r.verify_xxh64_after = fields.optional_string("verify_xxh64_after").value_or("");
	return r;
}

} // namespace

std::vector<EngineStatsRecord> parse_engine_stats_records(std::string_view text, const std::string &source)
{
	std::vector<EngineStatsRecord> records;
	std::size_t line_number = 0;
	std::size_t pos = 0;
	while (pos < text.size()) {
		auto end = text.find('\n', pos);
		if (end == std::string_view::npos)
			end = text.size();
		const auto line = text.substr(pos, end - pos);
		pos = end + 1;
		++line_number;
		if (line.find_first_not_of(" \t\r") == std::string_view::npos)
			continue;
		const std::string where = source + ":" + std::to_string(line_number);
		nlohmann::json record;
		try {
			record = nlohmann::json::parse(line);
		} catch (const nlohmann::json::exception &) { // parse_error, out_of_range (number overflow)
			throw InputError(where + ": not a JSON object: the engine's stats_file holds one JSON object per line");
		}
		records.push_back(parse_record(record, where, line_number));
	}
	return records;
}

EngineStatsByJob parse_engine_stats(std::string_view text, const std::string &source)
{
	EngineStatsByJob by_job;
	for (const auto &r : parse_engine_stats_records(text, source)) {
		auto &stats = by_job[r.jobname];
		stats.extents_before += r.extents_before;
		stats.extents_after += r.extents_after;
		stats.partial_moves += r.partial_moves;
		stats.retries += r.retries;
		stats.verify_failed = stats.verify_failed || r.verify == "failed";
		++stats.records;
	}
	return by_job;
}

std::optional<EngineStatsByJob> load_engine_stats_beside(const std::filesystem::path &fio_json)
{
	const auto side = side_file_for(fio_json);
	std::error_code ec;
	if (!std::filesystem::exists(side, ec))
		return std::nullopt;
	return parse_engine_stats(read_file_text(side), side.string());
}

} // namespace e4mext::report
