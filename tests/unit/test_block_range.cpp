// Offset-to-block arithmetic: which blocks a byte range covers, and what cannot be a whole-block move.
#include "block_range.h"

#include <catch2/catch.hpp>

#include <cerrno>

using namespace e4mext;

TEST_CASE("block_shift_of accepts powers of two only", "[blocks]")
{
	CHECK(block_shift_of(1024) == 10);
	CHECK(block_shift_of(4096) == 12);
	CHECK(block_shift_of(65536) == 16);
	CHECK(block_shift_of(0) == -1);
	CHECK(block_shift_of(3000) == -1);
}

TEST_CASE("blocks_covering rounds the start down and the end up", "[blocks]")
{
	CHECK(blocks_covering(0, 4096, 12) == BlockRange{0, 1});
	CHECK(blocks_covering(8192, 131072, 12) == BlockRange{2, 32});
	CHECK(blocks_covering(4096, 1, 12) == BlockRange{1, 1});
	CHECK(blocks_covering(4095, 2, 12) == BlockRange{0, 2});
	CHECK(blocks_covering(0, 4096, 10) == BlockRange{0, 4});
	CHECK(blocks_covering(1ULL << 40, 1 << 20, 12) == BlockRange{1ULL << 28, 256});
}

TEST_CASE("check_aligned explains bs and offsets that are not whole blocks", "[blocks]")
{
	CHECK(check_aligned("bs", 4096, 4096));
	CHECK(check_aligned("bs", 1 << 20, 4096));
	CHECK(check_aligned("offset", 0, 4096));
	const Status why = check_aligned("bs", 6144, 4096);
	REQUIRE_FALSE(why);
	CHECK(why.error().errnum == EINVAL);
	CHECK_THAT(why.error().message, Catch::Contains("bs=6144") && Catch::Contains("4096"));
}

TEST_CASE("ranges at the ioctl's 2^32-1 block limit are refused", "[blocks]")
{
	const uint64_t limit_bytes = kMaxMoveBlocks << 12;
	CHECK(check_block_limit(0, 1ULL << 30, 12));
	CHECK(check_block_limit(limit_bytes - 8192, 4096, 12));
	CHECK_FALSE(check_block_limit(limit_bytes - 4096, 4096, 12));
	const Status beyond = check_block_limit(limit_bytes, 4096, 12);
	REQUIRE_FALSE(beyond);
	CHECK(beyond.error().errnum == EINVAL);
	CHECK_THAT(beyond.error().message, Catch::Contains("2^32-1 blocks"));
}
