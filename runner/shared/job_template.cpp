#include "job_template.h"

#include "names.h"
#include "runner_errors.h"

namespace e4mext::runner {

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
				"} has no value (the bench sets DIR, FILENAME, RUNTIME and ENGINE; jobs/cases.json's factors "
				"set the others: give one factor's values this variable)");
		pos = end + 1;
	}
	return out + text.substr(pos);
}

} // namespace e4mext::runner
