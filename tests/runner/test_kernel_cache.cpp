#include "cleanup_registry.h"
#include "kernel_archive.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using namespace e4mext::runner;
namespace fs = std::filesystem;

namespace {

// A cache entry as fetch leaves it: a directory with its note.
fs::path make_entry(const fs::path &root, const std::string &name)
{
	fs::create_directories(root / name / "boot");
	std::ofstream(root / name / "e4mext-package.txt") << "linux-image-test 1.0 (test)\n";
	return root / name;
}

CachedKernel entry_at(const fs::path &dir)
{
	CachedKernel k;
	k.directory = dir.string();
	return k;
}

} // namespace

TEST_CASE("kernel cache: an entry moved aside is removed once no run holds it", "[kernel-cache]")
{
	TempDir tmp("e4mext-test-kernel-cache");
	const fs::path root = fs::path(tmp.path()) / "kernels"; // beside TempDir's owner marker
	fs::create_directories(root);
	make_entry(root, "6.1.1");
	const fs::path free_old = make_entry(root, "6.1.1.old.123");
	// A run holds 7.2.13, then another run's unpack moves it aside (as fetch does).
	const fs::path live = make_entry(root, "7.2.13");
	std::optional<CacheHold> hold = hold_cache_entry(entry_at(live));
	REQUIRE(hold);
	fs::rename(live, root / "7.2.13.old.456");
	make_entry(root, "7.2.13");
	// Not leftovers: a kernel's own entry, names that only look alike.
	make_entry(root, "6.1.1.old.12x");
	make_entry(root, "6.1.1.old.");

	const std::vector<std::string> removed = remove_cache_leftovers(root.string());
	CHECK(removed == std::vector<std::string>{(root / "6.1.1.old.123").string()});
	CHECK_FALSE(fs::exists(free_old));
	CHECK(fs::exists(root / "7.2.13.old.456" / "e4mext-package.txt")); // still held: its VM may read it
	for (const char *kept : {"6.1.1", "7.2.13", "6.1.1.old.12x", "6.1.1.old."})
		CHECK(fs::exists(root / kept / "e4mext-package.txt"));

	hold.reset(); // the run ends
	CHECK(remove_cache_leftovers(root.string()) == std::vector<std::string>{(root / "7.2.13.old.456").string()});
	CHECK_FALSE(fs::exists(root / "7.2.13.old.456"));
	CHECK(remove_cache_leftovers(root.string()).empty());
}

TEST_CASE("kernel cache: a hold is refused for an entry that is gone or was replaced", "[kernel-cache]")
{
	TempDir tmp("e4mext-test-kernel-cache");
	const fs::path root = fs::path(tmp.path()) / "kernels"; // beside TempDir's owner marker
	fs::create_directories(root);
	CHECK_FALSE(hold_cache_entry(entry_at(root / "6.1.1")));
	const fs::path e = make_entry(root, "6.1.1");
	std::optional<CacheHold> a = hold_cache_entry(entry_at(e));
	std::optional<CacheHold> b = hold_cache_entry(entry_at(e)); // shared: two runs at once
	CHECK(a);
	CHECK(b);
	// An entry moved aside with no hold left is removed; a leftover without its note too.
	a.reset();
	b.reset();
	fs::rename(e, root / "6.1.1.old.7");
	fs::create_directories(root / "6.1.1.old.8");
	CHECK(remove_cache_leftovers(root.string()).size() == 2);
	CHECK(fs::is_empty(root));
}
