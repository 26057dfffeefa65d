#include "process.h"

#include "cleanup_registry.h"
#include "runner_errors.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <system_error>
#include <thread>

extern char **environ;

namespace e4mext::runner {

void UniqueFd::reset() noexcept
{
	if (fd_ >= 0)
		::close(fd_);
	fd_ = -1;
}

bool ExitStatus::exited() const
{
	return WIFEXITED(wait_status);
}

int ExitStatus::exit_code() const
{
	return WEXITSTATUS(wait_status);
}

int ExitStatus::signal() const
{
	return WIFSIGNALED(wait_status) ? WTERMSIG(wait_status) : 0;
}

int ExitStatus::shell_code() const
{
	return exited() ? exit_code() : 128 + signal();
}

std::string ExitStatus::describe() const
{
	if (exited())
		return "exit status " + std::to_string(exit_code());
	const char *name = ::sigabbrev_np(signal());
	return std::string("killed by ") + (name ? std::string("SIG") + name : "signal " + std::to_string(signal()));
}

namespace {

// posix_spawn's file actions and attributes, released on every path.
class SpawnSetup {
public:
	SpawnSetup()
	{
		posix_spawn_file_actions_init(&actions);
		posix_spawnattr_init(&attr);
	}
	~SpawnSetup()
	{
		posix_spawn_file_actions_destroy(&actions);
		posix_spawnattr_destroy(&attr);
	}
	SpawnSetup(const SpawnSetup &) = delete;
	SpawnSetup &operator=(const SpawnSetup &) = delete;
	posix_spawn_file_actions_t actions;
	posix_spawnattr_t attr;
};

// Adds the file action for one output stream; returns the parent's read end for a pipe.
UniqueFd route_stream(SpawnSetup &setup, const Stream &stream, int target, UniqueFd &child_end)
{
	switch (stream.kind) {
	case Stream::Kind::inherit: return {};
	case Stream::Kind::null: posix_spawn_file_actions_addopen(&setup.actions, target, "/dev/null", O_WRONLY, 0); return {};
	case Stream::Kind::file:
		posix_spawn_file_actions_addopen(&setup.actions, target, stream.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		return {};
	case Stream::Kind::pipe: {
		int fds[2];
		if (::pipe2(fds, O_CLOEXEC) != 0)
			throw std::system_error(errno, std::generic_category(), "pipe2 for a child's output");
		child_end = UniqueFd(fds[1]);
		posix_spawn_file_actions_adddup2(&setup.actions, fds[1], target);
		return UniqueFd(fds[0]);
	}
	}
	return {};
}

} // namespace

Process Process::spawn(const std::vector<std::string> &argv, Stream out, Stream err, const std::string &cwd)
{
	if (argv.empty())
		throw std::invalid_argument("Process::spawn: empty argv");
	Process p;
	p.program_ = argv[0];
	SpawnSetup setup;
	if (!cwd.empty())
		posix_spawn_file_actions_addchdir_np(&setup.actions, cwd.c_str());
	posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	UniqueFd out_child, err_child;
	p.out_ = route_stream(setup, out, STDOUT_FILENO, out_child);
	if (err.kind == Stream::Kind::file && out.kind == Stream::Kind::file && err.path == out.path)
		posix_spawn_file_actions_adddup2(&setup.actions, STDOUT_FILENO, STDERR_FILENO); // one log, in order
	else
		p.err_ = route_stream(setup, err, STDERR_FILENO, err_child);

	std::vector<char *> args;
	for (const std::string &a : argv)
		args.push_back(const_cast<char *>(a.c_str()));
	args.push_back(nullptr);

	// Blocked from spawn to registration: a signal in between would leave an unlisted child.
	SignalBlock blocked;
	sigset_t defaults;
	sigemptyset(&defaults);
	for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE})
		sigaddset(&defaults, sig);
	posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&setup.attr, 0);
	posix_spawnattr_setsigmask(&setup.attr, &blocked.old_mask());
	posix_spawnattr_setsigdefault(&setup.attr, &defaults);
	pid_t pid = -1;
	const int rc = ::posix_spawnp(&pid, args[0], &setup.actions, &setup.attr, args.data(), environ);
	if (rc != 0)
		throw std::system_error(rc, std::generic_category(),
					"cannot start " + argv[0] +
						" (is it installed? scripts/setup installs the packages the runner needs)");
	register_process_group(pid);
	p.pid_ = pid;
	return p;
}

Process::Process(Process &&other) noexcept
	: pid_(other.pid_), program_(std::move(other.program_)), out_(std::move(other.out_)), err_(std::move(other.err_)),
	  status_(other.status_)
{
	other.pid_ = -1;
}

