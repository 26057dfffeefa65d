#include "kernel_packages.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <regex>
#include <sstream>

namespace e4mext::runner {

namespace {

// The kernel itself, not -dbg, -unsigned, headers or metapackages without an ABI.
const std::regex kKernelPackageName(R"(^linux-(image|binary)-([0-9]+\.[0-9]+[^ ]*)-cloud-amd64$)");

// "6.19.13-1~bpo13+1" -> "6.19.13"; "7.3~rc7-1~exp1" -> "7.3-rc7"; an epoch is dropped.
std::string upstream_of(const std::string &debian_version)
{
	std::string v = debian_version.substr(debian_version.find(':') == std::string::npos ? 0 : debian_version.find(':') + 1);
	const size_t dash = v.rfind('-');
	if (dash != std::string::npos)
		v = v.substr(0, dash);
	const size_t tilde = v.find("~rc");
	if (tilde != std::string::npos)
		v.replace(tilde, 1, "-");
	return v;
}

const std::regex kModulesPackageName(R"(^linux-modules-([0-9]+\.[0-9]+[^ ]*)-cloud-amd64$)");

struct Stanza {
	std::string package, version, depends, sha256;
};

// Kernels, and the modules packages by "<abi> <version>" (their SHA256), of one index.
struct IndexKernels {
	std::vector<KernelPackage> kernels;
	std::map<std::string, std::string> modules;
};

void keep_if_kernel(const Stanza &s, const std::string &suite, IndexKernels &out)
{
	std::smatch m;
	if (s.package.empty())
		return;
	if (std::regex_match(s.package, m, kModulesPackageName)) {
		out.modules[m[1].str() + " " + s.version] = s.sha256;
		return;
	}
	if (!std::regex_match(s.package, m, kKernelPackageName))
		return;
	const bool binary = m[1] == "binary";
	// From 6.19 on linux-image-* only depends on linux-binary-*: the kernel is not in it.
	if (!binary && s.depends.find("linux-binary-") != std::string::npos)
		return;
	KernelPackage k;
	k.upstream = upstream_of(s.version);
	k.package = s.package;
	k.debian_version = s.version;
	k.suite = suite;
	k.with_modules = !binary;
	k.sha256 = s.sha256;
	out.kernels.push_back(k);
}

// A linux-binary package's modules: the linux-modules package of its ABI and version, when listed.
void attach_modules(IndexKernels &index)
{
	for (KernelPackage &k : index.kernels) {
		std::smatch m;
		if (k.with_modules || !std::regex_match(k.package, m, kKernelPackageName))
			continue;
		const auto it = index.modules.find(m[2].str() + " " + k.debian_version);
		if (it == index.modules.end())
			continue;
		k.modules_package = "linux-modules-" + m[2].str() + "-cloud-amd64";
		k.modules_sha256 = it->second;
	}
}

// dpkg's verrevcmp: letters before non-letters, '~' before everything, even the end. Kept here on
// purpose (issue 22 asked): libapt-pkg's debVS.CmpVersion would do, but its ABI is not stable
// (libapt-pkg6.0 on Debian 12, 7.0 on 13: a rebuild per release, and a -dev package only for this
// one function), and `dpkg --compare-versions` is a process per comparison - a catalogue of the
// four suites sorts a few hundred pairs. The ordering is dpkg's own algorithm, tested against
// dpkg's documented cases (test_kernel_packages.cpp).
int order(char c)
{
	if (std::isdigit(static_cast<unsigned char>(c)))
		return 0;
	if (std::isalpha(static_cast<unsigned char>(c)))
		return c;
	if (c == '~')
		return -1;
	if (c)
		return c + 256;
	return 0;
}

int verrevcmp(const char *a, const char *b)
{
	while (*a || *b) {
		int first_diff = 0;
		while ((*a && !std::isdigit(static_cast<unsigned char>(*a))) ||
		       (*b && !std::isdigit(static_cast<unsigned char>(*b)))) {
			const int ac = order(*a), bc = order(*b);
			if (ac != bc)
				return ac - bc;
			++a;
			++b;
		}
		while (*a == '0')
			++a;
		while (*b == '0')
			++b;
		while (std::isdigit(static_cast<unsigned char>(*a)) && std::isdigit(static_cast<unsigned char>(*b))) {
			if (!first_diff)
				first_diff = *a - *b;
			++a;
			++b;
		}
		if (std::isdigit(static_cast<unsigned char>(*a)))
			return 1;
		if (std::isdigit(static_cast<unsigned char>(*b)))
			return -1;
		if (first_diff)
			return first_diff;
	}
	return 0;
}

struct DebianVersion {
	long epoch = 0;
	std::string upstream, revision;
};

DebianVersion split_debian_version(const std::string &v)
{
	DebianVersion d;
	std::string rest = v;
	const size_t colon = rest.find(':');
	if (colon != std::string::npos) {
		d.epoch = std::strtol(rest.substr(0, colon).c_str(), nullptr, 10);
		rest = rest.substr(colon + 1);
	}
	const size_t dash = rest.rfind('-');
	d.upstream = dash == std::string::npos ? rest : rest.substr(0, dash);
	d.revision = dash == std::string::npos ? "" : rest.substr(dash + 1);
	return d;
}

// 6.19.13 -> {6, 19, 13, INT_MAX}; 7.3-rc7 -> {7, 3, 0, 7}: an rc sorts before its release.
std::vector<long> kernel_version_key(const std::string &v)
{
	std::vector<long> key;
	const size_t rc = v.find("-rc");
	std::istringstream parts(v.substr(0, rc));
	for (std::string part; std::getline(parts, part, '.');)
		key.push_back(std::strtol(part.c_str(), nullptr, 10));
	key.resize(3, 0);
	key.push_back(rc == std::string::npos ? 1000000 : std::strtol(v.c_str() + rc + 3, nullptr, 10));
	return key;
}

} // namespace

std::vector<KernelPackage> parse_kernel_packages(const std::string &packages_text, const std::string &suite)
{
	IndexKernels out;
	std::istringstream in(packages_text);
	Stanza s;
	for (std::string line; std::getline(in, line);) {
		if (line.empty()) {
			keep_if_kernel(s, suite, out);
			s = Stanza{};
		} else if (line.rfind("Package: ", 0) == 0) {
			s.package = line.substr(9);
		} else if (line.rfind("Version: ", 0) == 0) {
			s.version = line.substr(9);
		} else if (line.rfind("Depends: ", 0) == 0) {
			s.depends = line.substr(9);
		} else if (line.rfind("SHA256: ", 0) == 0) {
			s.sha256 = line.substr(8);
		}
	}
	keep_if_kernel(s, suite, out);
	attach_modules(out);
	return out.kernels;
}

std::string suite_of_list_file(const std::string &file_name)
{
	static const std::regex list_file(R"(_dists_(.+)_[^_]+_binary-[^_]+_Packages(\.[a-z0-9]+)?$)");
	std::smatch m;
	if (!std::regex_search(file_name, m, list_file))
		return "";
	std::string suite = m[1];
	std::replace(suite.begin(), suite.end(), '_', '/');
	return suite;
}

std::vector<KernelPackage> kernel_catalogue(const std::vector<KernelPackage> &packages)
{
	std::map<std::string, KernelPackage> best;
	for (const KernelPackage &p : packages) {
		auto [it, inserted] = best.try_emplace(p.upstream, p);
		if (inserted)
			continue;
		KernelPackage &held = it->second;
		const bool p_binary = !p.with_modules, held_binary = !held.with_modules;
		if (p_binary != held_binary) {
			if (p_binary)
				held = p;
			continue;
		}
		if (compare_debian_versions(p.debian_version, held.debian_version) > 0)
			held = p;
	}
	std::vector<KernelPackage> out;
	for (auto &[version, p] : best)
		out.push_back(p);
	std::sort(out.begin(), out.end(), [](const KernelPackage &a, const KernelPackage &b) {
		return compare_kernel_versions(a.upstream, b.upstream) < 0;
	});
	return out;
}

std::optional<KernelPackage> find_kernel(const std::vector<KernelPackage> &catalogue, const std::string &upstream)
{
	for (const KernelPackage &p : catalogue)
		if (p.upstream == upstream)
			return p;
	return std::nullopt;
}

std::vector<std::string> nearest_versions(const std::vector<KernelPackage> &catalogue, const std::string &wanted, size_t count)
{
	const std::vector<long> w = kernel_version_key(wanted);
	auto distance = [&](const KernelPackage &p) {
		const std::vector<long> k = kernel_version_key(p.upstream);
		// Another series is always farther than any version of the same series.
		const long series = std::labs((k[0] * 1000 + k[1]) - (w[0] * 1000 + w[1]));
		return std::pair<long, long>(series, std::labs(k[2] - w[2]));
	};
	std::vector<KernelPackage> sorted = catalogue;
	std::stable_sort(sorted.begin(), sorted.end(), [&](const KernelPackage &a, const KernelPackage &b) {
		const auto da = distance(a), db = distance(b);
		if (da != db)
			return da < db;
		return compare_kernel_versions(a.upstream, b.upstream) > 0; // the newer of two equally near
	});
	std::vector<std::string> out;
	for (size_t i = 0; i < sorted.size() && i < count; ++i)
		out.push_back(sorted[i].upstream);
	return out;
}

bool looks_like_kernel_version(const std::string &s)
{
	static const std::regex version(R"(^[0-9]+\.[0-9]+(\.[0-9]+)?(-rc[0-9]+)?$)");
	return std::regex_match(s, version);
}

int compare_debian_versions(const std::string &a, const std::string &b)
{
	const DebianVersion x = split_debian_version(a), y = split_debian_version(b);
	if (x.epoch != y.epoch)
		return x.epoch < y.epoch ? -1 : 1;
	if (int c = verrevcmp(x.upstream.c_str(), y.upstream.c_str()))
		return c;
	return verrevcmp(x.revision.c_str(), y.revision.c_str());
}

int compare_kernel_versions(const std::string &a, const std::string &b)
{
	const std::vector<long> x = kernel_version_key(a), y = kernel_version_key(b);
	return x < y ? -1 : (x == y ? 0 : 1);
}

} // namespace e4mext::runner
