// The bench's runs on one target: for each round, every case once (rounds spread a shared
// machine's drift over all cases alike), each on a fresh filesystem: the original laid out by a
// psync job, the page cache set, then the case's job (jobs/defrag.fio filled in) under fio with
// JSON output. Every run leaves runs/<case>/run-N.{fio,json,case.json,log,layout.fio,stats.jsonl},
// and with --profile run-N.{perf.folded,offcpu.folded,perf.txt,flame.svg} (and run-N.alone.* of
// the load alone, recorded alike). run-N.case.json is the run's case
// record (its factors, set, group, kernel, accelerator), what the report groups the runs by.
#pragma once

#include "bench_target.h"
#include "case_model.h"
#include "fio_result.hpp"

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace e4mext::runner {

struct BenchSettings {
	std::vector<BenchCase> cases;
	unsigned rounds = 3;                // runs per case
	unsigned first_run = 1;             // the number of the first round's files (run-N)
	unsigned last_run = 0;              // the number of the last round of the whole bench (0: first_run + rounds - 1)
	std::string size;                   // the cases' sizes in words, for the metadata ("512m")
	uint64_t size_bytes = 512ull << 20; // the largest case's original
	std::string runtime = "3s";         // fio's runtime=; "0" (no limit) with fixed work
	// Fixed work per run instead of the time window (--moves, --io-size): fio's io_size= (it wraps
	// around the file, so a fast kernel is not cut short by the file's end) and number_ios=.
	uint64_t moves = 0;      // moves per run (io_size = moves x the case's bs); 0: none
	uint64_t io_size = 0;    // bytes per run; 0: none
	std::string set;         // the set's name, for the case records
	std::string kernel;      // the kernel the runs run on
	std::string accelerator; // "tcg", "kvm" in a VM; "" on the host
	std::string engine;      // absolute path of libe4mext.so
	std::string template_text;
	std::string template_source;
	// fio servers (host[:port]), every one at once through one fio client; none: here.
	std::vector<std::string> hosts;
	bool profile = false; // perf record around each run (perf_record.h)
	// One fio run's limit (layout or case): a fio server that accepts and never answers, or a hung
	// fio, fails the run instead of hanging the bench.
	std::chrono::seconds fio_timeout{600};
	// Test only (bench --test-lose-write): before each verify pass of a second job's writes, one
	// block it wrote is overwritten with zeros by a fio job, so the pass must fail the run.
	bool lose_write_before_verify = false;
	// Where a run that did not finish is set aside (unfinished_runs.h): <set>/unfinished[/<host>].
	std::string unfinished_dir;
};

struct BenchProgress {
	unsigned done = 0;
	unsigned total = 0;
};

class BenchRunner {
public:
	BenchRunner(BenchSettings settings, BenchTarget &target, std::string runs_dir, std::ostream &progress);
	// Runs every round; throws std::runtime_error (fio failed; the log's tail), Interrupted. A run
	// that does not finish is set aside in settings.unfinished_dir first.
	void run_all();
	const BenchProgress &progress() const { return progress_; }
	// The cache policy in words, for the metadata.
	std::string cache_policy() const;

private:
	void run_one(const BenchCase &c, unsigned run);
	// --hosts: the case on every fio server at once (one fio client, a --client and job file per
	// server), fio's one output cut per server into runs/<host>/<case>/run-N.json.
	void run_on_hosts(const BenchCase &c, unsigned run);
	// fio with every server's job file base + job, its log base + log, and with `json` each
	// server's part of the output as base.json.
	void run_on_servers(const std::vector<std::string> &bases, const std::string &job, const std::string &log, bool json,
			    const std::string &what);
	// One fio run of the case on a fresh layout, as base.{fio,json,log,...}: the case's job (with
	// its second job beside it), or with alone the second job only (the load without defragmenter).
	// alone_window_ms: the load alone's time limit when fixed work gives none (0: the settings').
	void run_variant(const BenchCase &c, unsigned run, const std::string &base, bool alone, std::uint64_t alone_window_ms = 0);
	// A line saying so when the moves beside a load ended before the time window (the file ended).
	void say_if_moves_ended_early(const std::string &fio_json, const std::string &what);
	// fio's verify pass over the second job's writes of the run that wrote base.json.
	void verify_second_job(const BenchCase &c, const std::string &base, const std::string &what);
	std::string case_record(const BenchCase &c, const std::string &host = "") const;
	void run_fio(const std::vector<std::string> &args, const std::string &log, const std::string &what);
	std::string eta() const;

	BenchSettings settings_;
	BenchTarget &target_;
	std::string runs_dir_;
	std::ostream &out_;
	BenchProgress progress_;
	std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
	double seconds_written_ = 0, seconds_unwritten_ = 0;
	unsigned runs_written_ = 0, runs_unwritten_ = 0;
};

// A --hosts entry's directory under runs/: host:port as host_port.
std::string host_directory(const std::string &host);

// The job that lays a case's original out in `dir` before its run (and reads it into the page
// cache for a warm case). A job file, not options: fio servers only take job files.
std::string layout_job(const BenchCase &c, const std::string &dir);

// The case's job: jobs/defrag.fio filled in with the case's variables and the bench's DIR,
// FILENAME, RUNTIME and ENGINE, then the case's fio options; with RUN (results/.../run-N), the
// engine's stats_file=RUN.stats.jsonl and fio's per-second logs RUN_{iops,bw,lat,clat,slat}.1.log.
// A case with a second job (the load factor's foreground) has it first, so that it is fio's job 0
// in this run, alone and in the verify pass alike (fio names its verify state by job index); it
// runs until the moves stop (fio's exitall), whether the window, the file or fixed work ends them.
std::string case_job(const BenchCase &c, const BenchSettings &settings, const std::string &dir, const std::string &run);

// The second job alone (the baseline: the load without the defragmenter), filled in likewise;
// window_ms > 0 replaces its time limit (fixed work: the window the moves took beside it).
std::string second_job(const BenchCase &c, const BenchSettings &settings, const std::string &dir, std::uint64_t window_ms = 0);

// How long the foreground of a run ran (its read or write direction's runtime); 0 without one.
std::uint64_t foreground_window_ms(const report::FioRun &run);

// fio's verify pass over the second job's writes: the same job with verify_only=1 and the state
// fio saved in aux_dir (the writes it completed), read with O_DIRECT after the run.
std::string second_job_verify_pass(const BenchCase &c, const BenchSettings &settings, const std::string &dir);

} // namespace e4mext::runner
