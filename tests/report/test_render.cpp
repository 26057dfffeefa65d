// Golden output of each renderer, and the cover letter's lines character for character.
#include "golden.hpp"
#include "render.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>

using namespace e4mext::report;

namespace {

// The seed's lines without the author's "# ..." annotations and trailing blanks.
std::vector<std::string> seed_lines()
{
	std::istringstream in(read_file_text("coverletter-seed.txt"));
	std::vector<std::string> lines;
	std::string line;
	while (std::getline(in, line)) {
		line = std::regex_replace(line, std::regex("\\s+#.*$"), "");
		line.erase(line.find_last_not_of(' ') + 1);
		lines.push_back(line);
	}
	return lines;
}

std::vector<std::string> lines_of(const std::string &text)
{
	std::istringstream in(text);
	std::vector<std::string> lines;
	std::string line;
	while (std::getline(in, line))
		lines.push_back(line);
	return lines;
}

} // namespace

TEST_CASE("a row is laid out as in the cover letter", "[render]")
{
	CHECK(format_case_row("U 4k", 224512, 919601152) == "   U 4k:    IOPS=225k,  BW=877MiB/s\n");
	CHECK(format_case_row("M 128k", 635, 83357422) == "   M 128k:  IOPS=635,   BW=79.5MiB/s\n");
	CHECK(label_column_width({"U 4k", "M 128k"}) == 9);
	CHECK(label_column_width({"U 4k @host-long"}) == 17);
}

TEST_CASE("table prints the cover letter's [w/o] and [w] blocks character for character", "[render][coverletter]")
{
	const auto seed = seed_lines();
	REQUIRE(seed.size() == 15);
	const auto wo = run_report({"table", coverletter("wo")});
	REQUIRE(wo.status == 0);
	CHECK(lines_of(wo.out) == std::vector<std::string>(seed.begin(), seed.begin() + 7));
	const auto w = run_report({"table", coverletter("w"), "--label", "w"});
	REQUIRE(w.status == 0);
	CHECK(lines_of(w.out) == std::vector<std::string>(seed.begin() + 8, seed.end()));
}

TEST_CASE("compare prints the seed's two blocks side by side, then the changes", "[render][coverletter]")
{
	const auto seed = seed_lines();
	const auto run = run_report({"compare", coverletter("wo"), coverletter("w")});
	REQUIRE(run.status == 0);
	auto lines = lines_of(run.out);
	// After the header (what each set is), the blocks.
	const auto first =
		std::find_if(lines.begin(), lines.end(), [](const std::string &l) { return l.rfind("  [w/o]", 0) == 0; });
	REQUIRE(lines.end() - first > 7);
	const auto left_width = std::string("   U 32k:   IOPS=33.2k, BW=1037MiB/s   ").size();
	for (std::size_t i = 0; i < 7; ++i) {
		const auto &line = *(first + static_cast<std::ptrdiff_t>(i));
		INFO(line);
		auto left = line.substr(0, left_width);
		left.erase(left.find_last_not_of(' ') + 1);
		CHECK(left == seed[i]);
		CHECK(line.substr(left_width) == seed[i + 8]);
	}
	CHECK(run.out == golden("coverletter-compare.txt"));
	// unrounded rates: 1000 * total I/Os / runtime, not fio's integers
	CHECK_THAT(run.out, Catch::Contains("       8510        -  +1613.3% ?        146k        -  U 128k IOPS\n"));
	for (const auto &line : lines) {
		INFO(line);
		CHECK(line.size() <= 80); // mail
	}
}

TEST_CASE("golden table output in every format", "[render]")
{
	CHECK(run_report({"table", "gate/base"}).out == golden("table-base.txt"));
	CHECK(run_report({"table", "gate/base", "--format", "markdown"}).out == golden("table-base.md"));
	CHECK(run_report({"table", "gate/base", "--format", "csv"}).out == golden("table-base.csv"));
	CHECK(run_report({"table", "gate/base", "--format=json"}).out == golden("table-base.json"));
	CHECK(run_report({"table", "sidefile", "--format", "markdown"}).out == golden("table-sidefile.md"));
	CHECK(run_report({"table", "sidefile", "--format", "json"}).out == golden("table-sidefile.json"));
	CHECK(run_report({"table", "shapes/error-and-no-writes.json"}).out == golden("table-excluded.txt"));
	CHECK(run_report({"table", "shapes/error-and-no-writes.json", "--format", "csv"}).out == golden("table-excluded.csv"));
	CHECK(run_report({"table", "mixed-set"}).out == golden("table-mixed.txt"));
}

TEST_CASE("compare's text fits mail: 80 columns, whatever the sets", "[render]")
{
	for (const auto &args : std::vector<std::vector<std::string>>{
		     {"compare", "sets"},
		     {"compare", "gate/base", "gate/regressed"},
		     {"compare", "holm/base", "holm/shifted"},
		     {"compare", std::string(E4MEXT_SOURCE_ROOT) + "/results/6.18.15-vs-6.19.13-quick-tcg-256m/6.18.15-tcg",
		      std::string(E4MEXT_SOURCE_ROOT) + "/results/6.18.15-vs-6.19.13-quick-tcg-256m/6.19.13-tcg"}}) {
		const auto run = run_report(args);
		REQUIRE(run.status == 0);
		for (const auto &line : lines_of(run.out)) {
			INFO(args[1] << ": " << line);
			CHECK(line.size() <= 80);
		}
	}
}

TEST_CASE("golden compare output", "[render]")
{
	CHECK(run_report({"compare", "gate/base", "gate/regressed"}).out == golden("compare-regressed.txt"));
	CHECK(run_report({"compare", "gate/base", "gate/regressed", "--format", "markdown"}).out == golden("compare-regressed.md"));
	CHECK(run_report({"compare", "gate/base", "gate/regressed", "--format", "json"}).out == golden("compare-regressed.json"));
	CHECK(run_report({"compare", "gate/base", "classify/mixed.json", "--labels", "a,b"}).out == golden("compare-disjoint.txt"));
}

TEST_CASE("csv and markdown escaping", "[render]")
{
	CHECK(csv_field("plain") == "plain");
	CHECK(csv_field("a,b") == "\"a,b\"");
	CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
	CHECK(markdown_cell("a|b") == "a\\|b");
	CHECK(markdown_cell("w/o_x") == "w/o\\_x");
}
