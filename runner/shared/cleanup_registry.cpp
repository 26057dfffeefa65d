#include "cleanup_registry.h"

#include <fcntl.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace e4mext::runner {

namespace {

// ---- fixed storage: the handler never allocates ----

enum class Kind : int { Free, ProcessGroup, Swapfile, Mount, LoopFilesystem, Directory };
struct Entry {
	Kind kind = Kind::Free;
	pid_t pgid = 0;
	char path[4096] = {};
	char device[64] = {}; // LoopFilesystem: its loop device
	dev_t image_dev = 0;  // LoopFilesystem: the image's inode, which the device must still be backed by
	ino_t image_ino = 0;
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
	throw std::runtime_error("cleanup registry full: more than 64 processes, mounts and directories at once");
}

} // namespace

// Takes a free slot for an entry `fill` describes, signals blocked; the Registration unlists it.
struct RegistrySlot {
	template <typename Fill> static Registration take(Kind kind, Fill fill)
	{
		SignalBlock blocked;
		Entry &e = free_entry();
		fill(e);
		e.kind = kind; // last: the handler skips a free slot
		return Registration(int(&e - g_entries.data()));
	}
	static void release(int slot) noexcept
	{
		SignalBlock blocked;
		g_entries[size_t(slot)].kind = Kind::Free;
	}
};

namespace {

void copy_into(char *to, size_t room, const std::string &from)
{
	if (from.size() >= room)
		throw std::runtime_error("path too long for the cleanup registry: " + from);
	std::memcpy(to, from.c_str(), from.size() + 1);
}

Registration register_path(Kind kind, const std::string &path)
{
	return RegistrySlot::take(kind, [&](Entry &e) { copy_into(e.path, sizeof e.path, path); });
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

// rm -rf, never into a filesystem mounted below (one not yet unmounted).
void remove_tree(char *path) noexcept
{
	const pid_t pid = ::fork();
	if (pid == 0) {
		char rm[] = "/bin/rm", flags[] = "-rf", one_fs[] = "--one-file-system", end[] = "--";
		char *argv[] = {rm, flags, one_fs, end, path, nullptr};
		::execv(rm, argv);
		::_exit(127);
	}
	if (pid > 0)
		while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
		}
}

// WORKDIR/mnt lazily unmounted, the device detached while it is still backed by the image (with
// the mount detached the kernel clears it once the last user is gone), WORKDIR removed.
void remove_loop_filesystem(Entry &e) noexcept
{
	char mnt[sizeof(Entry::path) + 4];
	const size_t n = std::strlen(e.path);
	std::memcpy(mnt, e.path, n);
	std::memcpy(mnt + n, "/mnt", 5);
	::umount2(mnt, MNT_DETACH);
	const int fd = ::open(e.device, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		struct loop_info64 info {};
		if (::ioctl(fd, LOOP_GET_STATUS64, &info) == 0 && info.lo_device == e.image_dev && info.lo_inode == e.image_ino)
			::ioctl(fd, LOOP_CLR_FD, 0);
		::close(fd);
	}
	remove_tree(e.path);
}

// Every entry of `kind`, newest first (a mount made on a loop filesystem goes before it).
void clean_up(Kind kind) noexcept
{
	for (size_t i = g_entries.size(); i-- > 0;) {
		Entry &e = g_entries[i];
		if (e.kind != kind)
			continue;
		switch (kind) {
		case Kind::Swapfile: ::swapoff(e.path); break;
		case Kind::Mount:
			::umount2(e.path, MNT_DETACH);
			::rmdir(e.path);
			break;
		case Kind::LoopFilesystem: remove_loop_filesystem(e); break;
		case Kind::Directory: remove_tree(e.path); break;
		case Kind::ProcessGroup:
		case Kind::Free: break;
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
	// Processes first: qemu holds the disk images, virtiofsd the sockets, fio files on the mounts;
	// then what lives on or under the loop filesystems and directories, then those.
	kill_process_groups();
	for (Kind kind : {Kind::Swapfile, Kind::Mount, Kind::LoopFilesystem, Kind::Directory})
		clean_up(kind);
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
	set_message("\n" + program + ": interrupted: stopping what it started, removing the mounts and files it made\n");
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

Registration::Registration(Registration &&other) noexcept : slot_(std::exchange(other.slot_, -1)) {}

Registration &Registration::operator=(Registration &&other) noexcept
{
	if (this != &other) {
		reset();
		slot_ = std::exchange(other.slot_, -1);
	}
	return *this;
}

void Registration::reset() noexcept
{
	if (slot_ >= 0)
		RegistrySlot::release(std::exchange(slot_, -1));
}

Registration register_process_group(pid_t pgid)
{
	return RegistrySlot::take(Kind::ProcessGroup, [&](Entry &e) { e.pgid = pgid; });
}

Registration register_directory(const std::string &path)
{
	return register_path(Kind::Directory, path);
}

Registration register_mount(const std::string &target)
{
	return register_path(Kind::Mount, target);
}

Registration register_swapfile(const std::string &path)
{
	return register_path(Kind::Swapfile, path);
}

Registration register_loop_filesystem(const std::string &workdir, const std::string &device, dev_t image_dev, ino_t image_ino)
{
	return RegistrySlot::take(Kind::LoopFilesystem, [&](Entry &e) {
		copy_into(e.path, sizeof e.path, workdir);
		copy_into(e.device, sizeof e.device, device);
		e.image_dev = image_dev;
		e.image_ino = image_ino;
	});
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
	listed_ = register_directory(path_);
	try { // read by a later run when this process is killed before it can remove the directory
		mark_.emplace(path_);
	} catch (...) {
		std::error_code ignored;
		std::filesystem::remove_all(path_, ignored);
		throw;
	}
}

TempDir::~TempDir()
{
	std::error_code ignored;
	std::filesystem::remove_all(path_, ignored);
}

} // namespace e4mext::runner