Process::~Process()
{
	if (pid_ > 0) {
		::kill(-pid_, SIGKILL);
		wait();
	}
}

std::optional<ExitStatus> Process::try_wait()
{
	if (status_)
		return status_;
	if (pid_ <= 0)
		return std::nullopt;
	// Look without reaping: while the leader is a zombie its pid, and so the group id, cannot be
	// reused, so killing the rest of the group cannot hit a stranger.
	siginfo_t info{};
	if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0)
		return std::nullopt;
	::kill(-pid_, SIGKILL);
	int raw = 0;
	while (::waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
	}
	unregister_process_group(pid_);
	pid_ = -1;
	status_ = ExitStatus{raw};
	return status_;
}

std::optional<ExitStatus> Process::wait_for(std::chrono::milliseconds timeout)
{
	const auto deadline = std::chrono::steady_clock::now() + timeout;
	for (;;) {
		if (auto s = try_wait())
			return s;
		if (std::chrono::steady_clock::now() >= deadline)
			return std::nullopt;
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
}

ExitStatus Process::wait()
{
	for (;;)
		if (auto s = wait_for(std::chrono::hours(1)))
			return *s;
}

ExitStatus Process::terminate(std::chrono::milliseconds grace)
{
	signal_group(SIGTERM);
	if (auto s = wait_for(grace))
		return *s;
	signal_group(SIGKILL);
	return wait();
}

void Process::signal_group(int sig)
{
	if (pid_ > 0)
		::kill(-pid_, sig);
}

CommandResult run_command(const std::vector<std::string> &argv, std::chrono::milliseconds timeout, const std::string &cwd)
{
	Process p = Process::spawn(argv, Stream::pipe(), Stream::pipe(), cwd);
	CommandResult r;
	const auto deadline = std::chrono::steady_clock::now() + timeout;
	struct pollfd fds[2] = {{p.stdout_fd(), POLLIN, 0}, {p.stderr_fd(), POLLIN, 0}};
	std::string *sinks[2] = {&r.out, &r.err};
	int open_fds = 2;
	while (open_fds > 0) {
		const auto left =
			std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
		if (left.count() <= 0) {
			r.timed_out = true;
			break;
		}
		const int n = ::poll(fds, 2, static_cast<int>(left.count()));
		if (n < 0 && errno != EINTR)
			throw std::system_error(errno, std::generic_category(), "poll on the output of " + argv[0]);
		for (int i = 0; i < 2; ++i) {
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			char buf[65536];
			const ssize_t got = ::read(fds[i].fd, buf, sizeof(buf));
			if (got > 0) {
				sinks[i]->append(buf, static_cast<size_t>(got));
			} else if (got == 0 || errno != EINTR) {
				fds[i].fd = -1;
				--open_fds;
			}
		}
	}
	r.status = r.timed_out ? p.terminate(std::chrono::seconds(2)) : p.wait();
	return r;
}

std::string last_lines(const std::string &text, size_t count)
{
	size_t start = text.size();
	if (start > 0 && text[start - 1] == '\n')
		--start;
	for (size_t seen = 0; start > 0; --start) {
		if (text[start - 1] == '\n' && ++seen == count)
			break;
	}
	return text.substr(start);
}

std::string trim_output(std::string text)
{
	while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
		text.pop_back();
	return text;
}

std::vector<std::string> split_words(const std::string &text)
{
	std::istringstream in(text);
	std::vector<std::string> words;
	for (std::string w; in >> w;)
		words.push_back(w);
	return words;
}

std::vector<std::string> split_shell_words(const std::string &text, const std::string &what)
{
	std::vector<std::string> words;
	std::string word;
	bool in_word = false;
	for (size_t i = 0; i < text.size(); ++i) {
		const char c = text[i];
		if (c == ' ' || c == '\t' || c == '\n') {
			if (in_word)
				words.push_back(std::move(word));
			word.clear();
			in_word = false;
			continue;
		}
		in_word = true;
		if (c == '\'') {
			const size_t close = text.find('\'', i + 1);
			if (close == std::string::npos)
				throw UsageError(what + " '" + text + "': a ' is not closed");
			word += text.substr(i + 1, close - i - 1);
			i = close;
		} else if (c == '"') {
			for (++i;; ++i) {
				if (i >= text.size())
					throw UsageError(what + " '" + text + "': a \" is not closed");
				if (text[i] == '"')
					break;
				if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == '"' || text[i + 1] == '\\'))
					++i;
				word += text[i];
			}
		} else if (c == '\\') {
			if (i + 1 >= text.size())
				throw UsageError(what + " '" + text + "': ends with a lone \\");
			word += text[++i];
		} else {
			word += c;
		}
	}
	if (in_word)
		words.push_back(std::move(word));
	return words;
}

} // namespace e4mext::runner
