// Classification of a fio job into a case of the cover letter's table: U (unwritten original,
// overwrite unset or 0), M (written original, overwrite=1) or F (written and fragmented, the job's
// description says layout=F), the write block size, and the
// dimensions that must never be merged silently: donor_mode, inplace, rw (seq/rand), engine, host.
#pragma once

#include "fio_result.hpp"

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace e4mext::report {

// The cover letter's U and M, and F: written in many small extents (the bench's fragmented layout,
// named in the job's description as "layout=F"; fio itself cannot tell F from M).
enum class ExtentState { unwritten, written, fragmented };

// "U", "M" or "F".
const char *extents_letter(ExtentState state);

struct CaseKey {
	ExtentState extents = ExtentState::unwritten;
	std::uint64_t block_size = 4096;
	std::string donor_mode = "unwritten";
	bool inplace = false;
	std::string access = "seq"; // "seq" or "rand"
	std::string engine;         // "e4defrag", "libe4mext", or another ioengine's name
	std::string host;           // client/server hostname, "" for local runs

	auto operator<=>(const CaseKey &) const = default; // U before M, then block size ascending
};

// Throws InputError naming source and the job when an option cannot be understood.
CaseKey classify(const FioJob &job, const std::string &source);

// fio's size syntax ("4k", "4096", "4KiB", "1m"); kb_base 1000 makes k/m/g decimal, as in fio.
// Throws std::invalid_argument.
std::uint64_t parse_fio_size(std::string_view text, bool decimal_kb_base);

// The write block size of bs=/blocksize= ("4k", "4k,32k" = read,write[,trim]).
std::uint64_t write_block_size(std::string_view bs_option, bool decimal_kb_base);

// fio's boolean option spelling: "1", "true", "on", "yes", or "" (a bare flag, fio 3.39+) are set.
bool fio_option_is_set(std::string_view value);

// "external:/x/libe4mext.so" -> "libe4mext"; built-in engine names unchanged; unset -> "psync".
std::string engine_label(std::string_view ioengine);

std::string format_block_size(std::uint64_t bytes); // 4096 -> "4k", 1048576 -> "1m", 512 -> "512"

// Which of the extra dimensions differ among a set of cases; those go into the labels.
struct VaryingDimensions {
	bool donor_mode = false;
	bool inplace = false;
	bool access = false;
	bool engine = false;
	bool host = false;
};
VaryingDimensions varying_dimensions(const std::vector<CaseKey> &keys);

// "U 4k", plus e.g. " donor=written", " inplace", " rand", " libe4mext", " @host" for the
// dimensions that vary.
std::string case_label(const CaseKey &key, const VaryingDimensions &varying);

// case_label without the block size: "U", "M donor=written inplace rand" (a chart's panel).
std::string group_label(const CaseKey &key, const VaryingDimensions &varying);

} // namespace e4mext::report
