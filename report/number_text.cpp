#include "number_text.hpp"

#include "num2str.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <sstream>

namespace e4mext::report {

std::string format_figure(Metric metric, double value)
{
	std::uint64_t n = 0; // truncated, as fio truncates its IOPS= and BW= figures
	if (value > 0)
		n = value >= 18446744073709551615.0 ? UINT64_MAX : static_cast<std::uint64_t>(value);
	return metric == Metric::iops ? format_iops(n) : format_bw(n);
}

std::string format_significant(double value)
{
	std::array<char, 64> text{};
	const double magnitude = std::fabs(value);
	const int decimals = magnitude >= 100 || magnitude == 0 ? 0
			     : magnitude >= 10                  ? 1
			     : magnitude >= 1                   ? 2
					      : std::min(12, 2 - static_cast<int>(std::floor(std::log10(magnitude))));
	std::snprintf(text.data(), text.size(), "%.*f", decimals, value);
	return text.data();
}

std::string format_fixed(double value, int decimals, int width, bool signed_)
{
	std::array<char, 64> text{};
	std::snprintf(text.data(), text.size(), signed_ ? "%+*.*f" : "%*.*f", width, decimals, value);
	return text.data();
}

std::string format_ratio(double ratio)
{
	return format_significant(ratio) + "x";
}

std::string format_latency(double ns)
{
	if (ns >= 1e9)
		return format_significant(ns / 1e9) + "s";
	if (ns >= 1e6)
		return format_significant(ns / 1e6) + "ms";
	if (ns >= 1e3)
		return format_significant(ns / 1e3) + "us";
	return format_significant(ns) + "ns";
}

std::string format_change(double fraction)
{
	std::array<char, 32> text{};
	std::snprintf(text.data(), text.size(), "%+.1f%%", fraction * 100.0);
	return text.data();
}

std::string format_percent(double percent)
{
	std::array<char, 32> text{};
	std::snprintf(text.data(), text.size(), "%.1f%%", percent);
	return text.data();
}

std::string format_setting_percent(double percent)
{
	std::array<char, 64> text{};
	std::snprintf(text.data(), text.size(), "%g%%", percent);
	return text.data();
}

std::string format_whole(double value)
{
	return std::to_string(std::llround(value));
}

std::string exact_number(double value)
{
	std::ostringstream out;
	out.precision(15);
	out << value;
	return out.str();
}

} // namespace e4mext::report
