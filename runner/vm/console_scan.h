// Reading a guest's serial console for the kernel's own crash reports: a panic, an oops, a KASAN
// report, a BUG, a WARNING, a hung task. Fed in arbitrary chunks as the console arrives; keeps
// each report's first line and the first lines of its trace.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace e4mext::runner {

enum class CrashKind { panic, oops, kasan, bug, warning, hung_task };

// "panic", "Oops", "KASAN", "BUG", "WARNING", "hung task"
const char *crash_kind_name(CrashKind kind);

struct CrashReport {
	CrashKind kind;
	std::string first_line;         // without the printk timestamp
	std::vector<std::string> trace; // the lines after it, up to the end of the report or kTraceLines
};

class ConsoleScanner {
public:
	static constexpr size_t kTraceLines = 12;

	// Adds console bytes; returns the lines completed by them (timestamps and '\r' removed).
	std::vector<std::string> feed(std::string_view bytes);
	// Treats a last unterminated line as complete (at the end of the console).
	std::vector<std::string> finish();

	const std::vector<CrashReport> &crashes() const { return crashes_; }

private:
	void scan_line(const std::string &line);

	std::string partial_;
	std::vector<CrashReport> crashes_;
	bool collecting_ = false;
};

// The crash reports in a whole console log.
std::vector<CrashReport> scan_console(std::string_view text);

// The kernel's printk prefix removed: "[   12.345678] " and a caller id such as "[    T1] ".
std::string strip_printk_prefix(const std::string &line);

} // namespace e4mext::runner
