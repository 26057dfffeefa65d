#include "scratch.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace e4mext::regress {

namespace {

// ---- the registry the signal handler walks (fixed storage: no allocation in the handler) ----

enum class Kind : int { Free, LoopFs, Mount, Swap, Dir };
struct Entry {
	Kind kind = Kind::Free;
	char path[4096] = {};
};
std::array<Entry, 64> g_entries;
char g_loopfs[4096];

// Signals are blocked while the registry changes, so the handler never sees a half-written entry.
class BlockSignals {
public:
	BlockSignals()
	{
		sigset_t set;
		sigemptyset(&set);
		for (int sig : {SIGINT, SIGTERM, SIGHUP})
			sigaddset(&set, sig);
		sigprocmask(SIG_BLOCK, &set, &old_);
	}
	~BlockSignals() { sigprocmask(SIG_SETMASK, &old_, nullptr); }

private:
	sigset_t old_;
};

void registry_add(Kind kind, const std::string &path)
{
	if (path.size() >= sizeof(Entry::path))
		throw std::runtime_error("path too long for the cleanup registry: " + path);
	BlockSignals blocked;
	for (Entry &e : g_entries) {
		if (e.kind == Kind::Free) {
			std::memcpy(e.path, path.c_str(), path.size() + 1);
			e.kind = kind;
			return;
		}
	}
	throw std::runtime_error("cleanup registry full: the suite holds too many resources at once");
}

void registry_remove(Kind kind, const std::string &path)
{
	BlockSignals blocked;
	for (Entry &e : g_entries)
		if (e.kind == kind && path == e.path)
			e.kind = Kind::Free;
}

void cleanup_kind(Kind kind)
{
	for (size_t i = g_entries.size(); i-- > 0;) {
		Entry &e = g_entries[i];
		if (e.kind != kind)
			continue;
		switch (kind) {
		case Kind::Swap: ::swapoff(e.path); break;
		case Kind::Mount:
			::umount2(e.path, MNT_DETACH);
			::rmdir(e.path);
			break;
		case Kind::LoopFs: {
			pid_t pid = ::fork();
			if (pid == 0) {
				char destroy[] = "destroy";
				char *argv[] = {g_loopfs, destroy, e.path, nullptr};
				::execv(g_loopfs, argv);
				::_exit(127);
			}
			if (pid > 0)
				::waitpid(pid, nullptr, 0);
			break;
		}
		case Kind::Dir: ::rmdir(e.path); break;
		case Kind::Free: break;
		}
		e.kind = Kind::Free;
	}
}

extern "C" void on_fatal_signal(int sig)
{
	static const char msg[] = "\nregression: interrupted, removing the swapfiles, mounts and loop filesystems it made\n";
	[[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, msg, sizeof(msg) - 1);
	// Order matters: swapfiles and mounts live on or under the loop filesystems.
	for (Kind kind : {Kind::Swap, Kind::Mount, Kind::LoopFs, Kind::Dir})
		cleanup_kind(kind);
	::signal(sig, SIG_DFL);
	::raise(sig);
}

std::string trim(std::string s)
{
	while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
		s.pop_back();
	return s;
}

} // namespace

CommandResult run_command(const std::vector<std::string> &argv)
{
	int out_pipe[2], err_pipe[2];
	if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0)
		throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
	std::vector<char *> args;
	for (const std::string &a : argv)
		args.push_back(const_cast<char *>(a.c_str()));
	args.push_back(nullptr);
	pid_t pid = ::fork();
	if (pid < 0)
		throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
	if (pid == 0) {
		::dup2(out_pipe[1], STDOUT_FILENO);
		::dup2(err_pipe[1], STDERR_FILENO);
		int devnull = ::open("/dev/null", O_RDONLY);
		::dup2(devnull, STDIN_FILENO);
		::execvp(args[0], args.data());
		::_exit(127);
	}
	::close(out_pipe[1]);
	::close(err_pipe[1]);
	CommandResult r;
	struct pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
	std::string *sinks[2] = {&r.out, &r.err};
	int open_fds = 2;
	while (open_fds > 0) {
		if (::poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; ++i) {
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			char buf[4096];
			ssize_t n = ::read(fds[i].fd, buf, sizeof(buf));
			if (n > 0) {
				sinks[i]->append(buf, static_cast<size_t>(n));
			} else {
				::close(fds[i].fd);
				fds[i].fd = -1;
				--open_fds;
			}
		}
	}
	int status = 0;
	while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return r;
}

