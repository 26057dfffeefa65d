// The case record: what the bench writes beside each run's fio JSON (runs/<case>/run-N.case.json)
// so the report knows the run's case from the bench's own factors (jobs/cases.json), not from
// fio's options. One module writes and reads it.
#pragma once

#include "classify.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace e4mext::report {

struct CaseRecord {
	std::string id;          // "coverletter/U-4k"
	std::string set;         // "quick"
	std::string group;       // "coverletter"
	std::string kernel;      // the kernel the run ran on
	std::string accelerator; // "tcg", "kvm" in a VM; "" on the host
	CaseFactors factors;
};

// "run-1.json" -> "run-1.case.json".
std::filesystem::path case_record_for(const std::filesystem::path &fio_json);
// A case record is not a fio result: directory searches skip it.
bool is_case_record(const std::filesystem::path &file);
// The bench's other files beside run-N.json of a case with a second job (jobs/cases.json's load):
// "run-1.json" -> "run-1.alone.json", the same run shape with the second job only (no
// defragmenter), and "run-1.verify.json", fio's verify pass over the second job's writes.
std::filesystem::path alone_run_for(const std::filesystem::path &fio_json);
std::filesystem::path verify_pass_for(const std::filesystem::path &fio_json);
// A case record, an alone run or a verify pass: read beside its run, never a run of its own.
bool is_beside_run(const std::filesystem::path &file);

std::string case_record_json(const CaseRecord &record);
// Throws InputError naming source and what is wrong.
CaseRecord parse_case_record(const std::string &text, const std::string &source);
// The record beside a fio JSON file, if there is one.
std::optional<CaseRecord> load_case_record_beside(const std::filesystem::path &fio_json);

} // namespace e4mext::report
