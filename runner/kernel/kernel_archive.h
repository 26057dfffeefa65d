// Debian's kernels, fetched with apt from the machine's own mirror into a private apt state and
// cache, never touching the machine's apt configuration or lists:
//
//   <cache>/apt/sources.list   deb [signed-by=<the machine's keyring>] <the machine's mirror> <suite> main
//   <cache>/apt/lists/         Dir::State::Lists   (refreshed when older than 6 hours and needed)
//   <cache>/apt/cache/         Dir::Cache
//   <cache>/<version>/         the unpacked package (boot/vmlinuz-*, [usr/]lib/modules/ up to 6.18),
//                              with its linux-modules package from 7.2 on
//
// Every .deb's SHA256 is checked against the Packages index before it is unpacked (apt checks it
// too; the note e4mext-package.txt records what was checked).
//
// <cache> is ${XDG_CACHE_HOME:-$HOME/.cache}/e4mext/kernels. A kernel once unpacked is used from
// there without any network access.
//
// A run holds a shared lock (flock) on the entry's note while its VMs may read the entry. Unpacking
// the same kernel anew (an older entry without its modules) moves the entry aside to
// <version>.old.<pid>; such an entry is removed as soon as nobody holds it - at once, or by the next
// run that opens the cache (remove_leftovers).
#pragma once

#include "apt_sources.h"
#include "kernel_packages.h"

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace e4mext::runner {

// ${XDG_CACHE_HOME:-$HOME/.cache}/e4mext/kernels
std::string default_kernel_cache();

// The suites searched, newest first: sid, experimental, trixie-backports, bookworm-backports.
const std::vector<std::string> &default_kernel_suites();

// A kernel unpacked in the cache.
struct CachedKernel {
	std::string upstream;
	std::string directory;   // <cache>/<version>
	std::string image;       // <directory>/boot/vmlinuz-*
	std::string package;     // "linux-binary-... 6.19.13-1~bpo13+1 (trixie-backports)"
	std::string modules_dir; // <directory>/lib/modules/<release> when the package has them
	std::string modules;     // where the modules came from, or why there are none (the note's "modules:" line)
};

// A shared lock on a cache entry: while one exists, the entry is not removed (moved aside at most).
using CacheHold = std::shared_ptr<const void>;

// Takes the shared lock on `kernel`'s entry, or nothing when the entry was moved aside meanwhile.
std::optional<CacheHold> hold_cache_entry(const CachedKernel &kernel);

// Removes every <version>.old.<pid> entry of `cache_root` that nobody holds; names the ones removed.
std::vector<std::string> remove_cache_leftovers(const std::string &cache_root);

class KernelArchive {
public:
	// Progress ("fetching ...", "refreshing the lists ...") goes to `log`.
	KernelArchive(std::string cache_root, std::vector<std::string> suites, std::ostream &log);

	// A kernel already unpacked in the cache, or nothing. Needs neither network nor mirror.
	std::optional<CachedKernel> cached(const std::string &upstream) const;

	// The kernels the archive offers (refreshing the private lists when missing or older than
	// six hours). Throws KernelUnavailable naming the mirror when no list could be fetched.
	std::vector<KernelPackage> catalogue();

	// Downloads and unpacks `package` (signature-checked by apt), unless it is in the cache.
	CachedKernel fetch(const KernelPackage &package);

	// Writes modules.dep & co. for the kernel's modules (once), so modprobe works in the guest.
	void index_modules(const CachedKernel &kernel) const;

	const std::string &cache_root() const { return root_; }

	// remove_cache_leftovers, saying what it removed and what it had to leave.
	void remove_leftovers() const;

private:
	std::vector<std::string> apt_options() const;
	void refresh_lists();
	bool lists_fresh() const; // younger than 6 hours, with a list for every suite asked for
	std::vector<std::string> suites_with_lists() const;
	std::vector<KernelPackage> read_lists() const;

	std::string root_;
	std::vector<std::string> suites_;
	std::ostream &log_;
	std::optional<DebianMirror> mirror_;
};

} // namespace e4mext::runner
