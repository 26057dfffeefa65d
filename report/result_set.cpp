#include "result_set.hpp"

#include "fio_parse.hpp"
#include "input_error.hpp"
#include "num2str.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <set>

namespace e4mext::report {

namespace fs = std::filesystem;

std::string describe_status(const Measurement &m)
{
	switch (m.status) {
	case RunStatus::ok: return "ok";
	case RunStatus::failed: return "error=" + std::to_string(m.error) + " (" + std::strerror(m.error) + ")";
	case RunStatus::unverified: return "unverified: " + m.problem;
	case RunStatus::no_writes: break;
	}
	return "no writes";
}

namespace {

std::uint64_t truncated(double value)
{
	if (!(value > 0))
		return 0;
	return value >= 18446744073709551615.0 ? UINT64_MAX : static_cast<std::uint64_t>(value);
}

// The medians over runs of each run's percentiles, as percentiles_of(run) gives them (a pointer to
// an optional); none unless every run has them.
template <typename Percentiles>
std::optional<LatencySummary> summarize_latency(const std::vector<const Measurement *> &runs, Percentiles percentiles_of)
{
	std::vector<double> p50, p99, p99_9;
	for (const auto *run : runs) {
		const std::optional<LatencyPercentiles> *p = percentiles_of(*run);
		if (!p || !*p)
			return std::nullopt;
		p50.push_back((*p)->p50_ns);
		p99.push_back((*p)->p99_ns);
		p99_9.push_back((*p)->p99_9_ns);
	}
	if (runs.empty())
		return std::nullopt;
	return LatencySummary{summarize(std::move(p50)), summarize(std::move(p99)), summarize(std::move(p99_9))};
}

template <typename Field> Summary summarize_field(const std::vector<const Measurement *> &runs, Field field)
{
	std::vector<double> values;
	for (const auto *run : runs)
		if (run->engine_stats)
			values.push_back(static_cast<double>(field(*run->engine_stats)));
	return summarize(std::move(values));
}

std::optional<EngineSummary> summarize_engine(const std::vector<const Measurement *> &runs)
{
	if (std::none_of(runs.begin(), runs.end(), [](const auto *r) { return r->engine_stats.has_value(); }))
		return std::nullopt;
	EngineSummary s;
	s.extents_before = summarize_field(runs, [](const EngineStats &e) { return e.extents_before; });
	s.extents_after = summarize_field(runs, [](const EngineStats &e) { return e.extents_after; });
	s.partial_moves = summarize_field(runs, [](const EngineStats &e) { return e.partial_moves; });
	s.retries = summarize_field(runs, [](const EngineStats &e) { return e.retries; });
	s.verify_failed = std::any_of(runs.begin(), runs.end(),
				      [](const auto *r) { return r->engine_stats && r->engine_stats->verify_failed; });
	return s;
}

std::optional<LatencySummary> summarize_foreground_latency(const std::vector<const Measurement *> &runs, bool alone)
{
	return summarize_latency(runs, [alone](const Measurement &run) -> const std::optional<LatencyPercentiles> * {
		const auto &f = alone ? run.foreground_alone : run.foreground;
		return f ? &f->latency : nullptr;
	});
}

std::optional<ForegroundSummary> summarize_foreground(const std::vector<const Measurement *> &runs)
{
	if (runs.empty() || std::any_of(runs.begin(), runs.end(), [](const auto *r) { return !r->foreground; }))
		return std::nullopt;
	ForegroundSummary s;
	s.kind = runs.front()->foreground->kind;
	s.rate_iops = runs.front()->foreground->rate_iops;
	s.loaded = summarize_foreground_latency(runs, false);
	s.alone = summarize_foreground_latency(runs, true);
	std::vector<double> iops, alone_iops, ratio;
	for (const auto *run : runs) {
		iops.push_back(run->foreground->iops);
		if (run->foreground_alone) {
			alone_iops.push_back(run->foreground_alone->iops);
			if (run->foreground->latency && run->foreground_alone->latency &&
			    run->foreground_alone->latency->p99_ns > 0)
				ratio.push_back(run->foreground->latency->p99_ns / run->foreground_alone->latency->p99_ns);
		}
	}
	s.iops = summarize(std::move(iops));
	s.alone_iops = summarize(std::move(alone_iops));
	s.p99_ratio = summarize(std::move(ratio));
	return s;
}

} // namespace

std::string CaseResult::case_id() const
{
	for (const auto *run : runs)
		if (!run->case_id.empty())
			return run->case_id;
	return "";
}

std::uint64_t CaseResult::median_iops() const
{
	return truncated(iops.median);
}

std::uint64_t CaseResult::median_bw() const
{
	return truncated(bw.median);
}

const Summary &CaseResult::latency_of(Latency which) const
{
	static const Summary none;
	if (!latency)
		return none;
	switch (which) {
	case Latency::p50: return latency->p50_ns;
	case Latency::p99: return latency->p99_ns;
	case Latency::p99_9: break;
	}
	return latency->p99_9_ns;
}

const char *latency_name(Latency which)
{
	switch (which) {
	case Latency::p50: return "p50";
	case Latency::p99: return "p99";
	case Latency::p99_9: break;
	}
	return "p99.9";
}

std::string evidence_flags(const CaseResult &c)
{
	std::string flags;
	if (c.thin())
		flags = "THIN (< " + std::to_string(fewest_moves_per_run) + " moves in a run)";
	if (c.runs_ended_early > 0)
		flags += (flags.empty() ? "" : "; ") + std::to_string(c.runs_ended_early) +
			 (c.runs_ended_early == 1 ? " run" : " runs") + " ENDED BEFORE THE WINDOW";
	return flags;
}

bool ended_before_window(const Measurement &m)
{
	return m.window_ms > 0 && m.write.runtime_ms + 1 < m.window_ms;
}

std::uint64_t parse_fio_time_ms(std::string_view text)
{
	std::uint64_t value = 0;
	std::size_t i = 0;
	for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
		if (value > UINT64_MAX / 10 - 10)
			return 0;
		value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
	}
	if (i == 0)
		return 0;
	const auto unit = text.substr(i);
	const auto scaled = [&](std::uint64_t factor) { return value > UINT64_MAX / factor ? 0 : value * factor; };
	if (unit.empty() || unit == "s")
		return scaled(1000);
	if (unit == "ms")
		return value;
	if (unit == "us")
		return value / 1000;
	if (unit == "m")
		return scaled(60'000);
	if (unit == "h")
		return scaled(3'600'000);
	if (unit == "d")
		return scaled(86'400'000);
	return 0;
}

std::vector<CaseResult> ResultSet::cases() const
{
	std::map<CaseFactors, std::vector<const Measurement *>> by_case;
	for (const auto &m : measurements)
		if (m.status == RunStatus::ok)
			by_case[m.key].push_back(&m);
	std::vector<CaseResult> result;
	result.reserve(by_case.size());
	for (auto &[key, runs] : by_case) {
		CaseResult c;
		c.key = key;
		std::vector<double> iops, bw, moves;
		for (const auto *run : runs) {
			iops.push_back(run->iops);
			bw.push_back(run->bw_bytes);
			moves.push_back(static_cast<double>(run->write.total_ios));
			c.runs_ended_early += ended_before_window(*run) ? 1 : 0;
		}
		c.iops = summarize(std::move(iops));
		c.bw = summarize(std::move(bw));
		c.moves = summarize(std::move(moves));
		c.latency = summarize_latency(runs, [](const Measurement &run) { return &run.clat; });
		c.engine = summarize_engine(runs);
		c.foreground = summarize_foreground(runs);
		c.runs = std::move(runs);
		result.push_back(std::move(c));
	}
	return result;
}

std::vector<const Measurement *> ResultSet::excluded() const
{
	std::vector<const Measurement *> result;
	for (const auto &m : measurements)
		if (m.status != RunStatus::ok)
			result.push_back(&m);
	return result;
}

std::vector<fs::path> find_result_files(const std::vector<std::string> &inputs)
{
	std::vector<fs::path> files;
	for (const auto &input : inputs) {
		const fs::path path(input);
		std::error_code ec;
		const auto status = fs::status(path, ec);
		if (ec || !fs::exists(status))
			throw InputError(input + ": " + (ec ? ec.message() : std::string("no such file or directory")));
		if (!fs::is_directory(status)) {
			files.push_back(path);
			continue;
		}
		std::vector<fs::path> found;
		try {
			for (const auto &entry : fs::recursive_directory_iterator(path)) {
				if (entry.is_regular_file() && entry.path().extension() == ".json" && !is_beside_run(entry.path()))
					found.push_back(entry.path());
			}
		} catch (const fs::filesystem_error &e) {
			throw InputError(input + ": cannot search the directory: " + e.code().message());
		}
		if (found.empty())
			throw InputError(input +
					 ": no .json files under this directory; expected fio --output-format=json results");
		std::sort(found.begin(), found.end());
		files.insert(files.end(), found.begin(), found.end());
	}
	return files;
}

namespace {

ForegroundFigures foreground_figures(const FioJob &job)
{
	ForegroundFigures f;
	std::uint64_t ios = 0, runtime_ms = 0;
	if (job.sync_ios > 0) {
		f.kind = "fsync";
		f.latency = job.sync_lat;
		ios = job.write.total_ios;
		runtime_ms = job.write.runtime_ms;
	} else if (job.write.total_ios > 0) {
		f.kind = "write";
		f.latency = job.write_clat;
		ios = job.write.total_ios;
		runtime_ms = job.write.runtime_ms;
	} else {
		f.kind = "read";
		f.latency = job.read_clat;
		ios = job.read.total_ios;
		runtime_ms = job.read.runtime_ms;
	}
	f.iops = exact_per_second(ios, runtime_ms);
	if (const auto rate = job.options.find("rate_iops"); rate != job.options.end())
		f.rate_iops = std::strtod(rate->second.c_str(), nullptr);
	return f;
}

const FioJob *foreground_job(const FioRun &run)
{
	for (const auto &job : run.jobs)
		if (job.jobname == foreground_job_name)
			return &job;
	return nullptr;
}

bool verifies_writes(const FioJob &job)
{
	const auto verify = job.options.find("verify");
	return job.write.total_ios > 0 && verify != job.options.end() && verify->second != "0" && verify->second != "none" &&
	       verify->second != "null" && !verify->second.empty();
}

// What keeps the foreground's writes from counting as verified; "" when nothing does.
std::string unverified_because(const FioJob &foreground, const std::optional<FioRun> &pass, const std::string &which)
{
	if (foreground.error != 0)
		return "the foreground" + which + " failed: error=" + std::to_string(foreground.error) + " (" +
		       std::strerror(foreground.error) + ")";
	if (!verifies_writes(foreground))
		return "";
	if (!pass)
		return "no verify pass of the foreground" + which + "'s writes beside the run (run-N.verify.json)";
	const FioJob *checked = foreground_job(*pass);
	if (!checked)
		return "the verify pass " + pass->source + " has no foreground job";
	if (checked->error != 0)
		return "the verify pass " + pass->source + " failed: error=" + std::to_string(checked->error) + " (" +
		       std::strerror(checked->error) + "): lost or stale data";
	if (checked->read.total_ios < foreground.write.total_ios)
		return "the verify pass " + pass->source + " read " + std::to_string(checked->read.total_ios) + " of the " +
		       std::to_string(foreground.write.total_ios) + " blocks the foreground" + which + " wrote";
	return "";
}

} // namespace

BesideRun load_beside_run(const fs::path &fio_json)
{
	BesideRun beside;
	const auto load_if_there = [](const fs::path &file) -> std::optional<FioRun> {
		std::error_code ec;
		if (!fs::exists(file, ec))
			return std::nullopt;
		return load_fio_file(file);
	};
	beside.alone = load_if_there(alone_run_for(fio_json));
	beside.verify_pass = load_if_there(verify_pass_for(fio_json));
	beside.alone_verify_pass = load_if_there(verify_pass_for(alone_run_for(fio_json)));
	return beside;
}

std::vector<Measurement> measurements_of(const FioRun &run, const std::optional<EngineStatsByJob> &engine_stats,
					 const std::optional<CaseRecord> &record, const BesideRun &beside)
{
	const FioJob *foreground = run.jobs.size() > 1 ? foreground_job(run) : nullptr;
	const FioJob *alone = foreground && beside.alone ? foreground_job(*beside.alone) : nullptr;
	std::string problem;
	if (foreground) {
		problem = unverified_because(*foreground, beside.verify_pass, "");
		if (problem.empty() && beside.alone)
			problem = alone ? unverified_because(*alone, beside.alone_verify_pass, " alone")
					: "the alone run " + beside.alone->source + " has no foreground job";
	}
	std::vector<Measurement> result;
	for (const auto &job : run.jobs) {
		if (&job == foreground)
			continue;
		Measurement m;
		m.source = run.source;
		m.jobname = job.jobname;
		if (record) {
			m.key = record->factors;
			try { // only to compare with runs that have no record (key_alike)
				m.fio_key = factors_of(classify(job, run.source));
			} catch (const InputError &) {
			}
		} else {
			m.fio_key = factors_of(classify(job, run.source));
			m.key = *m.fio_key;
		}
		m.case_id = record ? record->id : "";
		m.error = job.error;
		m.clones = job.clones;
		m.write = job.write;
		m.iops = exact_per_second(job.write.total_ios, job.write.runtime_ms);
		m.bw_bytes = exact_per_second(job.write.io_bytes, job.write.runtime_ms);
		m.clat = job.write_clat;
		const auto runtime = job.options.find("runtime");
		const auto time_based = job.options.find("time_based");
		const bool loops_until_window = time_based != job.options.end() && fio_option_is_set(time_based->second);
		if (runtime != job.options.end() && !loops_until_window)
			m.window_ms = parse_fio_time_ms(runtime->second);
		if (job.error != 0)
			m.status = RunStatus::failed;
		else if (job.write.total_ios == 0 || job.write.runtime_ms == 0)
			m.status = RunStatus::no_writes;
		else if (!problem.empty()) {
			m.status = RunStatus::unverified;
			m.problem = problem;
		}
		if (foreground)
			m.foreground = foreground_figures(*foreground);
		if (alone)
			m.foreground_alone = foreground_figures(*alone);
		if (engine_stats) {
			if (const auto it = engine_stats->find(job.jobname); it != engine_stats->end())
				m.engine_stats = it->second;
		}
		m.fio_version = run.fio_version;
		m.timestamp = run.timestamp;
		m.options = job.options;
		result.push_back(std::move(m));
	}
	return result;
}

ResultSet load_result_set(const std::vector<std::string> &inputs, std::string label)
{
	ResultSet set;
	set.label = std::move(label);
	set.files = find_result_files(inputs);
	for (const auto &file : set.files) {
		const auto run = load_fio_file(file);
		auto measurements =
			measurements_of(run, load_engine_stats_beside(file), load_case_record_beside(file), load_beside_run(file));
		set.measurements.insert(set.measurements.end(), std::make_move_iterator(measurements.begin()),
					std::make_move_iterator(measurements.end()));
	}
	return set;
}

namespace {

bool is_set_root(const fs::path &dir)
{
	std::error_code ec;
	return fs::is_regular_file(dir / "metadata.txt", ec) || fs::is_regular_file(dir / "label", ec);
}

fs::path without_trailing_slash(fs::path path)
{
	while (!path.empty() && path.filename().empty() && path != path.root_path())
		path = path.parent_path();
	return path;
}

// The nearest set root at or above dir, or nothing.
std::optional<fs::path> enclosing_root(const fs::path &dir)
{
	std::error_code ec;
	auto current = fs::absolute(without_trailing_slash(dir), ec);
	if (ec)
		return std::nullopt;
	current = current.lexically_normal();
	while (true) {
		if (is_set_root(current))
			return current;
		if (current == current.root_path() || current.parent_path() == current)
			return std::nullopt;
		current = current.parent_path();
	}
}

// The nearest set root from a file's directory up to (not including) stop.
std::optional<fs::path> root_below(const fs::path &file, const fs::path &stop)
{
	for (auto dir = file.parent_path(); !dir.empty() && dir != stop; dir = dir.parent_path()) {
		if (is_set_root(dir))
			return dir;
		if (dir.parent_path() == dir)
			break;
	}
	return std::nullopt;
}

std::string first_line_of(const fs::path &file)
{
	std::string text;
	try {
		text = read_file_text(file);
	} catch (const InputError &) {
		return "";
	}
	text = text.substr(0, text.find('\n'));
	if (!text.empty() && text.back() == '\r')
		text.pop_back();
	return text;
}

std::string shown_path(const fs::path &root)
{
	std::error_code ec;
	const auto relative = fs::relative(root, fs::current_path(ec), ec);
	if (!ec && !relative.empty() && relative.native().find("..") != 0)
		return relative.string();
	return root.string();
}

} // namespace

std::string label_of_root(const fs::path &given)
{
	const auto root = without_trailing_slash(given);
	std::error_code ec;
	const bool directory = fs::is_directory(root, ec);
	if (directory && fs::is_regular_file(root / "metadata.txt", ec)) {
		try {
			for (const auto &[key, value] : parse_metadata(read_file_text(root / "metadata.txt")))
				if (key == "label" && !value.empty())
					return value;
		} catch (const InputError &) {
		}
	}
	if (directory && fs::is_regular_file(root / "label", ec)) {
		if (auto text = first_line_of(root / "label"); !text.empty())
			return text;
	}
	auto name = directory ? root.filename().string() : root.stem().string();
	if (name.empty() || name == ".")
		name = fs::absolute(root, ec).lexically_normal().filename().string();
	return name.empty() ? "results" : name;
}

SetMetadata parse_metadata(const std::string &text)
{
	SetMetadata metadata;
	std::size_t start = 0;
	while (start < text.size()) {
		auto end = text.find('\n', start);
		if (end == std::string::npos)
			end = text.size();
		auto line = text.substr(start, end - start);
		start = end + 1;
		if (!line.empty() && line.back() == '\r')
			line.pop_back();
		const auto colon = line.find(": ");
		if (colon == std::string::npos || colon == 0)
			continue;
		metadata.emplace_back(line.substr(0, colon), line.substr(colon + 2));
	}
	return metadata;
}

std::vector<SetLocation> locate_sets(const std::vector<std::string> &inputs)
{
	std::vector<SetLocation> sets;
	std::map<fs::path, std::size_t> by_root;
	std::set<fs::path> seen_files;
	const auto add = [&](const fs::path &root, const fs::path &file) {
		std::error_code ec;
		const auto canonical = fs::weakly_canonical(file, ec);
		if (!seen_files.insert(ec ? file : canonical).second)
			return;
		auto [it, inserted] = by_root.emplace(fs::weakly_canonical(root, ec), sets.size());
		if (inserted)
			sets.push_back({root, label_of_root(root), {}});
		sets[it->second].files.push_back(file);
	};
	for (const auto &input : inputs) {
		const auto files = find_result_files({input});
		const fs::path path = without_trailing_slash(input);
		std::error_code ec;
		const bool directory = fs::is_directory(path, ec);
		if (const auto root = enclosing_root(directory ? path : path.parent_path())) {
			const auto shown = directory && is_set_root(path) ? path : fs::path(shown_path(*root));
			for (const auto &file : files)
				add(shown, file);
			continue;
		}
		if (!directory) {
			add(path, path);
			continue;
		}
		// Roots below the PATH, each a set; files under none belong to the PATH's own set.
		std::map<fs::path, std::vector<fs::path>> below;
		for (const auto &file : files)
			below[root_below(file, path).value_or(path)].push_back(file);
		for (const auto &[root, root_files] : below)
			for (const auto &file : root_files)
				add(root, file);
	}
	return sets;
}

std::string key_alike(const std::vector<ResultSet *> &sets)
{
	std::vector<std::string> recorded, unrecorded;
	for (const ResultSet *set : sets) {
		bool with = false, without = false;
		for (const Measurement &m : set->measurements)
			(m.case_id.empty() ? without : with) = true;
		if (with)
			recorded.push_back(set->label);
		if (without)
			unrecorded.push_back(set->label);
	}
	if (recorded.empty() || unrecorded.empty())
		return "";
	// classify's factors do not hold the file's size or the cache (fio's invalidate=): the options
	// themselves do, as the job gave them, so runs of other sizes or caches are other cases.
	const auto matching_key = [](const Measurement &m) {
		CaseFactors key = *m.fio_key;
		for (const char *option : {"filesize", "size", "invalidate"})
			if (const auto it = m.options.find(option); it != m.options.end())
				key.factors.push_back({option, it->second, std::string(option) + "=" + it->second});
		return key;
	};
	for (ResultSet *set : sets) {
		std::map<CaseFactors, std::string> case_of_key;
		for (Measurement &m : set->measurements) {
			if (m.case_id.empty())
				continue;
			if (!m.fio_key)
				throw InputError(set->label + ": run " + m.source + " (case " + m.case_id +
						 ") cannot be keyed by fio's options, so it cannot be compared with runs that "
						 "have no case record (" +
						 unrecorded.front() + ")");
			const auto [at, fresh] = case_of_key.emplace(matching_key(m), m.case_id);
			if (!fresh && at->second != m.case_id)
				throw InputError(set->label + ": cases " + at->second + " and " + m.case_id +
						 " differ only in factors fio's options do not show, and " + unrecorded.front() +
						 " has no case records to tell them apart: compare it with a set of one of "
						 "them (bench --only), or with results that have case records");
			m.key = at->first;
		}
		for (Measurement &m : set->measurements)
			if (m.case_id.empty() && m.fio_key)
				m.key = matching_key(m);
	}
	return unrecorded.front() + " has no case records (made before the bench wrote them): every set's runs " +
	       "are matched by fio's options (layout, bs, donor, inplace, access, engine, the file's size, "
	       "invalidate), as for results e4mext did not make";
}

std::vector<ResultSet> load_result_sets(const std::vector<std::string> &inputs)
{
	std::vector<ResultSet> sets;
	const auto locations = locate_sets(inputs);
	std::map<std::string, std::size_t> label_count;
	for (const auto &location : locations)
		++label_count[location.label];
	for (const auto &location : locations) {
		std::vector<std::string> files;
		for (const auto &file : location.files)
			files.push_back(file.string());
		auto label = location.label;
		if (label_count[label] > 1)
			label += " (" + location.root.string() + ")";
		auto set = load_result_set(files, std::move(label));
		set.root = location.root;
		std::error_code ec;
		if (fs::is_regular_file(location.root / "metadata.txt", ec))
			set.metadata = parse_metadata(read_file_text(location.root / "metadata.txt"));
		sets.push_back(std::move(set));
	}
	return sets;
}

std::string ResultSet::metadata_value(std::string_view key) const
{
	for (const auto &[k, v] : metadata)
		if (k == key)
			return v;
	return "";
}

std::string ResultSet::kernel() const
{
	const auto value = metadata_value("kernel");
	return value.empty() ? "not recorded" : value;
}

std::string ResultSet::fio_version() const
{
	if (auto value = metadata_value("fio"); !value.empty())
		return value;
	std::set<std::string> versions;
	for (const auto &m : measurements)
		if (!m.fio_version.empty())
			versions.insert(m.fio_version);
	std::string joined;
	for (const auto &v : versions)
		joined += (joined.empty() ? "" : ", ") + v;
	return joined.empty() ? "not recorded" : joined;
}

std::string ResultSet::load_summary() const
{
	const auto one_minute = [](const std::string &averages) { return averages.substr(0, averages.find(' ')); };
	const auto start = metadata_value("load average at start");
	const auto end = metadata_value("load average at end");
	if (start.empty() && end.empty())
		return "";
	std::string text = "load average " + (start.empty() ? "not recorded" : one_minute(start)) + " at start, " +
			   (end.empty() ? "not recorded" : one_minute(end)) + " at end";
	const auto cpu = metadata_value("cpu");
	if (const auto comma = cpu.rfind(", "); comma != std::string::npos && cpu.ends_with(" online"))
		text += ", " + cpu.substr(comma + 2, cpu.size() - comma - 2 - 7) + " CPUs";
	return text;
}

std::string ResultSet::e4mext_version() const
{
	const auto value = metadata_value("e4mext");
	return value.empty() ? "not recorded" : value;
}

std::vector<CaseFactors> keys_of(const std::vector<CaseResult> &cases)
{
	std::vector<CaseFactors> keys;
	keys.reserve(cases.size());
	for (const auto &c : cases)
		keys.push_back(c.key);
	return keys;
}

} // namespace e4mext::report
