#include "unfinished_runs.h"

#include "cleanup_registry.h"

#include "fio_parse.hpp"

#include <signal.h>

#include <algorithm>
#include <cstring>
#include <regex>
#include <set>

namespace e4mext::runner {

namespace fs = std::filesystem;

std::string run_of(const std::string &file_name)
{
	static const std::regex run_name("(run-[0-9]+)[._].*");
	std::smatch m;
	return std::regex_match(file_name, m, run_name) ? m[1].str() : std::string();
}

bool run_finished(const fs::path &json)
{
	try {
		report::load_fio_file(json);
		return true;
	} catch (const std::exception &) {
		return false;
	}
}

std::string set_aside(const fs::path &runs_dir, const std::string &run, const fs::path &unfinished_dir)
{
	const fs::path relative = fs::path(run).parent_path(), name = fs::path(run).filename();
	const fs::path from = runs_dir / relative, to = unfinished_dir / relative;
	std::string trouble;
	std::error_code ec;
	fs::create_directories(to, ec);
	std::vector<fs::path> files;
	for (const auto &entry : fs::directory_iterator(from, ec))
		if (run_of(entry.path().filename().string()) == name.string())
			files.push_back(entry.path());
	for (const fs::path &file : files) {
		fs::rename(file, to / file.filename(), ec);
		if (ec)
			trouble += "; " + file.string() + " stays (" + ec.message() + ")";
	}
	return to.string() + trouble;
}

std::vector<std::string> unfinished_runs(const fs::path &unfinished_dir)
{
	std::set<std::string> runs;
	std::error_code ec;
	for (const auto &entry : fs::recursive_directory_iterator(unfinished_dir, ec))
		if (const std::string run = run_of(entry.path().filename().string()); !run.empty())
			runs.insert((fs::relative(entry.path().parent_path(), unfinished_dir, ec) / run).string());
	return {runs.begin(), runs.end()};
}

std::string where_files_are(std::string text, const std::string &runs_dir, const std::string &unfinished_dir)
{
	const std::string prefix = runs_dir + "/";
	for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at)) {
		const size_t end = std::min(text.find_first_of(" \t\n)'\":", at), text.size());
		const std::string relative = text.substr(at + prefix.size(), end - at - prefix.size());
		std::error_code ec;
		if (!fs::exists(prefix + relative, ec) && fs::exists(fs::path(unfinished_dir) / relative, ec)) {
			const std::string now = (fs::path(unfinished_dir) / relative).string();
			text.replace(at, end - at, now);
			at += now.size();
		} else {
			at = end;
		}
	}
	return text;
}

int interrupting_signal(const std::exception &e)
{
	const auto *interrupted = dynamic_cast<const Interrupted *>(&e);
	return interrupted ? interrupted->signal : interrupted_by();
}

std::string interruption(int signal, const std::vector<std::string> &cut)
{
	std::string text = "interrupted by SIG" + std::string(::sigabbrev_np(signal));
	for (size_t i = 0; i < cut.size(); ++i)
		text += (i == 0 ? " during " : ", ") + cut[i];
	return text;
}

} // namespace e4mext::runner