void install_cleanup_handlers(const std::string &loopfs)
{
	if (loopfs.size() >= sizeof(g_loopfs))
		throw std::runtime_error("loopfs path too long: " + loopfs);
	std::memcpy(g_loopfs, loopfs.c_str(), loopfs.size() + 1);
	struct sigaction sa {};
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	for (int sig : {SIGINT, SIGTERM, SIGHUP})
		sigaddset(&sa.sa_mask, sig);
	for (int sig : {SIGINT, SIGTERM, SIGHUP})
		::sigaction(sig, &sa, nullptr);
}

// ---- LoopFs ----

LoopFs::LoopFs(const std::string &loopfs, const std::string &size, const std::string &mkfs_opts, const std::string &mount_opts)
	: loopfs_(loopfs)
{
	std::vector<std::string> argv{loopfs, "create", "--size", size, "--mkfs-opts", mkfs_opts};
	if (!mount_opts.empty()) {
		argv.push_back("--mount-opts");
		argv.push_back(mount_opts);
	}
	CommandResult r;
	{
		// Blocked across create+register: a signal in between would leave an unlisted filesystem.
		BlockSignals blocked;
		r = run_command(argv);
		if (r.status == 0) {
			work_ = trim(r.out);
			registry_add(Kind::LoopFs, work_);
		}
	}
	if (r.status != 0)
		throw std::runtime_error("regression/loopfs create --mkfs-opts \"" + mkfs_opts + "\" --mount-opts \"" + mount_opts +
					 "\" failed: " + trim(r.err));
	mnt_ = work_ + "/mnt";
}

LoopFs::~LoopFs()
{
	CommandResult r = run_command({loopfs_, "destroy", work_});
	if (r.status != 0)
		::dprintf(STDERR_FILENO, "regression: warning: regression/loopfs destroy %s failed: %s\n", work_.c_str(),
			  r.err.c_str());
	registry_remove(Kind::LoopFs, work_);
}

std::string LoopFs::device() const
{
	CommandResult r = run_command({loopfs_, "info", work_});
	const std::string key = "device=";
	size_t at = r.out.find("\n" + key);
	if (r.status != 0 || at == std::string::npos)
		throw std::runtime_error("regression/loopfs info " + work_ + " names no device: " + trim(r.err));
	at += 1 + key.size();
	return r.out.substr(at, r.out.find('\n', at) - at);
}

void LoopFs::remount(const std::string &options)
{
	CommandResult r = run_command({loopfs_, "remount", work_, options});
	if (r.status != 0)
		throw std::runtime_error("regression/loopfs remount " + work_ + " " + options + " failed: " + trim(r.err));
}

// ---- DiskPool, DiskFs ----

DiskPool DiskPool::from_environment(const char *variable)
{
	DiskPool pool;
	const char *disks = std::getenv(variable);
	pool.variable_ = variable;
	std::istringstream words(disks ? disks : "");
	for (std::string d; words >> d;)
		pool.all_.push_back(d);
	// Taken from the back: the first disk is used first.
	pool.free_.assign(pool.all_.rbegin(), pool.all_.rend());
	return pool;
}

std::string DiskPool::take()
{
	if (free_.empty())
		throw std::runtime_error("all " + std::to_string(all_.size()) + " disks of $" + variable_ +
					 " hold a filesystem already: give the VM more disks");
	std::string d = free_.back();
	free_.pop_back();
	return d;
}

DiskFs::DiskFs(DiskPool &pool, const std::string &size, const std::string &mkfs_opts, const std::string &mount_opts,
	       const std::string &parent)
	: pool_(&pool), device_(pool.take())
{
	// The disk goes back to the pool whatever fails below.
	struct GiveBack {
		DiskFs *fs;
		bool armed = true;
		~GiveBack()
		{
			if (armed)
				fs->pool_->give_back(fs->device_);
		}
	} give_back{this};
	// As regression/loopfs makes its images, so that host and guest runs see the same geometry.
	std::vector<std::string> mkfs{"mkfs.ext4", "-q", "-F", "-E", "nodiscard,lazy_itable_init=0,lazy_journal_init=0"};
	std::istringstream words(mkfs_opts);
	for (std::string w; words >> w;)
		mkfs.push_back(w);
	mkfs.push_back(device_);
	mkfs.push_back(size);
	CommandResult r = run_command(mkfs);
	if (r.status != 0)
		throw std::runtime_error("mkfs.ext4 " + mkfs_opts + " " + device_ + " " + size + " failed: " + trim(r.err));
	mnt_ = parent + "/disk-" + device_.substr(device_.rfind('/') + 1);
	if (::mkdir(mnt_.c_str(), 0700) != 0)
		throw std::runtime_error("mkdir " + mnt_ + ": " + std::strerror(errno));
	{
		BlockSignals blocked;
		std::vector<std::string> mount{"mount", "-t", "ext4"};
		if (!mount_opts.empty())
			mount.insert(mount.end(), {"-o", mount_opts});
		mount.insert(mount.end(), {device_, mnt_});
		r = run_command(mount);
		if (r.status == 0)
			registry_add(Kind::Mount, mnt_);
	}
	if (r.status != 0) {
		::rmdir(mnt_.c_str());
		throw std::runtime_error("mount " + device_ + " (mount options: " + (mount_opts.empty() ? "none" : mount_opts) +
					 ") failed: " + trim(r.err));
	}
	give_back.armed = false;
}

