// Extent summaries and the count of blocks a move relocated.
#include "extent_map.h"

#include <catch2/catch.hpp>

using namespace e4mext;

TEST_CASE("summaries count extents by state and mapped blocks", "[extents]")
{
	const ExtentMap map{{0, 100, 10, true}, {10, 500, 5, false}, {20, 900, 1, true}};
	CHECK(summarize(map) == ExtentSummary{3, 1, 2, 16});
	CHECK(summarize({}) == ExtentSummary{});
}

TEST_CASE("blocks_relocated counts logical blocks whose physical block changed", "[extents]")
{
	const ExtentMap before{{0, 1000, 16, true}};
	CHECK(blocks_relocated(before, before) == 0);
	CHECK(blocks_relocated(before, {{0, 5000, 16, true}}) == 16);
	// First half moved, second half stayed (now two extents).
	CHECK(blocks_relocated(before, {{0, 5000, 8, true}, {8, 1008, 8, true}}) == 8);
	// Split differently on both sides.
	CHECK(blocks_relocated({{0, 1000, 4, false}, {4, 2000, 4, false}}, {{0, 1000, 2, false}, {2, 7000, 6, false}}) == 6);
	// Blocks mapped on one side only (holes) are not relocations.
	CHECK(blocks_relocated(before, {{32, 1032, 16, true}}) == 0);
	CHECK(blocks_relocated({}, before) == 0);
}
