// What the jobs of a case do to files, as a user reads the job file: which files they name, which
// files they name as donors, which donors may be left behind. The fuzzer's own reading, independent
// of the engine's code, so that the checks test the engine instead of repeating it.
#pragma once

#include "case_spec.h"

#include <set>
#include <string>
#include <vector>

namespace e4mext::jobfuzz {

struct JobView {
	std::string name;
	unsigned clones = 1;            // numjobs
	std::vector<std::string> dirs;  // directory=, split at ':', ${E4MEXT_FUZZ_MNT} expanded
	std::vector<std::string> files; // filename=, split at ':'
	std::string donorname;          // as written ("" for e4mext's default donors)
	bool keep_donor = false;
	bool unlink = false;
	bool donor_overwrite = false; // an existing file it did not create may serve as donor
	std::string stats_file;       // stats_file=, ${E4MEXT_FUZZ_MNT} expanded ("" when none)
	std::string stats_target;     // the file stats_file= names: "." steps folded, the case's links followed
	std::string donor_target;     // likewise for plain_donor_path() ("" when that is "")
	bool donor_is_link = false;   // plain_donor_path() is a symbolic link of the case
	unsigned first_thread = 1;    // fio's thread number of its first clone (all jobs, from 1)

	// The paths of the job's files. fio puts the files of filename= in the first directory of
	// directory= (fio 3.33, options.c: add_file(td, name, 0, 1)), and clones share them.
	std::vector<std::string> original_paths() const;
	// Every path donorname= can mean for any clone and file: $jobnum, $jobname and $filename
	// expanded; a relative name under each directory (and under the literal directory= string,
	// as a plain join would). More than the engine may use, never less.
	std::set<std::string> donor_paths() const;
	// True for e4mext's default donor names of this job's files: "<file>.e4mext-donor.<N>".
	bool is_default_donor(const std::string &path) const;
	// Exactly the default donors the engine makes for this job (none with donorname=):
	// "<file>.e4mext-donor.<thread number of the clone>".
	std::set<std::string> default_donor_paths() const;
	// The donor a donorname= without $ names: an absolute name, or a name relative to a single
	// directory=; "" otherwise.
	std::string plain_donor_path() const;
};

// The jobs of a case, with mnt for ${E4MEXT_FUZZ_MNT}.
std::vector<JobView> job_views(const CaseSpec &c, const std::string &mnt);

// Why the engine must refuse `job` before touching anything, read from the job file alone: its
// donorname= is a symbolic link of the case, or its stats_file= is (by name or through links of the
// case) an original or a donor of the run. "" when it need not.
std::string must_refuse(const JobView &job, const std::vector<JobView> &jobs);

// Replaces ${E4MEXT_FUZZ_MNT} as fio would.
std::string expand_mount(const std::string &value, const std::string &mnt);

inline constexpr const char *kDefaultDonorInfix = ".e4mext-donor.";

} // namespace e4mext::jobfuzz
