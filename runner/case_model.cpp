#include "case_model.h"

#include "names.h"
#include "runner_errors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace e4mext::runner {

namespace {

using json = nlohmann::json;
using Group = std::map<std::string, std::vector<std::string>>;

std::string read_file(const std::string &path)
{
	std::ifstream in(path);
	if (!in)
		throw UsageError(path + ": cannot read it (is the checkout complete?)");
	std::ostringstream text;
	text << in.rdbuf();
	return text.str();
}

std::vector<std::string> strings(const json &value, const std::string &where)
{
	if (!value.is_array() || value.empty())
		throw UsageError(where + ": give a non-empty list of strings");
	std::vector<std::string> out;
	for (const json &v : value) {
		if (!v.is_string())
			throw UsageError(where + ": " + v.dump() + " is not a string");
		out.push_back(v.get<std::string>());
		check_job_value(where + ": value", out.back());
	}
	return out;
}

// "U-4k", then each factor off its baseline: "donor_written", "inplace", "rand", "warm".
std::string case_name(const std::map<std::string, std::string> &f, const std::map<std::string, std::string> &baseline)
{
	std::string name = f.at("layout") + "-" + f.at("bs");
	if (f.at("donor") != baseline.at("donor"))
		name += "-donor_" + f.at("donor");
	if (f.at("inplace") != baseline.at("inplace"))
		name += f.at("inplace") == "1" ? "-inplace" : "-inplace_" + f.at("inplace");
	if (f.at("order") != baseline.at("order"))
		name += "-" + f.at("order");
	if (f.at("cache") != baseline.at("cache"))
		name += "-" + f.at("cache");
	return name;
}

} // namespace

CaseModel CaseModel::load(const std::string &jobs_dir)
{
	CaseModel m;
	m.source_ = jobs_dir + "/cases.json";
	json doc;
	try {
		doc = json::parse(read_file(m.source_));
	} catch (const json::exception &e) {
		throw UsageError(m.source_ + ": not valid JSON: " + e.what());
	}
	try {
		for (const char *name : {"layout", "bs", "donor", "inplace", "order", "cache"}) {
			m.factor_order_.push_back(name);
			m.factors_[name] = strings(doc.at("factors").at(name), m.source_ + ": factors." + name);
			const std::string base = doc.at("baseline").at(name).get<std::string>();
			const auto &values = m.factors_[name];
			if (std::find(values.begin(), values.end(), base) == values.end())
				throw UsageError(m.source_ + ": baseline." + name + " '" + base + "' is not one of its values");
			m.baseline_[name] = base;
		}
		for (const auto &[set, groups] : doc.at("sets").items()) {
			std::vector<Group> parsed;
			for (const json &g : groups) {
				Group group;
				group["group"] = {g.at("group").get<std::string>()};
				check_path_name(m.source_ + ": set " + set + ": group", group["group"].front());
				for (const auto &[factor, values] : g.items()) {
					if (factor == "group")
						continue;
					if (!m.factors_.count(factor))
						throw UsageError(m.source_ + ": set " + set + ": unknown factor '" + factor + "'");
					group[factor] = strings(values, m.source_ + ": set " + set + ": " + factor);
					for (const std::string &v : group[factor]) {
						const auto &known = m.factors_[factor];
						if (std::find(known.begin(), known.end(), v) == known.end())
							throw UsageError(m.source_ + ": set " + set + ": " + factor + " '" + v +
									 "' is not in factors." + factor);
					}
				}
				parsed.push_back(std::move(group));
			}
			m.sets_.emplace_back(set, std::move(parsed));
		}
		m.template_path_ = jobs_dir + "/" + doc.at("template").get<std::string>();
	} catch (const json::exception &e) {
		throw UsageError(m.source_ + ": " + e.what());
	}
	m.template_text_ = read_file(m.template_path_);
	return m;
}

std::vector<std::string> CaseModel::set_names() const
{
	std::vector<std::string> names;
	for (const auto &s : sets_)
		names.push_back(s.first);
	return names;
}

std::vector<BenchCase> CaseModel::cases(const std::string &set) const
{
	const auto it = std::find_if(sets_.begin(), sets_.end(), [&](const auto &s) { return s.first == set; });
	if (it == sets_.end()) {
		std::string known;
		for (const std::string &n : set_names())
			known += (known.empty() ? "" : ", ") + n;
		throw UsageError("no set '" + set + "' in " + source_ + " (sets: " + known + ")");
	}
	std::vector<BenchCase> out;
	for (const Group &group : it->second) {
		// The cross product, the factors in their declared order (layout outermost).
		std::vector<std::map<std::string, std::string>> partial = {baseline_};
		for (const std::string &factor : factor_order_) {
			const auto values = group.find(factor);
			if (values == group.end())
				continue;
			std::vector<std::map<std::string, std::string>> next;
			for (const auto &p : partial)
				for (const std::string &v : values->second) {
					auto f = p;
					f[factor] = v;
					next.push_back(std::move(f));
				}
			partial = std::move(next);
		}
		for (auto &f : partial) {
			const std::string name = case_name(f, baseline_);
			check_path_name(source_ + ": set " + set + ": case " + group.at("group").front() + "/" + name, name);
			out.push_back({group.at("group").front() + "/" + name, std::move(f)});
		}
	}
	if (out.empty())
		throw UsageError(source_ + ": set " + set + " has no cases: give it at least one group");
	return out;
}

std::map<std::string, std::string> case_variables(const BenchCase &c)
{
	return {
		{"LAYOUT", c.factor("layout")},
		{"OVERWRITE", c.written_original() ? "1" : "0"},
		{"BS", c.factor("bs")},
		{"RW", c.factor("order") == "rand" ? "randwrite" : "write"},
		{"DONOR", c.factor("donor")},
		{"INPLACE", c.factor("inplace")},
		{"INVALIDATE", c.factor("cache") == "warm" ? "0" : "1"},
	};
}

std::string expand_template(const std::string &text, const std::map<std::string, std::string> &values, const std::string &source)
{
	std::string out;
	size_t pos = 0;
	while (true) {
		const size_t start = text.find("${", pos);
		if (start == std::string::npos)
			break;
		const size_t end = text.find('}', start);
		if (end == std::string::npos)
			throw UsageError(source + ": an unterminated ${ at offset " + std::to_string(start));
		// Comment lines keep their ${...}: they document the variables.
		const size_t newline = text.rfind('\n', start);
		const size_t line_start = newline == std::string::npos ? 0 : newline + 1;
		const bool comment = text[line_start] == ';' || text[line_start] == '#';
		out += text.substr(pos, start - pos);
		const std::string name = text.substr(start + 2, end - start - 2);
		const auto value = values.find(name);
		if (comment)
			out += text.substr(start, end + 1 - start);
		else if (value != values.end()) {
			check_job_value(source + ": ${" + name + "}", value->second);
			out += value->second;
		} else
			throw UsageError(
				source + ": ${" + name +
				"} has no value (the bench sets DIR, FILENAME, FILESIZE, RUNTIME, ENGINE and the case's factors)");
		pos = end + 1;
	}
	return out + text.substr(pos);
}

} // namespace e4mext::runner
