#include "kernel_packages.h"
#include "test_data.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

using namespace e4mext::runner;

namespace {

std::vector<KernelPackage> fixture_catalogue()
{
	std::vector<KernelPackage> all;
	for (const char *suite : {"trixie-backports", "experimental", "bookworm-backports", "sid"}) {
		const auto p = parse_kernel_packages(read_vm_data(std::string("Packages-") + suite), suite);
		all.insert(all.end(), p.begin(), p.end());
	}
	return kernel_catalogue(all);
}

} // namespace

TEST_CASE("Packages: kernel images only, the 6.19+ linux-image metapackages dropped", "[packages]")
{
	const auto p = parse_kernel_packages(read_vm_data("Packages-sid"), "sid");
	// fio, linux-headers-*, *-dbg, the unversioned metapackage and linux-image-7.2.13 (depends on linux-binary) are not kernels
	REQUIRE(p.size() == 1);
	CHECK(p[0].package == "linux-binary-7.2.13+deb14-cloud-amd64");
	CHECK(p[0].upstream == "7.2.13");
	CHECK(p[0].debian_version == "7.2.13-1");
	CHECK(p[0].suite == "sid");
	CHECK_FALSE(p[0].with_modules);
	CHECK(p[0].sha256 == "03e41f1c34c16583462f029e81944a85ebcdb78098c258dedfa1cfdd680a27f8");
	// 7.2 on: the modules are a package of their own, of the same ABI and version (7.2.12's is another kernel's)
	CHECK(p[0].modules_package == "linux-modules-7.2.13+deb14-cloud-amd64");
	CHECK(p[0].modules_sha256 == "97d79546041e3fdfb44dccff180938894d1bf8eb298f091f88539c1b37080bef");

	const auto t = parse_kernel_packages(read_vm_data("Packages-trixie-backports"), "trixie-backports");
	REQUIRE(t.size() == 7); // 6.18.12, 6.18.15 (linux-image) + 6.19.10/11/13/14, 7.0.4 (linux-binary)
	for (const KernelPackage &k : t) {
		CHECK(k.with_modules == (k.upstream.rfind("6.18.", 0) == 0));
		CHECK(k.modules_package.empty()); // 6.19 to 7.1: no linux-modules package in the archive
	}
}

TEST_CASE("Packages: an -rc in experimental is named as the kernel names it", "[packages]")
{
	const auto p = parse_kernel_packages(read_vm_data("Packages-experimental"), "experimental");
	REQUIRE(p.size() == 1);
	CHECK(p[0].upstream == "7.3-rc7");
	CHECK(p[0].package == "linux-binary-7.3-cloud-amd64");
}

TEST_CASE("catalogue: one package per version, the newer ABI of two, sorted", "[packages]")
{
	const auto c = fixture_catalogue();
	std::vector<std::string> versions;
	for (const KernelPackage &k : c)
		versions.push_back(k.upstream);
	CHECK(versions == std::vector<std::string>{"6.12.88", "6.12.90", "6.18.12", "6.18.15", "6.19.10", "6.19.11", "6.19.13",
						   "6.19.14", "7.0.4", "7.2.13", "7.3-rc7"});
	const auto k = find_kernel(c, "6.12.90");
	REQUIRE(k);
	CHECK(k->package == "linux-image-6.12.90+deb12.1-cloud-amd64"); // 6.12.90-2~bpo12+1 beats -1~bpo12+1
	const auto n = find_kernel(c, "6.19.13");
	REQUIRE(n);
	CHECK(n->package == "linux-binary-6.19.13+deb13-cloud-amd64");
	CHECK(n->suite == "trixie-backports");
	CHECK_FALSE(find_kernel(c, "6.19.12"));
}

