#include "console_scan.h"

#include <regex>

namespace e4mext::runner {

namespace {

// Where a report begins. Order matters: "BUG: KASAN:" before any other "BUG:".
struct Trigger {
	std::regex pattern;
	CrashKind kind;
};

const std::vector<Trigger> &triggers()
{
	static const std::vector<Trigger> t = {
		{std::regex(R"(^Kernel panic - not syncing)"), CrashKind::panic},
		{std::regex(R"(^BUG: KASAN: )"), CrashKind::kasan},
		{std::regex(R"(^(Oops: |Oops\b|general protection fault[,:]))"), CrashKind::oops},
		{std::regex(R"(^(BUG: |kernel BUG at ))"), CrashKind::bug},
		{std::regex(R"(^WARNING: )"), CrashKind::warning},
		{std::regex(R"(^INFO: task .* blocked for more than)"), CrashKind::hung_task},
	};
	return t;
}

// Where a report's trace ends, before kTraceLines.
bool ends_report(const std::string &line)
{
	return line.rfind("---[ end ", 0) == 0 || line.rfind("==================", 0) == 0;
}

} // namespace

const char *crash_kind_name(CrashKind kind)
{
	switch (kind) {
	case CrashKind::panic: return "panic";
	case CrashKind::oops: return "Oops";
	case CrashKind::kasan: return "KASAN";
	case CrashKind::bug: return "BUG";
	case CrashKind::warning: return "WARNING";
	case CrashKind::hung_task: return "hung task";
	}
	return "crash";
}

std::string strip_printk_prefix(const std::string &line)
{
	static const std::regex prefix(R"(^(\[ *[0-9]+\.[0-9]+\] ?)?(\[ *[TC][0-9]+\] ?)?)");
	std::string out = std::regex_replace(line, prefix, "", std::regex_constants::format_first_only);
	while (!out.empty() && (out.back() == '\r' || out.back() == '\n'))
		out.pop_back();
	return out;
}

std::vector<std::string> ConsoleScanner::feed(std::string_view bytes)
{
	partial_.append(bytes);
	std::vector<std::string> lines;
	size_t start = 0;
	for (size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1) {
		lines.push_back(strip_printk_prefix(partial_.substr(start, nl - start)));
		scan_line(lines.back());
	}
	partial_.erase(0, start);
	return lines;
}

std::vector<std::string> ConsoleScanner::finish()
{
	if (partial_.empty())
		return {};
	return feed("\n");
}

void ConsoleScanner::scan_line(const std::string &line)
{
	for (const Trigger &t : triggers()) {
		if (!std::regex_search(line, t.pattern))
			continue;
		crashes_.push_back(CrashReport{t.kind, line, {}});
		collecting_ = true;
		return;
	}
	if (!collecting_ || crashes_.empty())
		return;
	CrashReport &current = crashes_.back();
	if (ends_report(line)) {
		collecting_ = false;
		return;
	}
	current.trace.push_back(line);
	if (current.trace.size() >= kTraceLines)
		collecting_ = false;
}

std::vector<CrashReport> scan_console(std::string_view text)
{
	ConsoleScanner s;
	s.feed(text);
	s.finish();
	return s.crashes();
}

} // namespace e4mext::runner
