// Catch2 3 under the names of Catch2 2 that the tests use: Debian 13 ships Catch2 3, which has no
// single header and moved the string matchers and Approx into namespaces; Debian 12 ships 2.13,
// whose own catch2/catch.hpp is found instead (tests/meson.build puts this directory on the include
// path only for Catch2 3).
#pragma once

#include <catch2/catch_all.hpp>

#include <string>

using Catch::Approx;

namespace Catch {
// Catch2 2's Catch::Contains of a string is Catch2 3's ContainsSubstring (3's Contains is a range's).
inline Matchers::StringContainsMatcher Contains(const std::string &text, CaseSensitive sensitivity = CaseSensitive::Yes)
{
	return Matchers::ContainsSubstring(text, sensitivity);
}
using Matchers::EndsWith;
using Matchers::Matches;
using Matchers::StartsWith;
} // namespace Catch
