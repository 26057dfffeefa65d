#include "generator.h"

#include <algorithm>
#include <initializer_list>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace e4mext::jobfuzz {

namespace {

constexpr uint64_t KiB = 1024;
constexpr uint64_t MiB = 1024 * KiB;
// Room past a file's I/O range: fio gives the first files of a job one extra block when size=
// does not divide evenly; the largest block drawn is 256 KiB.
constexpr uint64_t kFileSlack = 256 * KiB;
const std::string kMnt = std::string("${") + kMountVar + "}";

// Percent chances and picks over std::mt19937_64 with plain modulo: the same case on every
// standard library (std::uniform_int_distribution is implementation-defined).
class Dice {
public:
	Dice(uint64_t seed, uint64_t index)
	{
		std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32), static_cast<uint32_t>(index),
				  static_cast<uint32_t>(index >> 32)};
		rng_.seed(seq);
	}
	uint64_t below(uint64_t n) { return rng_() % n; }
	uint64_t between(uint64_t lo, uint64_t hi) { return lo + below(hi - lo + 1); }
	bool chance(unsigned percent) { return below(100) < percent; }
	template <typename T> T pick(std::initializer_list<T> items) { return items.begin()[below(items.size())]; }
	template <typename T> const T &pick_from(const std::vector<T> &items) { return items[below(items.size())]; }

private:
	std::mt19937_64 rng_;
};

std::string size_text(uint64_t bytes)
{
	if (bytes >= MiB && bytes % MiB == 0)
		return std::to_string(bytes / MiB) + "m";
	if (bytes >= KiB && bytes % KiB == 0)
		return std::to_string(bytes / KiB) + "k";
	return std::to_string(bytes);
}

// Everything random about one job, drawn before any option is written: the file sizes depend on
// all jobs, and the budget may shrink them afterwards.
struct JobPlan {
	std::string name;
	bool two_dirs = false;
	bool unlink = false;
	std::vector<std::string> files; // relative to each of the job's directories
	uint64_t per_file = 0;          // bytes of I/O per file
	unsigned clones = 1;
	uint64_t offset = 0;
	uint64_t offset_increment = 0;
	Options geometry; // bs, bsrange, zones, ... (drawn in order)
	Options engine;   // the engine's own options and the file handling ones
	std::string donorname;
	std::string stats_file;      // a hostile statistics file (a file of the run), or "" for the case's
	std::vector<LinkSpec> links; // the links stats_file= and donorname= go through, in the order made
};

// fio puts the files of filename= in the first directory of directory= (for every clone); with
// two directories the second one holds files of the same names that no job uses.
std::string used_dir(const JobPlan &p)
{
	return p.two_dirs ? "d1" : "";
}

std::string under(const std::string &dir, const std::string &name)
{
	return dir.empty() ? name : dir + "/" + name;
}

uint64_t round_up(uint64_t v, uint64_t to)
{
	return (v + to - 1) / to * to;
}

uint64_t block_size(Dice &d)
{
	// Mostly whole 4 KiB blocks; sometimes sizes no ext4 block size divides, or 2 KiB halves.
	if (d.chance(8))
		return d.pick<uint64_t>({2 * KiB, 3 * KiB, 6 * KiB, 5 * KiB + 512, 12 * KiB + 2 * KiB});
	return d.pick<uint64_t>({4 * KiB, 4 * KiB, 8 * KiB, 16 * KiB, 32 * KiB, 64 * KiB, 128 * KiB, 256 * KiB});
}

std::string bssplit(Dice &d)
{
	const unsigned parts = static_cast<unsigned>(d.between(2, 3));
	std::string out;
	unsigned left = 100;
	for (unsigned i = 0; i < parts; ++i) {
		const unsigned share = i + 1 == parts ? left : static_cast<unsigned>(d.between(1, left - (parts - i - 1)));
		left -= share;
		out += (out.empty() ? "" : ":") + size_text(block_size(d)) + "/" + std::to_string(share);
	}
	return out;
}

