#include "json_fields.hpp"

#include "input_error.hpp"

namespace e4mext::report {

std::string describe_json_type(const nlohmann::json &value)
{
	switch (value.type()) {
	case nlohmann::json::value_t::null: return "null";
	case nlohmann::json::value_t::object: return "an object";
	case nlohmann::json::value_t::array: return "an array";
	case nlohmann::json::value_t::string: return "a string";
	case nlohmann::json::value_t::boolean: return "a boolean";
	case nlohmann::json::value_t::number_integer:
	case nlohmann::json::value_t::number_unsigned: return "the integer " + value.dump();
	case nlohmann::json::value_t::number_float: return "the number " + value.dump();
	case nlohmann::json::value_t::binary: return "binary data";
	case nlohmann::json::value_t::discarded: break;
	}
	return "an unusable value";
}

std::string one_line(std::string_view text, std::size_t max_chars)
{
	std::string out;
	out.reserve(std::min(text.size(), max_chars));
	for (char c : text) {
		if (out.size() >= max_chars) {
			out += "...";
			break;
		}
		const auto byte = static_cast<unsigned char>(c);
		out += (byte < 0x20 || byte == 0x7f) ? '?' : c;
	}
	return out;
}

JsonFields::JsonFields(const nlohmann::json &object, std::string where, std::string path)
	: object_(object), where_(std::move(where)), path_(std::move(path))
{
	if (!object_.is_object())
		throw InputError(where_ + ": " + (path_.empty() ? "the document" : path_) + ": expected an object, found " +
				 describe_json_type(object_));
}

std::string JsonFields::field_path(const char *key) const
{
	std::string name = key;
	if (name.find_first_of(" .") != std::string::npos)
		name = "\"" + name + "\"";
	return path_.empty() ? name : path_ + "." + name;
}

void JsonFields::fail(const char *key, std::string_view what) const
{
	throw InputError(where_ + ": " + field_path(key) + ": " + std::string(what));
}

bool JsonFields::has(const char *key) const
{
	return object_.contains(key);
}

const nlohmann::json &JsonFields::object(const char *key) const
{
	const auto *found = optional_object(key);
	if (found == nullptr)
		fail(key, "missing (fio always writes it: is the file complete?)");
	return *found;
}

const nlohmann::json *JsonFields::optional_object(const char *key) const
{
	const auto it = object_.find(key);
	if (it == object_.end())
		return nullptr;
	if (!it->is_object())
		fail(key, "expected an object, found " + describe_json_type(*it));
	return &*it;
}

std::string JsonFields::string(const char *key) const
{
	auto value = optional_string(key);
	if (!value)
		fail(key, "missing (fio always writes it: is the file complete?)");
	return *value;
}

std::optional<std::string> JsonFields::optional_string(const char *key) const
{
	const auto it = object_.find(key);
	if (it == object_.end())
		return std::nullopt;
	if (!it->is_string())
		fail(key, "expected a string, found " + describe_json_type(*it));
	return it->get<std::string>();
}

std::uint64_t JsonFields::unsigned_integer(const char *key) const
{
	const auto it = object_.find(key);
	if (it == object_.end())
		fail(key, "missing (fio always writes it: is the file complete?)");
	if (it->is_number_unsigned())
		return it->get<std::uint64_t>();
	if (it->is_number_integer() && it->get<std::int64_t>() >= 0)
		return static_cast<std::uint64_t>(it->get<std::int64_t>());
	fail(key, "expected a non-negative integer, found " + describe_json_type(*it));
}

std::optional<std::int64_t> JsonFields::optional_integer(const char *key) const
{
	const auto it = object_.find(key);
	if (it == object_.end())
		return std::nullopt;
	if (it->is_number_integer() && !it->is_number_unsigned())
		return it->get<std::int64_t>();
	if (it->is_number_unsigned() && it->get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX))
		return static_cast<std::int64_t>(it->get<std::uint64_t>());
	fail(key, "expected an integer, found " + describe_json_type(*it));
}

} // namespace e4mext::report
