// fio's num2str and the integer arithmetic behind "IOPS=%s, BW=%s"; the report's number formatters.
#include "num2str.hpp"
#include "number_text.hpp"

#include <catch2/catch.hpp>

using namespace e4mext::report;

TEST_CASE("num2str: the worked examples of fio-integration.md", "[num2str]")
{
	CHECK(format_iops(224600) == "225k");
	CHECK(format_iops(33190) == "33.2k");
	CHECK(format_iops(8510) == "8510");
	CHECK(format_bw(919961600) == "877MiB/s");
	CHECK(format_bw(19136512000ULL) == "17.8GiB/s");
}

TEST_CASE("num2str: no division prints the number as is", "[num2str]")
{
	CHECK(format_iops(0) == "0");
	CHECK(format_iops(9999) == "9999");
	CHECK(format_bw(1023) == "1023B/s");
	CHECK(format_bw(9999) == "9999B/s"); // 4 digits fit: no prefix even above 1024
}

TEST_CASE("num2str: fio's odd rounding is kept", "[num2str]")
{
	// Only the last remainder counts: 1999999 -> 1999 rem 999 -> 2000k, wider than 4 digits.
	CHECK(format_iops(1999999) == "2000k");
	// 5-digit quotient after division: "7395k", as fio prints it.
	CHECK(format_iops(7395123) == "7395k");
	// %.1f of 0.95 (0.9499999...) does not round up: 19.9k, not 20.0k.
	CHECK(format_iops(19950) == "19.9k");
	// %.1f of 0.96 rounds to "1.0": carry into the integer part, keep the zero.
	CHECK(format_iops(19960) == "20.0k");
	// carry at exactly step/2 when there is no room for decimals
	CHECK(format_iops(224500) == "225k");
	CHECK(format_iops(224499) == "224k");
	// binary step: remainder 512 of 1024 carries
	CHECK(format_bw(1063ULL * 1048576 + 512 * 1024) == "1064MiB/s");
	CHECK(format_bw(1063ULL * 1048576 + 511 * 1024 + 1023) == "1063MiB/s");
	// two decimals
	CHECK(format_iops(12345) == "12.3k");
	// 4 digits fit after two divisions: no GiB, and no decimals
	CHECK(format_bw(5ULL * 1073741824 + 1073741824 / 4) == "5376MiB/s");
	// the largest 64-bit value
	CHECK(format_iops(UINT64_MAX) == "18.4E");
}

TEST_CASE("num2str: other widths and units", "[num2str]")
{
	CHECK(num2str(123456, 6, false, Num2strUnit::none) == "123456");
	CHECK(num2str(1234567, 6, false, Num2strUnit::none) == "1234.6k");
	CHECK(num2str(2048, 2, true, Num2strUnit::bytes_per_second) == "2KiB/s");
}

TEST_CASE("fio's IOPS and BW are truncated integer divisions", "[num2str]")
{
	CHECK(fio_iops(6735360, 30000) == 224512);
	CHECK(fio_bw_bytes(19079ULL * 131072, 30000) == 83357422);
	CHECK(format_bw(fio_bw_bytes(19079ULL * 131072, 30000)) == "79.5MiB/s"); // the cover letter's M 128k
	CHECK(format_iops(fio_iops(19079, 30000)) == "635");
	CHECK(fio_iops(1, 2000) == 0);
	CHECK(fio_iops(100, 0) == 0);
	CHECK(fio_bw_bytes(100, 0) == 0);
}

TEST_CASE("counts near 2^64 do not overflow the rate", "[num2str]")
{
	// 1000 * total_ios wrapped in 64 bits: 2^62 I/Os in 1 ms printed IOPS=0, 2^64-1 I/Os in 30 s
	// printed 615T, 2^63-1 bytes in 30 s printed 559TiB/s.
	CHECK(fio_iops(1ULL << 62, 1) == UINT64_MAX); // beyond 64 bits: saturates, never 0
	CHECK(format_iops(fio_iops(UINT64_MAX, 30000)) == "615P");
	CHECK(format_bw(fio_bw_bytes(INT64_MAX, 30000)) == "273PiB/s");
	CHECK(exact_per_second(1ULL << 62, 1) == Approx(4611686018427387904000.0));
	CHECK(exact_per_second(99, 3005) == Approx(32.945091514143094).epsilon(1e-12));
	CHECK(exact_per_second(5, 0) == 0);
}

TEST_CASE("one formatter per purpose", "[num2str]")
{
	CHECK(format_figure(Metric::iops, 224600.9) == "225k"); // truncated as fio truncates
	CHECK(format_figure(Metric::bw, 919961600) == "877MiB/s");
	CHECK(format_figure(Metric::iops, -1) == "0");
	CHECK(format_figure(Metric::iops, 1e30) == "18.4E"); // saturated
	CHECK(format_significant(14.84) == "14.8");
	CHECK(format_significant(4.7) == "4.70");
	CHECK(format_significant(0.8912) == "0.891");
	CHECK(format_significant(1379.6) == "1380");
	CHECK(format_significant(0) == "0");
	CHECK(format_ratio(0.9) == "0.900x");
	CHECK(format_latency(850e3) == "850us");
	CHECK(format_latency(19e6) == "19.0ms");
	CHECK(format_latency(1.2e9) == "1.20s");
	CHECK(format_latency(42) == "42.0ns");
	CHECK(format_change(0.093) == "+9.3%");
	CHECK(format_change(-0.1) == "-10.0%");
	CHECK(format_percent(1.94) == "1.9%");
	CHECK(format_setting_percent(5) == "5%");
	CHECK(format_setting_percent(2.5) == "2.5%");
	CHECK(format_whole(1379.6) == "1380");
	CHECK(format_fixed(12.345, 1) == "12.3");             // an SVG coordinate
	CHECK(format_fixed(3.14159, 2, 6) == "  3.14");       // a profile's share column
	CHECK(format_fixed(-0.5, 2, 6, true) == " -0.50");    // a change in points
	CHECK(format_fixed(1.25, 1, 9, true) == "     +1.2"); // ms per run, changed
	CHECK(exact_number(0.1 + 0.2) == "0.3");
	CHECK(exact_number(224600.25) == "224600.25");
}