void draw_geometry(Dice &d, JobPlan &p, bool random_writes)
{
	Options &g = p.geometry;
	const unsigned kind = static_cast<unsigned>(d.below(100));
	if (kind < 65) {
		g.emplace_back("bs", size_text(block_size(d)));
	} else if (kind < 77) {
		g.emplace_back("bsrange", size_text(d.pick<uint64_t>({2 * KiB, 4 * KiB, 8 * KiB})) + "-" +
						  size_text(d.pick<uint64_t>({16 * KiB, 64 * KiB, 256 * KiB})));
		g.emplace_back("bs_unaligned", "1");
	} else if (kind < 90) {
		g.emplace_back("bssplit", bssplit(d));
	} else {
		g.emplace_back("bsrange", size_text(d.pick<uint64_t>({4 * KiB, 8 * KiB})) + "-" +
						  size_text(d.pick<uint64_t>({32 * KiB, 128 * KiB})));
	}
	if (random_writes && d.chance(12))
		g.emplace_back("blockalign", size_text(d.pick<uint64_t>({2 * KiB, 2 * KiB, 4 * KiB, 8 * KiB})));
	if (d.chance(10)) {
		const uint64_t zonesize = d.pick<uint64_t>({64 * KiB, 256 * KiB, 1 * MiB, 6 * KiB});
		g.emplace_back("zonemode", "strided");
		g.emplace_back("zonesize", size_text(zonesize));
		g.emplace_back("zonerange", size_text(zonesize * d.between(1, 4)));
		g.emplace_back("zoneskip", size_text(d.pick<uint64_t>({0, 64 * KiB, 1 * MiB, 6 * KiB})));
	}
	if (random_writes && d.chance(25))
		g.emplace_back("norandommap", "1");
}

void draw_engine_options(Dice &d, JobPlan &p)
{
	Options &e = p.engine;
	e.emplace_back("overwrite", d.pick<const char *>({"0", "1"}));
	e.emplace_back("inplace", d.chance(30) ? "1" : "0");
	e.emplace_back("donor_mode", d.pick<const char *>({"unwritten", "written"}));
	e.emplace_back("verify_data", d.chance(85) ? "1" : "0");
	e.emplace_back("fallocate", d.chance(10) ? "none" : d.pick<const char *>({"native", "posix"}));
	if (d.chance(5))
		e.emplace_back("create_on_open", "1");
	if (d.chance(8))
		e.emplace_back("keep_donor", "1");
	if (p.unlink)
		e.emplace_back("unlink", "1");
}

JobPlan draw_job(Dice &d, unsigned j, const std::vector<JobPlan> &earlier)
{
	JobPlan p;
	p.name = "j" + std::to_string(j);
	p.two_dirs = d.chance(15);
	p.unlink = d.chance(5);
	const unsigned nr_files = static_cast<unsigned>(d.between(1, 4));
	for (unsigned k = 0; k < nr_files; ++k)
		p.files.push_back(p.name + "f" + std::to_string(k));
	// Now and then a file another job moves too: only between single-directory jobs that keep
	// their files (unlink=1 would take the file away from the other job).
	std::vector<std::string> shareable;
	for (const JobPlan &e : earlier)
		if (!e.two_dirs && !e.unlink)
			shareable.insert(shareable.end(), e.files.begin(), e.files.end());
	if (!p.two_dirs && !p.unlink && !shareable.empty() && d.chance(20))
		p.files[0] = d.pick_from(shareable);
	p.per_file = d.chance(85) ? d.pick<uint64_t>({1 * MiB, 2 * MiB, 3 * MiB, 4 * MiB})
				  : d.pick<uint64_t>({8 * MiB, 12 * MiB, 16 * MiB});
	if (p.two_dirs)
		p.per_file = std::min(p.per_file, 4 * MiB);
	p.clones = d.chance(65) ? 1 : static_cast<unsigned>(d.between(2, 3));
	if (!d.chance(70))
		p.offset = d.chance(80) ? d.pick<uint64_t>({4 * KiB, 64 * KiB, 1 * MiB, 3 * MiB})
					: d.pick<uint64_t>({2 * KiB, 6 * KiB});
	if (p.clones > 1 && d.chance(60))
		p.offset_increment =
			d.chance(85) ? d.pick<uint64_t>({p.per_file, 1 * MiB, 256 * KiB}) : d.pick<uint64_t>({2 * KiB, 6 * KiB});
	const bool random_writes = d.chance(50);
	p.geometry.emplace_back("rw", random_writes ? "randwrite" : "write");
	draw_geometry(d, p, random_writes);
	draw_engine_options(d, p);
	return p;
}

// A name relative to the job's directory= when that means one file, else an absolute one.
std::string donor_name_for(const JobPlan &job, const std::string &mount_relative)
{
	if (!job.two_dirs && mount_relative.find('/') == std::string::npos)
		return mount_relative;
	return kMnt + "/" + mount_relative;
}

