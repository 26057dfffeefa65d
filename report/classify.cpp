#include "classify.hpp"

#include "input_error.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <set>
#include <stdexcept>

namespace e4mext::report {

namespace {

std::string lowercase(std::string_view text)
{
	std::string out(text);
	std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
	return out;
}

std::string_view trim(std::string_view text)
{
	const auto first = text.find_first_not_of(" \t");
	if (first == std::string_view::npos)
		return {};
	const auto last = text.find_last_not_of(" \t");
	return text.substr(first, last - first + 1);
}

const std::string *find_option(const FioOptions &options, std::initializer_list<const char *> names)
{
	for (const char *name : names)
		if (const auto it = options.find(name); it != options.end())
			return &it->second;
	return nullptr;
}

} // namespace

std::uint64_t parse_fio_size(std::string_view text, bool decimal_kb_base)
{
	const auto value = trim(text);
	std::uint64_t number = 0;
	const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
	if (ec != std::errc() || end == value.data())
		throw std::invalid_argument("not a size: '" + std::string(text) + "'");
	const auto suffix = lowercase(std::string_view(end, static_cast<std::size_t>(value.data() + value.size() - end)));
	if (suffix.empty() || suffix == "b")
		return number;
	static const std::string prefixes = "kmgtp";
	const auto power = prefixes.find(suffix[0]);
	const auto rest = std::string_view(suffix).substr(1);
	if (power == std::string::npos || !(rest.empty() || rest == "b" || rest == "i" || rest == "ib"))
		throw std::invalid_argument("not a size: '" + std::string(text) + "' (unknown unit '" + suffix + "')");
	const bool binary = !decimal_kb_base || rest.starts_with('i');
	const std::uint64_t step = binary ? 1024 : 1000;
	std::uint64_t multiplier = 1;
	for (std::size_t i = 0; i <= power; ++i)
		multiplier *= step;
	if (number > UINT64_MAX / multiplier)
		throw std::invalid_argument("size out of range: '" + std::string(text) + "'");
	return number * multiplier;
}

std::uint64_t write_block_size(std::string_view bs_option, bool decimal_kb_base)
{
	// bs=READ,WRITE,TRIM; a single value applies to all; an empty WRITE part falls back to READ.
	const auto comma = bs_option.find(',');
	auto part = bs_option.substr(0, comma);
	if (comma != std::string_view::npos) {
		auto write_part = bs_option.substr(comma + 1);
		write_part = write_part.substr(0, write_part.find(','));
		if (!trim(write_part).empty())
			part = write_part;
	}
	const auto size = parse_fio_size(part, decimal_kb_base);
	if (size == 0)
		throw std::invalid_argument("block size 0 in '" + std::string(bs_option) + "'");
	return size;
}

bool fio_option_is_set(std::string_view value)
{
	const auto v = lowercase(trim(value));
	if (v.empty() || v == "true" || v == "on" || v == "yes")
		return true;
	if (v == "false" || v == "off" || v == "no")
		return false;
	std::int64_t number = 0;
	const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), number);
	if (ec != std::errc() || end != v.data() + v.size())
		throw std::invalid_argument("not a boolean: '" + std::string(value) + "'");
	return number != 0;
}

std::string engine_label(std::string_view ioengine)
{
	const auto value = trim(ioengine);
	if (value.empty())
		return "psync"; // fio's default on Linux
	constexpr std::string_view external = "external:";
	if (!value.starts_with(external))
		return std::string(value);
	auto path = value.substr(external.size());
	if (const auto slash = path.rfind('/'); slash != std::string_view::npos)
		path = path.substr(slash + 1);
	if (const auto so = path.find(".so"); so != std::string_view::npos && so > 0)
		path = path.substr(0, so);
	return path.empty() ? std::string(value) : std::string(path);
}

std::string format_block_size(std::uint64_t bytes)
{
	constexpr std::uint64_t kib = 1024;
	if (bytes >= kib * kib && bytes % (kib * kib) == 0)
		return std::to_string(bytes / (kib * kib)) + "m";
	if (bytes >= kib && bytes % kib == 0)
		return std::to_string(bytes / kib) + "k";
	return std::to_string(bytes);
}

namespace {

const char *extents_name(ExtentState state)
{
	switch (state) {
	case ExtentState::written: return "written";
	case ExtentState::fragmented: return "fragmented";
	default: return "unwritten";
	}
}

} // namespace

const char *extents_letter(ExtentState state)
{
	switch (state) {
	case ExtentState::written: return "M";
	case ExtentState::fragmented: return "F";
	default: return "U";
	}
}

