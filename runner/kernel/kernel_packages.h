// Debian's cloud-amd64 kernel packages as its Packages indexes list them, reduced to one package
// per upstream kernel version - the catalogue a version given on the command line is looked up in.
// Up to 6.18, linux-image-<abi>-cloud-amd64 holds vmlinuz and the modules; from 6.19 on,
// linux-binary-<abi>-cloud-amd64 holds vmlinuz and linux-image-<abi> is a metapackage depending on
// it and on linux-modules-<abi>-cloud-amd64, which the archive has from 7.2 on (6.19 to 7.1: none).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace e4mext::runner {

struct KernelPackage {
	std::string upstream;        // "6.19.13", "7.3-rc7": what --kernel takes
	std::string package;         // linux-binary-6.19.13+deb13-cloud-amd64
	std::string debian_version;  // 6.19.13-1~bpo13+1
	std::string suite;           // trixie-backports
	bool with_modules = false;   // a linux-image package that holds the modules too (<= 6.18)
	std::string sha256;          // of the .deb, from the index: checked after the download
	std::string modules_package; // linux-modules-<abi>-cloud-amd64 of the same version and suite, or ""
	std::string modules_sha256;
};

// The kernel packages of one Packages index (plain text) of `suite`.
std::vector<KernelPackage> parse_kernel_packages(const std::string &packages_text, const std::string &suite);

// The suite of an apt list file name, e.g. "trixie-backports" for
// mirror.example.org_debian_dists_trixie-backports_main_binary-amd64_Packages.lz4; "" for other files.
std::string suite_of_list_file(const std::string &file_name);

// One package per upstream version, ascending: a linux-binary package before the linux-image
// metapackage of the same ABI, then the highest Debian version (a newer ABI or a later suite).
std::vector<KernelPackage> kernel_catalogue(const std::vector<KernelPackage> &packages);

std::optional<KernelPackage> find_kernel(const std::vector<KernelPackage> &catalogue, const std::string &upstream);

// Up to `count` catalogue versions closest to `wanted` (same series first), for "did you mean".
std::vector<std::string> nearest_versions(const std::vector<KernelPackage> &catalogue, const std::string &wanted, size_t count = 3);

// True for strings shaped like a kernel version: 6.19, 6.19.13, 7.3-rc7.
bool looks_like_kernel_version(const std::string &s);

// Orderings: dpkg's (epoch:upstream-revision, '~' sorting first) and kernel versions (numeric
// parts, an -rc before its release). Negative, zero or positive as a <, ==, > b.
int compare_debian_versions(const std::string &a, const std::string &b);
int compare_kernel_versions(const std::string &a, const std::string &b);

} // namespace e4mext::runner
