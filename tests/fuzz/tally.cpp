#include "tally.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace e4mext::jobfuzz {

namespace {

constexpr std::string_view kRecordMark = "job-fuzz-case ";

std::string minutes(std::chrono::steady_clock::duration d)
{
	const long s = static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(d).count());
	char text[32];
	std::snprintf(text, sizeof text, "%ld:%02ld", s / 60, s % 60);
	return text;
}

} // namespace

void Tally::add(const CaseOutcome &o)
{
	++cases;
	times += o.times;
	jobs += o.jobs;
	refused += o.refused_jobs;
	misaligned += o.misaligned_refused ? 1 : 0;
	failures += o.failures.empty() ? 0 : 1;
	stats_records += o.stats_records;
	records_without_requests += o.records_without_requests;
	if (o.fio_rejected && fio_rejected++ == 0)
		first_rejection = o.fio_rejection;
	for (const Failure &f : o.failures)
		++failures_by_kind[f.kind];
}

void print_progress(const Tally &t, std::chrono::steady_clock::duration elapsed)
{
	std::cout << "job-fuzz: " << t.cases << " cases, " << t.failures << " failing, " << minutes(elapsed) << " elapsed"
		  << std::endl;
}

void print_summary(const Tally &t, std::chrono::steady_clock::duration elapsed)
{
	if (t.records_without_requests > 0)
		std::cout << "job-fuzz: note: " << t.records_without_requests << " of " << t.stats_records
			  << " statistics lines have no bytes_requested/blocks_requested/block_size (an engine that "
			     "does not write them): the alignment of their ioctls was not checked\n";
	if (t.fio_rejected > 0)
		std::cout << "job-fuzz: note: fio refused " << t.fio_rejected
			  << " job files before running any job (first: " << t.first_rejection << ")\n";
	if (!t.failures_by_kind.empty()) {
		std::cout << "job-fuzz: failures by kind:";
		for (const auto &[kind, n] : t.failures_by_kind)
			std::cout << " " << kind << " " << n;
		std::cout << "\n";
	}
	const double seconds = std::chrono::duration<double>(elapsed).count();
	const double n = t.cases ? static_cast<double>(t.cases) : 1.0;
	std::printf("job-fuzz: %s for %llu cases (%.2f s per case)\n", minutes(elapsed).c_str(),
		    static_cast<unsigned long long>(t.cases), t.cases ? seconds / n : 0.0);
	// Summed over the cases, in parallel ones too (--jobs): more than the wall time then.
	std::printf("job-fuzz: each case took %.2f s emptying the filesystem, %.2f s laying out files, %.2f s fio, "
		    "%.2f s remounting, %.2f s checks (averages)\n",
		    t.times.prepare / n, t.times.lay_out / n, t.times.fio / n, t.times.caches / n, t.times.checks / n);
	std::fflush(stdout);
	std::cout << "job-fuzz: " << t.cases << " cases run, " << t.jobs << " jobs, " << t.refused << " refused by the engine, "
		  << t.misaligned << " with misaligned I/O refused, " << t.failures << " failures" << std::endl;
}

std::string case_record(const CaseOutcome &o)
{
	nlohmann::json kinds = nlohmann::json::array();
	for (const Failure &f : o.failures)
		kinds.push_back(f.kind);
	const PhaseTimes &t = o.times;
	const nlohmann::json record = {{"jobs", o.jobs},
				       {"refused", o.refused_jobs},
				       {"misaligned_refused", o.misaligned_refused},
				       {"failures", kinds},
				       {"stats_records", o.stats_records},
				       {"records_without_requests", o.records_without_requests},
				       {"fio_rejected", o.fio_rejected},
				       {"fio_rejection", o.fio_rejection},
				       {"times", {t.prepare, t.lay_out, t.fio, t.caches, t.checks}}};
	return std::string(kRecordMark) + record.dump();
}

std::optional<CaseOutcome> read_case_record(const std::string &line)
{
	if (line.rfind(kRecordMark, 0) != 0)
		return std::nullopt;
	const nlohmann::json r = nlohmann::json::parse(line.substr(kRecordMark.size()));
	CaseOutcome o;
	o.jobs = r.at("jobs").get<unsigned>();
	o.refused_jobs = r.at("refused").get<unsigned>();
	o.misaligned_refused = r.at("misaligned_refused").get<bool>();
	for (const auto &kind : r.at("failures"))
		o.failures.push_back({kind.get<std::string>(), ""});
	o.stats_records = r.at("stats_records").get<unsigned>();
	o.records_without_requests = r.at("records_without_requests").get<unsigned>();
	o.fio_rejected = r.at("fio_rejected").get<bool>();
	o.fio_rejection = r.at("fio_rejection").get<std::string>();
	const auto &t = r.at("times");
	o.times = {t.at(0).get<double>(), t.at(1).get<double>(), t.at(2).get<double>(), t.at(3).get<double>(),
		   t.at(4).get<double>()};
	return o;
}

} // namespace e4mext::jobfuzz
