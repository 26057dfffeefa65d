#include "cleanup_registry.h"

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace e4mext::runner;
namespace fs = std::filesystem;

namespace {

// TMPDIR set to `dir` for the scope, the old value back after it.
class TmpdirSet {
public:
	explicit TmpdirSet(const std::string &dir)
	{
		const char *old = std::getenv("TMPDIR");
		had_ = old != nullptr;
		old_ = old ? old : "";
		::setenv("TMPDIR", dir.c_str(), 1);
	}
	~TmpdirSet()
	{
		if (had_)
			::setenv("TMPDIR", old_.c_str(), 1);
		else
			::unsetenv("TMPDIR");
	}

private:
	bool had_ = false;
	std::string old_;
};

// A pid that named a process which has ended.
pid_t ended_pid()
{
	const pid_t pid = ::fork();
	if (pid == 0)
		::_exit(0);
	::waitpid(pid, nullptr, 0);
	return pid;
}

} // namespace

TEST_CASE("temp dir: a killed run's marked directory is removed by the next, nothing else is", "[tempdir]")
{
	char base[] = "/tmp/e4mext-test-tempdir.XXXXXX";
	REQUIRE(::mkdtemp(base));
	const fs::path tmp = base;
	// As a SIGKILLed run leaves it: its marker names a process that no longer runs.
	const fs::path killed = tmp / "e4mext-vm.AAAAAA";
	fs::create_directories(killed / "sub");
	std::ofstream(killed / ".e4mext-owner") << "pid " << ended_pid() << " start 12345\n";
	std::ofstream(killed / "disk1.img") << "image";
	// Not e4mext's (no marker) and a user's directory named alike: untouched.
	fs::create_directories(tmp / "e4mext-vm.BBBBBB");
	std::ofstream(tmp / "e4mext-vm.BBBBBB" / "keep") << "x";
	{
		TmpdirSet set(tmp.string());
		TempDir live("e4mext-test");
		REQUIRE(fs::exists(fs::path(live.path()) / ".e4mext-owner"));
		CHECK_FALSE(fs::exists(killed));
		CHECK(fs::exists(tmp / "e4mext-vm.BBBBBB" / "keep"));
		// A live owner's directory is not a leftover.
		TempDir second("e4mext-test");
		CHECK(fs::exists(live.path()));
	}
	fs::remove_all(tmp);
}
