#include "process.h"

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

using namespace e4mext::runner;
using namespace std::chrono_literals;

namespace {

bool alive(pid_t pid)
{
	return ::kill(pid, 0) == 0;
}

} // namespace

TEST_CASE("process: output collected, exit status and signals described", "[process]")
{
	const CommandResult r = run_command({"sh", "-c", "echo out; echo err >&2; exit 3"});
	CHECK(r.out == "out\n");
	CHECK(r.err == "err\n");
	CHECK(r.status.exited());
	CHECK(r.status.exit_code() == 3);
	CHECK(r.status.describe() == "exit status 3");
	CHECK_FALSE(r.ok());
	const CommandResult k = run_command({"sh", "-c", "kill -KILL $$"});
	CHECK(k.status.describe() == "killed by SIGKILL");
	CHECK(k.status.shell_code() == 137);
}

TEST_CASE("process: a missing program is an error naming it", "[process]")
{
	CHECK_THROWS_WITH(Process::spawn({"/nonexistent/e4mext-no-such-program"}),
			  Catch::Contains("cannot start /nonexistent/e4mext-no-such-program"));
}

TEST_CASE("process: a command over its timeout is killed", "[process]")
{
	const auto start = std::chrono::steady_clock::now();
	const CommandResult r = run_command({"sleep", "30"}, 200ms);
	CHECK(r.timed_out);
	CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("process: wait_for times out on a running child, then sees its end", "[process]")
{
	Process p = Process::spawn({"sleep", "0.3"}, Stream::null(), Stream::null());
	CHECK_FALSE(p.wait_for(10ms));
	const auto s = p.wait_for(5s);
	REQUIRE(s);
	CHECK(s->exit_code() == 0);
}

TEST_CASE("process: the whole group is killed when the Process goes out of scope", "[process]")
{
	char dir[] = "/tmp/e4mext-test-process.XXXXXX";
	REQUIRE(::mkdtemp(dir));
	const std::string pidfile = std::string(dir) + "/grandchild.pid";
	pid_t leader = 0;
	{
		// The grandchild (a second sleep in the background) is what must not survive.
		Process p =
			Process::spawn({"sh", "-c", "sleep 60 & echo $! > " + pidfile + "; wait"}, Stream::null(), Stream::null());
		leader = p.pid();
		for (int i = 0; i < 500 && !std::ifstream(pidfile).good(); ++i)
			std::this_thread::sleep_for(10ms);
		std::this_thread::sleep_for(50ms);
	}
	pid_t grandchild = 0;
	std::ifstream(pidfile) >> grandchild;
	REQUIRE(grandchild > 0);
	// Killed; the grandchild, reparented to init, may take a moment to be reaped.
	for (int i = 0; i < 200 && alive(grandchild); ++i)
		std::this_thread::sleep_for(10ms);
	CHECK_FALSE(alive(grandchild));
	CHECK_FALSE(alive(leader));
	::unlink(pidfile.c_str());
	::rmdir(dir);
}

TEST_CASE("process: a child dies with a runner killed by SIGKILL", "[process]")
{
	// The runner's handlers cannot run on SIGKILL; qemu and virtiofsd must not outlive it anyway.
	int fds[2];
	REQUIRE(::pipe(fds) == 0);
	const pid_t runner = ::fork();
	REQUIRE(runner >= 0);
	if (runner == 0) {
		::close(fds[0]);
		Process child = Process::spawn({"sleep", "60"}, Stream::null(), Stream::null());
		const pid_t pid = child.pid();
		if (::write(fds[1], &pid, sizeof pid) != sizeof pid)
			::_exit(1);
		for (;;)
			::pause();
	}
	::close(fds[1]);
	pid_t child = 0;
	const bool got = ::read(fds[0], &child, sizeof child) == sizeof child;
	::close(fds[0]);
	::kill(runner, SIGKILL);
	::waitpid(runner, nullptr, 0);
	REQUIRE(got);
	REQUIRE(child > 0);
	for (int i = 0; i < 300 && alive(child); ++i)
		std::this_thread::sleep_for(10ms);
	const bool survived = alive(child);
	if (survived)
		::kill(child, SIGKILL);
	CHECK_FALSE(survived);
}

TEST_CASE("process: a failed start names the program, the directory and the reason", "[process]")
{
	CHECK_THROWS_WITH(Process::spawn({"true"}, Stream::null(), Stream::null(), "/nonexistent/e4mext-no-such-dir"),
			  Catch::Contains("cannot start true in /nonexistent/e4mext-no-such-dir") &&
				  Catch::Contains("No such file or directory"));
	CHECK_THROWS_WITH(Process::spawn({"/etc/passwd"}), Catch::Contains("Permission denied"));
}

TEST_CASE("process: output to a file, terminate with a grace period", "[process]")
{
	char dir[] = "/tmp/e4mext-test-process.XXXXXX";
	REQUIRE(::mkdtemp(dir));
	const std::string log = std::string(dir) + "/out.log";
	Process p = Process::spawn({"sh", "-c", "echo started; trap '' TERM; sleep 30"}, Stream::file(log), Stream::null());
	std::this_thread::sleep_for(200ms);
	const ExitStatus s = p.terminate(300ms); // TERM ignored by sh, so KILL after the grace
	CHECK_FALSE(s.exited());
	std::string line;
	std::getline(std::ifstream(log) >> std::ws, line);
	CHECK(line == "started");
	::unlink(log.c_str());
	::rmdir(dir);
}

TEST_CASE("last_lines keeps the tail", "[process]")
{
	CHECK(last_lines("a\nb\nc\n", 2) == "b\nc\n");
	CHECK(last_lines("a\nb\nc", 2) == "b\nc");
	CHECK(last_lines("a\n", 5) == "a\n");
}

TEST_CASE("process: shell words keep quoted blanks together; an unclosed quote is refused", "[process]")
{
	using V = std::vector<std::string>;
	CHECK(split_shell_words("-O ^has_journal -b 1024", "--mkfs-opts") == V{"-O", "^has_journal", "-b", "1024"});
	CHECK(split_shell_words("-L 'my fs' -E \"a=1 b\"", "--mkfs-opts") == V{"-L", "my fs", "-E", "a=1 b"});
	CHECK(split_shell_words("a\\ b '' \"x\\\"y\"", "x") == V{"a b", "", "x\"y"});
	CHECK(split_shell_words("  ", "x").empty());
	CHECK_THROWS_WITH(split_shell_words("-L 'my fs", "--mkfs-opts"),
			  Catch::Contains("--mkfs-opts") && Catch::Contains("not closed"));
	CHECK_THROWS_WITH(split_shell_words("-L \"x", "--mkfs-opts"), Catch::Contains("not closed"));
}
