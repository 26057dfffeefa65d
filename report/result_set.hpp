// A labelled set of results (one PATH... argument list): every job of every fio JSON file found,
// classified into cases; the usable runs of each case summarised (median, spread, n).
#pragma once

#include "classify.hpp"
#include "engine_stats.hpp"
#include "fio_result.hpp"
#include "statistics.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace e4mext::report {

enum class RunStatus { ok, failed, no_writes };

struct Measurement {
    std::string source;
    std::string jobname;
    CaseKey key;
    RunStatus status = RunStatus::ok;
    int error = 0;
    int clones = 1;
    WriteTotals write;
    std::uint64_t iops = 0;     // fio's integer IOPS
    std::uint64_t bw_bytes = 0; // fio's integer bytes per second
    std::optional<EngineStats> engine_stats;
    std::string fio_version;
    std::int64_t timestamp = 0;
    FioOptions options;
};

std::string describe_status(const Measurement& m); // "ok", "error=5 (Input/output error)", "no writes"

struct EngineSummary {
    Summary extents_before, extents_after, partial_moves, retries;
    bool verify_failed = false;
};

struct CaseResult {
    CaseKey key;
    Summary iops;
    Summary bw;
    std::vector<const Measurement*> runs;
    std::optional<EngineSummary> engine; // when any run had a statistics side file

    std::uint64_t median_iops() const; // the figure tables print (median rounded to an integer)
    std::uint64_t median_bw() const;
};

struct ResultSet {
    std::string label;
    std::vector<std::filesystem::path> files;
    std::vector<Measurement> measurements; // every job found, usable or not

    std::vector<CaseResult> cases() const;                 // usable runs only, U before M, bs ascending
    std::vector<const Measurement*> excluded() const;      // failed jobs and jobs without writes
};

// Files named by inputs: files as given, directories searched recursively for *.json (sorted).
// Throws InputError for a missing or unreadable path or a directory without results.
std::vector<std::filesystem::path> find_result_files(const std::vector<std::string>& inputs);

// Measurements of one parsed run (plus its side file's figures, when given).
std::vector<Measurement> measurements_of(const FioRun& run, const std::optional<EngineStatsByJob>& engine_stats);

// Loads and classifies everything under inputs. Throws InputError.
ResultSet load_result_set(const std::vector<std::string>& inputs, std::string label);

// A set's default name: for a single directory input the first line of its file "label" if it
// has one (results/coverletter/wo/label says "w/o"), else its name; a file's stem; "results"
// for several inputs.
std::string default_label(const std::vector<std::string>& inputs);

std::vector<CaseKey> keys_of(const std::vector<CaseResult>& cases);

} // namespace e4mext::report
