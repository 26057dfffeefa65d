// The checks e4mext makes before it issues any EXT4_IOC_MOVE_EXT: what the kernel would refuse
// (or, on some kernels, crash on) never reaches it. Pure functions of FileFacts.
#pragma once

#include "engine_error.h"
#include "file_facts.h"

#include <string>
#include <vector>

namespace e4mext {

// Every problem found, each an Error with the errno the kernel would have returned and a message
// naming the file, the reason and what to do (the caller refuses with the first).

// Problems with the file whose extents are moved.
std::vector<Error> check_original(const FileFacts &orig);

// Problems with the donor, given the original it will receive extents from.
std::vector<Error> check_donor(const FileFacts &orig, const FileFacts &donor);

// The descriptor the moves go through (fio's, not one e4mext opened) must be open for reading and
// writing (access_mode: its F_GETFL & O_ACCMODE, or -1 when unknown): the kernel answers EBADF.
Status check_original_access(const std::string &path, int access_mode);

// "a directory", "a symbolic link", "a block device node", ...: what a non-regular file is.
std::string file_kind(mode_t mode);

// What to do about a failed read-write open of `path` (errnum), read off the file where that tells
// more than the errno (an immutable or append-only inode answers EPERM). `otherwise` ends the advice.
std::string write_open_advice(const std::string &path, int errnum, const std::string &otherwise);

} // namespace e4mext
