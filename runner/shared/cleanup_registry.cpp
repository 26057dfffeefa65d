#include "cleanup_registry.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <system_error>

namespace e4mext::runner {

namespace {

// ---- fixed storage: the handler never allocates ----

enum class Kind : int { Free, ProcessGroup, Directory };
struct Entry {
	Kind kind = Kind::Free;
	pid_t pgid = 0;
	char path[4096] = {};
};
std::array<Entry, 64> g_entries;
char g_message[256] = "interrupted: stopping the processes and removing the files it made\n";
size_t g_message_size = std::strlen(g_message); // measured outside the handler
bool g_installed = false;

// SIGPIPE too: `e4mext-vm ... | head` must not leave qemu running when head goes away.
constexpr int kFatalSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};

Entry &free_entry()
{
	for (Entry &e : g_entries)
		if (e.kind == Kind::Free)
			return e;
	throw std::runtime_error("cleanup registry full: more than 64 processes and directories at once");
}

void kill_process_groups() noexcept
{
	for (Entry &e : g_entries) {
		if (e.kind != Kind::ProcessGroup)
			continue;
		::kill(-e.pgid, SIGKILL);
		while (::waitpid(e.pgid, nullptr, 0) < 0 && errno == EINTR) {
		}
		e.kind = Kind::Free;
	}
}

void remove_directories() noexcept
{
	for (Entry &e : g_entries) {
		if (e.kind != Kind::Directory)
			continue;
		const pid_t pid = ::fork();
		if (pid == 0) {
			// Never into a filesystem mounted below (a loop filesystem not yet unmounted).
			char rm[] = "/bin/rm", flags[] = "-rf", one_fs[] = "--one-file-system", end[] = "--";
			char *argv[] = {rm, flags, one_fs, end, e.path, nullptr};
			::execv(rm, argv);
			::_exit(127);
		}
		if (pid > 0)
			while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
			}
		e.kind = Kind::Free;
	}
}

volatile sig_atomic_t g_interrupted = 0;
bool g_interrupt_mode = false;

extern "C" void on_fatal_signal(int sig);

// Interrupt mode, first signal: ask the children to stop (fio ends its jobs, qemu quits) and let
// the program unwind; a second signal takes the fatal path.
extern "C" void on_interrupt_signal(int sig)
{
	if (g_interrupted || !g_interrupt_mode) {
		on_fatal_signal(sig);
		return;
	}
	g_interrupted = sig;
	[[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, g_message, g_message_size);
	for (Entry &e : g_entries)
		if (e.kind == Kind::ProcessGroup)
			::kill(-e.pgid, SIGINT);
}

extern "C" void on_fatal_signal(int sig)
{
	[[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, g_message, g_message_size);
	// Processes first: qemu holds the disk images and virtiofsd the sockets in the directories.
	kill_process_groups();
	remove_directories();
	::signal(sig, SIG_DFL);
	::raise(sig);
}

} // namespace

SignalBlock::SignalBlock()
{
	sigset_t set;
	sigemptyset(&set);
	for (int sig : kFatalSignals)
		sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, &old_);
}

SignalBlock::~SignalBlock()
{
	sigprocmask(SIG_SETMASK, &old_, nullptr);
}

namespace {

void set_message(const std::string &message)
{
	SignalBlock blocked;
	std::strncpy(g_message, message.c_str(), sizeof(g_message) - 1);
	g_message_size = std::strlen(g_message);
}

void install_handler(void (*handler)(int))
{
	struct sigaction sa {};
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	for (int sig : kFatalSignals)
		sigaddset(&sa.sa_mask, sig);
	for (int sig : kFatalSignals)
		::sigaction(sig, &sa, nullptr);
	g_installed = true;
}

} // namespace

void install_cleanup_handlers(const std::string &program)
{
	set_message("\n" + program + ": interrupted: stopping the VMs and virtiofsd it started, removing its temporary files\n");
	if (!g_installed)
		install_handler(on_fatal_signal);
}

void install_interrupt_handlers(const std::string &program)
{
	set_message("\n" + program +
		    ": interrupted: stopping what it started, keeping the results so far (again to stop at once)\n");
	g_interrupt_mode = true;
	install_handler(on_interrupt_signal);
}

int interrupted_by()
{
	return g_interrupted;
}

void throw_if_interrupted()
{
	if (g_interrupted)
		throw Interrupted(g_interrupted);
}

void register_process_group(pid_t pgid)
{
	SignalBlock blocked;
	Entry &e = free_entry();
	e.pgid = pgid;
	e.kind = Kind::ProcessGroup;
}

void unregister_process_group(pid_t pgid)
{
	SignalBlock blocked;
	for (Entry &e : g_entries)
		if (e.kind == Kind::ProcessGroup && e.pgid == pgid)
			e.kind = Kind::Free;
}

void register_directory(const std::string &path)
{
	if (path.size() >= sizeof(Entry::path))
		throw std::runtime_error("path too long for the cleanup registry: " + path);
	SignalBlock blocked;
	Entry &e = free_entry();
	std::memcpy(e.path, path.c_str(), path.size() + 1);
	e.kind = Kind::Directory;
}

void unregister_directory(const std::string &path)
{
	SignalBlock blocked;
	for (Entry &e : g_entries)
		if (e.kind == Kind::Directory && path == e.path)
			e.kind = Kind::Free;
}

TempDir::TempDir(const std::string &prefix)
{
	const char *tmpdir = std::getenv("TMPDIR");
	const std::string parent = tmpdir && *tmpdir ? tmpdir : "/tmp";
	remove_leftovers_of_ended_runs(parent);
	std::string templ = parent + "/" + prefix + ".XXXXXX";
	SignalBlock blocked;
	if (!::mkdtemp(templ.data()))
		throw std::system_error(errno, std::generic_category(),
					"cannot make a private directory " + templ + " (set TMPDIR to a writable directory)");
	path_ = templ;
	register_directory(path_);
	try { // read by a later run when this process is killed before it can remove the directory
		mark_.emplace(path_);
	} catch (...) {
		std::error_code ignored;
		std::filesystem::remove_all(path_, ignored);
		unregister_directory(path_);
		throw;
	}
}

TempDir::~TempDir()
{
	std::error_code ignored;
	std::filesystem::remove_all(path_, ignored);
	unregister_directory(path_);
}

} // namespace e4mext::runner
