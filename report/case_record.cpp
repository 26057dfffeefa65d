#include "case_record.hpp"

#include "fio_parse.hpp"
#include "input_error.hpp"

#include <nlohmann/json.hpp>

namespace e4mext::report {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

constexpr const char *kSuffix = ".case.json";

const char *kind_name(CaseFactor::Kind kind)
{
	switch (kind) {
	case CaseFactor::Kind::number: return "number";
	case CaseFactor::Kind::boolean: return "boolean";
	default: return "text";
	}
}

CaseFactor::Kind kind_of(const std::string &name, const std::string &where)
{
	if (name == "text")
		return CaseFactor::Kind::text;
	if (name == "number")
		return CaseFactor::Kind::number;
	if (name == "boolean")
		return CaseFactor::Kind::boolean;
	throw InputError(where + ": kind '" + name + "' is not text, number or boolean");
}

} // namespace

fs::path case_record_for(const fs::path &fio_json)
{
	fs::path record = fio_json;
	return record.replace_extension(kSuffix);
}

bool is_case_record(const fs::path &file)
{
	return file.filename().string().ends_with(kSuffix);
}

fs::path alone_run_for(const fs::path &fio_json)
{
	fs::path alone = fio_json;
	return alone.replace_extension(".alone.json");
}

fs::path verify_pass_for(const fs::path &fio_json)
{
	fs::path pass = fio_json;
	return pass.replace_extension(".verify.json");
}

bool is_beside_run(const fs::path &file)
{
	const std::string name = file.filename().string();
	return is_case_record(file) || name.ends_with(".alone.json") || name.ends_with(".verify.json");
}

std::string case_record_json(const CaseRecord &record)
{
	json out;
	out["case"] = record.id;
	out["set"] = record.set;
	out["group"] = record.group;
	out["kernel"] = record.kernel;
	out["accelerator"] = record.accelerator;
	out["factors"] = json::array();
	for (const auto &f : record.factors.factors) {
		json factor;
		factor["name"] = f.name;
		factor["value"] = f.value;
		factor["label"] = f.label;
		factor["rank"] = f.rank;
		factor["always_shown"] = f.always_shown;
		factor["axis"] = f.axis;
		factor["kind"] = kind_name(f.kind);
		out["factors"].push_back(std::move(factor));
	}
	return out.dump(2) + "\n";
}

CaseRecord parse_case_record(const std::string &text, const std::string &source)
{
	try {
		const json doc = json::parse(text);
		CaseRecord record;
		record.id = doc.at("case").get<std::string>();
		record.set = doc.value("set", "");
		record.group = doc.value("group", "");
		record.kernel = doc.value("kernel", "");
		record.accelerator = doc.value("accelerator", "");
		for (const json &f : doc.at("factors")) {
			CaseFactor factor;
			factor.name = f.at("name").get<std::string>();
			factor.value = f.at("value").get<std::string>();
			factor.label = f.value("label", factor.name + "=" + factor.value);
			factor.rank = f.value("rank", std::int64_t{0});
			factor.always_shown = f.value("always_shown", false);
			factor.axis = f.value("axis", false);
			factor.kind = kind_of(f.value("kind", "text"), source + ": factor " + factor.name);
			record.factors.factors.push_back(std::move(factor));
		}
		if (record.factors.factors.empty())
			throw InputError(source + ": a case record without factors");
		return record;
	} catch (const json::exception &e) {
		throw InputError(source + ": not a case record (expected case and factors): " + e.what());
	}
}

std::optional<CaseRecord> load_case_record_beside(const fs::path &fio_json)
{
	const auto record = case_record_for(fio_json);
	std::error_code ec;
	if (!fs::exists(record, ec))
		return std::nullopt;
	return parse_case_record(read_file_text(record), record.string());
}

} // namespace e4mext::report
