#include "releases.h"

#include <catch2/catch.hpp>

using namespace e4mext::regress;

namespace {
KernelRelease release(const char *s)
{
	const auto k = parse_release(s);
	REQUIRE(k);
	return *k;
}
} // namespace

TEST_CASE("releases: uname strings reduce to their numbers", "[releases]")
{
	CHECK(release("6.18.15+deb13-cloud-amd64").text() == "6.18.15");
	CHECK(release("7.3.0-rc7-cloud-amd64").text() == "7.3.0");
	CHECK(release("7.3-rc7").text() == "7.3.0");
	CHECK(release("6.19.0-custom-dirty").text() == "6.19.0");
	CHECK(release("6.12.43").text() == "6.12.43");
	CHECK_FALSE(parse_release("linux"));
	CHECK_FALSE(parse_release(""));
}

TEST_CASE("releases: mainline from X.Y holds for X.Y.0 on, its -rc too", "[releases]")
{
	const Releases r = mainline_from("7.1");
	CHECK(r.holds_for(release("7.1.0-rc1")));
	CHECK(r.holds_for(release("7.1.13")));
	CHECK(r.holds_for(release("7.3.4")));
	CHECK(r.holds_for(release("8.0.0")));
	CHECK_FALSE(r.holds_for(release("7.0.13")));
	CHECK_FALSE(r.holds_for(release("6.19.13")));
	CHECK(r.text() == "mainline from 7.1");
}

TEST_CASE("releases: a stable backport holds from its point release, in its series only", "[releases]")
{
	const Releases r = stable_from({"6.17.13", "6.18.5"}, "6.19");
	CHECK(r.holds_for(release("6.17.13+deb13-cloud-amd64")));
	CHECK(r.holds_for(release("6.17.20")));
	CHECK_FALSE(r.holds_for(release("6.17.8+deb13-cloud-amd64"))); // before the backport: the older answer
	CHECK(r.holds_for(release("6.18.5")));
	CHECK_FALSE(r.holds_for(release("6.18.4")));
	CHECK_FALSE(r.holds_for(release("6.16.12"))); // a series without the backport
	CHECK_FALSE(r.holds_for(release("6.12.95")));
	CHECK(r.holds_for(release("6.19.0")));
	CHECK(r.holds_for(release("7.2.13")));
	CHECK(r.text() == "mainline from 6.19; stable from 6.17.13, 6.18.5");
}

TEST_CASE("releases: the last range that holds wins", "[releases]")
{
	const std::vector<Releases> history = {mainline_from("6.16"), stable_from({"6.18.5"}, "6.19")};
	CHECK_FALSE(last_holding(history, release("6.12.43")));
	CHECK(last_holding(history, release("6.16.12")) == 0u);
	CHECK(last_holding(history, release("6.18.4")) == 0u);
	CHECK(last_holding(history, release("6.18.5")) == 1u);
	CHECK(last_holding(history, release("7.0.1")) == 1u);
	CHECK_FALSE(last_holding({}, release("7.0.1")));
}
