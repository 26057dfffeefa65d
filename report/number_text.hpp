// How the report writes a number: one function per purpose, used by every output (text, markdown,
// csv, json, HTML, charts). fio's own digits (num2str) live in num2str.hpp; these build on them.
#pragma once

#include "result_set.hpp"

#include <string>

namespace e4mext::report {

// A figure as fio prints it: format_iops or format_bw of the value truncated to an integer
// (saturated at 2^64-1): "225k", "877MiB/s".
std::string format_figure(Metric metric, double value);

// Three significant digits, trailing zeros kept, never an exponent: 14.8, 4.70, 0.891, 1380.
std::string format_significant(double value);

// A ratio to three significant digits: "14.8x", "0.891x".
std::string format_ratio(double ratio);

// A latency in ns as a person reads it: "850us", "19.0ms", "1.20s" (three significant digits).
std::string format_latency(double ns);

// A relative change, signed, one decimal: 0.093 -> "+9.3%", -0.1 -> "-10.0%".
std::string format_change(double fraction);

// A measured percentage (a spread, a share), one decimal: 1.94 -> "1.9%".
std::string format_percent(double percent);

// A percentage as it was set (a threshold), with the digits it has: 5 -> "5%", 2.5 -> "2.5%".
std::string format_setting_percent(double percent);

// A count or rate rounded to a whole number: 1379.6 -> "1380".
std::string format_whole(double value);

// A number with a fixed count of decimals, right-aligned in `width` columns (0: no padding), with
// its sign always written when `signed_` is set: a column of a profile table, an SVG coordinate.
std::string format_fixed(double value, int decimals, int width = 0, bool signed_ = false);

// A number for programs (csv, json text, gnuplot's data): 15 significant digits, shortest form.
std::string exact_number(double value);

} // namespace e4mext::report
