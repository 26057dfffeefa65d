#include "apt_sources.h"
#include "test_data.h"

#include <catch2/catch.hpp>

using namespace e4mext::runner;

TEST_CASE("deb822: this machine's debian.sources, two paragraphs with comments", "[apt]")
{
	const auto s = parse_deb822_sources(read_vm_data("etc-apt/sources.list.d/debian.sources"), "debian.sources");
	REQUIRE(s.size() == 2);
	CHECK(s[0].types == std::vector<std::string>{"deb"});
	CHECK(s[0].uris == std::vector<std::string>{"http://mirror.example.org/debian"});
	CHECK(s[0].suites == std::vector<std::string>{"bookworm", "bookworm-updates"});
	CHECK(s[0].components == std::vector<std::string>{"main"});
	CHECK(s[0].signed_by == "/usr/share/keyrings/debian-archive-keyring.gpg");
	CHECK(s[0].origin == "debian.sources:1");
	CHECK(s[1].uris == std::vector<std::string>{"http://mirror.example.org/debian-security"});
	CHECK(s[1].suites == std::vector<std::string>{"bookworm-security"});
}

TEST_CASE("deb822: Enabled: no, several URIs and types, an inline key block", "[apt]")
{
	const auto s = parse_deb822_sources(read_vm_data("deb822-inline-key.sources"), "k.sources");
	REQUIRE(s.size() == 2);
	CHECK_FALSE(s[0].enabled);
	CHECK(s[1].enabled);
	CHECK(s[1].types == std::vector<std::string>{"deb", "deb-src"});
	CHECK(s[1].uris.size() == 2);
	CHECK(s[1].signed_by.find("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZ") != std::string::npos);
	CHECK(s[1].signed_by.find("-----END PGP PUBLIC KEY BLOCK-----") != std::string::npos);
	const auto mirror = find_debian_mirror(s);
	REQUIRE(mirror);
	CHECK(mirror->uri == "http://mirror.example.org/debian"); // not the disabled one
	CHECK(mirror->signed_by == s[1].signed_by);
}

TEST_CASE("one-line: options in brackets, deb-src, trailing comments", "[apt]")
{
	const auto s = parse_one_line_sources(read_vm_data("etc-apt/sources.list"), "sources.list");
	REQUIRE(s.size() == 3);
	CHECK(s[0].types == std::vector<std::string>{"deb-src"});
	CHECK(s[1].types == std::vector<std::string>{"deb"});
	CHECK(s[1].uris == std::vector<std::string>{"http://mirror.example.org/debian"});
	CHECK(s[1].suites == std::vector<std::string>{"bookworm"});
	CHECK(s[1].components == std::vector<std::string>{"main", "contrib", "non-free-firmware"});
	CHECK(s[1].signed_by == "/usr/share/keyrings/debian-archive-keyring.gpg");
	CHECK(s[1].origin == "sources.list:4");
	CHECK(s[2].suites == std::vector<std::string>{"bookworm-security"});
	CHECK(s[2].components == std::vector<std::string>{"main"});
}

TEST_CASE("the Debian mirror: not the security archive, not a third-party repository", "[apt]")
{
	const auto s = parse_one_line_sources(read_vm_data("one-line-security-first.list"), "x.list");
	const auto mirror = find_debian_mirror(s);
	REQUIRE(mirror);
	CHECK(mirror->uri == "http://mirror.example.org/debian");
	CHECK(mirror->signed_by.empty());
	CHECK(mirror->origin == "x.list:3");
	CHECK_FALSE(find_debian_mirror(parse_one_line_sources("deb http://third-party.example.org/apt nodistro main\n", "t")));
}

TEST_CASE("a whole /etc/apt: sources.list first, then sources.list.d/*.list|*.sources in name order", "[apt]")
{
	const auto s = read_machine_sources(vm_data_path("etc-apt"));
	// sources.list (3) + debian.sources (2) + google-cloud-sdk.list (1); *.disabled-by-farm ignored
	REQUIRE(s.size() == 6);
	for (const AptSource &a : s)
		CHECK(a.origin.find("nodesource") == std::string::npos);
	CHECK(s[3].origin.find("debian.sources:1") != std::string::npos);
	CHECK(s[5].uris == std::vector<std::string>{"https://packages.cloud.google.com/apt"});
	const auto mirror = find_debian_mirror(s);
	REQUIRE(mirror);
	CHECK(mirror->uri == "http://mirror.example.org/debian");
	CHECK(mirror->origin.find("sources.list:4") != std::string::npos);
}
