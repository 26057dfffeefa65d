// The originals of the whole fio run. A donor is reset before the moves, which destroys whatever
// it held: so no job may use as donor a file that any e4mext job of the run (itself included)
// moves. Checked for every donor before any donor is created, reset or opened for writing.
#pragma once

#include "engine_error.h"

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace e4mext {

// One file of one job of the run, as fio names it.
struct RunFile {
	std::string path;
	std::string job; // the job's name, for messages
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
// files: it is the original itself or any file of the run.
Status check_donor_not_in_run(const std::string &donor, const std::string &original, const std::vector<RunFile> &run);

} // namespace e4mext
