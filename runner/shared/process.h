// Child processes for the runner: fork+exec in a process group of its own, stdin from /dev/null,
// stdout/stderr inherited, discarded, piped or written to a file; wait with a timeout; and the group
// killed (SIGKILL) and reaped when the Process goes out of scope without having been waited for -
// also on an exception. Every live group is listed in the cleanup registry, so a SIGINT/SIGTERM
// kills it too; a child gets SIGKILL when the runner dies (PR_SET_PDEATHSIG), so a SIGKILLed runner
// leaves no qemu or virtiofsd behind. Generic: nothing here knows about VMs.
#pragma once

#include "cleanup_registry.h"
#include "unique_fd.h"

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace e4mext::runner {

// Where a child's stdout or stderr goes.
struct Stream {
	enum class Kind { inherit, null, pipe, file };
	Kind kind = Kind::inherit;
	std::string path; // for file: created or truncated, mode 0644; stdout and stderr to one path share it

	static Stream inherit() { return {Kind::inherit, {}}; }
	static Stream null() { return {Kind::null, {}}; }
	static Stream pipe() { return {Kind::pipe, {}}; }
	static Stream file(std::string path) { return {Kind::file, std::move(path)}; }
};

// How a child ended.
struct ExitStatus {
	int wait_status = 0; // as waitpid reports it

	bool exited() const;
	int exit_code() const;        // valid when exited()
	int signal() const;           // valid when !exited()
	int shell_code() const;       // the exit code, or 128 + signal as a shell reports it
	std::string describe() const; // "exit status 3" / "killed by SIGKILL"
};

// Variables a child gets on top of (or instead of) ours: {name, value}.
using Environment = std::vector<std::pair<std::string, std::string>>;

class Process {
public:
	// Starts argv[0] (looked up in PATH). Throws std::system_error naming the program when it cannot
	// be started (not found, not executable).
	// `cwd` ("" = ours) is the child's working directory; `env` is added to our environment.
	static Process spawn(const std::vector<std::string> &argv, Stream out = Stream::inherit(), Stream err = Stream::inherit(),
			     const std::string &cwd = "", const Environment &env = {});

	~Process();
	Process(Process &&other) noexcept;
	Process &operator=(Process &&other) = delete;
	Process(const Process &) = delete;
	Process &operator=(const Process &) = delete;

	pid_t pid() const { return pid_; }
	const std::string &program() const { return program_; }
	int stdout_fd() const { return out_.get(); } // -1 unless Stream::pipe
	int stderr_fd() const { return err_.get(); }

	// The status once the child has ended (reaping it and killing what is left of its group), or
	// nothing while it runs. try_wait does not block; wait_for blocks for at most `timeout`.
	std::optional<ExitStatus> try_wait();
	std::optional<ExitStatus> wait_for(std::chrono::milliseconds timeout);
	ExitStatus wait();
	bool running() { return !try_wait().has_value(); }

	// `first` (SIGTERM; SIGINT for fio, which then ends its jobs) to the group, then SIGKILL after
	// `grace`; returns how the child ended.
	ExitStatus terminate(std::chrono::milliseconds grace, int first = SIGTERM);
	// A signal to the whole process group (no effect once reaped).
	void signal_group(int sig);

private:
	Process() = default;
	pid_t pid_ = -1;      // -1 once reaped
	Registration listed_; // its process group, until reaped
	std::string program_;
	UniqueFd out_;
	UniqueFd err_;
	std::optional<ExitStatus> status_;
};

// The result of running a command to its end.
struct CommandResult {
	ExitStatus status;
	bool timed_out = false; // killed after the timeout
	std::string out;
	std::string err;
	bool ok() const { return !timed_out && status.exited() && status.exit_code() == 0; }
};

// Runs argv with both outputs collected; a child still running after `timeout` is killed.
CommandResult run_command(const std::vector<std::string> &argv, std::chrono::milliseconds timeout = std::chrono::minutes(10),
			  const std::string &cwd = "");

// A command's output without its trailing newlines and spaces ("/dev/loop3\n" -> "/dev/loop3").
std::string trim_output(std::string text);

// The blank-separated words of text ("-O ^has_journal -b 1024" -> 4 words).
std::vector<std::string> split_words(const std::string &text);

// The words of text as a POSIX shell splits them: blanks separate, '...' and "..." quote, a
// backslash escapes ("-L 'my fs' -E a=1" -> 4 words). Throws UsageError naming `what` for an
// unclosed quote.
std::vector<std::string> split_shell_words(const std::string &text, const std::string &what);

// The last `count` lines of text (for error messages quoting a log).
std::string last_lines(const std::string &text, size_t count);

} // namespace e4mext::runner
