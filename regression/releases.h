// Expectations by kernel release: an answer of a case holds for the releases its list names -
// mainline from X.Y on, and stable series from the point release that got a backport - and the
// running kernel's release picks the answer. Pure functions, unit-tested (test_releases.cpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace e4mext::regress {

// A kernel release reduced to its numbers: "6.18.15+deb13-cloud-amd64" -> 6.18.15, "7.3.0-rc7" and
// "7.3-rc7" -> 7.3.0 (an -rc has its merge window's changes), "6.19.0-custom-dirty" -> 6.19.0. A
// self-built or distribution kernel counts as the upstream release its version names.
struct KernelRelease {
	int major = 0, minor = 0, patch = 0;
	std::string text() const; // "6.18.15"
};
std::optional<KernelRelease> parse_release(const std::string &release);

// The releases an answer holds for. Empty: none (the base answer of a behaviour needs none).
struct Releases {
	std::string mainline_from;            // "7.1": 7.1.0 and every later release
	std::vector<std::string> stable_from; // "6.17.13": 6.17.13 and later 6.17.y (a backport)
	bool holds_for(const KernelRelease &k) const;
	std::string text() const; // "mainline from 7.1; stable from 6.17.13, 6.18.5"
};

// The index of the last of `ranges` that holds for k (a history: later entries win), or nullopt.
std::optional<size_t> last_holding(const std::vector<Releases> &ranges, const KernelRelease &k);

// Releases helpers for the case tables.
Releases mainline_from(std::string release);
Releases stable_from(std::vector<std::string> points, std::string mainline = {});

// The rule, as the suite prints it before the first case.
std::string nearest_release_rule(const std::string &uname_release, const std::optional<KernelRelease> &k);

} // namespace e4mext::regress