DiskFs::~DiskFs()
{
	if (::umount2(mnt_.c_str(), 0) != 0) {
		::dprintf(STDERR_FILENO, "regression: warning: umount %s: %s; detaching it\n", mnt_.c_str(), std::strerror(errno));
		::umount2(mnt_.c_str(), MNT_DETACH);
	}
	::rmdir(mnt_.c_str());
	registry_remove(Kind::Mount, mnt_);
	pool_->give_back(device_);
}

void DiskFs::remount(const std::string &options)
{
	CommandResult r = run_command({"mount", "-o", "remount," + options, mnt_});
	if (r.status != 0)
		throw std::runtime_error("mount -o remount," + options + " " + mnt_ + " failed: " + trim(r.err));
}

// ---- ExtraMount ----

ExtraMount::ExtraMount(const std::string &source, const std::string &target) : target_(target)
{
	if (::mkdir(target.c_str(), 0700) != 0)
		throw std::runtime_error("mkdir " + target + ": " + std::strerror(errno));
	BlockSignals blocked;
	int rc = source.empty() ? ::mount("e4mext-regress", target.c_str(), "tmpfs", 0, "size=64m")
				: ::mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr);
	if (rc != 0) {
		int err = errno;
		::rmdir(target.c_str());
		throw std::runtime_error((source.empty() ? "mount tmpfs on " : "bind mount " + source + " on ") + target + ": " +
					 std::strerror(err));
	}
	registry_add(Kind::Mount, target_);
}

ExtraMount::ExtraMount(const std::string &fstype, const std::string &target, int) : target_(target)
{
	if (::mkdir(target.c_str(), 0700) != 0)
		throw std::runtime_error("mkdir " + target + ": " + std::strerror(errno));
	BlockSignals blocked;
	if (::mount(fstype.c_str(), target.c_str(), fstype.c_str(), MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
		int err = errno;
		::rmdir(target.c_str());
		throw std::runtime_error("mount " + fstype + " on " + target + ": " + std::strerror(err));
	}
	registry_add(Kind::Mount, target_);
}

std::unique_ptr<ExtraMount> ExtraMount::pseudo(const std::string &fstype, const std::string &target)
{
	return std::unique_ptr<ExtraMount>(new ExtraMount(fstype, target, 0));
}

ExtraMount::~ExtraMount()
{
	if (::umount2(target_.c_str(), 0) != 0)
		::umount2(target_.c_str(), MNT_DETACH);
	::rmdir(target_.c_str());
	registry_remove(Kind::Mount, target_);
}

// ---- ActiveSwapfile ----

ActiveSwapfile::ActiveSwapfile(const std::string &path) : path_(path)
{
	BlockSignals blocked;
	if (::swapon(path.c_str(), 0) != 0)
		throw std::runtime_error("swapon " + path + ": " + std::strerror(errno));
	registry_add(Kind::Swap, path_);
}

ActiveSwapfile::~ActiveSwapfile()
{
	if (::swapoff(path_.c_str()) != 0)
		::dprintf(STDERR_FILENO, "regression: warning: swapoff %s: %s\n", path_.c_str(), std::strerror(errno));
	registry_remove(Kind::Swap, path_);
}

// ---- ScratchDir ----

ScratchDir::ScratchDir()
{
	char tmpl[] = "/tmp/e4mext-regress.XXXXXX";
	BlockSignals blocked;
	if (!::mkdtemp(tmpl))
		throw std::runtime_error(std::string("mkdtemp /tmp/e4mext-regress.XXXXXX: ") + std::strerror(errno));
	path_ = tmpl;
	registry_add(Kind::Dir, path_);
}

ScratchDir::~ScratchDir()
{
	::rmdir(path_.c_str());
	registry_remove(Kind::Dir, path_);
}

} // namespace e4mext::regress
