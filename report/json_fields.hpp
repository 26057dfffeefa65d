// Typed access to fields of a parsed JSON object, with messages that say where and what:
// "FILE: jobs[2].write.io_bytes: expected a non-negative integer, found a string".
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace e4mext::report {

// Names a JSON value's type the way a person would ("a string", "null", "an array").
std::string describe_json_type(const nlohmann::json &value);

// Replaces control characters by '?' and shortens to max_chars, so a message stays one line.
std::string one_line(std::string_view text, std::size_t max_chars = 240);

class JsonFields {
public:
	// where: message prefix naming the file (and line), path: the object's JSON path ("jobs[0]").
	JsonFields(const nlohmann::json &object, std::string where, std::string path);

	bool has(const char *key) const;
	const nlohmann::json &object(const char *key) const; // required object
	const nlohmann::json *optional_object(const char *key) const;
	std::string string(const char *key) const; // required string
	std::optional<std::string> optional_string(const char *key) const;
	std::uint64_t unsigned_integer(const char *key) const; // required, >= 0
	std::optional<std::int64_t> optional_integer(const char *key) const;
	std::string field_path(const char *key) const;

	[[noreturn]] void fail(const char *key, std::string_view what) const;

private:
	const nlohmann::json &object_;
	std::string where_;
	std::string path_;
};

} // namespace e4mext::report
