// --kernel SPEC: a version in Debian's archive ("6.19.13", the cloud-amd64 flavour) or the path
// of a kernel image a developer built (bzImage / vmlinuz). Resolving fetches what is missing and
// checks a self-built kernel's config for what the VM needs.
#pragma once

#include "kernel_archive.h"

#include <ostream>
#include <string>
#include <vector>

namespace e4mext::runner {

struct Kernel {
	std::string spec;                 // as given
	std::string label;                // names its results directory: the version, or the image's release
	std::string image;                // the file qemu boots
	std::string origin;               // "Debian linux-binary-... (trixie-backports), cached in ..." or "file ..."
	std::string modules_dir;          // lib/modules/<release> of a Debian package that has them (<= 6.18, 7.2 on), else ""
	std::vector<std::string> notes;   // config check findings, printed before the run
	std::string modules_missing = {}; // without modules_dir: why (the cache's note on the package), else ""
	CacheHold cache_hold = {};        // a Debian kernel's cache entry, held while this Kernel lives
};

// True when SPEC names a file rather than a version (it contains a '/' or is an existing file).
bool spec_is_path(const std::string &spec);

// Throws UsageError for an unknown version (naming the nearest available ones), a missing file or
// a self-built kernel whose config lacks a required option; KernelUnavailable when the archive
// cannot be reached or the download fails.
Kernel resolve_kernel(const std::string &spec, KernelArchive &archive);

// Every --kernel SPEC, in order, from the machine's cache and Debian's archive; each kernel's notes
// (config findings) printed to `err` as "<program>: <label>: <note>".
std::vector<Kernel> resolve_kernels(const std::vector<std::string> &specs, const std::string &program, std::ostream &err);

// Directory names for the kernels' results: their labels (anything but letters, digits and . _ + -
// made '_'), made unique with -2, -3, ...
std::vector<std::string> unique_labels(const std::vector<Kernel> &kernels);

} // namespace e4mext::runner
