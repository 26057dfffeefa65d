#include "fio_runner.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace e4mext::jobfuzz {

namespace {

// fio's job processes call setsid(): they leave fio's process group, so killing the group does
// not reach them. fio stops them itself on SIGINT (after the I/O in flight, letting the engine
// remove its donors), which is why a stop starts with SIGINT and waits this long for it.
constexpr int kGraceMs = 10000;

// The running fio (0: none), for the signal handler. Cleared before fio is reaped: until then
// its zombie keeps the pid and group id from being reused by anyone else.
volatile sig_atomic_t g_fio = 0;

std::array<struct sigaction, 3> g_previous;
constexpr std::array<int, 3> kFatalSignals = {SIGINT, SIGTERM, SIGHUP};

// Waits up to timeout_ms for fio to end, without reaping it. Async-signal-safe.
bool wait_ended(pid_t pid, long timeout_ms)
{
	const struct timespec tick = {0, 10 * 1000 * 1000};
	for (long waited = 0;; waited += 10) {
		siginfo_t info{};
		if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid)
			return true;
		if (waited >= timeout_ms)
			return false;
		::nanosleep(&tick, nullptr);
	}
}

// SIGINT as Ctrl-C would send it; SIGKILL to fio's process group when it has not ended within
// the grace time. Returns with fio ended, not reaped. Async-signal-safe.
void stop_fio(pid_t pid)
{
	::kill(pid, SIGINT);
	if (wait_ended(pid, kGraceMs))
		return;
	::kill(-pid, SIGKILL);
	wait_ended(pid, kGraceMs);
}

extern "C" void stop_fio_then_chain(int sig)
{
	if (const pid_t pid = g_fio; pid > 0) {
		stop_fio(pid);
		::waitpid(pid, nullptr, WNOHANG);
	}
	for (size_t i = 0; i < kFatalSignals.size(); ++i) {
		if (kFatalSignals[i] != sig)
			continue;
		const struct sigaction &prev = g_previous[i];
		if (!(prev.sa_flags & SA_SIGINFO) && prev.sa_handler != SIG_DFL && prev.sa_handler != SIG_IGN) {
			prev.sa_handler(sig);
			return;
		}
	}
	::signal(sig, SIG_DFL);
	::raise(sig);
}

[[noreturn]] void exec_fio(const FioCommand &cmd)
{
	::setpgid(0, 0);
	const int log = ::open(cmd.log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (log < 0 || null < 0)
		::_exit(126);
	::dup2(null, STDIN_FILENO);
	::dup2(log, STDOUT_FILENO);
	::dup2(log, STDERR_FILENO);
	for (const auto &[name, value] : cmd.env)
		::setenv(name.c_str(), value.c_str(), 1);
	const std::string output = "--output=" + cmd.json_path;
	const char *argv[] = {cmd.fio.c_str(), "--output-format=json", output.c_str(), cmd.job_file.c_str(), nullptr};
	::execvp(argv[0], const_cast<char *const *>(argv));
	const std::string why = "job-fuzz: cannot run " + cmd.fio + ": " + std::strerror(errno) + "\n";
	[[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, why.data(), why.size());
	::_exit(127);
}

// The parent pid in /proc/PID/stat ("pid (comm) state ppid ..."; comm may hold spaces).
pid_t parent_of(const std::string &pid)
{
	std::ifstream in("/proc/" + pid + "/stat");
	std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
	const size_t after_comm = stat.rfind(')');
	if (after_comm == std::string::npos)
		return -1;
	std::istringstream rest(stat.substr(after_comm + 1));
	char state;
	pid_t ppid = -1;
	rest >> state >> ppid;
	return ppid;
}

// fio's job processes left behind by a fio that died or was killed: as child subreaper the fuzzer
// inherits them, so they are exactly its remaining children.
void kill_orphaned_jobs()
{
	const pid_t self = ::getpid();
	std::error_code ec;
	for (const auto &entry : std::filesystem::directory_iterator("/proc", ec)) {
		const std::string name = entry.path().filename().string();
		if (name.find_first_not_of("0123456789") != std::string::npos || parent_of(name) != self)
			continue;
		const pid_t orphan = static_cast<pid_t>(std::stol(name));
		::kill(orphan, SIGKILL);
		while (::waitpid(orphan, nullptr, 0) < 0 && errno == EINTR) {
		}
	}
}

std::string read_log(const std::string &path)
{
	std::ifstream in(path);
	std::ostringstream text;
	text << in.rdbuf();
	return text.str();
}

} // namespace

FioExit run_fio(const FioCommand &cmd)
{
	const pid_t pid = ::fork();
	if (pid < 0)
		throw std::runtime_error(std::string("fork for fio: ") + std::strerror(errno));
	if (pid == 0)
		exec_fio(cmd);
	::setpgid(pid, pid); // also here: the group must exist before anyone signals it
	g_fio = pid;

	FioExit r;
	const auto timeout_ms = std::chrono::duration_cast<std::chrono::milliseconds>(cmd.timeout).count();
	if (!wait_ended(pid, static_cast<long>(timeout_ms))) {
		r.timed_out = true;
		stop_fio(pid);
	}
	g_fio = 0;
	int status = 0;
	while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	if (WIFEXITED(status))
		r.exit_status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		r.signal = WTERMSIG(status);
	if (r.timed_out || r.signal != 0)
		kill_orphaned_jobs();
	r.log = read_log(cmd.log_path);
	return r;
}

void kill_fio_on_fatal_signals()
{
	// fio's jobs outliving a dead fio become ours, so that kill_orphaned_jobs() finds them.
	::prctl(PR_SET_CHILD_SUBREAPER, 1);
	struct sigaction sa {};
	sa.sa_handler = stop_fio_then_chain;
	sigemptyset(&sa.sa_mask);
	for (int sig : kFatalSignals)
		sigaddset(&sa.sa_mask, sig);
	for (size_t i = 0; i < kFatalSignals.size(); ++i)
		::sigaction(kFatalSignals[i], &sa, &g_previous[i]);
}

} // namespace e4mext::jobfuzz
