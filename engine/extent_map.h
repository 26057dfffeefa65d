// A file's logical-to-physical map as FIEMAP reports it, in filesystem blocks, and the figures the
// engine reports about it (fragmentation before/after, how much of the original was relocated).
#pragma once

#include "engine_error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace e4mext {

struct Extent {
	uint64_t logical = 0;  // first logical block
	uint64_t physical = 0; // first physical block
	uint64_t length = 0;   // blocks
	bool unwritten = false;
	bool operator==(const Extent &) const = default;
};

struct ExtentSummary {
	uint64_t extents = 0;
	uint64_t written = 0;   // extents holding data
	uint64_t unwritten = 0; // preallocated extents (read as zeros)
	uint64_t blocks = 0;    // mapped blocks
	bool operator==(const ExtentSummary &) const = default;
};

using ExtentMap = std::vector<Extent>; // sorted by logical block

// Reads the map of fd with FS_IOC_FIEMAP (flush first when `sync`: delayed allocations have no
// physical blocks yet). `what` names the file in the error ("FIEMAP of <what>: <errno>").
Result<ExtentMap> read_extent_map(int fd, unsigned block_shift, bool sync, const std::string &what);

// Drops the kernel's cached extent status of fd (EXT4_IOC_CLEAR_ES_CACHE, Linux >= 5.3; a no-op
// where unsupported). FIEMAP and reads fill that cache; clearing it after taking the "before"
// snapshot keeps the snapshot from changing the cost of the moves being measured.
void forget_cached_extents(int fd) noexcept;

ExtentSummary summarize(const ExtentMap &map);

// Logical blocks mapped in both `before` and `after` whose physical block differs: the blocks a
// move relocated. Maps must be sorted by logical block and free of overlaps.
uint64_t blocks_relocated(const ExtentMap &before, const ExtentMap &after);

} // namespace e4mext
