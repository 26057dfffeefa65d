#include "cleanup_registry.h"

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <vector>

using namespace e4mext::runner;
namespace fs = std::filesystem;

namespace {

// In a child: cleanup handlers installed, then `body`, which ends with a fatal signal while its
// registrations live: what the fatal path removed shows what was still listed. The wait status.
template <typename Body> int run_then_terminate(Body body)
{
	const pid_t pid = ::fork();
	if (pid == 0) {
		install_cleanup_handlers("test-registration");
		try {
			body();
		} catch (...) {
			::_exit(2);
		}
		::_exit(3); // the body did not end with its signal
	}
	int status = 0;
	::waitpid(pid, &status, 0);
	return status;
}

} // namespace

TEST_CASE("registration: listed while it lives; unlisted at scope exit, on an exception, reset or assigned over", "[registry]")
{
	char base[] = "/tmp/e4mext-test-registration.XXXXXX";
	REQUIRE(::mkdtemp(base));
	const fs::path tmp = base;
	const std::vector<std::string> names = {"kept", "moved", "assigned", "scoped", "thrown", "reset", "assigned-over"};
	for (const std::string &n : names)
		fs::create_directory(tmp / n);
	const auto dir = [&](const char *n) { return (tmp / n).string(); };
	const int status = run_then_terminate([&] {
		Registration kept = register_directory(dir("kept"));
		Registration moved_from = register_directory(dir("moved"));
		Registration moved_to = std::move(moved_from); // the entry goes with it
		Registration assigned = register_directory(dir("assigned-over"));
		assigned = register_directory(dir("assigned")); // the one it held is unlisted
		{
			Registration scoped = register_directory(dir("scoped"));
		}
		try {
			Registration thrown = register_directory(dir("thrown"));
			throw std::runtime_error("unwinding");
		} catch (const std::runtime_error &) {
		}
		Registration reset = register_directory(dir("reset"));
		reset.reset();
		if (moved_from || !moved_to || reset || !kept)
			::_exit(4);
		::raise(SIGTERM);
	});
	REQUIRE(WIFSIGNALED(status));
	CHECK(WTERMSIG(status) == SIGTERM);
	// Removed by the fatal path: still listed.
	CHECK_FALSE(fs::exists(tmp / "kept"));
	CHECK_FALSE(fs::exists(tmp / "moved"));
	CHECK_FALSE(fs::exists(tmp / "assigned"));
	// Left: unlisted before the signal.
	CHECK(fs::exists(tmp / "scoped"));
	CHECK(fs::exists(tmp / "thrown"));
	CHECK(fs::exists(tmp / "reset"));
	CHECK(fs::exists(tmp / "assigned-over"));
	fs::remove_all(tmp);
}

TEST_CASE("registration: an unlisted entry's slot is free again; a full registry refuses, listing nothing", "[registry]")
{
	std::vector<Registration> listed;
	const auto fill = [&] {
		for (;;) {
			try {
				listed.push_back(register_directory("/nonexistent/e4mext-test-registration"));
			} catch (const std::runtime_error &e) {
				CHECK(std::string(e.what()).find("cleanup registry full") == 0);
				return listed.size();
			}
		}
	};
	const size_t room = fill();
	CHECK(room > 0);
	CHECK_THROWS_WITH(register_mount("/nonexistent"), Catch::Contains("cleanup registry full"));
	listed.clear(); // every one unlisted
	CHECK(fill() == room);
	listed.clear();
	CHECK_THROWS_WITH(register_directory(std::string(5000, 'x')), Catch::Contains("path too long"));
	CHECK(fill() == room); // the refused one took no slot
	listed.clear();
}