// Now and then the donor drawn is named through a symbolic link of the case, which the engine must
// refuse (it follows no link to a donor) without making or changing the file the link names:
// mostly dangling (a new name), or to a file of the run or an outside file.
void link_donor(Dice &d, JobPlan &job)
{
	if (job.donorname.empty() || job.donorname.find('$') != std::string::npos || !d.chance(10))
		return;
	const bool absolute = job.donorname.rfind(kMnt + "/", 0) == 0;
	if (!absolute && job.two_dirs)
		return; // relative to two directories: no single file to link to
	const std::string link = job.name + ".donor-link";
	job.links.push_back({false, link, absolute ? job.donorname.substr(kMnt.size() + 1) : job.donorname});
	job.donorname = job.two_dirs ? kMnt + "/" + link : link;
}

// Who the job's donor is: e4mext's own (no donorname=), a new file, a file of the run (which the
// engine must refuse), a file outside the jobs (which the user gives up), or names with $jobnum.
void draw_donor(Dice &d, JobPlan &job, const std::vector<JobPlan> &all, const std::vector<std::string> &outside)
{
	std::vector<std::string> run_files; // relative to the mount
	for (const JobPlan &p : all)
		if (!p.unlink)
			for (const std::string &f : p.files)
				run_files.push_back(under(used_dir(p), f));
	const unsigned kind = static_cast<unsigned>(d.below(100));
	if (kind < 35)
		return;
	if (kind < 50) {
		const std::string name = "donor." + job.name;
		job.donorname = d.chance(70) ? name : kMnt + "/" + name;
	} else if (kind < 65 && !run_files.empty()) {
		job.donorname = donor_name_for(job, d.pick_from(run_files));
	} else if (kind < 85 && !outside.empty()) {
		job.donorname = donor_name_for(job, d.pick_from(outside));
		// Mostly given up on purpose; without donor_overwrite=1 the engine must refuse it.
		if (d.chance(60))
			job.engine.emplace_back("donor_overwrite", "1");
	} else {
		const std::string name = d.pick<const char *>({"outside.$jobnum", "donor.$jobnum", "$filename.donor"});
		job.donorname = job.two_dirs ? kMnt + "/" + name : name;
	}
	link_donor(d, job);
}

// Now and then a statistics file that is a file of the run, which the engine must refuse before
// opening anything: an original of this or another job, e4mext's default donor of a job's file
// (the job's first thread number: fio numbers every clone of every job from 1, in order), or a
// job's named donor - by its own name, through "/./", or through a hard or symbolic link of the
// case: hard to a file that exists before the run (an original), symbolic to any of them - dangling
// when the file is a donor not made yet - directly or through a second symbolic link.
void draw_stats_file(Dice &d, JobPlan &job, const std::vector<JobPlan> &all)
{
	if (!d.chance(12))
		return;
	struct Hostile {
		std::string relative; // to the mount
		bool exists;          // before the run: a link can name it
	};
	std::vector<Hostile> hostile;
	unsigned thread = 1;
	for (const JobPlan &p : all) {
		for (const std::string &f : p.files) {
			hostile.push_back({under(used_dir(p), f), true});
			if (p.donorname.empty())
				hostile.push_back({under(used_dir(p), f) + ".e4mext-donor." + std::to_string(thread), false});
		}
		const bool absolute = p.donorname.rfind(kMnt + "/", 0) == 0;
		if (p.donorname.find('$') == std::string::npos && (absolute || (!p.donorname.empty() && !p.two_dirs)))
			hostile.push_back({absolute ? p.donorname.substr(kMnt.size() + 1) : p.donorname, false});
		thread += p.clones;
	}
	const Hostile &h = d.pick_from(hostile);
	const unsigned how = static_cast<unsigned>(d.below(100));
	if (how < 30) {
		const std::string link = job.name + ".stats-link";
		if (how >= 25) { // a chain: link -> link2 -> the file
			job.links.push_back({false, link + "2", h.relative});
			job.links.push_back({false, link, link + "2"});
		} else {
			job.links.push_back({h.exists && how < 15, link, h.relative});
		}
		job.stats_file = kMnt + "/" + link;
	} else {
		job.stats_file = kMnt + (how >= 80 ? "/./" : "/") + h.relative;
	}
}

// The jobs' files, at the size each needs so that fio never lays it out again (which would
// replace it): the largest end of any job's range over it, all clones included. Files of the same
// names in a second directory are outside files: no job uses them.
std::map<std::string, FileSpec> job_files(const std::vector<JobPlan> &plans)
{
	std::map<std::string, FileSpec> files;
	for (const JobPlan &p : plans) {
		const uint64_t end = round_up(p.offset + (p.clones - 1) * p.offset_increment + p.per_file + kFileSlack, 4 * KiB);
		for (const std::string &f : p.files) {
			FileSpec &used = files[under(used_dir(p), f)];
			used = {under(used_dir(p), f), std::max(used.size, end), FileRole::original};
			if (p.two_dirs && !files.count(under("d2", f)))
				files[under("d2", f)] = {under("d2", f), end, FileRole::outside};
		}
	}
	return files;
}

