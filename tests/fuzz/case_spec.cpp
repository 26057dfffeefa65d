#include "case_spec.h"

#include <sstream>
#include <stdexcept>

namespace e4mext::jobfuzz {

namespace {

constexpr std::string_view kFuzzPrefix = "; fuzz:";

std::string_view trim(std::string_view s)
{
	const size_t first = s.find_first_not_of(" \t\r");
	if (first == std::string_view::npos)
		return {};
	return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

const char *role_name(FileRole role)
{
	return role == FileRole::outside ? "outside" : "original";
}

void write_section(std::ostringstream &out, const Section &s)
{
	out << "[" << s.name << "]\n";
	for (const auto &[key, value] : s.options)
		out << key << (value.empty() ? "" : "=" + value) << "\n";
}

// Reads what the fuzzer needs besides the sections: "; fuzz: seed S case K", "; fuzz: dir D",
// "; fuzz: file ROLE PATH SIZE", "; fuzz: link hard|symbolic PATH TARGET".
class FuzzLineReader {
public:
	FuzzLineReader(CaseSpec &c, const std::string &where) : c_(c), where_(where) {}

	void read(std::string_view rest)
	{
		std::istringstream in{std::string(rest)};
		std::string word;
		in >> word;
		if (word == "seed") {
			std::string case_word;
			if (!(in >> c_.seed >> case_word >> c_.index) || case_word != "case")
				fail("expected 'seed S case K'");
		} else if (word == "dir") {
			std::string dir;
			if (!(in >> dir))
				fail("expected 'dir PATH'");
			c_.dirs.push_back(checked_relative(dir));
		} else if (word == "file") {
			std::string role, path;
			FileSpec f;
			if (!(in >> role >> path >> f.size) || (role != "original" && role != "outside"))
				fail("expected 'file original|outside PATH SIZE'");
			f.role = role == "outside" ? FileRole::outside : FileRole::original;
			f.path = checked_relative(path);
			c_.files.push_back(f);
		} else if (word == "link") {
			std::string kind, path, target;
			if (!(in >> kind >> path >> target) || (kind != "hard" && kind != "symbolic"))
				fail("expected 'link hard|symbolic PATH TARGET'");
			if (path.find('/') != std::string::npos)
				fail("link '" + path + "' is not in the mount's root");
			c_.links.push_back({kind == "hard", checked_relative(path), checked_relative(target)});
		} else {
			fail("unknown '; fuzz:' line (known: seed, dir, file, link)");
		}
	}

private:
	// Paths stay under the mount: a case file must not make the fuzzer write elsewhere.
	std::string checked_relative(const std::string &path) const
	{
		if (path.empty() || path.front() == '/' || path.find("..") != std::string::npos)
			fail("'" + path + "' is not a relative path under the mount");
		return path;
	}

	[[noreturn]] void fail(const std::string &what) const { throw std::runtime_error(where_ + ": " + what); }

	CaseSpec &c_;
	const std::string &where_;
};

} // namespace

const std::string *Section::find(std::string_view key) const
{
	for (auto it = options.rbegin(); it != options.rend(); ++it)
		if (it->first == key)
			return &it->second;
	return nullptr;
}

std::string CaseSpec::option(const Section &job, std::string_view key, std::string_view fallback) const
{
	if (const std::string *v = job.find(key))
		return *v;
	if (const std::string *v = global.find(key))
		return *v;
	return std::string(fallback);
}

std::string to_job_file(const CaseSpec &c, const std::vector<std::string> &why)
{
	std::ostringstream out;
	out << "; job-fuzz case: seed " << c.seed << " case " << c.index << "\n";
	for (const std::string &w : why)
		out << "; failed: " << w << "\n";
	out << "; Replay with its checks: job-fuzz --replay THIS_FILE (as root; makes its own loop ext4).\n"
	    << "; By hand: make the dirs, files and links of the '; fuzz:' lines under an ext4 directory MNT, then\n"
	    << ";   " << kMountVar << "=MNT " << kEngineVar << "=build/engine/libe4mext.so " << kStatsVar
	    << "=/tmp/stats.jsonl fio THIS_FILE\n"
	    << "; The fuzzer's contents are a function of (seed, case, path): see tests/fuzz/content.h.\n";
	out << kFuzzPrefix << " seed " << c.seed << " case " << c.index << "\n";
	for (const std::string &d : c.dirs)
		out << kFuzzPrefix << " dir " << d << "\n";
	for (const FileSpec &f : c.files)
		out << kFuzzPrefix << " file " << role_name(f.role) << " " << f.path << " " << f.size << "\n";
	for (const LinkSpec &l : c.links)
		out << kFuzzPrefix << " link " << (l.hard ? "hard" : "symbolic") << " " << l.path << " " << l.target << "\n";
	write_section(out, c.global);
	for (const Section &job : c.jobs)
		write_section(out, job);
	return out.str();
}

CaseSpec parse_job_file(std::string_view text, const std::string &source)
{
	CaseSpec c;
	Section *current = nullptr;
	bool seen_seed = false;
	size_t line_number = 0;
	for (size_t pos = 0; pos < text.size();) {
		size_t end = text.find('\n', pos);
		if (end == std::string_view::npos)
			end = text.size();
		const std::string_view raw = text.substr(pos, end - pos);
		pos = end + 1;
		++line_number;
		const std::string where = source + ":" + std::to_string(line_number);
		const std::string_view line = trim(raw);
		if (line.substr(0, kFuzzPrefix.size()) == kFuzzPrefix) {
			const std::string_view rest = trim(line.substr(kFuzzPrefix.size()));
			seen_seed = seen_seed || rest.substr(0, 5) == "seed ";
			FuzzLineReader(c, where).read(rest);
			continue;
		}
		if (line.empty() || line.front() == ';' || line.front() == '#')
			continue;
		if (line.front() == '[') {
			if (line.back() != ']' || line.size() < 3)
				throw std::runtime_error(where + ": a section header is [NAME]");
			const std::string name(line.substr(1, line.size() - 2));
			if (name == "global") {
				current = &c.global;
			} else {
				c.jobs.push_back(Section{name, {}});
				current = &c.jobs.back();
			}
			continue;
		}
		if (!current)
			throw std::runtime_error(where + ": option outside any [section]");
		const size_t eq = line.find('=');
		if (eq == std::string_view::npos)
			current->options.emplace_back(std::string(line), "");
		else
			current->options.emplace_back(std::string(trim(line.substr(0, eq))),
						      std::string(trim(line.substr(eq + 1))));
	}
	if (!seen_seed)
		throw std::runtime_error(source + ": no '; fuzz: seed S case K' line: not a job-fuzz case (the file contents "
						  "are made from the seed and case; keep that line when editing a case)");
	if (c.jobs.empty())
		throw std::runtime_error(source + ": no job section: nothing to run");
	return c;
}

} // namespace e4mext::jobfuzz