CaseKey classify(const FioJob &job, const std::string &source)
{
	const auto &options = job.options;
	const std::string where = source + ": job '" + job.jobname + "'";
	auto option_error = [&](const char *name, const std::string &value, const std::exception &e) {
		return InputError(where + ": option " + name + "=" + value + ": " + e.what());
	};

	CaseKey key;
	const auto *kb_base = find_option(options, {"kb_base"});
	const bool decimal = kb_base != nullptr && trim(*kb_base) == "1000";

	if (const auto *overwrite = find_option(options, {"overwrite"})) {
		try {
			key.extents = fio_option_is_set(*overwrite) ? ExtentState::written : ExtentState::unwritten;
		} catch (const std::exception &e) {
			throw option_error("overwrite", *overwrite, e);
		}
	}
	if (const auto *description = find_option(options, {"description"});
	    description != nullptr && key.extents == ExtentState::written &&
	    (" " + *description + " ").find(" layout=F ") != std::string::npos)
		key.extents = ExtentState::fragmented;
	if (const auto *bs = find_option(options, {"bs", "blocksize"})) {
		try {
			key.block_size = write_block_size(*bs, decimal);
		} catch (const std::exception &e) {
			throw option_error("bs", *bs, e);
		}
	}
	if (const auto *donor_mode = find_option(options, {"donor_mode"})) {
		const auto mode = lowercase(trim(*donor_mode));
		if (mode != "unwritten" && mode != "written")
			throw InputError(where + ": option donor_mode=" + *donor_mode + ": expected unwritten or written");
		key.donor_mode = mode;
	}
	if (const auto *inplace = find_option(options, {"inplace"})) {
		try {
			key.inplace = fio_option_is_set(*inplace);
		} catch (const std::exception &e) {
			throw option_error("inplace", *inplace, e);
		}
	}
	if (const auto *rw = find_option(options, {"rw", "readwrite"}))
		key.access = lowercase(trim(*rw)).starts_with("rand") ? "rand" : "seq";
	const auto *ioengine = find_option(options, {"ioengine"});
	key.engine = engine_label(ioengine ? *ioengine : "");
	key.host = job.host;
	return key;
}

const CaseFactor *CaseFactors::find(std::string_view name) const
{
	for (const auto &f : factors)
		if (f.name == name)
			return &f;
	return nullptr;
}

const CaseFactor *CaseFactors::axis() const
{
	for (const auto &f : factors)
		if (f.axis)
			return &f;
	return nullptr;
}

CaseFactors CaseFactors::without_axis() const
{
	CaseFactors panel;
	for (const auto &f : factors)
		if (!f.axis)
			panel.factors.push_back(f);
	return panel;
}

CaseFactors factors_of(const CaseKey &key)
{
	using Kind = CaseFactor::Kind;
	const std::string bs = format_block_size(key.block_size);
	const std::string host = "@" + (key.host.empty() ? std::string("local") : key.host);
	return {{
		{"extents", extents_name(key.extents), extents_letter(key.extents), static_cast<std::int64_t>(key.extents), true},
		{"block_size", std::to_string(key.block_size), bs, static_cast<std::int64_t>(key.block_size), true, true,
		 Kind::number},
		{"donor_mode", key.donor_mode, "donor=" + key.donor_mode},
		{"inplace", key.inplace ? "1" : "0", key.inplace ? "inplace" : "copy", key.inplace ? 1 : 0, false, false,
		 Kind::boolean},
		{"access", key.access, key.access},
		{"engine", key.engine, key.engine},
		{"host", key.host, host},
	}};
}

VaryingDimensions varying_dimensions(const std::vector<CaseFactors> &keys)
{
	VaryingDimensions varying;
	std::map<std::string, std::set<std::string>, std::less<>> values;
	for (const auto &key : keys)
		for (const auto &f : key.factors)
			values[f.name].insert(f.value);
	for (const auto &entry : values) {
		const std::string &name = entry.first;
		const bool everywhere =
			std::all_of(keys.begin(), keys.end(), [&](const CaseFactors &k) { return k.find(name) != nullptr; });
		if (entry.second.size() > 1 || !everywhere)
			varying.factors.insert(name);
	}
	return varying;
}

VaryingDimensions varying_dimensions(const std::vector<CaseKey> &keys)
{
	std::vector<CaseFactors> factors;
	for (const auto &key : keys)
		factors.push_back(factors_of(key));
	return varying_dimensions(factors);
}

namespace {

std::string label_of(const CaseFactors &key, const VaryingDimensions &varying, bool with_axis)
{
	std::string label;
	for (const auto &f : key.factors)
		if ((with_axis || !f.axis) && (f.always_shown || varying.has(f.name)) && !f.label.empty())
			label += (label.empty() ? "" : " ") + f.label;
	return label;
}

} // namespace

std::string case_label(const CaseFactors &key, const VaryingDimensions &varying)
{
	return label_of(key, varying, true);
}

std::string case_label(const CaseKey &key, const VaryingDimensions &varying)
{
	return case_label(factors_of(key), varying);
}

std::string group_label(const CaseFactors &key, const VaryingDimensions &varying)
{
	return label_of(key, varying, false);
}

} // namespace e4mext::report
