// A set is the runs of one label: a results directory (scripts/bench's results/<label>/ with its
// metadata.txt, or a directory with a "label" file such as results/coverletter/wo) and every fio
// JSON file under it (fio's; case records beside them are read, not counted), grouped into cases by
// their factors; the usable runs of each case summarised (median,
// spread, n). Sets are never merged: the same case under two labels is two cases.
#pragma once

#include "case_record.hpp"
#include "classify.hpp"
#include "engine_stats.hpp"
#include "fio_result.hpp"
#include "statistics.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace e4mext::report {

enum class RunStatus { ok, failed, no_writes, unverified };

// An in-use case's foreground (jobs/foreground.fio, the job named "foreground" beside the moves):
// the latency an application saw and the rate it got. Its figure is the direction it did: a
// reader's read completion latency, a writer's write completion latency, an fsyncing writer's
// fsync latency.
struct ForegroundFigures {
	std::string kind; // "read", "write", "fsync"
	std::optional<LatencyPercentiles> latency;
	double iops = 0;      // achieved, unrounded
	double rate_iops = 0; // asked for (rate_iops=); 0 when not set
};
inline constexpr const char *foreground_job_name = "foreground";

struct Measurement {
	std::string source;
	std::string jobname;
	CaseFactors key;                    // the case record's factors, or those classified from fio's options
	std::optional<CaseFactors> fio_key; // classified from fio's options (none when they do not classify)
	std::string case_id;                // the case record's id ("coverletter/U-4k"); "" without a record
	RunStatus status = RunStatus::ok;
	int error = 0;
	int clones = 1;
	WriteTotals write;
	double iops = 0;                        // unrounded: 1000 * total_ios / runtime_ms (fio prints it truncated)
	double bw_bytes = 0;                    // unrounded bytes per second, likewise
	std::optional<LatencyPercentiles> clat; // the time one move took, fio's percentiles
	std::uint64_t window_ms = 0;            // the time window asked for (runtime=); 0: none
	std::optional<EngineStats> engine_stats;
	std::optional<ForegroundFigures> foreground;       // the foreground beside the moves
	std::optional<ForegroundFigures> foreground_alone; // the same job without them (run-N.alone.json)
	std::string problem;                               // unverified: what is wrong
	std::string fio_version;
	std::int64_t timestamp = 0;
	FioOptions options;
};

std::string describe_status(const Measurement &m); // "ok", "error=5 (Input/output error)", "no writes"

// A run that stopped before its time window (runtime=, without time_based: the file ran out)
// measured fewer moves than the window was meant to hold.
bool ended_before_window(const Measurement &m);

// Fewer moves than this in a run makes its rate thin evidence: the rate's own error is about
// CV/sqrt(moves), and a move's time spreads about as wide as its mean (CV near 1: p99 is many
// times p50), so 400 moves keep it near 5%, the default threshold of compare and the gate.
inline constexpr std::uint64_t fewest_moves_per_run = 400;

// fio's runtime= in milliseconds ("3s", "30", "500ms", "2m"; bare numbers are seconds); 0 when
// empty or not understood.
std::uint64_t parse_fio_time_ms(std::string_view text);

struct EngineSummary {
	Summary extents_before, extents_after, partial_moves, retries;
	bool verify_failed = false;
};

enum class Metric { iops, bw }; // fio's IOPS, or bandwidth in bytes per second

// Per case, the medians over its runs of each run's completion-latency percentile.
struct LatencySummary {
	Summary p50_ns, p99_ns, p99_9_ns;
};

// Per case, the foreground over its runs: with the defragmenter, alone, and the p99 cost as the
// ratio of the two within each run (loaded / alone), measured side by side.
struct ForegroundSummary {
	std::string kind;
	std::optional<LatencySummary> loaded, alone; // when every run has the percentiles
	Summary iops, alone_iops;                    // achieved rates
	double rate_iops = 0;                        // asked for (the first run's)
	Summary p99_ratio;                           // per run: loaded p99 / alone p99
};

enum class Latency { p50, p99, p99_9 };
const char *latency_name(Latency which); // "p50", "p99", "p99.9"

struct CaseResult {
	CaseFactors key;
	Summary iops; // unrounded rates of the runs
	Summary bw;
	Summary moves;                         // total_ios of each run
	std::size_t runs_ended_early = 0;      // runs that stopped before their time window
	std::optional<LatencySummary> latency; // when every run has fio's percentiles
	std::vector<const Measurement *> runs;
	std::optional<EngineSummary> engine;         // when any run had a statistics side file
	std::optional<ForegroundSummary> foreground; // when every run had a foreground

