#include "releases.h"

#include <regex>

namespace e4mext::regress {

std::string KernelRelease::text() const
{
	return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

std::optional<KernelRelease> parse_release(const std::string &release)
{
	static const std::regex numbers(R"(^([0-9]+)\.([0-9]+)(\.([0-9]+))?)");
	std::smatch m;
	if (!std::regex_search(release, m, numbers))
		return std::nullopt;
	KernelRelease k;
	k.major = std::stoi(m[1]);
	k.minor = std::stoi(m[2]);
	k.patch = m[4].matched ? std::stoi(m[4]) : 0;
	return k;
}

namespace {

bool at_or_after(const KernelRelease &k, const KernelRelease &from)
{
	if (k.major != from.major)
		return k.major > from.major;
	if (k.minor != from.minor)
		return k.minor > from.minor;
	return k.patch >= from.patch;
}

} // namespace

bool Releases::holds_for(const KernelRelease &k) const
{
	if (!mainline_from.empty()) {
		const std::optional<KernelRelease> m = parse_release(mainline_from);
		if (m && at_or_after(k, KernelRelease{m->major, m->minor, 0}))
			return true;
	}
	for (const std::string &s : stable_from) {
		const std::optional<KernelRelease> p = parse_release(s);
		if (p && p->major == k.major && p->minor == k.minor && k.patch >= p->patch)
			return true;
	}
	return false;
}

std::string Releases::text() const
{
	std::string t;
	if (!mainline_from.empty())
		t = "mainline from " + mainline_from;
	if (!stable_from.empty()) {
		t += t.empty() ? "stable from " : "; stable from ";
		for (size_t i = 0; i < stable_from.size(); ++i)
			t += (i ? ", " : "") + stable_from[i];
	}
	return t;
}

std::optional<size_t> last_holding(const std::vector<Releases> &ranges, const KernelRelease &k)
{
	std::optional<size_t> found;
	for (size_t i = 0; i < ranges.size(); ++i)
		if (ranges[i].holds_for(k))
			found = i;
	return found;
}

Releases mainline_from(std::string release)
{
	return Releases{std::move(release), {}};
}

Releases stable_from(std::vector<std::string> points, std::string mainline)
{
	return Releases{std::move(mainline), std::move(points)};
}

std::string nearest_release_rule(const std::string &uname_release, const std::optional<KernelRelease> &k)
{
	if (!k)
		return "release " + uname_release +
		       " has no X.Y numbers: every case expects its implementation's first answer (no later change applies)";
	return "expectations for release " + k->text() + " (uname " + uname_release +
	       "): each case takes the last answer whose releases hold for it - mainline from X.Y covers X.Y.0 on "
	       "(an -rc too), stable from X.Y.Z covers X.Y.Z and later X.Y.y; a self-built or distribution kernel "
	       "counts as the release its version names, so a backport it carries beyond its stable series is not known";
}

} // namespace e4mext::regress
