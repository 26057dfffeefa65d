// The bench's cases (jobs/cases.json), the only definition of a case: the factors, each value's
// way to fio (template variables, fio options, prepare steps), baselines, named sets of groups,
// and the one job template (jobs/defrag.fio) every case's job is made from. No factor is named
// in code: the runner reads the prepare steps (original, cache, size), the report the factors.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace e4mext::runner {

// One factor's value in a case, as the report shows it.
struct CaseFactorValue {
	std::string name;      // "layout"
	std::string value;     // "U"
	std::string label;     // "U", "donor=written", "rand"
	std::int64_t rank = 0; // the value's position in the factor's list (not listed: after them)
	bool always_shown = false;
	bool axis = false;
};

// One case: a value for every factor, and what those values make of the job.
struct BenchCase {
	std::string id;                               // "coverletter/U-4k", "cross/M-128k-donor_written-rand"
	std::string group;                            // "coverletter"
	std::vector<CaseFactorValue> factors;         // in declared order
	std::map<std::string, std::string> variables; // the template's ${NAME}s
	std::map<std::string, std::string> options;   // fio options added to the job
	std::map<std::string, std::string> prepare;   // original, cache, size, verify
	// A second job run beside the case's job in the same fio run (the load factor's foreground):
	// its file in jobs/ and its text, "" for none. The bench also runs it alone (no defragmenter).
	std::string second_job_source;
	std::string second_job_text;

	// A factor's value; throws std::out_of_range for a factor the case lacks.
	const std::string &factor(const std::string &name) const;
	const std::string &step(const std::string &name) const { return prepare.at(name); }
	bool written_original() const { return step("original") != "unwritten"; }
	bool has_second_job() const { return !second_job_text.empty(); }
};

// A value put in place of a factor's for every case (--cache, --size); only_at_baseline: only
// where the case has the factor at its baseline (a default that leaves a swept factor alone).
struct FactorOverride {
	std::string factor;
	std::string value;
	bool only_at_baseline = false;
};

class CaseModel {
public:
	// Reads jobs/cases.json and its template; throws UsageError naming the file and what is wrong.
	static CaseModel load(const std::string &jobs_dir);

	std::vector<std::string> set_names() const;
	// The cases of a set, in its order, overrides applied (ids unchanged by them); throws
	// UsageError for an unknown set (naming the known ones), factor or value.
	std::vector<BenchCase> cases(const std::string &set, const std::vector<FactorOverride> &overrides = {}) const;

	const std::string &template_path() const { return template_path_; }
	const std::string &template_text() const { return template_text_; }

	struct Value {
		std::string value, label;
		std::map<std::string, std::string> variables, options, prepare;
		std::string second_job; // a job file in jobs/, "" for none
	};
	struct Factor {
		std::string name, baseline, label = "{name}={value}";
		bool always_shown = false, axis = false, open = false;
		std::map<std::string, std::string> variables, options, prepare; // for every value
		std::string second_job;                                         // for every value
		std::vector<Value> values;
	};

private:
	void resolve(BenchCase &c, const Factor &factor, const std::string &value) const;

	std::vector<Factor> factors_;
	std::vector<std::pair<std::string, std::vector<std::map<std::string, std::vector<std::string>>>>> sets_;
	std::string template_path_;
	std::string template_text_;
	std::map<std::string, std::string> second_jobs_; // file name in jobs/ -> text
	std::string jobs_dir_;
	std::string source_;
};

// The job of a case: the template with every ${NAME} replaced from `values` (the case's variables
// plus the bench's DIR, FILENAME, RUNTIME, ENGINE), then the case's fio options; throws UsageError
// naming a variable that has no value. Values are inserted as they are (fio reads them verbatim).
std::string case_job_text(const BenchCase &c, const std::string &template_text, const std::string &template_source,
			  std::map<std::string, std::string> bench_values);

} // namespace e4mext::runner
