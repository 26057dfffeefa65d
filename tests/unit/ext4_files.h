// Real files on an ext4 filesystem for the unit tests that need one (donors, DefragFile).
#pragma once

#include "unique_fd.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace e4mext::test {

namespace fs = std::filesystem;

// A fresh directory on an ext4 filesystem, removed at the end; empty path when none is available.
struct Ext4TempDir {
	fs::path path;
	Ext4TempDir()
	{
		const char *base = std::getenv("E4MEXT_TEST_TMPDIR");
		std::string templ = std::string(base ? base : "/tmp") + "/e4mext-unit.XXXXXX";
		if (!::mkdtemp(templ.data()))
			return;
		struct statfs sfs;
		if (::statfs(templ.c_str(), &sfs) != 0 || sfs.f_type != 0xEF53) {
			fs::remove_all(templ);
			return;
		}
		path = templ;
	}
	~Ext4TempDir()
	{
		if (!path.empty())
			fs::remove_all(path);
	}
};

inline void write_file(const fs::path &p, uint64_t size, unsigned char byte)
{
	UniqueFd fd(::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
	REQUIRE(fd.valid());
	const std::vector<unsigned char> data(size, byte);
	REQUIRE(::write(fd.get(), data.data(), data.size()) == static_cast<ssize_t>(data.size()));
	REQUIRE(::fsync(fd.get()) == 0);
}

} // namespace e4mext::test
