// A run's figures, summed case by case: printed as progress and summary lines, and carried from
// the worker processes of --jobs N to the one that prints them (one JSON line per case).
#pragma once

#include "case_run.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace e4mext::jobfuzz {

inline constexpr unsigned kProgressEvery = 50; // cases between two progress lines

struct Tally {
	uint64_t cases = 0, jobs = 0, refused = 0, misaligned = 0, failures = 0;
	uint64_t fio_rejected = 0, stats_records = 0, records_without_requests = 0;
	std::string first_rejection;
	std::map<std::string, uint64_t> failures_by_kind;
	PhaseTimes times;

	void add(const CaseOutcome &o);
};

void print_progress(const Tally &t, std::chrono::steady_clock::duration elapsed);
void print_summary(const Tally &t, std::chrono::steady_clock::duration elapsed);

// What the tally needs of a case (failures by kind only), as one line a worker prints.
std::string case_record(const CaseOutcome &o);
// The case of a line case_record printed; nothing for any other line.
std::optional<CaseOutcome> read_case_record(const std::string &line);

} // namespace e4mext::jobfuzz