	std::string case_id() const;       // the bench's case id of its runs; "" without case records
	std::uint64_t median_iops() const; // the figure tables print: the median truncated, as fio truncates
	std::uint64_t median_bw() const;
	bool thin() const { return moves.n > 0 && moves.min < static_cast<double>(fewest_moves_per_run); }
	bool thin_evidence() const { return thin() || runs_ended_early > 0; } // what every output flags
	const Summary &latency_of(Latency which) const;
	std::uint64_t median(Metric metric) const { return metric == Metric::iops ? median_iops() : median_bw(); }
	const Summary &summary(Metric metric) const { return metric == Metric::iops ? iops : bw; }
};

// What makes a case's figure thin evidence, as every output flags it: "THIN (< 400 moves in a
// run)", "1 run ENDED BEFORE THE WINDOW", both joined by "; ", or "" when neither.
std::string evidence_flags(const CaseResult &c);

// metadata.txt's "key: value" lines, in file order (kernel, fio, e4mext, cpu, date, load...).
using SetMetadata = std::vector<std::pair<std::string, std::string>>;

struct ResultSet {
	std::string label;
	std::filesystem::path root; // the set's directory (or file); empty for an explicit file list
	SetMetadata metadata;       // empty when the set has no metadata.txt
	std::vector<std::filesystem::path> files;
	std::vector<Measurement> measurements; // every job found, usable or not

	std::vector<CaseResult> cases() const;             // usable runs only, U before M, bs ascending
	std::vector<const Measurement *> excluded() const; // failed jobs and jobs without writes

	// A metadata value ("kernel", "fio", ...); "" when not recorded.
	std::string metadata_value(std::string_view key) const;
	// What the set ran on, for titles and pages: metadata.txt's value, else what the fio files say
	// (fio's version), else "not recorded".
	std::string kernel() const;
	std::string fio_version() const;
	std::string e4mext_version() const;
	// "load average 0.72 at start, 1.27 at end, 2 CPUs" (1-minute averages and metadata.txt's cpu
	// count); "" when metadata.txt does not record the load.
	std::string load_summary() const;
};

// Files named by inputs: files as given, directories searched recursively for *.json (sorted).
// Throws InputError for a missing or unreadable path or a directory without results.
std::vector<std::filesystem::path> find_result_files(const std::vector<std::string> &inputs);

// Measurements of one parsed run (plus its side file's figures, when given). A case record (the
// bench's) gives every job its factors; without one each job is classified from its options.
// A foreground job (foreground_job_name) is not a measurement of its own: its figures go with the
// other jobs of the run, with alone's (the run without the defragmenter) beside them. A foreground
// that wrote with fio's verify= must have a verify pass (verify_pass, and alone_verify_pass for
// alone) that read back every write without error, or its runs are unverified, never figures.
struct BesideRun {
	std::optional<FioRun> alone, verify_pass, alone_verify_pass;
};
std::vector<Measurement> measurements_of(const FioRun &run, const std::optional<EngineStatsByJob> &engine_stats,
					 const std::optional<CaseRecord> &record = std::nullopt, const BesideRun &beside = {});
// The alone run and the verify passes beside a fio JSON file, as far as they exist.
BesideRun load_beside_run(const std::filesystem::path &fio_json);

// Sets to be compared where some runs have case records and others do not (results made before
// the bench wrote records): every run is keyed by fio's options then, so that a case found in
// both sets is one row. Returns a note saying so ("" when every run has a record, or none has);
// throws InputError when fio's options cannot tell apart two cases that records separate in one
// set (warm and cold, or two sizes): comparing those would pool different cases.
std::string key_alike(const std::vector<ResultSet *> &sets);

// Loads and classifies every file under inputs as one set named label. Throws InputError.
ResultSet load_result_set(const std::vector<std::string> &inputs, std::string label);

// Where the sets of PATHs are. A set's root is the nearest directory, at or above a result file,
// that holds metadata.txt or a file named "label"; a PATH inside such a directory belongs to it
// whole. Result files with no such directory above them form one set per PATH (the PATH's own).
// Sets are in the order their PATHs were given (within a PATH, sorted by root); a file reached
// twice is read once.
struct SetLocation {
	std::filesystem::path root;
	std::string label;
	std::vector<std::filesystem::path> files;
};
std::vector<SetLocation> locate_sets(const std::vector<std::string> &inputs);

// Loads every set of inputs (locate_sets), with its metadata.txt. Labels that would repeat get
// their root appended. Throws InputError.
std::vector<ResultSet> load_result_sets(const std::vector<std::string> &inputs);

// A set's name: metadata.txt's "label:", else the first line of its "label" file
// (results/coverletter/wo/label says "w/o"), else the directory's name or the file's stem.
std::string label_of_root(const std::filesystem::path &root);

// "key: value" lines of metadata.txt (lines without ": " are skipped). Throws InputError.
SetMetadata parse_metadata(const std::string &text);

std::vector<CaseFactors> keys_of(const std::vector<CaseResult> &cases);

} // namespace e4mext::report
