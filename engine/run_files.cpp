#include "run_files.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <initializer_list>
#include <system_error>

namespace e4mext {

namespace fs = std::filesystem;

namespace {

const char *role_name(RunFileRole role)
{
	switch (role) {
	case RunFileRole::donor: return "the donor";
	case RunFileRole::stats: return "the statistics file (stats_file=)";
	default: return "a file";
	}
}

// The first file of `run` with one of `roles` that is the same file as `id`, or null.
const RunFile *find_same(const FileIdentity &id, const std::vector<RunFile> &run, std::initializer_list<RunFileRole> roles,
			 FileIdentity &found_id)
{
	for (const RunFile &file : run) {
		if (std::find(roles.begin(), roles.end(), file.role) == roles.end())
			continue;
		found_id = identify(file.path);
		if (id.same_file(found_id))
			return &file;
	}
	return nullptr;
}

// "is the donor of job 'a'", or "is the same file as X (a hard link), the donor of job 'a'".
std::string what_it_is(const std::string &given, const FileIdentity &id, const RunFile &file, const FileIdentity &file_id)
{
	const std::string of_job = std::string(role_name(file.role)) + " of job '" + file.job + "'";
	struct stat st;
	const bool symlink = ::lstat(given.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
	if (!symlink && id.canonical == file_id.canonical)
		return " is " + of_job;
	return " is the same file as " + file.path + " (" + (symlink ? "a symbolic link" : "a hard link") + "), " + of_job;
}

} // namespace

bool FileIdentity::same_file(const FileIdentity &other) const
{
	return (inode && inode == other.inode) || canonical == other.canonical;
}

FileIdentity identify(const std::string &path)
{
	FileIdentity id;
	struct stat st;
	if (::stat(path.c_str(), &st) == 0)
		id.inode = std::make_pair(st.st_dev, st.st_ino);
	std::error_code ec;
	fs::path absolute = fs::absolute(path, ec);
	// A dangling symbolic link names the file an open(O_CREAT) through it makes: follow it, as the
	// kernel does (at most 40 links), so that a link to a donor not made yet is that donor.
	for (int links = 0; links < 40 && fs::is_symlink(fs::symlink_status(absolute, ec)); ++links) {
		const fs::path target = fs::read_symlink(absolute, ec);
		if (ec)
			break;
		absolute = target.is_absolute() ? target : absolute.parent_path() / target;
	}
	const fs::path canonical = fs::weakly_canonical(absolute, ec);
	id.canonical = (ec ? absolute.lexically_normal() : canonical).string();
	return id;
}

Status check_donor_not_in_run(const std::string &donor, const std::string &original, const std::vector<RunFile> &run)
{
	const FileIdentity donor_id = identify(donor);
	const FileIdentity original_id = identify(original);
	if (donor_id.same_file(original_id))
		return Error{EINVAL, "donor " + donor + " is the original " + original + " itself (" +
					     (donor_id.inode ? "inode " + std::to_string(donor_id.inode->second) + ": " : "") +
					     "the same name or a hard link); choose another donorname="};
	FileIdentity file_id;
	const RunFile *file = find_same(donor_id, run, {RunFileRole::original, RunFileRole::stats}, file_id);
	if (!file)
		return {};
	return Error{EINVAL, "donor " + donor + what_it_is(donor, donor_id, *file, file_id) +
				     " in this run; a donor is reset before the moves, which would destroy that file's data, so "
				     "e4mext refuses the job before touching any file: choose a donorname= that is none of the "
				     "run's files"};
}

Status check_stats_file_not_in_run(const std::string &stats_file, const std::vector<RunFile> &run)
{
	const FileIdentity stats_id = identify(stats_file);
	FileIdentity file_id;
	const RunFile *file = find_same(stats_id, run, {RunFileRole::original, RunFileRole::donor}, file_id);
	if (!file)
		return {};
	return Error{EINVAL, "stats_file=" + stats_file + what_it_is(stats_file, stats_id, *file, file_id) +
				     " in this run; appending statistics to it would change that file's data, so e4mext "
				     "refuses the job before opening any file: name a stats_file= that is none of the run's "
				     "originals and donors (e.g. beside fio's --output)"};
}

} // namespace e4mext
