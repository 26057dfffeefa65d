#include "checks.h"

#include "engine_stats.hpp"
#include "input_error.hpp"

#include <algorithm>

namespace e4mext::jobfuzz {

namespace {

Failure misaligned(const e4mext::report::EngineStatsRecord &r, const std::string &source)
{
	const uint64_t asked = *r.blocks_requested * *r.block_size;
	return {"misaligned-ioctl", "job " + r.jobname + "." + std::to_string(r.jobnum.value_or(0)) + " file " + r.file +
					    ": the ioctls asked for " + std::to_string(*r.blocks_requested) + " blocks of " +
					    std::to_string(*r.block_size) + " bytes (" + std::to_string(asked) + " bytes) for " +
					    std::to_string(*r.bytes_requested) +
					    " bytes of I/O: some range was not on block boundaries (" + source + " line " +
					    std::to_string(r.line) + ")"};
}

} // namespace

StatsVerdict check_engine_stats(std::string_view text, const std::string &source)
{
	StatsVerdict v;
	std::vector<e4mext::report::EngineStatsRecord> records;
	try {
		records = e4mext::report::parse_engine_stats_records(text, source);
	} catch (const e4mext::report::InputError &e) {
		v.failures.push_back({"stats-unreadable", e.what()});
		return v;
	}
	for (const auto &r : records) {
		++v.records;
		v.misaligned_refused = v.misaligned_refused || r.misaligned_refused.value_or(0) > 0;
		if (!r.block_size || !r.bytes_requested || !r.blocks_requested) {
			++v.records_without_requests;
			continue;
		}
		if (*r.blocks_requested * *r.block_size != *r.bytes_requested)
			v.failures.push_back(misaligned(r, source));
	}
	return v;
}

ExtraFile judge_extra_file(const std::string &path, bool marked, const std::vector<JobView> &jobs)
{
	const bool default_name = path.find(kDefaultDonorInfix) != std::string::npos;
	const bool named = std::any_of(jobs.begin(), jobs.end(), [&](const JobView &j) { return j.donor_paths().count(path) > 0; });
	if (!marked && !default_name && !named)
		return {false, Failure{"unexpected-file", path + " appeared during the run: no job names it as file or donor"}};
	// Several jobs may name the same donor: any of them keeping it explains it.
	const bool kept = std::any_of(jobs.begin(), jobs.end(), [&](const JobView &j) {
		return j.keep_donor && (j.is_default_donor(path) || j.donor_paths().count(path) > 0);
	});
	if (kept)
		return {true, std::nullopt};
	// Files of the case are judged elsewhere: whatever else a donorname= names was made during the run.
	return {true, Failure{"leftover-donor", "donor " + path + " was left behind" +
							(marked ? std::string(" (it carries ") + kDonorXattr + ")" : "") +
							" though no job naming it has keep_donor=1"}};
}

} // namespace e4mext::jobfuzz
