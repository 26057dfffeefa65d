#include "cleanup_registry.h"

#include <catch2/catch.hpp>

#include <sched.h>
#include <sys/prctl.h>
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

// A process that marks `dir` as its own (OwnerMark), optionally from inside a pid namespace of its
// own (where it is pid 1), and waits to be killed. Its pid (in ours) once the mark is there.
pid_t marking_process(const fs::path &dir, bool own_pid_namespace)
{
	int ready[2];
	REQUIRE(::pipe(ready) == 0);
	const pid_t pid = ::fork();
	if (pid == 0) {
		::close(ready[0]);
		if (own_pid_namespace) {
			if (::unshare(CLONE_NEWPID) != 0)
				::_exit(77);
			const pid_t init = ::fork(); // the first child in the namespace is its pid 1
			if (init != 0) {
				int status = 0;
				::waitpid(init, &status, 0);
				::_exit(0);
			}
			::prctl(PR_SET_PDEATHSIG, SIGKILL);
		}
		OwnerMark mark(dir.string());
		[[maybe_unused]] ssize_t n = ::write(ready[1], "r", 1);
		for (;;)
			::pause();
	}
	::close(ready[1]);
	char byte = 0;
	const bool marked = ::read(ready[0], &byte, 1) == 1;
	::close(ready[0]);
	if (!marked) { // the namespace could not be made (not root): no process left
		::waitpid(pid, nullptr, 0);
		return -1;
	}
	return pid;
}

void kill_and_reap(pid_t pid)
{
	::kill(pid, SIGKILL);
	::waitpid(pid, nullptr, 0);
}

// The owner's state once it settles (a process in a pid namespace dies a moment after its parent).
OwnerState settled_state(const fs::path &dir, OwnerState from)
{
	OwnerState state = from;
	for (int i = 0; i < 100 && (state = owner_of(dir.string()).state) == from; ++i)
		::usleep(50000);
	return state;
}

} // namespace

TEST_CASE("temp dir: a killed run's marked directory is removed by the next, nothing else is", "[tempdir]")
{
	char base[] = "/tmp/e4mext-test-tempdir.XXXXXX";
	REQUIRE(::mkdtemp(base));
	const fs::path tmp = base;
	// As a SIGKILLed run leaves it: marked by a process that no longer runs.
	const fs::path killed = tmp / "e4mext-vm.AAAAAA";
	fs::create_directories(killed / "sub");
	std::ofstream(killed / "disk1.img") << "image";
	const pid_t owner = marking_process(killed, false);
	REQUIRE(owner > 0);
	CHECK(owner_of(killed.string()).state == OwnerState::live);
	CHECK(owner_of(killed.string()).who.find("pid " + std::to_string(owner) + ",") == 0);
	kill_and_reap(owner);
	CHECK(owner_of(killed.string()).state == OwnerState::ended);
	// Not e4mext's (no marker), a user's directory named alike, and an older marker without the
	// lock (whether its owner runs cannot be told): untouched.
	fs::create_directories(tmp / "e4mext-vm.BBBBBB");
	std::ofstream(tmp / "e4mext-vm.BBBBBB" / "keep") << "x";
	fs::create_directories(tmp / "e4mext-vm.CCCCCC");
	std::ofstream(tmp / "e4mext-vm.CCCCCC" / kOwnerMarker) << "pid 999999 start 12345\n";
	{
		TmpdirSet set(tmp.string());
		TempDir live("e4mext-test");
		REQUIRE(fs::exists(fs::path(live.path()) / kOwnerMarker));
		CHECK(owner_of(live.path()).state == OwnerState::live);
		CHECK_FALSE(fs::exists(killed));
		CHECK(fs::exists(tmp / "e4mext-vm.BBBBBB" / "keep"));
		CHECK(owner_of((tmp / "e4mext-vm.CCCCCC").string()).state == OwnerState::unknown);
		// A live owner's directory is not a leftover.
		TempDir second("e4mext-test");
		CHECK(fs::exists(live.path()));
	}
	CHECK(fs::exists(tmp / "e4mext-vm.CCCCCC"));
	fs::remove_all(tmp);
}

TEST_CASE("owner mark: a live run in another pid namespace keeps its directory; a pid named in the text decides nothing",
	  "[tempdir]")
{
	char base[] = "/tmp/e4mext-test-owner.XXXXXX";
	REQUIRE(::mkdtemp(base));
	const fs::path tmp = base, dir = tmp / "e4mext-vm.NSNSNS";
	fs::create_directories(dir);
	SECTION("the owner is pid 1 of its own pid namespace: here no process of that pid is it")
	{
		const pid_t owner = marking_process(dir, true);
		if (owner < 0) {
			WARN("not run: cannot make a pid namespace here (needs root)");
		} else {
			CHECK(owner_of(dir.string()).who.find("pid 1,") == 0);
			remove_leftovers_of_ended_runs(tmp.string());
			CHECK(fs::exists(dir)); // a pid and a start time would have called it dead
			kill_and_reap(owner);   // its init dies with it
			CHECK(settled_state(dir, OwnerState::live) == OwnerState::ended);
			remove_leftovers_of_ended_runs(tmp.string());
			CHECK_FALSE(fs::exists(dir));
		}
	}
	SECTION("the owner ended and its text names a live process (a reused pid): removed")
	{
		const pid_t owner = marking_process(dir, false);
		REQUIRE(owner > 0);
		kill_and_reap(owner);
		std::ofstream(dir / kOwnerMarker) << "e4mext-owner 2\npid " << ::getpid() << "\n"; // this test runs
		CHECK(owner_of(dir.string()).state == OwnerState::ended);
		remove_leftovers_of_ended_runs(tmp.string());
		CHECK_FALSE(fs::exists(dir));
	}
	fs::remove_all(tmp);
}
