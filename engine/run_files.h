// The files of the whole fio run: every e4mext job's originals, donors and statistics file. A donor
// is reset before the moves and the statistics file is appended to after them, either of which
// destroys whatever the file held: so no job may use as donor an original or a statistics file of
// the run, nor as statistics file an original or a donor of the run. Checked before any of them is
// created, reset or opened for writing.
#pragma once

#include "engine_error.h"

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace e4mext {

// What a file is to the job that names it.
enum class RunFileRole { original, donor, stats };

// One file of one job of the run, as the job names it.
struct RunFile {
	std::string path;
	std::string job; // the job's name, for messages
	RunFileRole role = RunFileRole::original;
};

// Where a path points: its inode when it exists (following links), and its absolute, normalised
// path, which also matches a file that does not exist yet but will be created under that name.
struct FileIdentity {
	std::optional<std::pair<dev_t, ino_t>> inode;
	std::string canonical;
	bool same_file(const FileIdentity &other) const;
};

FileIdentity identify(const std::string &path);

// Refuses `donor` (EINVAL, saying why) when it may not be the donor of `original` in a run of these
// files: it is the original itself, or any original or statistics file of the run. (Jobs may share
// a donor: the run's donors are not refused.)
Status check_donor_not_in_run(const std::string &donor, const std::string &original, const std::vector<RunFile> &run);

// Refuses `stats_file` (EINVAL, saying why) when it is any original or donor of the run, under any
// name (a hard or symbolic link included). (Jobs may share a statistics file.)
Status check_stats_file_not_in_run(const std::string &stats_file, const std::vector<RunFile> &run);

} // namespace e4mext
