#include "apt_sources.h"

#include "file_text.h"
#include "process.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace e4mext::runner {

namespace {

std::string trim(const std::string &s)
{
	const size_t b = s.find_first_not_of(" \t\r");
	if (b == std::string::npos)
		return "";
	return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::string lower(std::string s)
{
	std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
	return s;
}

// One deb822 paragraph: field name (lower case) -> value (continuation lines joined with '\n').
struct Paragraph {
	std::vector<std::pair<std::string, std::string>> fields;
	int first_line = 0;
	std::string get(const std::string &name) const
	{
		for (const auto &[key, value] : fields)
			if (key == name)
				return value;
		return "";
	}
};

AptSource from_paragraph(const Paragraph &p, const std::string &file)
{
	AptSource s;
	s.types = split_words(p.get("types"));
	s.uris = split_words(p.get("uris"));
	s.suites = split_words(p.get("suites"));
	s.components = split_words(p.get("components"));
	s.signed_by = trim(p.get("signed-by"));
	s.enabled = lower(trim(p.get("enabled"))) != "no";
	s.origin = file + ":" + std::to_string(p.first_line);
	return s;
}

} // namespace

std::vector<AptSource> parse_deb822_sources(const std::string &text, const std::string &file)
{
	std::vector<AptSource> out;
	Paragraph p;
	std::istringstream in(text);
	int line_no = 0;
	auto finish = [&] {
		if (!p.fields.empty())
			out.push_back(from_paragraph(p, file));
		p = Paragraph{};
	};
	for (std::string line; std::getline(in, line);) {
		++line_no;
		if (!line.empty() && line[0] == '#')
			continue;
		if (trim(line).empty()) {
			finish();
			continue;
		}
		if ((line[0] == ' ' || line[0] == '\t') && !p.fields.empty()) {
			// A continuation line; " ." stands for an empty line (inside an inline key block).
			const std::string part = trim(line);
			p.fields.back().second += "\n" + (part == "." ? std::string() : part);
			continue;
		}
		const size_t colon = line.find(':');
		if (colon == std::string::npos)
			continue;
		if (p.fields.empty())
			p.first_line = line_no;
		p.fields.emplace_back(lower(trim(line.substr(0, colon))), trim(line.substr(colon + 1)));
	}
	finish();
	return out;
}

std::vector<AptSource> parse_one_line_sources(const std::string &text, const std::string &file)
{
	std::vector<AptSource> out;
	std::istringstream in(text);
	int line_no = 0;
	for (std::string line; std::getline(in, line);) {
		++line_no;
		line = trim(line.substr(0, line.find('#')));
		if (line.empty())
			continue;
		AptSource s;
		s.origin = file + ":" + std::to_string(line_no);
		std::string rest = line;
		const size_t type_end = rest.find_first_of(" \t");
		if (type_end == std::string::npos)
			continue;
		s.types = {rest.substr(0, type_end)};
		rest = trim(rest.substr(type_end));
		if (!rest.empty() && rest[0] == '[') {
			const size_t close = rest.find(']');
			if (close == std::string::npos)
				continue;
			for (const std::string &option : split_words(rest.substr(1, close - 1))) {
				const size_t eq = option.find('=');
				if (eq != std::string::npos && lower(option.substr(0, eq)) == "signed-by")
					s.signed_by = option.substr(eq + 1);
			}
			rest = trim(rest.substr(close + 1));
		}
		std::vector<std::string> w = split_words(rest);
		if (w.size() < 2)
			continue;
		s.uris = {w[0]};
		s.suites = {w[1]};
		s.components.assign(w.begin() + 2, w.end());
		out.push_back(std::move(s));
	}
	return out;
}

std::vector<AptSource> read_machine_sources(const std::string &etc_apt)
{
	namespace fs = std::filesystem;
	std::vector<AptSource> out;
	const fs::path main_list = fs::path(etc_apt) / "sources.list";
	if (fs::is_regular_file(main_list)) {
		auto s = parse_one_line_sources(read_text(main_list), main_list.string());
		out.insert(out.end(), s.begin(), s.end());
	}
	const fs::path dir = fs::path(etc_apt) / "sources.list.d";
	std::vector<fs::path> files;
	std::error_code ec;
	for (const auto &entry : fs::directory_iterator(dir, ec))
		if (entry.is_regular_file())
			files.push_back(entry.path());
	std::sort(files.begin(), files.end()); // apt reads them in name order
	static const std::regex apt_name("^[A-Za-z0-9_.-]+$");
	for (const fs::path &f : files) {
		const std::string name = f.filename().string();
		if (!std::regex_match(name, apt_name))
			continue;
		std::vector<AptSource> s;
		if (f.extension() == ".sources")
			s = parse_deb822_sources(read_text(f), f.string());
		else if (f.extension() == ".list")
			s = parse_one_line_sources(read_text(f), f.string());
		out.insert(out.end(), s.begin(), s.end());
	}
	return out;
}

std::optional<DebianMirror> find_debian_mirror(const std::vector<AptSource> &sources)
{
	static const std::vector<std::string> releases = {"stretch", "buster",  "bullseye", "bookworm",     "trixie",
							  "forky",   "duke",    "sid",      "oldoldstable", "oldstable",
							  "stable",  "testing", "unstable", "experimental"};
	auto is_release_suite = [](const std::string &suite) {
		const std::string base = suite.substr(0, suite.find('-'));
		if (std::find(releases.begin(), releases.end(), base) == releases.end())
			return false;
		return suite.find("security") == std::string::npos && suite.find('/') == std::string::npos;
	};
	for (const AptSource &s : sources) {
		if (!s.enabled || s.uris.empty())
			continue;
		if (std::find(s.types.begin(), s.types.end(), "deb") == s.types.end())
			continue;
		if (std::find(s.components.begin(), s.components.end(), "main") == s.components.end())
			continue;
		if (std::none_of(s.suites.begin(), s.suites.end(), is_release_suite))
			continue;
		return DebianMirror{s.uris.front(), s.signed_by, s.origin};
	}
	return std::nullopt;
}

} // namespace e4mext::runner
