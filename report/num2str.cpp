#include "num2str.hpp"

#include <array>
#include <cstdio>

namespace e4mext::report {

namespace {

int decimal_digits(std::uint64_t n)
{
	int digits = 1;
	while (n >= 10) {
		n /= 10;
		++digits;
	}
	return digits;
}

} // namespace

std::string num2str(std::uint64_t num, int maxlen, bool pow2, Num2strUnit unit)
{
	static constexpr std::array<const char *, 7> decimal_prefixes{"", "k", "M", "G", "T", "P", "E"};
	static constexpr std::array<const char *, 7> binary_prefixes{"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
	const auto &prefixes = pow2 ? binary_prefixes : decimal_prefixes;
	const char *unit_text = unit == Num2strUnit::bytes_per_second ? "B/s" : "";
	const std::uint64_t step = pow2 ? 1024 : 1000;

	std::size_t prefix = 0;
	bool divided = false;
	std::uint64_t remainder = 0;
	while (prefix < prefixes.size()) {
		if (decimal_digits(num) <= maxlen)
			break;
		remainder = num % step;
		num /= step;
		divided = true;
		++prefix;
	}
	if (prefix >= prefixes.size())
		prefix = 0; // fio's fallback; unreachable for 64-bit numbers and maxlen >= 2

	auto plain = [&] { return std::to_string(num) + prefixes[prefix] + unit_text; };
	if (!divided)
		return plain();

	const int room = maxlen - decimal_digits(num);
	if (room <= 1) {
		if (remainder >= step / 2)
			++num;
		return plain();
	}

	std::array<char, 32> fraction{};
	std::snprintf(fraction.data(), fraction.size(), "%.*f", room - 1,
		      static_cast<double>(remainder) / static_cast<double>(step));
	if (fraction[0] == '1')
		++num; // rounded up to 1.0...: carry into the integer part and keep the zeros
	return std::to_string(num) + "." + (fraction.data() + 2) + prefixes[prefix] + unit_text;
}

namespace {

__extension__ using uint128 = unsigned __int128; // GCC and Clang; -Wpedantic accepts it marked so

// (1000 * count) / runtime_ms in 128 bits, so that no count overflows; a quotient beyond 64 bits
// (a runtime of a millisecond or so) saturates.
std::uint64_t per_second(std::uint64_t count, std::uint64_t runtime_ms)
{
	if (runtime_ms == 0)
		return 0;
	const auto quotient = static_cast<uint128>(count) * 1000u / runtime_ms;
	return quotient > UINT64_MAX ? UINT64_MAX : static_cast<std::uint64_t>(quotient);
}

} // namespace

std::uint64_t fio_iops(std::uint64_t total_ios, std::uint64_t runtime_ms)
{
	return per_second(total_ios, runtime_ms);
}

std::uint64_t fio_bw_bytes(std::uint64_t io_bytes, std::uint64_t runtime_ms)
{
	return per_second(io_bytes, runtime_ms);
}

double exact_per_second(std::uint64_t count, std::uint64_t runtime_ms)
{
	if (runtime_ms == 0)
		return 0;
	return static_cast<double>(static_cast<long double>(count) * 1000.0L / static_cast<long double>(runtime_ms));
}

std::string format_iops(std::uint64_t iops)
{
	return num2str(iops, 4, false, Num2strUnit::none);
}

std::string format_bw(std::uint64_t bytes_per_second)
{
	return num2str(bytes_per_second, 4, true, Num2strUnit::bytes_per_second);
}

} // namespace e4mext::report
