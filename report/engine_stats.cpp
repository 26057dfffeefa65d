#include "engine_stats.hpp"

#include "fio_parse.hpp"
#include "input_error.hpp"
#include "json_fields.hpp"

#include <nlohmann/json.hpp>

namespace e4mext::report {

std::filesystem::path side_file_for(const std::filesystem::path& fio_json)
{
    auto side = fio_json;
    side.replace_extension(".stats.jsonl");
    return side;
}

EngineStatsByJob parse_engine_stats(std::string_view text, const std::string& source)
{
    EngineStatsByJob by_job;
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
        } catch (const nlohmann::json::exception&) { // parse_error, out_of_range (number overflow)
            throw InputError(where + ": not a JSON object: the engine's stats_file holds one JSON object per line");
        }
        const JsonFields fields(record, where, "");
        if (fields.unsigned_integer("e4mext_stats") != 1)
            fields.fail("e4mext_stats", "unsupported side-file version (this e4mext-report reads version 1)");
        auto& stats = by_job[fields.string("jobname")];
        const JsonFields before(fields.object("orig_before"), where, "orig_before");
        const JsonFields after(fields.object("orig_after"), where, "orig_after");
        stats.extents_before += before.unsigned_integer("extents");
        stats.extents_after += after.unsigned_integer("extents");
        stats.partial_moves += fields.unsigned_integer("partial_moves");
        stats.retries += fields.unsigned_integer("retries");
        stats.verify_failed = stats.verify_failed || fields.optional_string("verify").value_or("off") == "failed";
        ++stats.records;
    }
    return by_job;
}

std::optional<EngineStatsByJob> load_engine_stats_beside(const std::filesystem::path& fio_json)
{
    const auto side = side_file_for(fio_json);
    std::error_code ec;
    if (!std::filesystem::exists(side, ec))
        return std::nullopt;
    return parse_engine_stats(read_file_text(side), side.string());
}

} // namespace e4mext::report
