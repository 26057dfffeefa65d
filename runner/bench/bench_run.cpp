#include "bench_run.h"

#include "cleanup_registry.h"
#include "file_text.h"
#include "job_template.h"
#include "perf_record.h"
#include "process.h"
#include "results_files.h"
#include "runner_errors.h"

#include "fio_parse.hpp"
#include "input_error.hpp"
#include "sizes.h"
#include "time_text.h"
#include "unfinished_runs.h"

#include "case_record.hpp"
#include "result_set.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace e4mext::runner {

namespace fs = std::filesystem;

namespace {

constexpr const char *kOriginal = "e4mext-bench.orig";
constexpr const char *kFiller = "e4mext-bench.filler";

// F: the original written 64k at a time into the holes of a filler file, with the rest of the
// filesystem plugged, so ext4 has no contiguous free space to give it: one extent per 64k. Then
// the plug and the filler are removed, leaving the free space the donor needs. Done here, not by
// fio: fio cannot punch holes into a file (hence F is refused with --hosts).
void lay_out_fragmented(const std::string &dir, uint64_t size)
{
	constexpr uint64_t chunk = 64 << 10;
	const std::string filler = dir + "/" + kFiller, plug = dir + "/e4mext-bench.plug", original = dir + "/" + kOriginal;
	auto fail = [](const std::string &what) {
		throw std::runtime_error("laying out the F original: " + what + ": " + std::strerror(errno));
	};
	{
		UniqueFd fd(::open(filler.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
		if (!fd || ::fallocate(fd.get(), 0, 0, off_t(2 * size)) != 0)
			fail("filler " + filler);
		// The plug: every free block, taken in halving steps until ext4 has none left, then 1 MiB
		// given back for the original's extent tree.
		UniqueFd plug_fd(::open(plug.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
		if (!plug_fd)
			fail("plug " + plug);
		uint64_t plugged = 0;
		for (uint64_t step = 64 << 20; step >= chunk;)
			if (::fallocate(plug_fd.get(), 0, off_t(plugged), off_t(step)) == 0)
				plugged += step;
			else if (errno == ENOSPC)
				step /= 2;
			else
				fail("plug " + plug);
		if (plugged > (1 << 20) && ::fallocate(plug_fd.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
						       off_t(plugged - (1 << 20)), 1 << 20) != 0)
			fail("plug " + plug);
		for (uint64_t off = 0; off < 2 * size; off += 2 * chunk)
			if (::fallocate(fd.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off_t(off), off_t(chunk)) != 0)
				fail("punching the filler");
	}
	UniqueFd fd(::open(original.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT | O_CLOEXEC, 0644));
	if (!fd)
		fail("original " + original);
	void *buffer = nullptr;
	if (::posix_memalign(&buffer, 4096, chunk) != 0)
		throw std::bad_alloc();
	std::unique_ptr<void, decltype(&std::free)> owned(buffer, &std::free);
	uint64_t state = 0x9e3779b97f4a7c15ull; // data, not zeros: written extents that hold something
	for (uint64_t off = 0; off < size; off += chunk) {
		for (size_t i = 0; i < chunk / 8; ++i)
			static_cast<uint64_t *>(buffer)[i] = (state = state * 6364136223846793005ull + 1442695040888963407ull);
		if (::pwrite(fd.get(), buffer, chunk, off_t(off)) != ssize_t(chunk))
			fail("writing the original");
	}
	if (::fsync(fd.get()) != 0)
		fail("fsync of the original");
	::unlink(plug.c_str());
	::unlink(filler.c_str());
	::sync();
}

// What a failed fio run's log says: fio's own error lines ("fio: io_u error on file ...", which
// come before its statistics and would fall out of the log's tail), then the tail.
std::string fio_failure_excerpt(const std::string &log_text)
{
	const std::string tail = last_lines(log_text, 12);
	std::string errors;
	size_t lines = 0;
	std::istringstream in(log_text.substr(0, log_text.size() - tail.size()));
	for (std::string line; std::getline(in, line) && lines < 4;)
		if (line.rfind("fio: ", 0) == 0) {
			errors += line + "\n";
			++lines;
		}
	return errors + tail;
}

std::string hosts_text(const std::vector<std::string> &hosts)
{
	std::string text;
	for (const std::string &h : hosts)
		text += (text.empty() ? "" : ",") + h;
	return text;
}

// fio's --client names a server as host,port; --hosts takes host:port (one colon: not IPv6).
std::string fio_client(std::string host)
{
	if (const size_t colon = host.rfind(':'); colon != std::string::npos && host.find(':') == colon)
		host[colon] = ',';
	return host;
}

// The name and port fio's output gives a server of --hosts: host[:port], port 8765 by default.
std::pair<std::string, std::int64_t> host_and_port(const std::string &host)
{
	if (const size_t colon = host.rfind(':'); colon != std::string::npos && host.find(':') == colon)
		return {host.substr(0, colon), std::stoll(host.substr(colon + 1))};
	return {host, 8765};
}

void drop_caches()
{
	::sync();
	std::ofstream("/proc/sys/vm/drop_caches") << "3\n";
}

} // namespace

BenchRunner::BenchRunner(BenchSettings settings, BenchTarget &target, std::string runs_dir, std::ostream &progress)
	: settings_(std::move(settings)), target_(target), runs_dir_(std::move(runs_dir)), out_(progress)
{
	progress_.total = unsigned(settings_.cases.size()) * settings_.rounds;
}

std::string BenchRunner::cache_policy() const
{
	const std::string drop = !settings_.hosts.empty()    ? "caches NOT dropped (remote hosts)"
				 : target_.can_drop_caches() ? "sync + drop_caches (echo 3) before each run"
							     : "caches NOT dropped (not root)";
	const std::string cold = "cold: written originals written with O_DIRECT; " + drop + "; fio invalidate=1";
	const std::string warm = "warm: original read into the page cache after layout; fio invalidate=0";
	std::set<std::string> used;
	for (const BenchCase &c : settings_.cases)
		used.insert(c.step("cache"));
	if (used.size() == 1)
		return *used.begin() == "warm" ? warm : cold;
	return "per case (the cache factor); " + cold + "; " + warm;
}

// The original's layout before the run: U fallocated (unwritten), M written sequentially with
// O_DIRECT, F written 64k at a time alternating with a filler file (then removed), so it is made of
// many small extents.
std::string layout_job(const BenchCase &c, const std::string &dir)
{
	const std::string original = c.step("original");
	std::ostringstream job;
	job << "; written by e4mext bench: the original's layout before the run (" << original << ")\n"
	    << "[global]\ndirectory=" << dir << "\nfilesize=" << c.step("size")
	    << "\nunique_filename=0\noverwrite=0\nioengine=psync\n";
	if (original == "unwritten")
		job << "[layout-unwritten]\nfilename=" << kOriginal << "\nrw=write\ncreate_only=1\nfallocate=native\n";
	else if (original == "written")
		job << "[layout-written]\nfilename=" << kOriginal << "\nrw=write\nbs=1m\ndirect=1\nfallocate=none\nend_fsync=1\n";
	else
		job << "; F: laid out by e4mext bench itself (runner/bench/bench_run.cpp, lay_out_fragmented): written 64k at\n"
		    << "; a time into the punched holes of a filler file with the rest of the filesystem plugged\n";
	if (c.step("cache") == "warm")
		job << "[warm-cache]\n"
		    << (original == "fragmented" ? "" : "stonewall\n") << "filename=" << kOriginal
		    << "\nrw=read\nbs=1m\ninvalidate=0\n";
	return job.str();
}

namespace {

std::map<std::string, std::string> bench_values(const BenchSettings &settings, const std::string &dir)
{
	return {{"DIR", dir}, {"FILENAME", kOriginal}, {"RUNTIME", settings.runtime}, {"ENGINE", "external:" + settings.engine}};
}

std::string expanded_second_job(const BenchCase &c, const BenchSettings &settings, const std::string &dir)
{
	std::map<std::string, std::string> values = bench_values(settings, dir);
	for (const auto &[name, value] : c.variables)
		values[name] = value;
	return expand_template(c.second_job_text, values, c.second_job_source);
}

} // namespace

std::string case_job(const BenchCase &c, const BenchSettings &settings, const std::string &dir, const std::string &run)
{
	std::string job = case_job_text(c, settings.template_text, settings.template_source, bench_values(settings, dir));
	if (settings.moves > 0) {
		const auto bs = c.variables.find("BS");
		if (bs == c.variables.end())
			throw UsageError("--moves counts moves of the case's block size, and case " + c.id +
					 " has no bs factor (variable BS): give --io-size instead");
		job += "; added by e4mext bench: fixed work (--moves), no time limit; fio wraps around the file\nio_size=" +
		       std::to_string(settings.moves * parse_size(bs->second, "case " + c.id + "'s bs")) +
		       "\nnumber_ios=" + std::to_string(settings.moves) + "\n";
	} else if (settings.io_size > 0) {
		job += "; added by e4mext bench: fixed work (--io-size), no time limit; fio wraps around the file\nio_size=" +
		       std::to_string(settings.io_size) + "\n";
	}
	if (!run.empty()) {
		// Beside the run: the engine's statistics, and fio's per-second logs for fio's own tools
		// (fio2gnuplot, fio_generate_plots): RUN_iops.1.log, RUN_bw.1.log, RUN_lat.1.log,
		// RUN_clat.1.log, RUN_slat.1.log.
		job += "; added by e4mext bench\nstats_file=" + run + ".stats.jsonl\nwrite_iops_log=" + run +
		       "\nwrite_bw_log=" + run + "\nwrite_lat_log=" + run + "\nlog_avg_msec=1000\n";
	}
	if (c.has_second_job())
		job = "; " + c.second_job_source + " (the case's second job), then " + settings.template_source + "\n" +
		      expanded_second_job(c, settings, dir) +
		      "; added by e4mext bench: beside the moves the foreground runs as long as fio may run at all\n"
		      "; (--fio-timeout): the moves' end ends it (exitall, below), so its figures cover the moves' whole\n"
		      "; window and nothing after (runtime=0 would make fio drop time_based, with a warning in the JSON)\n"
		      "runtime=" +
		      std::to_string(settings.fio_timeout.count()) + "s\n" + job +
		      "; added by e4mext bench: when the moves stop, the foreground stops\nexitall\n";
	return job;
}

std::string second_job(const BenchCase &c, const BenchSettings &settings, const std::string &dir, std::uint64_t window_ms)
{
	std::string job =
		"; " + c.second_job_source + " alone: the load without the defragmenter\n" + expanded_second_job(c, settings, dir);
	if (window_ms > 0)
		job += "; added by e4mext bench: the window of the moves beside it (fixed work has no time limit)\nruntime=" +
		       std::to_string(window_ms) + "ms\n";
	return job;
}

namespace {

// fio writes what it says about a job (an option it drops, a setting it changes) into the JSON
// output before the document: the run was not the job the bench wrote, so it is no result.
void refuse_preamble(const report::FioRun &run, const std::string &what)
{
	if (!run.preamble.empty())
		throw RunFailed("fio on " + what + " wrote text before its JSON in " + run.source + ":\n" + run.preamble +
				"\nfio ran another job than the one it was given: make the job consistent (jobs/, or the "
				"options added by the bench in the run's .fio file)");
}

} // namespace

std::uint64_t foreground_window_ms(const report::FioRun &run)
{
	for (const report::FioJob &job : run.jobs)
		if (job.jobname == report::foreground_job_name)
			return std::max(job.read.runtime_ms, job.write.runtime_ms);
	return 0;
}

std::string second_job_verify_pass(const BenchCase &c, const BenchSettings &settings, const std::string &dir)
{
	return "; " + c.second_job_source + " again as fio's verify pass over the writes it completed\n" +
	       expanded_second_job(c, settings, dir) +
	       "; added by e4mext bench: read back (O_DIRECT) and check every write the run completed, all of them\n"
	       "verify_only=1\ndo_verify=1\nverify_state_load=1\nverify_fatal=1\ndirect=1\nruntime=0\ntime_based=0\n";
}

std::string host_directory(const std::string &host)
{
	return std::regex_replace(host, std::regex("[:/]"), "_");
}

std::string BenchRunner::case_record(const BenchCase &c, const std::string &host) const
{
	report::CaseRecord record;
	record.id = c.id;
	record.set = settings_.set;
	record.group = c.group;
	record.kernel = settings_.kernel;
	record.accelerator = settings_.accelerator;
	for (const CaseFactorValue &f : c.factors)
		record.factors.factors.push_back({f.name, f.value, f.label, f.rank, f.always_shown, f.axis});
	if (!host.empty()) // one fio server's runs are a case of their own
		record.factors.factors.push_back({"host", host, "@" + host});
	return report::case_record_json(record);
}

void BenchRunner::run_fio(const std::vector<std::string> &args, const std::string &log, const std::string &what)
{
	std::vector<std::string> argv = {"fio"};
	argv.insert(argv.end(), args.begin(), args.end());
	Process fio = Process::spawn(argv, Stream::file(log), Stream::file(log));
	const auto deadline = std::chrono::steady_clock::now() + settings_.fio_timeout;
	std::optional<ExitStatus> ended;
	// fio --client waits for its server even after SIGINT: an interrupt or the limit ends it here.
	while (!(ended = fio.wait_for(std::chrono::milliseconds(200)))) {
		if (interrupted_by() != 0) {
			fio.terminate(std::chrono::seconds(2));
			throw_if_interrupted();
		}
		if (std::chrono::steady_clock::now() > deadline) {
			fio.terminate(std::chrono::seconds(2));
			throw std::runtime_error(
				"fio on " + what + " did not finish within " + std::to_string(settings_.fio_timeout.count()) +
				" s (--fio-timeout)" +
				(settings_.hosts.empty()
					 ? ""
					 : "; is every fio server (" + hosts_text(settings_.hosts) +
						   ") answering? (fio --server must run there; a listener that never replies looks like this)") +
				" (log " + log + ")");
		}
	}
	const ExitStatus status = *ended;
	throw_if_interrupted();
	if (!status.exited() || status.exit_code() != 0)
		throw std::runtime_error("fio failed on " + what + ": " + status.describe() + " (log " + log + "):\n" +
					 fio_failure_excerpt(read_text(log)));
}

std::string BenchRunner::eta() const
{
	if (progress_.done == 0)
		return "?";
	const double all = (seconds_written_ + seconds_unwritten_) / progress_.done;
	const double mean_w = runs_written_ ? seconds_written_ / runs_written_ : all;
	const double mean_u = runs_unwritten_ ? seconds_unwritten_ / runs_unwritten_ : all;
	double left = 0;
	unsigned index = 0;
	for (unsigned r = 0; r < settings_.rounds; ++r)
		for (const BenchCase &c : settings_.cases)
			if (index++ >= progress_.done)
				left += c.written_original() ? mean_w : mean_u;
	return format_duration(left);
}

void BenchRunner::run_all()
{
	for (unsigned r = 0; r < settings_.rounds; ++r)
		for (size_t i = 0; i < settings_.cases.size(); ++i) {
			const BenchCase &c = settings_.cases[i];
			const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
			out_ << "bench: case " << i + 1 << " of " << settings_.cases.size() << ": " << c.id << " run "
			     << r + settings_.first_run << " of "
			     << (settings_.last_run ? settings_.last_run : settings_.rounds + settings_.first_run - 1)
			     << (settings_.hosts.empty() ? "" : " on " + hosts_text(settings_.hosts)) << "; elapsed "
			     << format_duration(elapsed) << ", ETA " << eta() << "\n"
			     << std::flush;
			const auto run_started = std::chrono::steady_clock::now();
			run_one(c, r + settings_.first_run);
			const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - run_started).count();
			(c.written_original() ? seconds_written_ : seconds_unwritten_) += took;
			++(c.written_original() ? runs_written_ : runs_unwritten_);
			++progress_.done;
		}
}

void BenchRunner::run_one(const BenchCase &c, unsigned run)
{
	if (!settings_.hosts.empty()) {
		run_on_hosts(c, run);
		return;
	}
	const std::string case_dir = runs_dir_ + "/" + c.id;
	fs::create_directories(case_dir);
	const std::string base = case_dir + "/run-" + std::to_string(run);
	try {
		if (!c.has_second_job()) {
			run_variant(c, run, base, false);
			return;
		}
		// The load alone and with the defragmenter, each on its own fresh layout; which goes first
		// alternates by run, so a drift of the machine falls on both alike. Fixed work has no window
		// to give the load alone but the one the moves took: the moves go first then.
		const std::string alone = report::alone_run_for(base + ".json").replace_extension().string();
		if (settings_.moves > 0 || settings_.io_size > 0) {
			run_variant(c, run, base, false);
			run_variant(c, run, alone, true, foreground_window_ms(report::load_fio_file(base + ".json")));
			return;
		}
		const bool alone_first = run % 2 == 1;
		run_variant(c, run, alone_first ? alone : base, alone_first);
		run_variant(c, run, alone_first ? base : alone, !alone_first);
	} catch (...) { // not a run: set aside, named, never tabled (unfinished_runs.h)
		const std::string where = set_aside(runs_dir_, c.id + "/run-" + std::to_string(run), settings_.unfinished_dir);
		out_ << "bench: " << c.id << " run " << run << " did not finish: not in the set; its files are in " << where << "\n"
		     << std::flush;
		throw;
	}
}

void BenchRunner::say_if_moves_ended_early(const std::string &fio_json, const std::string &what)
{
	const std::uint64_t window = report::parse_fio_time_ms(settings_.runtime);
	if (window == 0)
		return; // fixed work: the work is the window
	const report::FioRun run = report::load_fio_file(fio_json);
	for (const report::FioJob &job : run.jobs)
		if (job.jobname != report::foreground_job_name && job.write.runtime_ms + 1 < window)
			out_ << "bench: " << what << ": the moves ended after " << job.write.runtime_ms << " ms of the " << window
			     << " ms window (the end of the file); the foreground stopped with them after "
			     << foreground_window_ms(run) << " ms\n";
}

void BenchRunner::run_on_hosts(const BenchCase &c, unsigned run)
{
	const std::string what = c.id + " run " + std::to_string(run);
	std::vector<std::string> runs, bases; // <host>/<case>/run-N under runs/, and its path
	for (const std::string &host : settings_.hosts) {
		runs.push_back(host_directory(host) + "/" + c.id + "/run-" + std::to_string(run));
		bases.push_back(runs_dir_ + "/" + runs.back());
		fs::create_directories(fs::path(bases.back()).parent_path());
	}
	try {
		// No fresh filesystem there: the layout job replaces the original, the engine removes its
		// donors. The --dir given, which must exist on every server (fio refuses a missing
		// directory=); the target's private subdirectory of it exists here only.
		const std::string host_dir = fs::path(target_.directory()).parent_path().string();
		const std::string layout = layout_job(c, host_dir);
		for (const std::string &base : bases)
			write_text_file(base + ".layout.fio", layout);
		if (layout.find("\n[layout-") != std::string::npos || layout.find("\n[warm-cache]") != std::string::npos)
			run_on_servers(bases, ".layout.fio", ".layout.log", false, what + " (laying out the original)");
		for (size_t i = 0; i < bases.size(); ++i) {
			write_text_file(bases[i] + ".case.json", case_record(c, settings_.hosts[i]));
			write_text_file(bases[i] + ".fio", case_job(c, settings_, host_dir, ""));
		}
		run_on_servers(bases, ".fio", ".log", true, what);
	} catch (...) { // not a run on any server: set aside, named, never tabled (unfinished_runs.h)
		for (const std::string &r : runs)
			out_ << "bench: " << what << " on " << r.substr(0, r.find('/'))
			     << " did not finish: not in the set; its files are in "
			     << set_aside(runs_dir_, r, settings_.unfinished_dir) << "\n";
		out_ << std::flush;
		throw;
	}
}

void BenchRunner::run_on_servers(const std::vector<std::string> &bases, const std::string &job, const std::string &log, bool json,
				 const std::string &what)
{
	const std::string output = bases.front() + ".servers-output"; // fio's one document for every server
	// JSON always: fio's client exits 0 when a server's job fails, its output says which.
	std::vector<std::string> args = {"--output-format=json", "--output=" + output};
	for (size_t i = 0; i < bases.size(); ++i)
		args.insert(args.end(), {"--client=" + fio_client(settings_.hosts[i]), bases[i] + job});
	run_fio(args, bases.front() + log, what);
	for (size_t i = 1; i < bases.size(); ++i) // one log for all: fio prefixes each server's lines with <host>
		fs::copy_file(bases.front() + log, bases[i] + log, fs::copy_options::overwrite_existing);
	expect_written(output, "fio on " + what);
	std::vector<report::ClientOutput> parts;
	try {
		parts = report::split_client_output(read_text(output), output);
	} catch (const report::InputError &e) {
		throw WriteFailed("fio on " + what + " left output the report cannot read (" + e.what() +
				  "): is the results filesystem full?");
	}
	for (size_t i = 0; i < bases.size(); ++i) {
		const auto [name, port] = host_and_port(settings_.hosts[i]);
		const auto part = std::find_if(parts.begin(), parts.end(), [&, &name = name, &port = port](const auto &p) {
			return p.hostname == name && p.port == port;
		});
		if (part == parts.end())
			throw std::runtime_error("fio's output of " + what + " has no results of the fio server " +
						 settings_.hosts[i] + " (output " + output + ", log " + bases.front() + log +
						 "):\n" + last_lines(read_text(bases.front() + log), 12));
		const report::FioRun server_run = report::parse_fio_output(part->text, output);
		for (const report::FioJob &j : server_run.jobs)
			if (j.error != 0)
				throw std::runtime_error("fio failed on " + what + " on the fio server " + settings_.hosts[i] +
							 ": error " + std::to_string(j.error) + " (log " + bases.front() + log +
							 ")");
		refuse_preamble(server_run, what + " on the fio server " + settings_.hosts[i]);
		if (json)
			write_text_file(bases[i] + ".json", part->text);
	}
	fs::remove(output);
}

void BenchRunner::run_variant(const BenchCase &c, unsigned run, const std::string &base, bool alone, std::uint64_t alone_window_ms)
{
	const std::string what = c.id + " run " + std::to_string(run) + (alone ? " (load alone)" : "");
	const bool local = settings_.hosts.empty(); // always: --hosts runs run_on_hosts
	if (local)
		target_.fresh();

	const std::string layout_fio = layout_job(c, target_.directory());
	write_text_file(base + ".layout.fio", layout_fio);
	if (c.step("original") == "fragmented")
		lay_out_fragmented(target_.directory(), parse_size(c.step("size"), "case " + c.id + "'s size"));
	if (layout_fio.find("\n[layout-") != std::string::npos || layout_fio.find("\n[warm-cache]") != std::string::npos)
		run_fio({base + ".layout.fio"}, base + ".layout.log", what + " (laying out the original)");
	if (c.step("cache") == "cold" && local && target_.can_drop_caches())
		drop_caches();

	if (!alone)
		write_text_file(base + ".case.json", case_record(c));
	write_text_file(base + ".fio", alone ? second_job(c, settings_, target_.directory(), alone_window_ms)
					     : case_job(c, settings_, target_.directory(), local ? base : ""));
	// fio keeps the verify state (the writes a job completed) in --aux-path: one directory per run.
	const std::string aux = base + ".verify-state";
	std::vector<std::string> args = {"--output-format=json", "--output=" + base + ".json", base + ".fio"};
	if (c.step("verify") == "second-job") {
		fs::create_directories(aux);
		args.insert(args.begin(), "--aux-path=" + aux);
	}
	// The load alone is recorded too: perf's cost is in both sides of the ratio, and the two
	// profiles set side by side show what the moves changed.
	std::optional<PerfRecording> perf;
	if (settings_.profile)
		perf.emplace(base);
	run_fio(args, base + ".log", what);
	if (perf)
		perf->finish(what);
	expect_written(base + ".json", "fio on " + what);
	report::FioRun result;
	try { // fio does not check its writes: a full disk leaves a cut-off JSON behind an exit status 0
		result = report::load_fio_file(base + ".json");
	} catch (const report::InputError &e) {
		throw WriteFailed("fio on " + what + " left output the report cannot read (" + e.what() +
				  "): is the results filesystem full?");
	}
	refuse_preamble(result, what);
	if (local && !alone)
		expect_written(base + ".stats.jsonl", "the engine on " + what);
	if (c.has_second_job() && !alone)
		say_if_moves_ended_early(base + ".json", what);
	if (c.step("verify") == "second-job") {
		verify_second_job(c, base, what);
		fs::remove_all(aux);
	}
}

namespace {

// fio's verify header starts with this magic (verify.h, VERIFY_MAGIC), little-endian.
constexpr unsigned char kVerifyMagic[2] = {0xca, 0xac};

// The offset of the first 4k block of path that carries a fio verify header; throws when none.
uint64_t first_verified_block(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	std::vector<char> block(4096);
	for (uint64_t offset = 0; in.read(block.data(), std::streamsize(block.size())); offset += block.size())
		if (std::memcmp(block.data(), kVerifyMagic, sizeof kVerifyMagic) == 0)
			return offset;
	throw std::runtime_error("--test-lose-write: no block of " + path + " carries a fio verify header");
}

} // namespace

void BenchRunner::verify_second_job(const BenchCase &c, const std::string &base, const std::string &what)
{
	const std::string dir = target_.directory();
	const std::string job = second_job_verify_pass(c, settings_, dir);
	if (settings_.lose_write_before_verify) {
		const std::string file = dir + "/" + c.variables.at("FG_FILE");
		const uint64_t offset = first_verified_block(file);
		out_ << "bench: --test-lose-write: zeroing the block at " << offset << " of " << file << " with fio\n";
		run_fio({"--name=lose-write", "--filename=" + file, "--rw=write", "--bs=4k", "--size=4k",
			 "--offset=" + std::to_string(offset), "--zero_buffers", "--direct=1", "--ioengine=psync"},
			base + ".lose-write.log", what + " (losing a write)");
	}
	if (target_.can_drop_caches())
		drop_caches(); // the pass reads what is on the disk, not what a buffered writer left cached
	const std::string pass = report::verify_pass_for(base + ".json").string();
	const std::string pass_base = pass.substr(0, pass.size() - 5);
	write_text_file(pass_base + ".fio", job);
	try {
		run_fio({"--aux-path=" + base + ".verify-state", "--output-format=json", "--output=" + pass, pass_base + ".fio"},
			pass_base + ".log", what + " (verifying the second job's writes)");
	} catch (const std::runtime_error &e) {
		throw std::runtime_error(std::string("lost or stale data: ") + e.what());
	}
	// Every write the run completed must have been read back: fewer means unchecked writes.
	const report::FioRun written = report::load_fio_file(base + ".json");
	const report::FioRun checked = report::load_fio_file(pass);
	refuse_preamble(checked, what + " (verifying the second job's writes)");
	const auto second = [](const report::FioRun &r) -> const report::FioJob & { return r.jobs.front(); };
	if (written.jobs.empty() || checked.jobs.empty() || second(checked).read.total_ios < second(written).write.total_ios)
		throw std::runtime_error("the verify pass of " + what + " read " +
					 std::to_string(checked.jobs.empty() ? 0 : second(checked).read.total_ios) +
					 " blocks of the " +
					 std::to_string(written.jobs.empty() ? 0 : second(written).write.total_ios) +
					 " the second job wrote (log " + pass_base + ".log): writes left unchecked");
}

} // namespace e4mext::runner
