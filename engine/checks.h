// The checks e4mext makes before it issues any EXT4_IOC_MOVE_EXT: what the kernel would refuse
// (or, on some kernels, crash on) never reaches it. Pure functions of FileFacts.
#pragma once

#include "file_facts.h"

#include <string>
#include <vector>

namespace e4mext {

struct Problem {
	int errnum;          // what the kernel would have returned
	std::string message; // names the file, the reason and what to do
};

// Problems with the file whose extents are moved.
std::vector<Problem> check_original(const FileFacts &orig);

// Problems with the donor, given the original it will receive extents from.
std::vector<Problem> check_donor(const FileFacts &orig, const FileFacts &donor);

} // namespace e4mext
