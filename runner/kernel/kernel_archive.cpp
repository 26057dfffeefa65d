#include "kernel_archive.h"

#include "cleanup_registry.h"
#include "process.h"
#include "runner_errors.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace e4mext::runner {

namespace fs = std::filesystem;

namespace {

constexpr auto kListsMaxAge = std::chrono::hours(6);
constexpr const char *kPackageNote = "e4mext-package.txt"; // written last: its presence marks a complete unpack

// The lines of apt's output that say what went wrong: its E: and W: lines (stderr), else its
// Err: lines with the reason apt prints below each (stdout).
std::string apt_complaints(const CommandResult &r, size_t max_lines = 4)
{
	std::string out;
	size_t n = 0;
	std::istringstream err(r.err);
	for (std::string line; std::getline(err, line) && n < max_lines;)
		if (line.rfind("E: ", 0) == 0 || line.rfind("W: ", 0) == 0) {
			out += "\n  " + line;
			++n;
		}
	std::istringstream in(r.out);
	bool after_err = false;
	for (std::string line; out.empty() && std::getline(in, line) && n < max_lines;) {
		if (line.rfind("Err:", 0) == 0 || (after_err && line.rfind("  ", 0) == 0)) {
			out += "\n  " + line;
			++n;
		}
		after_err = line.rfind("Err:", 0) == 0;
	}
	return out.empty() ? "\n  " + last_lines(r.err.empty() ? r.out : r.err, 3) : out;
}

// boot/vmlinuz-<release>, or (packages from 7.2 on) [usr/]lib/modules/<release>/vmlinuz.
std::optional<std::string> find_vmlinuz(const fs::path &dir)
{
	std::error_code ec;
	for (const auto &entry : fs::directory_iterator(dir / "boot", ec))
		if (entry.path().filename().string().rfind("vmlinuz-", 0) == 0)
			return entry.path().string();
	for (const fs::path &modules : {dir / "lib" / "modules", dir / "usr" / "lib" / "modules"})
		for (const auto &entry : fs::directory_iterator(modules, ec))
			if (fs::is_regular_file(entry.path() / "vmlinuz", ec))
				return (entry.path() / "vmlinuz").string();
	return std::nullopt;
}

// lib/modules/<release>, or usr/lib/modules/<release> in packages built for merged /usr (trixie on),
// when it holds modules (kernel/): from 7.2 the directory may hold just the image.
std::string find_modules_dir(const fs::path &dir)
{
	for (const fs::path &modules : {dir / "lib" / "modules", dir / "usr" / "lib" / "modules"}) {
		std::error_code ec;
		for (const auto &entry : fs::directory_iterator(modules, ec))
			if (entry.is_directory() && fs::is_directory(entry.path() / "kernel", ec))
				return entry.path().string();
	}
	return "";
}

std::string read_first_line(const fs::path &path)
{
	std::ifstream in(path);
	std::string line;
	std::getline(in, line);
	return line;
}

// The value of the note's "<key>: " line, or "".
std::string note_value(const fs::path &path, const std::string &key)
{
	std::ifstream in(path);
	for (std::string line; std::getline(in, line);)
		if (line.rfind(key + ": ", 0) == 0)
			return line.substr(key.size() + 2);
	return "";
}

// A downloaded .deb and the SHA256 its Packages index gives.
struct DebFile {
	std::string package, version, sha256, path;
};

// Checks the .deb against the index (apt does too; this also covers a file apt found in its cache)
// and says what was checked, for the cache's note.
std::string verify_sha256(const DebFile &d, const std::string &suite)
{
	if (d.sha256.empty())
		throw KernelUnavailable("the " + suite + " index gives no SHA256 for " + d.package + " " + d.version +
					": an index without checksums; the download is not unpacked unchecked. Use another mirror");
	const CommandResult r = run_command({"sha256sum", d.path}, std::chrono::minutes(5));
	const std::string sum = r.out.substr(0, r.out.find(' '));
	if (!r.ok() || sum != d.sha256)
		throw KernelUnavailable(
			d.path + ": SHA256 " + (r.ok() ? sum : "unreadable (" + r.status.describe() + ")") + ", the " + suite +
			" index says " + d.sha256 +
			": a damaged or substituted download; not unpacked. Retry; if it persists, the mirror is broken");
	return fs::path(d.path).filename().string() + " " + sum + " as in the " + suite + " index";
}

// An open fd of `note` with a flock of `operation` (LOCK_SH or LOCK_EX, maybe | LOCK_NB), or -1.
int lock_note(const fs::path &note, int operation)
{
	const int fd = ::open(note.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (::flock(fd, operation) != 0)
		if (errno != EINTR) {
			::close(fd);
			return -1;
		}
	return fd;
}

bool is_leftover_name(const std::string &name)
{
	const size_t at = name.rfind(".old.");
	return at != std::string::npos && at > 0 && at + 5 < name.size() &&
	       name.find_first_not_of("0123456789", at + 5) == std::string::npos;
}

} // namespace

std::optional<CacheHold> hold_cache_entry(const CachedKernel &kernel)
{
	const fs::path note = fs::path(kernel.directory) / kPackageNote;
	const int fd = lock_note(note, LOCK_SH);
	if (fd < 0)
		return std::nullopt;
	// Moved aside between open and flock? Then the path names another file (or none).
	struct stat held {
	}, now{};
	if (::fstat(fd, &held) != 0 || ::stat(note.c_str(), &now) != 0 || held.st_ino != now.st_ino || held.st_dev != now.st_dev) {
		::close(fd);
		return std::nullopt;
	}
	return CacheHold(new int(fd), [](const void *p) {
		const int *f = static_cast<const int *>(p);
		::close(*f);
		delete f;
	});
}

std::vector<std::string> remove_cache_leftovers(const std::string &cache_root)
{
	std::vector<std::string> removed;
	std::error_code ec;
	for (const auto &entry : fs::directory_iterator(cache_root, ec)) {
		if (!entry.is_directory(ec) || !is_leftover_name(entry.path().filename().string()))
			continue;
		// Nobody may take a new hold on it (it is no longer at its version's path): once the
		// exclusive lock is ours, no run reads it any more.
		const int fd = lock_note(entry.path() / kPackageNote, LOCK_EX | LOCK_NB);
		if (fd < 0 && fs::exists(entry.path() / kPackageNote, ec))
			continue; // still held by a run whose VM may read it
		std::error_code rm;
		fs::remove_all(entry.path(), rm);
		if (fd >= 0)
			::close(fd);
		if (!rm)
			removed.push_back(entry.path().string());
	}
	return removed;
}

std::string default_kernel_cache()
{
	const char *xdg = std::getenv("XDG_CACHE_HOME");
	if (xdg && *xdg == '/')
		return std::string(xdg) + "/e4mext/kernels";
	const char *home = std::getenv("HOME");
	if (!home || !*home)
		throw KernelUnavailable(
			"neither XDG_CACHE_HOME nor HOME is set: the kernel cache would have no place; set one of them");
	return std::string(home) + "/.cache/e4mext/kernels";
}

const std::vector<std::string> &default_kernel_suites()
{
	static const std::vector<std::string> suites = {"sid", "experimental", "trixie-backports", "bookworm-backports"};
	return suites;
}

KernelArchive::KernelArchive(std::string cache_root, std::vector<std::string> suites, std::ostream &log)
	: root_(std::move(cache_root)), suites_(std::move(suites)), log_(log)
{
}

std::optional<CachedKernel> KernelArchive::cached(const std::string &upstream) const
{
	const fs::path dir = fs::path(root_) / upstream;
	if (!fs::exists(dir / kPackageNote))
		return std::nullopt;
	const std::optional<std::string> image = find_vmlinuz(dir);
	if (!image)
		return std::nullopt;
	return CachedKernel{upstream,
			    dir.string(),
			    *image,
			    read_first_line(dir / kPackageNote),
			    find_modules_dir(dir),
			    note_value(dir / kPackageNote, "modules")};
}

void KernelArchive::remove_leftovers() const
{
	for (const std::string &gone : remove_cache_leftovers(root_))
		log_ << "e4mext: removed " << gone << ", an earlier unpack no run uses any more\n";
	// The ones still held stay until a later run finds them free.
	std::error_code ec;
	for (const auto &entry : fs::directory_iterator(root_, ec))
		if (is_leftover_name(entry.path().filename().string()))
			log_ << "e4mext: " << entry.path().string()
			     << " (an earlier unpack) is still in use by a running VM; a later run removes it\n";
}

void KernelArchive::index_modules(const CachedKernel &kernel) const
{
	if (kernel.modules_dir.empty() || fs::exists(fs::path(kernel.modules_dir) / "modules.dep"))
		return;
	// Debian's postinst runs depmod; apt-get download does not. depmod -b BASE reads BASE/lib/modules.
	const fs::path modules(kernel.modules_dir);
	const fs::path base = modules.parent_path().parent_path().parent_path();
	const CommandResult d = run_command({"depmod", "-b", base.string(), modules.filename().string()}, std::chrono::minutes(5));
	if (!d.ok())
		throw KernelUnavailable("depmod -b " + base.string() + " " + modules.filename().string() + " failed (" +
					d.status.describe() + "): " + last_lines(d.err, 3) +
					"\n  Install kmod (scripts/setup does).");
}

std::vector<std::string> KernelArchive::apt_options() const
{
	const fs::path apt = fs::path(root_) / "apt";
	return {"-o", "Dir::Etc::sourcelist=" + (apt / "sources.list").string(),
		"-o", "Dir::Etc::sourceparts=-",
		"-o", "Dir::State::Lists=" + (apt / "lists").string(),
		"-o", "Dir::Cache=" + (apt / "cache").string(),
		"-o", "Acquire::Languages=none",
		"-q"};
}

std::vector<std::string> KernelArchive::suites_with_lists() const
{
	std::vector<std::string> found;
	std::error_code ec;
	for (const auto &entry : fs::directory_iterator(fs::path(root_) / "apt" / "lists", ec)) {
		const std::string suite = suite_of_list_file(entry.path().filename().string());
		if (!suite.empty())
			found.push_back(suite);
	}
	return found;
}

bool KernelArchive::lists_fresh() const
{
	const fs::path stamp = fs::path(root_) / "apt" / "lists-updated";
	std::error_code ec;
	const auto written = fs::last_write_time(stamp, ec);
	if (ec || fs::file_time_type::clock::now() - written >= kListsMaxAge)
		return false;
	const std::vector<std::string> found = suites_with_lists();
	return std::all_of(suites_.begin(), suites_.end(),
			   [&](const std::string &s) { return std::find(found.begin(), found.end(), s) != found.end(); });
}

void KernelArchive::refresh_lists()
{
	if (!mirror_) {
		mirror_ = find_debian_mirror(read_machine_sources());
		if (!mirror_)
			throw KernelUnavailable(
				"no Debian archive mirror in this machine's apt sources (/etc/apt/sources.list, "
				"/etc/apt/sources.list.d/*.sources and *.list: an enabled 'deb' entry with a Debian "
				"release suite and component main); add the mirror this machine should use, or pass "
				"--kernel /path/to/bzImage");
	}
	const fs::path apt = fs::path(root_) / "apt";
	std::error_code ec;
	for (const fs::path &d : {apt / "lists" / "partial", apt / "cache" / "archives" / "partial"})
		fs::create_directories(d, ec);
	if (ec)
		throw KernelUnavailable("cannot create the kernel cache " + apt.string() + ": " + ec.message() +
					" (set XDG_CACHE_HOME to a writable directory)");
	std::string signed_by = mirror_->signed_by;
	if (signed_by.find("BEGIN PGP") != std::string::npos) {
		// An inline key block in the deb822 source: apt reads it from a .asc file just as well.
		const fs::path key = apt / "archive-keyring.asc";
		std::ofstream(key) << signed_by << "\n";
		signed_by = key.string();
	}
	// The default suites always, so a --suite of one run does not make apt drop the others' lists.
	std::vector<std::string> listed = default_kernel_suites();
	for (const std::string &suite : suites_)
		if (std::find(listed.begin(), listed.end(), suite) == listed.end())
			listed.push_back(suite);
	{
		std::ofstream list(apt / "sources.list");
		list << "# written by e4mext from " << mirror_->origin << "\n";
		for (const std::string &suite : listed)
			list << "deb " << (signed_by.empty() ? "" : "[signed-by=" + signed_by + "] ") << mirror_->uri << " "
			     << suite << " main\n";
		if (!list)
			throw KernelUnavailable("cannot write " + (apt / "sources.list").string());
	}
	log_ << "e4mext: refreshing the kernel package lists from " << mirror_->uri << " (" << mirror_->origin << ")\n";
	std::vector<std::string> argv = {"apt-get"};
	const std::vector<std::string> opts = apt_options();
	argv.insert(argv.end(), opts.begin(), opts.end());
	argv.push_back("update");
	const CommandResult r = run_command(argv, std::chrono::minutes(5));
	const std::vector<std::string> found = suites_with_lists();
	if (found.empty() || r.timed_out)
		throw KernelUnavailable("cannot reach Debian's archive at " + mirror_->uri + " (the mirror of " + mirror_->origin +
					"): apt-get update " +
					(r.timed_out ? "timed out after 5 minutes" : "fetched no package list") + ":" +
					apt_complaints(r) + "\n  Check the network or apt's proxy setting; kernels already in " +
					root_ + " work offline.");
	for (const std::string &suite : suites_)
		if (std::find(found.begin(), found.end(), suite) == found.end())
			log_ << "e4mext: warning: no package list for suite " << suite << " from " << mirror_->uri
			     << "; its kernels are not offered" << apt_complaints(r, 2) << "\n";
	std::ofstream(apt / "lists-updated") << "apt-get update of " << mirror_->uri << "\n";
}

std::vector<KernelPackage> KernelArchive::read_lists() const
{
	std::vector<KernelPackage> out;
	std::error_code ec;
	for (const auto &entry : fs::directory_iterator(fs::path(root_) / "apt" / "lists", ec)) {
		const std::string suite = suite_of_list_file(entry.path().filename().string());
		if (suite.empty() || std::find(suites_.begin(), suites_.end(), suite) == suites_.end())
			continue;
		// apt stores its lists compressed as configured (lz4 here); its helper reads them all.
		const CommandResult r =
			run_command({"/usr/lib/apt/apt-helper", "cat-file", entry.path().string()}, std::chrono::minutes(2));
		if (!r.ok())
			throw KernelUnavailable("cannot read the package list " + entry.path().string() + ": apt-helper cat-file " +
						r.status.describe() + ": " + last_lines(r.err, 2));
		const std::vector<KernelPackage> p = parse_kernel_packages(r.out, suite);
		out.insert(out.end(), p.begin(), p.end());
	}
	return out;
}

std::vector<KernelPackage> KernelArchive::catalogue()
{
	if (!lists_fresh())
		refresh_lists();
	return kernel_catalogue(read_lists());
}

CachedKernel KernelArchive::fetch(const KernelPackage &package)
{
	// A cache entry of an older e4mext says nothing of modules: fetched again when the archive has them.
	if (std::optional<CachedKernel> c = cached(package.upstream))
		if (!c->modules.empty() || package.modules_package.empty())
			return *c;
	TempDir download("e4mext-kernel-download");
	std::vector<DebFile> debs = {{package.package, package.debian_version, package.sha256, ""}};
	if (!package.modules_package.empty())
		debs.push_back({package.modules_package, package.debian_version, package.modules_sha256, ""});
	log_ << "e4mext: fetching " << package.package << (package.modules_package.empty() ? "" : " and " + package.modules_package)
	     << " " << package.debian_version << " (" << package.suite << ")\n";
	std::vector<std::string> argv = {"apt-get"};
	const std::vector<std::string> opts = apt_options();
	argv.insert(argv.end(), opts.begin(), opts.end());
	argv.push_back("download");
	for (const DebFile &d : debs)
		argv.push_back(d.package + "=" + d.version);
	const CommandResult got = run_command(argv, std::chrono::minutes(15), download.path());
	for (const auto &entry : fs::directory_iterator(download.path()))
		for (DebFile &d : debs)
			if (entry.path().extension() == ".deb" && entry.path().filename().string().rfind(d.package + "_", 0) == 0)
				d.path = entry.path().string();
	const bool all_there = std::all_of(debs.begin(), debs.end(), [](const DebFile &d) { return !d.path.empty(); });
	if (!got.ok() || !all_there)
		throw KernelUnavailable(
			"apt-get download " + package.package + "=" + package.debian_version +
			(package.modules_package.empty() ? "" : " " + package.modules_package + "=" + package.debian_version) +
			" failed (" + got.status.describe() + "):" + apt_complaints(got) +
			"\n  Check the network; `e4mext-vm kernels` lists what the archive offers.");
	std::string checked;
	for (const DebFile &d : debs)
		checked += "sha256: " + verify_sha256(d, package.suite) + "\n";

	const fs::path final_dir = fs::path(root_) / package.upstream;
	const fs::path partial = fs::path(root_) / (package.upstream + ".partial." + std::to_string(::getpid()));
	std::error_code ec;
	fs::remove_all(partial, ec);
	for (const DebFile &d : debs) {
		const CommandResult x = run_command({"dpkg-deb", "-x", d.path, partial.string()}, std::chrono::minutes(5));
		if (!x.ok()) {
			fs::remove_all(partial, ec);
			throw KernelUnavailable("dpkg-deb -x " + d.path + " " + partial.string() + " failed (" +
						x.status.describe() + "): " + last_lines(x.err, 3) +
						"\n  Check the free space in " + root_);
		}
	}
	if (!find_vmlinuz(partial)) {
		fs::remove_all(partial, ec);
		throw KernelUnavailable(package.package +
					" holds no boot/vmlinuz-* nor lib/modules/*/vmlinuz: not a kernel image package");
	}
	const std::string modules = package.with_modules ? "in " + package.package
				    : package.modules_package.empty()
					    ? "none: " + package.suite + " has no linux-modules package for " + package.package
					    : package.modules_package + " " + package.debian_version;
	std::ofstream(partial / kPackageNote)
		<< package.package << " " << package.debian_version << " (" << package.suite << ")\nmodules: " << modules << "\n"
		<< checked;
	// An older entry of the same kernel (without its modules) makes way. Another run's VM may use
	// it this very moment (it holds the entry), so it is moved aside, and removed once nobody holds it.
	const fs::path old = fs::path(root_) / (package.upstream + ".old." + std::to_string(::getpid()));
	if (fs::exists(final_dir / kPackageNote, ec))
		fs::rename(final_dir, old, ec);
	fs::rename(partial, final_dir, ec);
	if (ec) {
		fs::remove_all(partial, ec);
		if (!cached(package.upstream)) // another run may have unpacked it at the same time
			throw KernelUnavailable("cannot move the unpacked kernel to " + final_dir.string() + ": " + ec.message());
	}
	remove_leftovers();
	return *cached(package.upstream);
}

} // namespace e4mext::runner
