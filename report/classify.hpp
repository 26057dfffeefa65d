// Classification of a fio job into a case of the cover letter's table: U (unwritten original,
// overwrite unset or 0), M (written original, overwrite=1) or F (written and fragmented, the job's
// description says layout=F), the write block size, and the
// dimensions that must never be merged silently: donor_mode, inplace, rw (seq/rand), engine, host.
#pragma once

#include "fio_result.hpp"

#include <compare>
#include <cstdint>
#include <set>
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

// One factor of a case and its value. A run the bench made carries its factors in a case record
// beside its fio JSON (jobs/cases.json's factors: layout, bs, cache, size, ...); any other fio JSON
// gets them from its options (factors_of: extents, block_size, donor_mode, inplace, access, engine,
// host). The report groups, orders, labels and charts by these alone.
struct CaseFactor {
	enum class Kind { text, number, boolean }; // how JSON output writes the value

	std::string name;          // "layout", "bs", "cache"
	std::string value;         // "U", "4k", "warm": what CSV and JSON output hold
	std::string label;         // what case labels show: "U", "4k", "donor=written", "rand"
	std::int64_t rank = 0;     // orders the values before their text (declared position, bytes)
	bool always_shown = false; // in every label, not only when the factor varies
	bool axis = false;         // the charts' x axis (one panel per value of the other factors)
	Kind kind = Kind::text;

	bool operator==(const CaseFactor &other) const { return name == other.name && rank == other.rank && value == other.value; }
	std::strong_ordering operator<=>(const CaseFactor &other) const
	{
		if (const auto c = name <=> other.name; c != 0)
			return c;
		if (const auto c = rank <=> other.rank; c != 0)
			return c;
		return value <=> other.value;
	}
};

// A case: its factors in their declared order. Runs with equal factors are one case.
struct CaseFactors {
	std::vector<CaseFactor> factors;

	const CaseFactor *find(std::string_view name) const;
	const CaseFactor *axis() const;   // the x-axis factor, or nullptr
	CaseFactors without_axis() const; // a chart's panel
	bool operator==(const CaseFactors &) const = default;
	auto operator<=>(const CaseFactors &) const = default;
};

// The factors of a case classified from fio's options, with the labels "U", "4k", "donor=written",
// "inplace"/"copy", "seq"/"rand", the engine, "@host"/"@local" (extents and block size always shown).
CaseFactors factors_of(const CaseKey &key);

// The factors whose values differ among a set of cases (or that some cases lack); those go into the
// labels beside the factors always shown.
struct VaryingDimensions {
	std::set<std::string, std::less<>> factors;
	bool has(std::string_view name) const { return factors.find(name) != factors.end(); }
};
VaryingDimensions varying_dimensions(const std::vector<CaseFactors> &keys);
VaryingDimensions varying_dimensions(const std::vector<CaseKey> &keys);

// The labels of the factors always shown and of those that vary: "U 4k", "M 128k donor=written
// inplace rand libe4mext @h1", "U 4k warm".
std::string case_label(const CaseFactors &key, const VaryingDimensions &varying);
std::string case_label(const CaseKey &key, const VaryingDimensions &varying);

// case_label without the x-axis factor: "U", "M donor=written inplace rand" (a chart's panel).
std::string group_label(const CaseFactors &key, const VaryingDimensions &varying);

} // namespace e4mext::report
