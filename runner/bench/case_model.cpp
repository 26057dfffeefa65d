#include "case_model.h"

#include "file_text.h"
#include "job_template.h"
#include "names.h"
#include "runner_errors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace e4mext::runner {

namespace {

using json = nlohmann::json;
using Group = std::map<std::string, std::vector<std::string>>;

// The prepare steps the bench knows, and their values ("" = any).
const std::map<std::string, std::set<std::string>> kPrepareSteps = {
	{"original", {"unwritten", "written", "fragmented"}},
	{"cache", {"cold", "warm"}},
	{"size", {}},
	{"verify", {"none", "second-job"}}, // second-job: fio's verify pass over the second job's writes
};

std::string read_job_file(const std::string &path)
{
	auto text = read_file(path);
	if (!text)
		throw UsageError(path + ": cannot read it (is the checkout complete?)");
	return *text;
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

std::map<std::string, std::string> string_map(const json &object, const char *key, const std::string &where)
{
	std::map<std::string, std::string> out;
	if (!object.contains(key))
		return out;
	const json &value = object.at(key);
	if (!value.is_object())
		throw UsageError(where + "." + key + ": give an object of names to strings");
	for (const auto &[name, v] : value.items()) {
		if (!v.is_string())
			throw UsageError(where + "." + key + "." + name + ": " + v.dump() + " is not a string");
		out[name] = v.get<std::string>();
		check_job_value(where + "." + key + "." + name, out[name]);
	}
	return out;
}

void only_keys(const json &object, const std::set<std::string> &known, const std::string &where)
{
	for (const auto &[key, value] : object.items())
		if (!known.count(key)) {
			std::string list;
			for (const std::string &k : known)
				list += (list.empty() ? "" : ", ") + k;
			throw UsageError(where + ": unknown key '" + key + "' (known: " + list + ")");
		}
}

std::string replace_all(std::string text, const std::string &what, const std::string &with)
{
	for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
		text.replace(at, what.size(), with);
	return text;
}

std::string fill(const std::string &pattern, const std::string &name, const std::string &value)
{
	return replace_all(replace_all(pattern, "{name}", name), "{value}", value);
}

// A label as a piece of a case id: "donor=written" -> "donor_written".
std::string id_text(std::string label)
{
	std::replace_if(
		label.begin(), label.end(), [](char c) { return c == '=' || c == ' ' || c == '/'; }, '_');
	return label;
}

CaseModel::Factor parse_factor(const json &f, const std::string &where_all)
{
	if (!f.is_object() || !f.contains("name") || !f.at("name").is_string())
		throw UsageError(where_all + ": each factor is an object with a \"name\"");
	CaseModel::Factor factor;
	factor.name = f.at("name").get<std::string>();
	const std::string where = where_all + "." + factor.name;
	only_keys(f,
		  {"name", "baseline", "values", "label", "in_label", "axis", "open", "variables", "options", "prepare",
		   "second_job", "comment"},
		  where);
	if (factor.name.empty() || factor.name == "group" ||
	    factor.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
		throw UsageError(where + ": a factor's name is lower-case letters, digits and _ (and not 'group')");
	factor.baseline = f.at("baseline").get<std::string>();
	factor.label = f.value("label", factor.label);
	const std::string in_label = f.value("in_label", "varying");
	if (in_label != "always" && in_label != "varying")
		throw UsageError(where + ".in_label: always or varying, not '" + in_label + "'");
	factor.always_shown = in_label == "always";
	factor.axis = f.value("axis", false);
	factor.open = f.value("open", false);
	factor.variables = string_map(f, "variables", where);
	factor.options = string_map(f, "options", where);
	factor.prepare = string_map(f, "prepare", where);
	factor.second_job = f.value("second_job", "");
	if (!f.at("values").is_array() || f.at("values").empty())
		throw UsageError(where + ".values: give a non-empty list");
	for (const json &v : f.at("values")) {
		CaseModel::Value value;
		if (v.is_string()) {
			value.value = v.get<std::string>();
		} else if (v.is_object() && v.contains("value") && v.at("value").is_string()) {
			value.value = v.at("value").get<std::string>();
			only_keys(v, {"value", "label", "variables", "options", "prepare", "second_job"},
				  where + "." + value.value);
			value.label = v.value("label", "");
			value.variables = string_map(v, "variables", where + "." + value.value);
			value.options = string_map(v, "options", where + "." + value.value);
			value.prepare = string_map(v, "prepare", where + "." + value.value);
			value.second_job = v.value("second_job", "");
		} else {
			throw UsageError(where + ".values: " + v.dump() + " is neither a string nor an object with a \"value\"");
		}
		if (value.value.empty())
			throw UsageError(where + ".values: an empty value");
		check_job_value(where + ".values", value.value);
		check_path_name(where + ".values", value.value); // a value names its case's results and reaches fio
		factor.values.push_back(std::move(value));
	}
	const auto &values = factor.values;
	if (std::none_of(values.begin(), values.end(), [&](const auto &v) { return v.value == factor.baseline; }))
		throw UsageError(where + ": baseline '" + factor.baseline + "' is not one of its values");
	return factor;
}

} // namespace

const std::string &BenchCase::factor(const std::string &name) const
{
	for (const CaseFactorValue &f : factors)
		if (f.name == name)
			return f.value;
	throw std::out_of_range("case " + id + " has no factor " + name);
}

CaseModel CaseModel::load(const std::string &jobs_dir)
{
	CaseModel m;
	m.source_ = jobs_dir + "/cases.json";
	json doc;
	try {
		doc = json::parse(read_job_file(m.source_));
	} catch (const json::exception &e) {
		throw UsageError(m.source_ + ": not valid JSON: " + e.what());
	}
	try {
		only_keys(doc, {"comment", "template", "factors", "sets"}, m.source_);
		if (!doc.at("factors").is_array())
			throw UsageError(m.source_ + ": factors: give a list of factors");
		for (const json &f : doc.at("factors")) {
			Factor factor = parse_factor(f, m.source_ + ": factors");
			if (std::any_of(m.factors_.begin(), m.factors_.end(),
					[&](const Factor &o) { return o.name == factor.name; }))
				throw UsageError(m.source_ + ": factor '" + factor.name + "' is declared twice");
			m.factors_.push_back(std::move(factor));
		}
		const auto factor_named = [&](const std::string &name) -> const Factor * {
			for (const Factor &f : m.factors_)
				if (f.name == name)
					return &f;
			return nullptr;
		};
		for (const auto &[set, groups] : doc.at("sets").items()) {
			std::vector<Group> parsed;
			for (const json &g : groups) {
				Group group;
				group["group"] = {g.at("group").get<std::string>()};
				check_path_name(m.source_ + ": set " + set + ": group", group["group"].front());
				for (const auto &[name, values] : g.items()) {
					if (name == "group")
						continue;
					const Factor *factor = factor_named(name);
					if (!factor)
						throw UsageError(m.source_ + ": set " + set + ": unknown factor '" + name + "'");
					group[name] = strings(values, m.source_ + ": set " + set + ": " + name);
					for (const std::string &v : group[name])
						if (std::none_of(factor->values.begin(), factor->values.end(),
								 [&](const Value &known) { return known.value == v; }))
							throw UsageError(m.source_ + ": set " + set + ": " + name + " '" + v +
									 "' is not one of the factor's values");
				}
				parsed.push_back(std::move(group));
			}
			m.sets_.emplace_back(set, std::move(parsed));
		}
		m.template_path_ = jobs_dir + "/" + doc.at("template").get<std::string>();
	} catch (const json::exception &e) {
		throw UsageError(m.source_ + ": " + e.what());
	}
	m.template_text_ = read_job_file(m.template_path_);
	m.jobs_dir_ = jobs_dir;
	for (const Factor &f : m.factors_)
		for (const Value &v : f.values)
			for (const std::string &job : {f.second_job, v.second_job})
				if (!job.empty()) {
					check_path_name(m.source_ + ": factor " + f.name + ": second_job", job);
					m.second_jobs_[job] = read_job_file(jobs_dir + "/" + job);
				}
	return m;
}

std::vector<std::string> CaseModel::set_names() const
{
	std::vector<std::string> names;
	for (const auto &s : sets_)
		names.push_back(s.first);
	return names;
}

void CaseModel::resolve(BenchCase &c, const Factor &factor, const std::string &value) const
{
	const auto declared =
		std::find_if(factor.values.begin(), factor.values.end(), [&](const Value &v) { return v.value == value; });
	if (declared == factor.values.end() && !factor.open)
		throw UsageError("factor " + factor.name + " has no value '" + value + "' in " + source_ +
				 " (its values are listed there; a factor marked \"open\" takes any value)");
	const Value own = declared == factor.values.end() ? Value{value, "", {}, {}, {}, ""} : *declared;
	CaseFactorValue shown;
	shown.name = factor.name;
	shown.value = value;
	shown.label = own.label.empty() ? fill(factor.label, factor.name, value) : own.label;
	shown.rank = std::distance(factor.values.begin(), declared);
	shown.always_shown = factor.always_shown;
	shown.axis = factor.axis;
	c.factors.push_back(std::move(shown));
	const auto merge = [&](std::map<std::string, std::string> &into, const std::map<std::string, std::string> &common,
			       const std::map<std::string, std::string> &specific, const char *what) {
		std::map<std::string, std::string> mine;
		for (const auto &[k, v] : common)
			mine[k] = fill(v, factor.name, value);
		for (const auto &[k, v] : specific)
			mine[k] = v;
		for (const auto &[k, v] : mine) {
			if (into.count(k))
				throw UsageError(source_ + ": " + what + " " + k + " is set by factor " + factor.name +
						 " and by another factor: give it one owner");
			into[k] = v;
		}
	};
	merge(c.variables, factor.variables, own.variables, "variable");
	merge(c.options, factor.options, own.options, "fio option");
	merge(c.prepare, factor.prepare, own.prepare, "prepare step");
	if (const std::string &job = own.second_job.empty() ? factor.second_job : own.second_job; !job.empty()) {
		if (c.has_second_job())
			throw UsageError(source_ + ": factor " + factor.name +
					 " and another factor both give a second_job: give it one owner");
		c.second_job_source = jobs_dir_ + "/" + job;
		c.second_job_text = second_jobs_.at(job);
	}
}

std::vector<BenchCase> CaseModel::cases(const std::string &set, const std::vector<FactorOverride> &overrides) const
{
	const auto it = std::find_if(sets_.begin(), sets_.end(), [&](const auto &s) { return s.first == set; });
	if (it == sets_.end()) {
		std::string known;
		for (const std::string &n : set_names())
			known += (known.empty() ? "" : ", ") + n;
		throw UsageError("no set '" + set + "' in " + source_ + " (sets: " + known + ")");
	}
	for (const FactorOverride &o : overrides)
		if (std::none_of(factors_.begin(), factors_.end(), [&](const Factor &f) { return f.name == o.factor; }))
			throw UsageError(source_ + " has no factor '" + o.factor + "' (needed for the value '" + o.value + "')");
	std::vector<BenchCase> out;
	for (const Group &group : it->second) {
		// The cross product, the factors in their declared order (the first outermost).
		std::vector<std::map<std::string, std::string>> partial(1);
		for (const Factor &factor : factors_) {
			const auto listed = group.find(factor.name);
			const std::vector<std::string> values =
				listed == group.end() ? std::vector<std::string>{factor.baseline} : listed->second;
			std::vector<std::map<std::string, std::string>> next;
			for (const auto &p : partial)
				for (const std::string &v : values) {
					auto f = p;
					f[factor.name] = v;
					next.push_back(std::move(f));
				}
			partial = std::move(next);
		}
		for (const auto &chosen : partial) {
			BenchCase c;
			c.group = group.at("group").front();
			std::string always, off_baseline;
			for (const Factor &factor : factors_) {
				std::string value = chosen.at(factor.name);
				resolve(c, factor, value);
				if (factor.always_shown)
					always += (always.empty() ? "" : "-") + id_text(c.factors.back().label);
				else if (value != factor.baseline)
					off_baseline += "-" + id_text(c.factors.back().label);
			}
			check_path_name(source_ + ": set " + set + ": case " + c.group + "/" + always + off_baseline,
					always + off_baseline);
			c.id = c.group + "/" + always + off_baseline;
			if (!overrides.empty()) { // again with the overridden values; the id stays
				BenchCase changed;
				changed.group = c.group;
				changed.id = c.id;
				for (const Factor &factor : factors_) {
					std::string value = chosen.at(factor.name);
					for (const FactorOverride &o : overrides)
						if (o.factor == factor.name && (!o.only_at_baseline || value == factor.baseline))
							value = o.value;
					resolve(changed, factor, value);
				}
				c = std::move(changed);
			}
			c.prepare.try_emplace("verify", "none"); // the one step a case may leave out
			for (const auto &[step, allowed] : kPrepareSteps) {
				const auto given = c.prepare.find(step);
				if (given == c.prepare.end())
					throw UsageError(source_ + ": case " + c.id + ": no factor gives the prepare step '" +
							 step + "' (original, cache and size are needed)");
				if (!allowed.empty() && !allowed.count(given->second))
					throw UsageError(source_ + ": case " + c.id + ": prepare step " + step + " '" +
							 given->second + "' is not one the bench knows");
			}
			for (const auto &[step, value] : c.prepare)
				if (!kPrepareSteps.count(step))
					throw UsageError(source_ + ": case " + c.id + ": unknown prepare step '" + step +
							 "' (the bench knows original, cache, size, verify)");
			if (c.step("verify") == "second-job" && !c.has_second_job())
				throw UsageError(source_ + ": case " + c.id +
						 ": prepare step verify 'second-job' but no factor gives a second_job to verify");
			out.push_back(std::move(c));
		}
	}
	if (out.empty())
		throw UsageError(source_ + ": set " + set + " has no cases: give it at least one group");
	return out;
}

std::string case_job_text(const BenchCase &c, const std::string &template_text, const std::string &template_source,
			  std::map<std::string, std::string> bench_values)
{
	for (const auto &[name, value] : c.variables)
		bench_values[name] = value;
	std::string job = expand_template(template_text, bench_values, template_source);
	if (!c.options.empty()) {
		job += "; added by jobs/cases.json (the case's fio options)\n";
		for (const auto &[name, value] : c.options)
			job += name + "=" + value + "\n";
	}
	return job;
}

} // namespace e4mext::runner