TEST_CASE("nearest versions: the same series first, then the neighbours", "[packages]")
{
	const auto c = fixture_catalogue();
	CHECK(nearest_versions(c, "6.19.12") == std::vector<std::string>{"6.19.13", "6.19.11", "6.19.14"});
	CHECK(nearest_versions(c, "6.19.99", 2) == std::vector<std::string>{"6.19.14", "6.19.13"});
	CHECK(nearest_versions(c, "6.17.1", 2) == std::vector<std::string>{"6.18.12", "6.18.15"});
	CHECK(nearest_versions(c, "7.3", 1) == std::vector<std::string>{"7.3-rc7"});
	CHECK(nearest_versions({}, "6.19.12").empty());
}

TEST_CASE("version orderings: dpkg's and the kernel's", "[packages]")
{
	CHECK(compare_debian_versions("6.12.90-2~bpo12+1", "6.12.90-1~bpo12+1") > 0);
	CHECK(compare_debian_versions("7.3~rc7-1~exp1", "7.3-1") < 0);
	CHECK(compare_debian_versions("1:1.0-1", "2.0-1") > 0);
	CHECK(compare_debian_versions("6.19.13-1~bpo13+1", "6.19.13-1") < 0);
	CHECK(compare_debian_versions("6.19.13-1", "6.19.13-1") == 0);
	CHECK(compare_kernel_versions("6.19.10", "6.19.9") > 0);
	CHECK(compare_kernel_versions("7.3-rc7", "7.3") < 0);
	CHECK(compare_kernel_versions("7.3-rc7", "7.2.13") > 0);
	CHECK(looks_like_kernel_version("6.19.13"));
	CHECK(looks_like_kernel_version("7.3-rc7"));
	CHECK_FALSE(looks_like_kernel_version("6.19.13+deb13-cloud-amd64"));
	CHECK_FALSE(looks_like_kernel_version("latest"));
}

TEST_CASE("list file names give the suite", "[packages]")
{
	CHECK(suite_of_list_file("mirror.example.org_debian_dists_trixie-backports_main_binary-amd64_Packages.lz4") ==
	      "trixie-backports");
	CHECK(suite_of_list_file("mirror.example.org_debian_dists_sid_main_binary-amd64_Packages") == "sid");
	CHECK(suite_of_list_file("mirror.example.org_debian_dists_sid_InRelease").empty());
}

TEST_CASE("dpkg's version ordering: the same answer as dpkg --compare-versions", "[packages]")
{
	// The pairs dpkg's own tests and the kernel archive exercise: '~', epochs, revisions, letters.
	const std::vector<std::pair<std::string, std::string>> pairs = {{"6.12.90-2~bpo12+1", "6.12.90-1~bpo12+1"},
									{"7.3~rc7-1~exp1", "7.3-1"},
									{"1:1.0-1", "2.0-1"},
									{"6.19.13-1~bpo13+1", "6.19.13-1"},
									{"1.0~~", "1.0~"},
									{"1.0~", "1.0"},
									{"1.0a", "1.0"},
									{"1.0+b1", "1.0"},
									{"1.0-1", "1.0-1.1"},
									{"1.01", "1.1"},
									{"2:0", "1:9"},
									{"1.0.0", "1.0"},
									{"7.2.13-1", "7.2.9-1"},
									{"a", "A"},
									{"1.0-0", "1.0"}};
	if (std::system("dpkg --version > /dev/null 2>&1") != 0) {
		WARN("dpkg is not installed: the ordering is not compared with dpkg's");
		return;
	}
	for (const auto &[a, b] : pairs) {
		const int ours = compare_debian_versions(a, b);
		const std::string cmd = "dpkg --compare-versions '" + a + "' lt '" + b + "'";
		const bool dpkg_lt = std::system(cmd.c_str()) == 0;
		const bool dpkg_eq = std::system(("dpkg --compare-versions '" + a + "' eq '" + b + "'").c_str()) == 0;
		INFO(a << " vs " << b << ": ours " << ours);
		CHECK((ours < 0) == dpkg_lt);
		CHECK((ours == 0) == dpkg_eq);
	}
}
