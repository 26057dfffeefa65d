// verify_data's checksum is plain XXH64 (seed 0): known values, and independent of how the bytes
// are split into reads.
#include "checksum.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace e4mext;

TEST_CASE("XXH64 gives the published values, split or whole", "[checksum]")
{
	ContentHash empty;
	CHECK(hash_hex(empty.value()) == "ef46db3751d8e999");

	std::vector<unsigned char> data(100000);
	for (size_t i = 0; i < data.size(); ++i)
		data[i] = static_cast<unsigned char>(i * 31 + 7);
	ContentHash whole, pieces;
	whole.update(data.data(), data.size());
	for (size_t at = 0; at < data.size(); at += 4097)
		pieces.update(data.data() + at, std::min<size_t>(4097, data.size() - at));
	CHECK(whole.value() == pieces.value());
	CHECK(whole.value() != empty.value());
}
