// The bench's cases (jobs/cases.json): factors, their baseline, named sets of groups, and the one
// job template (jobs/defrag.fio) every case's job is made from.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace e4mext::runner {

// One case: a value for every factor (layout, bs, donor, inplace, order, cache).
struct BenchCase {
	std::string id; // "coverletter/U-4k", "cross/M-128k-donor_written-rand"
	std::map<std::string, std::string> factors;

	const std::string &factor(const std::string &name) const { return factors.at(name); }
	bool written_original() const { return factor("layout") != "U"; }
};

class CaseModel {
public:
	// Reads jobs/cases.json and its template; throws UsageError naming the file and what is wrong.
	static CaseModel load(const std::string &jobs_dir);

	std::vector<std::string> set_names() const;
	// The cases of a set, in its order; throws UsageError for an unknown set (naming the known ones).
	std::vector<BenchCase> cases(const std::string &set) const;

	const std::string &template_path() const { return template_path_; }
	const std::string &template_text() const { return template_text_; }

private:
	std::map<std::string, std::vector<std::string>> factors_;
	std::vector<std::string> factor_order_;
	std::map<std::string, std::string> baseline_;
	std::vector<std::pair<std::string, std::vector<std::map<std::string, std::vector<std::string>>>>> sets_;
	std::vector<std::string> group_names_flat_;
	std::string template_path_;
	std::string template_text_;
	std::string source_;
};

// fio's variables for a case's job (LAYOUT, BS, RW, OVERWRITE, DONOR, INPLACE, INVALIDATE).
std::map<std::string, std::string> case_variables(const BenchCase &c);

// The template with every ${NAME} replaced from `values`; throws UsageError naming a variable that
// has no value. Values are inserted as they are (no escaping is needed: fio reads them verbatim).
std::string expand_template(const std::string &text, const std::map<std::string, std::string> &values, const std::string &source);

} // namespace e4mext::runner
