// The clock as text, one way for the whole runner: names of results directories, metadata dates
// and durations.
#pragma once

#include <string>

namespace e4mext::runner {

// Local time for directory names: 20261126-083218.
std::string local_stamp();

// UTC for metadata: 2026-11-26T08:32:18Z.
std::string utc_iso8601();

// A fresh results directory for a command run without --results: $TMPDIR (or /tmp) /
// e4mext-<command>.<local_stamp>.<pid>.
std::string temporary_results_dir(const std::string &command);

// A duration as people write it: "25m", "90s", "1h30m", "2h" (a bare number is seconds), in
// seconds. Throws UsageError naming `what` for anything else, or for 0.
double parse_duration_seconds(const std::string &text, const std::string &what);

// A duration for progress lines: "m:ss".
std::string format_duration(double seconds);

// A measured time for metadata and messages, one decimal with its unit: "10.4 s".
std::string format_seconds(double seconds);

} // namespace e4mext::runner
