// What e4mext-report keeps of one fio JSON document: per job, the effective options and the
// write direction's integer totals (the figures fio's text output is computed from).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace e4mext::report {

using FioOptions = std::map<std::string, std::string>;

struct WriteTotals {
	std::uint64_t io_bytes = 0;
	std::uint64_t total_ios = 0;
	std::uint64_t runtime_ms = 0;
};
using ReadTotals = WriteTotals; // the read direction's, the same three figures

// fio's completion-latency percentiles of the write direction (clat_ns.percentile), in
// nanoseconds: the time one move took. Absent when fio printed none (clat_percentiles=0, no I/O).
struct LatencyPercentiles {
	double p50_ns = 0;
	double p99_ns = 0;
	double p99_9_ns = 0;
};

struct FioJob {
	std::string jobname;
	std::string host;                             // client/server: the client's hostname (or "All clients"); "" for local runs
	int error = 0;                                // fio's per-job error (an errno); clones: the first non-zero one
	int clones = 1;                               // entries summed into this one (numjobs without group_reporting)
	FioOptions options;                           // "global options" overlaid with "job options"
	WriteTotals write;                            // clones: io_bytes and total_ios summed, runtime the max, as fio sums them
	std::optional<LatencyPercentiles> write_clat; // clones: each percentile the largest (a bound, not a merge)
	std::uint64_t read_io_bytes = 0;              // the read direction's bytes (verifiers read back); clones summed
	ReadTotals read;                              // the read direction (an in-use case's reading foreground); clones summed
	std::optional<LatencyPercentiles> read_clat;  // the read direction's completion latency, as write_clat
	std::uint64_t sync_ios = 0;                   // fsyncs (fsync=N); clones summed
	std::optional<LatencyPercentiles> sync_lat;   // the time of one fsync (sync.lat_ns), as write_clat
	std::uint64_t total_err = 0;                  // errors continue_on_error= let pass (fio prints it only then); clones summed
};

struct FioRun {
	std::string source; // the file it came from, for messages
	std::string fio_version;
	std::int64_t timestamp = 0;
	std::vector<FioJob> jobs;
	// What fio wrote before its JSON (trimmed; empty for pure JSON): its warnings and notes, such as
	// "fio: time_based requires a runtime/timeout setting" for a job it then runs otherwise.
	std::string preamble;
};

} // namespace e4mext::report
