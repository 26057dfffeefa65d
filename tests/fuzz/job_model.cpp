#include "job_model.h"

#include <algorithm>
#include <filesystem>

namespace e4mext::jobfuzz {

namespace {

std::vector<std::string> split(const std::string &s, char sep)
{
	std::vector<std::string> out;
	size_t start = 0;
	for (;;) {
		const size_t end = s.find(sep, start);
		out.push_back(s.substr(start, end - start));
		if (end == std::string::npos)
			return out;
		start = end + 1;
	}
}

std::string replace_all(std::string s, const std::string &key, const std::string &value)
{
	for (size_t at = s.find(key); at != std::string::npos; at = s.find(key, at + value.size()))
		s.replace(at, key.size(), value);
	return s;
}

// fio's booleans; a bare option name ("keep_donor") means 1.
bool truthy(const std::string &value)
{
	return value.empty() || value == "1" || value == "true" || value == "yes" || value == "on";
}

std::string normal(const std::string &path)
{
	return std::filesystem::path(path).lexically_normal().string();
}

// The link of the case at path, or null.
const LinkSpec *link_at(const std::string &path, const CaseSpec &c, const std::string &mnt)
{
	for (const LinkSpec &l : c.links)
		if (normal(path) == normal(mnt + "/" + l.path))
			return &l;
	return nullptr;
}

// path with "." steps folded and the case's links followed (as the kernel would, at most 40): the
// file it names, made or not.
std::string named_file(const std::string &path, const CaseSpec &c, const std::string &mnt)
{
	if (path.empty())
		return path;
	std::string file = normal(path);
	for (int hops = 0; hops < 40; ++hops) {
		const LinkSpec *l = link_at(file, c, mnt);
		if (!l)
			break;
		file = normal(mnt + "/" + l->target);
	}
	return file;
}

} // namespace

std::string expand_mount(const std::string &value, const std::string &mnt)
{
	return replace_all(value, std::string("${") + kMountVar + "}", mnt);
}

std::vector<std::string> JobView::original_paths() const
{
	std::vector<std::string> out;
	const std::string dir = dirs.empty() ? "" : dirs.front();
	for (const std::string &f : files)
		out.push_back(f.front() == '/' || dir.empty() ? f : dir + "/" + f);
	return out;
}

std::set<std::string> JobView::donor_paths() const
{
	std::set<std::string> out;
	if (donorname.empty())
		return out;
	std::string joined_dirs;
	for (const std::string &dir : dirs)
		joined_dirs += (joined_dirs.empty() ? "" : ":") + dir;
	for (unsigned clone = 0; clone < clones; ++clone) {
		for (const std::string &f : files) {
			std::string name = replace_all(donorname, "$jobnum", std::to_string(clone));
			name = replace_all(name, "$jobname", this->name);
			name = replace_all(name, "$filename", f.substr(f.rfind('/') + 1));
			if (name.front() == '/') {
				out.insert(name);
				continue;
			}
			for (const std::string &dir : dirs)
				out.insert(dir + "/" + name);
			out.insert(joined_dirs + "/" + name);
		}
	}
	return out;
}

bool JobView::is_default_donor(const std::string &path) const
{
	for (const std::string &orig : original_paths()) {
		const std::string prefix = orig + kDefaultDonorInfix;
		if (path.compare(0, prefix.size(), prefix) == 0)
			return true;
	}
	return false;
}

std::set<std::string> JobView::default_donor_paths() const
{
	std::set<std::string> out;
	if (!donorname.empty())
		return out;
	for (unsigned clone = 0; clone < clones; ++clone)
		for (const std::string &orig : original_paths())
			out.insert(orig + kDefaultDonorInfix + std::to_string(first_thread + clone));
	return out;
}

std::string JobView::plain_donor_path() const
{
	if (donorname.empty() || donorname.find('$') != std::string::npos)
		return {};
	if (donorname.front() == '/')
		return donorname;
	return dirs.size() == 1 ? dirs.front() + "/" + donorname : std::string();
}

std::string must_refuse(const JobView &job, const std::vector<JobView> &jobs)
{
	if (job.donor_is_link)
		return "donorname=" + job.donorname + " is a symbolic link (to " + job.donor_target +
		       "): e4mext follows no link to a donor";
	if (job.stats_target.empty() || job.stats_target.front() != '/')
		return {};
	const std::string named =
		"stats_file=" + job.stats_file + (job.stats_target == job.stats_file ? "" : " (that is " + job.stats_target + ")");
	for (const JobView &other : jobs) {
		const std::vector<std::string> originals = other.original_paths();
		if (std::find(originals.begin(), originals.end(), job.stats_target) != originals.end())
			return named + " is an original of job " + other.name;
		if (other.default_donor_paths().count(job.stats_target) || other.donor_target == job.stats_target)
			return named + " is a donor of job " + other.name;
	}
	return {};
}

std::vector<JobView> job_views(const CaseSpec &c, const std::string &mnt)
{
	std::vector<JobView> out;
	for (const Section &job : c.jobs) {
		JobView v;
		v.name = job.name;
		const std::string numjobs = c.option(job, "numjobs", "1");
		v.clones = static_cast<unsigned>(std::stoul(numjobs.empty() ? "1" : numjobs));
		v.dirs = split(expand_mount(c.option(job, "directory"), mnt), ':');
		v.files = split(expand_mount(c.option(job, "filename"), mnt), ':');
		v.donorname = expand_mount(c.option(job, "donorname"), mnt);
		v.keep_donor = truthy(c.option(job, "keep_donor", "0"));
		v.unlink = truthy(c.option(job, "unlink", "0"));
		v.donor_overwrite = truthy(c.option(job, "donor_overwrite", "0"));
		v.stats_file = expand_mount(c.option(job, "stats_file"), mnt);
		v.stats_target = named_file(v.stats_file, c, mnt);
		const std::string donor = v.plain_donor_path();
		v.donor_target = named_file(donor, c, mnt);
		const LinkSpec *donor_link = donor.empty() ? nullptr : link_at(donor, c, mnt);
		v.donor_is_link = donor_link && !donor_link->hard;
		v.first_thread = out.empty() ? 1 : out.back().first_thread + out.back().clones;
		out.push_back(std::move(v));
	}
	return out;
}

} // namespace e4mext::jobfuzz
