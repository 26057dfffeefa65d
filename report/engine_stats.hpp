// The engine's statistics side file (stats_file=PATH of libe4mext): JSON Lines, one object per
// (job clone, file). e4mext-report joins it to a fio JSON file that sits next to it: x.json pairs
// with x.stats.jsonl. Figures are summed per jobname (over clones and files).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace e4mext::report {

struct EngineStats {
    std::uint64_t extents_before = 0; // original file's extents before the moves
    std::uint64_t extents_after = 0;
    std::uint64_t partial_moves = 0;
    std::uint64_t retries = 0;
    std::uint64_t records = 0;        // side-file lines summed into this
    bool verify_failed = false;
};

using EngineStatsByJob = std::map<std::string, EngineStats>;

// x.json -> x.stats.jsonl (same directory).
std::filesystem::path side_file_for(const std::filesystem::path& fio_json);

// Parses the text of a side file; source names it in messages. Throws InputError.
EngineStatsByJob parse_engine_stats(std::string_view text, const std::string& source);

// The side file next to fio_json, if there is one. Throws InputError when it is malformed.
std::optional<EngineStatsByJob> load_engine_stats_beside(const std::filesystem::path& fio_json);

} // namespace e4mext::report