uint64_t total_bytes(const std::map<std::string, FileSpec> &files, const std::vector<FileSpec> &outside)
{
	uint64_t total = 0;
	for (const auto &[path, f] : files)
		total += f.size;
	for (const FileSpec &f : outside)
		total += f.size;
	return total;
}

// Halves the largest job's I/O until the case fits kCaseFileBudget: deterministic, so the same
// (seed, case) still gives the same case.
void fit_budget(std::vector<JobPlan> &plans, const std::vector<FileSpec> &outside)
{
	const auto bytes = [](const JobPlan &p) { return p.per_file * p.files.size() * (p.two_dirs ? 2 : 1); };
	while (total_bytes(job_files(plans), outside) > kCaseFileBudget) {
		auto largest = std::max_element(plans.begin(), plans.end(),
						[&](const JobPlan &a, const JobPlan &b) { return bytes(a) < bytes(b); });
		if (largest->per_file <= 512 * KiB)
			return; // cannot shrink further; the sizes are bounded anyway
		largest->per_file /= 2;
		if (largest->offset_increment > largest->per_file)
			largest->offset_increment = largest->per_file;
	}
}

Section job_section(const JobPlan &p)
{
	Section s{p.name, {}};
	s.options.emplace_back("directory", p.two_dirs ? kMnt + "/d1:" + kMnt + "/d2" : kMnt);
	std::string names;
	for (const std::string &f : p.files)
		names += (names.empty() ? "" : ":") + f;
	s.options.emplace_back("filename", names);
	s.options.emplace_back("size", size_text(p.per_file * p.files.size()));
	if (p.offset)
		s.options.emplace_back("offset", size_text(p.offset));
	if (p.clones > 1)
		s.options.emplace_back("numjobs", std::to_string(p.clones));
	if (p.offset_increment)
		s.options.emplace_back("offset_increment", size_text(p.offset_increment));
	s.options.insert(s.options.end(), p.geometry.begin(), p.geometry.end());
	s.options.insert(s.options.end(), p.engine.begin(), p.engine.end());
	if (!p.donorname.empty())
		s.options.emplace_back("donorname", p.donorname);
	if (!p.stats_file.empty())
		s.options.emplace_back("stats_file", p.stats_file);
	return s;
}

} // namespace

CaseSpec generate_case(uint64_t seed, uint64_t index)
{
	Dice d(seed, index);
	CaseSpec c;
	c.seed = seed;
	c.index = index;
	c.global.options = {{"ioengine", "external:${" + std::string(kEngineVar) + "}"},
			    {"stats_file", "${" + std::string(kStatsVar) + "}"},
			    {"runtime", "2"},
			    {"time_based", "0"}};

	std::vector<FileSpec> outside;
	std::vector<std::string> outside_names;
	const unsigned nr_outside = d.chance(40) ? 0 : static_cast<unsigned>(d.between(1, 2));
	for (unsigned i = 0; i < nr_outside; ++i) {
		outside.push_back(
			{"outside." + std::to_string(i), d.pick<uint64_t>({1 * MiB, 2 * MiB, 4 * MiB}), FileRole::outside});
		outside_names.push_back(outside.back().path);
	}

	std::vector<JobPlan> plans;
	const unsigned nr_jobs = static_cast<unsigned>(d.between(1, 4));
	for (unsigned j = 0; j < nr_jobs; ++j)
		plans.push_back(draw_job(d, j, plans));
	for (const JobPlan &p : plans)
		if (p.two_dirs)
			for (const std::string &f : p.files)
				outside_names.push_back(under("d2", f));
	for (JobPlan &p : plans)
		draw_donor(d, p, plans, outside_names);
	for (JobPlan &p : plans)
		draw_stats_file(d, p, plans);
	fit_budget(plans, outside);

	if (std::any_of(plans.begin(), plans.end(), [](const JobPlan &p) { return p.two_dirs; }))
		c.dirs = {"d1", "d2"};
	for (const auto &[path, f] : job_files(plans))
		c.files.push_back(f);
	c.files.insert(c.files.end(), outside.begin(), outside.end());
	for (const JobPlan &p : plans)
		c.links.insert(c.links.end(), p.links.begin(), p.links.end());
	for (const JobPlan &p : plans)
		c.jobs.push_back(job_section(p));
	return c;
}

} // namespace e4mext::jobfuzz
