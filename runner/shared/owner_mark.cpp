#include "owner_mark.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <system_error>

namespace e4mext::runner {

namespace fs = std::filesystem;

namespace {

constexpr const char *kMarkerFormat = "e4mext-owner 2"; // the first line; format 1 had no lock

std::string first_line_of(const std::string &path)
{
	std::ifstream in(path);
	std::string line;
	std::getline(in, line);
	return line;
}

// When this process started (field 22 of /proc/self/stat, clock ticks since boot).
std::string own_start()
{
	const std::string stat = first_line_of("/proc/self/stat");
	const size_t comm_end = stat.rfind(')');
	if (comm_end == std::string::npos)
		return "?";
	std::istringstream fields(stat.substr(comm_end + 2));
	std::string field;
	for (int i = 3; i <= 22 && fields >> field; ++i) {
	}
	return field;
}

std::string own_pid_namespace()
{
	std::error_code ec;
	const fs::path ns = fs::read_symlink("/proc/self/ns/pid", ec);
	return ec ? "?" : ns.string();
}

// The marker of dir opened and, when nobody holds it, locked by `held` (kept locked by the caller
// while it removes the directory, so that a second cleaner sees it held and leaves it).
Owner probe(const std::string &dir, UniqueFd &held)
{
	Owner o;
	const std::string marker = dir + "/" + kOwnerMarker;
	UniqueFd fd(::open(marker.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
	if (!fd)
		return o;
	std::ifstream in(marker);
	std::string format;
	std::getline(in, format);
	for (std::string line; std::getline(in, line);)
		o.who += (o.who.empty() ? "" : ", ") + line;
	if (format != kMarkerFormat)
		return o; // a marker without the lock: who knows whether its owner runs
	if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) {
		o.state = OwnerState::ended;
		held = std::move(fd);
	} else if (errno == EWOULDBLOCK) {
		o.state = OwnerState::live;
	}
	return o;
}

} // namespace

bool has_mount_below(const std::string &dir)
{
	std::ifstream mounts("/proc/self/mountinfo");
	for (std::string line; std::getline(mounts, line);) {
		std::istringstream f(line);
		std::string id, parent, devno, root, mount_point;
		f >> id >> parent >> devno >> root >> mount_point;
		if (mount_point == dir || mount_point.rfind(dir + "/", 0) == 0)
			return true;
	}
	return false;
}

OwnerMark::OwnerMark(const std::string &dir)
{
	const std::string marker = dir + "/" + kOwnerMarker, unlocked = marker + ".new";
	UniqueFd fd(::open(unlocked.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
	if (!fd)
		throw std::system_error(errno, std::generic_category(), "cannot write the owner marker " + unlocked);
	::flock(fd.get(), LOCK_EX | LOCK_NB); // a filesystem without flock: readers say "unknown" and keep the directory
	const std::string text = std::string(kMarkerFormat) + "\npid " + std::to_string(::getpid()) + "\nstart " + own_start() +
				 "\nboot " + first_line_of("/proc/sys/kernel/random/boot_id") + "\npid namespace " +
				 own_pid_namespace() + "\n";
	if (::write(fd.get(), text.data(), text.size()) != ssize_t(text.size()) || ::rename(unlocked.c_str(), marker.c_str()) != 0)
		throw std::system_error(errno, std::generic_category(), "cannot write the owner marker " + marker);
	lock_ = std::move(fd);
}

Owner owner_of(const std::string &dir)
{
	UniqueFd held;
	return probe(dir, held);
}

void remove_leftovers_of_ended_runs(const std::string &parent)
{
	std::error_code ec;
	for (const auto &entry : fs::directory_iterator(parent, ec)) {
		const std::string name = entry.path().filename().string();
		if (name.rfind("e4mext-", 0) != 0 || entry.is_symlink(ec) || !entry.is_directory(ec))
			continue;
		if (name.rfind("e4mext-loopfs.", 0) == 0)
			continue; // LoopFilesystem's (loop_fs.h): its mount and loop device go first
		const std::string dir = entry.path().string();
		UniqueFd held;
		const Owner owner = probe(dir, held);
		if (owner.state != OwnerState::ended)
			continue;
		if (has_mount_below(dir)) {
			std::cerr
				<< "e4mext: " << dir << " was left by an earlier e4mext run (" << owner.who
				<< ") that did not clean up (killed?); something is mounted in it, so it stays: unmount it and remove it\n";
			continue;
		}
		std::error_code removed;
		fs::remove_all(dir, removed);
		std::cerr << "e4mext: removed " << dir << ", left by an earlier e4mext run (" << owner.who
			  << ") that ended without cleaning up (killed?)" << (removed ? ": " + removed.message() : std::string())
			  << "\n";
	}
}

} // namespace e4mext::runner
