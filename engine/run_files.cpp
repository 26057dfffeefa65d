#include "run_files.h"

#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

namespace e4mext {

namespace fs = std::filesystem;

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
	const fs::path absolute = fs::absolute(path, ec);
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
	for (const RunFile &file : run) {
		const FileIdentity file_id = identify(file.path);
		if (!donor_id.same_file(file_id))
			continue;
		const std::string which = donor_id.canonical == file_id.canonical
						  ? " is a file of job '" + file.job + "'"
						  : " is the same file as " + file.path +
							    " (a hard or symbolic link), a file of job '" + file.job + "'";
		return Error{EINVAL,
			     "donor " + donor + which + " in this run; a donor is reset before the moves, which would " +
				     "destroy that file's data, so e4mext refuses the job before touching any file: choose a " +
				     "donorname= that is none of the run's files"};
	}
	return {};
}

} // namespace e4mext
