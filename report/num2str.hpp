// fio's number formatting, reproduced bit for bit (lib/num2str.c of fio 3.33..3.42), and the
// integer arithmetic fio uses for the IOPS= and BW= figures of its text output.
#pragma once

#include <cstdint>
#include <string>

namespace e4mext::report {

enum class Num2strUnit { none, bytes_per_second };

// num2str(num, maxlen, base = 1, pow2, units) as fio implements it, quirks included: only the
// last remainder is kept, and the decimals come from printf's %.*f rounding of remainder/step.
std::string num2str(std::uint64_t num, int maxlen, bool pow2, Num2strUnit unit);

// fio's text figures: iops = (1000 * total_ios) / runtime_ms, bw = (1000 * io_bytes) / runtime_ms,
// each truncated to an integer, computed in 128 bits so that no count overflows (a quotient
// beyond 2^64-1 saturates). A zero runtime gives 0 (fio prints nothing for such a direction).
std::uint64_t fio_iops(std::uint64_t total_ios, std::uint64_t runtime_ms);
std::uint64_t fio_bw_bytes(std::uint64_t io_bytes, std::uint64_t runtime_ms);

// The unrounded rate 1000 * count / runtime_ms (per second), in long double: what every change
// and ratio is computed from. A zero runtime gives 0.
double exact_per_second(std::uint64_t count, std::uint64_t runtime_ms);

// The strings of fio's "IOPS=%s, BW=%s" with the default 4 significant figures.
std::string format_iops(std::uint64_t iops);           // decimal prefixes: 225k
std::string format_bw(std::uint64_t bytes_per_second); // binary prefixes: 877MiB/s

} // namespace e4mext::report
