// The engine's statistics side file (stats_file=PATH of libe4mext): JSON Lines, one object per
// (job clone, file). The one reader of it: parse_engine_stats_records gives each line as it is
// (tests/fuzz checks every line); parse_engine_stats sums them per jobname for e4mext-report,
// which joins them to a fio JSON file that sits next to it: x.json pairs with x.stats.jsonl.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace e4mext::report {

// The counts of one extent map in a record ("orig_before", "donor_after", ...).
struct EngineExtentCounts {
	std::uint64_t extents = 0;
	std::uint64_t written = 0;   // extents holding data
	std::uint64_t unwritten = 0; // preallocated extents
	std::uint64_t blocks = 0;    // mapped blocks
};

// One line of the side file. Required are the fields the per-job summary has always needed; the
// rest may be absent (nullopt, 0, false, ""), so that lines of older engines still read - the
// ioctl request sums, for one, came later than version 1 of the file.
struct EngineStatsRecord {
	std::size_t line = 0; // in the side file, for messages
	std::string jobname;
	std::optional<std::uint64_t> jobnum; // clone index ($jobnum)
	std::string file;                    // the original, as the engine opened it
	std::string donor;
	std::optional<std::uint64_t> block_size;
	std::uint64_t moves = 0; // fio writes handled
	std::uint64_t blocks_moved = 0;
	std::uint64_t partial_moves = 0;
	std::uint64_t retries = 0;
	std::uint64_t write_backs = 0;    // retries after writing the range back (busy_flush)
	std::uint64_t ebusy = 0;          // moves that failed with EBUSY or ENODATA (after
	std::uint64_t enodata = 0;        // retries), as fio was told of them
	std::uint64_t extents_before = 0; // original file's extents before the moves
	std::uint64_t extents_after = 0;
	// Sums over the ioctls issued: bytes of the fio I/Os handed to them, blocks asked of them.
	// A range not on block boundaries asks for more blocks than it has bytes.
	std::optional<std::uint64_t> bytes_requested;
	std::optional<std::uint64_t> blocks_requested;
	std::optional<std::uint64_t> misaligned_refused; // I/Os refused as not on block boundaries
	bool donor_created = false;
	bool donor_kept = false;
	std::string verify = "off"; // off, passed or failed
	// Absent from lines of older engines. The maps in full (an object without "written" reads as
	// absent), the original's blocks that moved, failed moves other than EBUSY/ENODATA, and the
	// verify_data checksums ("" when verify is off).
	std::optional<EngineExtentCounts> orig_before, orig_after, donor_before, donor_after;
	std::optional<std::uint64_t> orig_blocks_relocated;
	std::optional<std::uint64_t> other_errors;
	std::string verify_xxh64_before, verify_xxh64_after;
};

struct EngineStats {
	std::uint64_t extents_before = 0; // original file's extents before the moves
	std::uint64_t extents_after = 0;
	std::uint64_t partial_moves = 0;
	std::uint64_t retries = 0;
	std::uint64_t records = 0; // side-file lines summed into this
	bool verify_failed = false;
};

using EngineStatsByJob = std::map<std::string, EngineStats>;

// x.json -> x.stats.jsonl (same directory).
std::filesystem::path side_file_for(const std::filesystem::path &fio_json);

// Every line of a side file in order; source names it in messages. Throws InputError.
std::vector<EngineStatsRecord> parse_engine_stats_records(std::string_view text, const std::string &source);

// The records of a side file summed per jobname. Throws InputError.
EngineStatsByJob parse_engine_stats(std::string_view text, const std::string &source);

// The side file next to fio_json, if there is one. Throws InputError when it is malformed.
std::optional<EngineStatsByJob> load_engine_stats_beside(const std::filesystem::path &fio_json);

} // namespace e4mext::report
