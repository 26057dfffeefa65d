#include "process.h"

#include "cleanup_registry.h"
#include "runner_errors.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <string_view>
#include <system_error>
#include <thread>

extern char **environ;

namespace e4mext::runner {

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

// An open descriptor the child gets as its stdin/stdout/stderr: opened here in the parent (close-on-exec,
// so no other child inherits it) and moved into place after fork.
UniqueFd open_for_child(const char *path, int flags, const std::string &program)
{
	UniqueFd fd(::open(path, flags | O_CLOEXEC, 0644));
	if (!fd)
		throw std::system_error(errno, std::generic_category(), "cannot open " + std::string(path) + " for " + program);
	return fd;
}

// The child's end for one output stream (-1 = inherit); the parent's read end of a pipe goes to `parent_end`.
UniqueFd child_stream(const Stream &stream, UniqueFd &parent_end, const std::string &program)
{
	switch (stream.kind) {
	case Stream::Kind::inherit: return {};
	case Stream::Kind::null: return open_for_child("/dev/null", O_WRONLY, program);
	case Stream::Kind::file: return open_for_child(stream.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, program);
	case Stream::Kind::pipe: {
		int fds[2];
		if (::pipe2(fds, O_CLOEXEC) != 0)
			throw std::system_error(errno, std::generic_category(), "pipe2 for a child's output");
		parent_end = UniqueFd(fds[0]);
		return UniqueFd(fds[1]);
	}
	}
	return {};
}

// In the child: fd becomes `target`, open across exec (dup2 onto itself would keep close-on-exec).
bool move_fd(int fd, int target)
{
	if (fd < 0)
		return true;
	if (fd == target)
		return ::fcntl(fd, F_SETFD, 0) == 0;
	return ::dup2(fd, target) == target;
}

// Everything the child needs between fork and exec, prepared before fork: the child may only make
// async-signal-safe calls.
struct ChildPlan {
	std::vector<char *> argv;
	char **envp = environ;
	const char *cwd = nullptr;
	int in = -1, out = -1, err = -1;
	bool err_to_out = false;
	pid_t parent = 0;
	const sigset_t *mask = nullptr;
	int report = -1; // close-on-exec pipe: errno written here when the child cannot exec
};

[[noreturn]] void exec_child(const ChildPlan &plan)
{
	// Dies with the runner, also when the runner is SIGKILLed and its handlers cannot run: a qemu
	// or virtiofsd outliving it would finish the guest's work into the results and keep its disks.
	// The pid check covers a parent that died before the prctl.
	if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != plan.parent)
		::_exit(127);
	::setpgid(0, 0);
	for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE})
		::signal(sig, SIG_DFL);
	bool ok = move_fd(plan.in, STDIN_FILENO) && move_fd(plan.out, STDOUT_FILENO) &&
		  (plan.err_to_out ? ::dup2(STDOUT_FILENO, STDERR_FILENO) == STDERR_FILENO : move_fd(plan.err, STDERR_FILENO));
	if (ok && plan.cwd)
		ok = ::chdir(plan.cwd) == 0;
	if (ok) {
		::sigprocmask(SIG_SETMASK, plan.mask, nullptr);
		::execvpe(plan.argv[0], plan.argv.data(), plan.envp);
	}
	const int error = errno;
	ssize_t ignored = ::write(plan.report, &error, sizeof error);
	(void)ignored;
	::_exit(127);
}

} // namespace

namespace {

// Our environment with `env` set over it, as "NAME=value" strings.
std::vector<std::string> merged_environment(const Environment &env)
{
	std::vector<std::string> merged;
	for (char **e = environ; *e; ++e) {
		const std::string_view entry(*e);
		const std::string_view name = entry.substr(0, entry.find('='));
		bool replaced = false;
		for (const auto &[n, v] : env)
			replaced = replaced || n == name;
		if (!replaced)
			merged.emplace_back(entry);
	}
	for (const auto &[name, value] : env)
		merged.push_back(name + "=" + value);
	return merged;
}

} // namespace

Process Process::spawn(const std::vector<std::string> &argv, Stream out, Stream err, const std::string &cwd, const Environment &env)
{
	if (argv.empty())
		throw std::invalid_argument("Process::spawn: empty argv");
	Process p;
	p.program_ = argv[0];
	const UniqueFd in_child = open_for_child("/dev/null", O_RDONLY, argv[0]);
	const bool err_to_out = err.kind == Stream::Kind::file && out.kind == Stream::Kind::file && err.path == out.path;
	const UniqueFd out_child = child_stream(out, p.out_, argv[0]);
	const UniqueFd err_child = err_to_out ? UniqueFd() : child_stream(err, p.err_, argv[0]);
	int report_fds[2];
	if (::pipe2(report_fds, O_CLOEXEC) != 0)
		throw std::system_error(errno, std::generic_category(), "pipe2 for starting " + argv[0]);
	UniqueFd report_read(report_fds[0]), report_write(report_fds[1]);

	ChildPlan plan;
	for (const std::string &a : argv)
		plan.argv.push_back(const_cast<char *>(a.c_str()));
	plan.argv.push_back(nullptr);
	const std::vector<std::string> environment = env.empty() ? std::vector<std::string>{} : merged_environment(env);
	std::vector<char *> envp;
	for (const std::string &e : environment)
		envp.push_back(const_cast<char *>(e.c_str()));
	envp.push_back(nullptr);
	if (!env.empty())
		plan.envp = envp.data();
	plan.cwd = cwd.empty() ? nullptr : cwd.c_str();
	plan.in = in_child.get();
	plan.out = out_child.get();
	plan.err = err_child.get();
	plan.err_to_out = err_to_out;
	plan.parent = ::getpid();
	plan.report = report_write.get();

	// Blocked from fork to registration: a signal in between would leave an unlisted child.
	SignalBlock blocked;
	plan.mask = &blocked.old_mask();
	const pid_t pid = ::fork();
	if (pid < 0)
		throw std::system_error(errno, std::generic_category(), "fork for " + argv[0]);
	if (pid == 0)
		exec_child(plan);
	::setpgid(pid, pid); // also here: the group exists before anyone signals it
	report_write.reset();
	int child_errno = 0;
	ssize_t got;
	while ((got = ::read(report_read.get(), &child_errno, sizeof child_errno)) < 0 && errno == EINTR) {
	}
	if (got > 0) {
		int raw = 0;
		while (::waitpid(pid, &raw, 0) < 0 && errno == EINTR) {
		}
		throw std::system_error(child_errno, std::generic_category(),
					"cannot start " + argv[0] + (plan.cwd ? " in " + cwd : std::string()) +
						" (is it installed? scripts/setup installs the packages the runner needs)");
	}
	p.listed_ = register_process_group(pid);
	p.pid_ = pid;
	return p;
}

Process::Process(Process &&other) noexcept
	: pid_(other.pid_), listed_(std::move(other.listed_)), program_(std::move(other.program_)), out_(std::move(other.out_)),
	  err_(std::move(other.err_)), status_(other.status_)
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
	listed_.reset();
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

ExitStatus Process::terminate(std::chrono::milliseconds grace, int first)
{
	signal_group(first);
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
