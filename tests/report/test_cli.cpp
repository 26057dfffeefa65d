// The command line: usage errors, every malformed input, plot and report files.
#include "golden.hpp"
#include "plot.hpp"
#include "result_set.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace e4mext::report;

namespace {

struct ScratchDir {
	fs::path path = fs::temp_directory_path() / ("e4mext-report-test-" + std::to_string(::getpid()));
	ScratchDir()
	{
		fs::remove_all(path);
		fs::create_directories(path);
	}
	~ScratchDir() { fs::remove_all(path); }
};

struct EnvVar {
	std::string name;
	EnvVar(std::string n, const std::string &value) : name(std::move(n)) { ::setenv(name.c_str(), value.c_str(), 1); }
	~EnvVar() { ::unsetenv(name.c_str()); }
};

std::vector<const ResultSet *> pointers_of(const std::vector<ResultSet> &sets)
{
	std::vector<const ResultSet *> pointers;
	for (const auto &set : sets)
		pointers.push_back(&set);
	return pointers;
}

bool single_line(const std::string &text)
{
	return !text.empty() && text.back() == '\n' && text.find('\n') == text.size() - 1;
}

} // namespace

TEST_CASE("help and usage errors", "[cli]")
{
	for (const char *command : {"table", "compare", "plot", "gate", "report"}) {
		const auto help = run_report({command, "--help"});
		CHECK(help.status == 0);
		CHECK_THAT(help.out, Catch::StartsWith(std::string("usage: e4mext-report ") + command));
	}
	CHECK_THAT(run_report({"compare", "--help"}).out, Catch::Contains("Welch's t"));
	CHECK_THAT(run_report({"gate", "--help"}).out, Catch::Contains("Exit status: 0 pass"));
	const std::vector<std::vector<std::string>> bad{
		{},
		{"tabel", "x"},
		{"table"},
		{"table", "gate/base", "--format", "yaml"},
		{"table", "gate/base", "--bogus"},
		{"table", "gate/base", "--label"},
		{"table", "gate/base", "--label", "a", "--label", "b"},
		{"compare", "gate/base"},
		{"compare"},
		{"table", "sets", "--label", "one"},
		{"table", "sets", "--labels", "a,b"},
		{"table", "gate/base", "--label", "a", "--labels", "a"},
		{"plot", "gate/base", "-o", "x.png", "--metric", "latency"},
		{"report", "gate/base", "-o", "out"},
		{"compare", "gate/base", "gate/noise", "--labels", "only-one"},
		{"compare", "gate/base", "gate/noise", "--labels", "a,"},
		{"plot", "gate/base"},
		{"plot", "gate/base", "-o", "chart.pdf"},
		{"plot", "gate/base", "--log=yes", "-o", "x.png"},
		{"gate", "gate/base", "gate/noise", "--max-regression", "abc"},
		{"report", "gate/base", "gate/noise"},
	};
	for (const auto &args : bad) {
		INFO((args.empty() ? std::string("(none)") : args[0] + (args.size() > 1 ? " " + args.back() : "")));
		const auto run = run_report(args);
		CHECK(run.status == 2);
		CHECK(run.out.empty());
		CHECK(single_line(run.err));
		CHECK_THAT(run.err, Catch::StartsWith("e4mext-report: "));
	}
}

TEST_CASE("every command's help lists its options and does nothing else", "[cli][help]")
{
	const std::vector<std::pair<std::string, std::vector<std::string>>> options{
		{"table", {"PATH", "--label NAME", "--labels", "--format FORMAT", "-h,--help"}},
		{"compare", {"PATH", "--labels", "--format FORMAT", "--threshold P", "--looks K", "Bonferroni", "equivalent"}},
		{"plot", {"PATH", "-o,--output OUT", "--metric iops|bw", "--log", "--labels", "OUT-ratio.png"}},
		{"gate",
		 {"BASE", "CAND", "--max-regression P", "--min-samples N", "--markdown-summary F", "--verdict-json F",
		  "refused as ambiguous", "--looks K", "--allow-undecided", "undecided"}},
		{"report", {"PATH", "-o,--output DIR", "--labels"}},
	};
	for (const auto &[command, expected] : options) {
		INFO(command);
		for (const char *help : {"--help", "-h"}) {
			const auto run = run_report({command, help});
			CHECK(run.status == 0);
			CHECK(run.err.empty());
			for (const auto &text : expected)
				CHECK_THAT(run.out, Catch::Contains(text));
		}
	}
	// --help wins over everything else on the line: nothing is read or written.
	ScratchDir scratch;
	const auto png = scratch.path / "x.png";
	const auto run = run_report({"plot", "gate/base", "gate/regressed", "-o", png.string(), "--help"});
	CHECK(run.status == 0);
	CHECK_THAT(run.out, Catch::StartsWith("usage: e4mext-report plot"));
	CHECK_FALSE(fs::exists(png));
	CHECK(run_report({"gate", "no/such/base", "no/such/cand", "--help"}).status == 0);
	const auto bad_value = run_report({"gate", "a", "b", "--max-regression", "0.05", "--min-samples", "0", "-h"});
	CHECK(bad_value.status == 0);
	CHECK_THAT(bad_value.out, Catch::StartsWith("usage: e4mext-report gate"));
	CHECK(bad_value.err.empty());
	CHECK(run_report({"plot", "x", "-o", "x.pdf", "--help"}).status == 0);
	CHECK(run_report({"report", "gate/base", "gate/noise", "-o", (scratch.path / "r").string(), "-h"}).status == 0);
	CHECK_FALSE(fs::exists(scratch.path / "r"));
}

TEST_CASE("a bad value or option says what was wrong, exit 2", "[cli][usage]")
{
	const std::vector<std::pair<std::vector<std::string>, std::string>> bad{
		{{"gate", "gate/base", "gate/noise", "--max-regression", "0.05"}, "a bare number below 1 looks like a fraction"},
		{{"gate", "gate/base", "gate/noise", "--max-regression", "abc"}, "--max-regression abc: expected a percentage"},
		{{"gate", "gate/base", "gate/noise", "--max-regression", "100%"}, "expected a percentage from 0 to below 100"},
		{{"gate", "gate/base", "gate/noise", "--min-samples", "0"}, "--min-samples 0: expected a whole number >= 1"},
		{{"gate", "gate/base", "gate/noise", "--min-samples", "-1"}, "--min-samples -1: expected a whole number"},
		{{"gate", "gate/base", "gate/noise", "--min-samples", "3x"}, "--min-samples 3x: expected a whole number"},
		{{"gate", "gate/base"}, "CAND is required"},
		{{"gate", "gate/base", "gate/noise", "gate/improved"}, "gate/improved"},
		{{"table", "gate/base", "--format", "yaml"}, "--format yaml: unknown format"},
		{{"plot", "gate/base", "-o", "x.png", "--metric", "latency"}, "--metric latency: expected iops or bw"},
		{{"plot", "gate/base", "-o", "chart.pdf"}, "must end in .png or .svg"},
		{{"plot", "gate/base"}, "--output is required"},
		{{"plot", "gate/base", "--log=yes", "-o", "x.png"}, "--log is a flag and takes no value"},
		{{"table", "gate/base", "--bogus"}, "--bogus"},
		{{"table", "gate/base", "--label"}, "--label"},
		{{"table", "gate/base", "--label", "a", "--label", "b"}, "--label"},
		{{"table", "gate/base", "--label", "a", "--labels", "a"}, "--label excludes --labels"},
		{{"table"}, "PATH is required"},
	};
	for (const auto &[args, message] : bad) {
		INFO(args[0] + " " + args.back());
		const auto run = run_report(args);
		CHECK(run.status == 2);
		CHECK(run.out.empty());
		CHECK(single_line(run.err));
		CHECK_THAT(run.err, Catch::StartsWith("e4mext-report: " + args[0] + ": "));
		CHECK_THAT(run.err, Catch::Contains(message));
	}
	// 5 and 5% are both five percent, given either way.
	ScratchDir scratch;
	for (const char *value : {"5", "5%", "--max-regression=5"}) {
		const auto verdict = scratch.path / "verdict.json";
		std::vector<std::string> args{"gate", "gate/base", "gate/noise", "--verdict-json", verdict.string()};
		if (std::string(value).starts_with("--")) {
			args.push_back(value);
		} else {
			args.push_back("--max-regression");
			args.push_back(value);
		}
		INFO(value);
		REQUIRE(run_report(args).status == 0);
		CHECK_THAT(read_file_text(verdict), Catch::Contains("\"max_regression_percent\": 5"));
	}
}

TEST_CASE("every malformed input: exit 2, one line naming the file", "[cli]")
{
	for (const auto &entry : fs::directory_iterator("malformed")) {
		const auto path = entry.path().string();
		INFO(path);
		for (const auto &args :
		     {std::vector<std::string>{"table", path}, std::vector<std::string>{"compare", "gate/base", path},
		      std::vector<std::string>{"gate", path, "gate/base"}}) {
			const auto run = run_report(args);
			CHECK(run.status == 2);
			CHECK(single_line(run.err));
			CHECK_THAT(run.err, Catch::Contains(path));
		}
	}
	for (const auto &path : {std::string("no/such/path.json"), std::string("sidefile-bad")}) {
		const auto run = run_report({"table", path});
		CHECK(run.status == 2);
		CHECK(single_line(run.err));
		CHECK_THAT(run.err, Catch::Contains(path));
	}
	ScratchDir scratch;
	const auto run = run_report({"table", scratch.path.string()});
	CHECK(run.status == 2);
	CHECK_THAT(run.err, Catch::Contains("no .json files"));
}

TEST_CASE("sets: one per labelled directory, never merged", "[cli][sets]")
{
	// gate/ holds result files under no metadata.txt or label: one set, the PATH's own.
	const auto run = run_report({"table", "gate", "--format", "json"});
	REQUIRE(run.status == 0);
	CHECK_THAT(run.out, Catch::Contains("\"n\": 25"));
	// Two PATHs are two sets, each with its own median.
	const auto two = run_report({"table", "gate/base", "gate/regressed", "--format", "csv"});
	CHECK_THAT(two.out, Catch::Contains("base,U 4k,unwritten,4096,unwritten,0,seq,e4defrag,,5,200000,"));
	CHECK_THAT(two.out, Catch::Contains("regressed,U 4k,unwritten,4096,unwritten,0,seq,e4defrag,,5,180000,"));
	// A PATH holding three bench results directories: three sets, named by their metadata.txt.
	const auto three = run_report({"table", "sets"});
	REQUIRE(three.status == 0);
	CHECK(three.out.find("  [6.1-base]") < three.out.find("  [6.2-slower]"));
	CHECK_THAT(three.out, Catch::Contains("  [6.3-faster]\n   U 4k:    IOPS=240k,"));
	const auto named = run_report({"table", "sets", "--labels", "a,b,c", "--format", "json"});
	CHECK_THAT(named.out, Catch::StartsWith("[\n"));
	CHECK_THAT(named.out, Catch::Contains("\"set\": \"c\""));
	// A PATH inside a set belongs to that set.
	CHECK_THAT(run_report({"table", "sets/6.2-slower/runs/coverletter"}).out, Catch::StartsWith("  [6.2-slower]\n"));
	// The cover letter's directory holds [w] and [w/o]: U 32k is 209k and 33.2k, never their median.
	const auto letter = run_report({"table", coverletter("")});
	CHECK_THAT(letter.out, Catch::Contains("   U 32k:   IOPS=209k,  BW=6529MiB/s"));
	CHECK_THAT(letter.out, Catch::Contains("   U 32k:   IOPS=33.2k, BW=1037MiB/s"));
	CHECK(letter.out.find("121k") == std::string::npos);
	// The same file reached twice is read once.
	CHECK(run_report({"table", "sets/6.1-base", "sets/6.1-base/runs", "--format", "json"}).out ==
	      run_report({"table", "sets/6.1-base", "--format", "json"}).out);
}

TEST_CASE("compare takes three or more sets", "[cli][compare]")
{
	const auto run = run_report({"compare", "sets"});
	REQUIRE(run.status == 0);
	CHECK_THAT(run.out, Catch::Contains("  [6.1-base]"));
	// lkp's table per set against the first: base, %stddev, %change and mark, cand, %stddev, metric
	CHECK_THAT(run.out, Catch::Contains("  base = 6.1-base, cand = 6.2-slower"));
	CHECK_THAT(run.out, Catch::Contains("       200k     0.4%    -10.0% *        180k     0.4%  U 4k IOPS\n"));
	CHECK_THAT(run.out, Catch::Contains("  base = 6.1-base, cand = 6.3-faster"));
	CHECK_THAT(run.out, Catch::Contains("       200k     0.4%    +20.0% *        240k     0.4%  U 4k IOPS\n"));
	CHECK_THAT(run.out, Catch::Contains("geomean IOPS (2 cases)"));
	const auto csv = run_report({"compare", "sets/6.1-base", "sets/6.2-slower", "sets/6.3-faster", "--format", "csv"});
	REQUIRE(csv.status == 0);
	CHECK_THAT(csv.out, Catch::StartsWith("metric,case,set,n,median,"));
	CHECK_THAT(csv.out, Catch::Contains("iops,U 4k,6.2-slower,5,180000,"));
	CHECK_THAT(csv.out, Catch::Contains("iops,geomean,6.3-faster,2,"));
	const auto json = run_report({"compare", "sets", "--format", "json"});
	CHECK_THAT(json.out, Catch::Contains("\"kernel\": \"6.3.0-test (#1 SMP PREEMPT_DYNAMIC)\""));
	CHECK_THAT(json.out, Catch::Contains("\"verdict\": \"changed\""));
	const auto md = run_report({"compare", "sets", "--format", "markdown"});
	CHECK_THAT(md.out, Catch::Contains("| case | 6.1-base | 6.2-slower | change | 6.3-faster | change |"));
	const auto one = run_report({"compare", "sets/6.1-base"});
	CHECK(one.status == 2);
	CHECK_THAT(one.err, Catch::Contains("needs two or more sets"));
}

TEST_CASE("plot writes PNG and SVG, and fails loudly", "[cli][plot]")
{
	ScratchDir scratch;
	const auto png = (scratch.path / "chart.png").string();
	const auto svg = (scratch.path / "chart.svg").string();
	const auto log_png = (scratch.path / "log.png").string();
	REQUIRE(run_report({"plot", coverletter("wo"), coverletter("w"), "-o", png}).status == 0);
	REQUIRE(run_report({"plot", coverletter("wo"), coverletter("w"), "--output", svg, "--labels", "before,after"}).status == 0);
	REQUIRE(run_report({"plot", "gate/base", "gate/regressed", "gate/improved", "-o", log_png, "--log"}).status == 0);
	CHECK(read_file_text(png).substr(1, 3) == "PNG");
	CHECK(read_file_text(log_png).substr(1, 3) == "PNG");
	const auto svg_text = read_file_text(svg);
	CHECK_THAT(svg_text, Catch::Contains("<svg"));
	CHECK_THAT(svg_text, Catch::Contains("before"));
	CHECK_THAT(svg_text, Catch::Contains("<text>128k</text>"));
	CHECK_THAT(svg_text, Catch::Contains("<text>146k</text>")); // the value over the bar
	CHECK_THAT(svg_text, Catch::Contains("IOPS per case"));
	CHECK_THAT(svg_text, Catch::Contains("after: kernel not recorded, fio-3.33, e4mext not recorded"));
	REQUIRE(run_report({"plot", "sets", "-o", svg, "--metric", "bw"}).status == 0);
	CHECK_THAT(read_file_text(svg), Catch::Contains("bandwidth per case"));
	CHECK_THAT(read_file_text(svg), Catch::Contains("bandwidth (MiB/s)"));
	CHECK_THAT(read_file_text(svg), Catch::Contains("6.2-slower: kernel 6.2.0-test"));

	SECTION("two or more sets: a ratio chart beside the chart")
	{
		const auto run = run_report({"plot", "holm/base", "holm/shifted", "-o", svg});
		REQUIRE(run.status == 0);
		const auto ratio = (scratch.path / "chart-ratio.svg").string();
		CHECK(run.out == "wrote " + svg + " and " + ratio + "\n");
		const auto text = read_file_text(ratio);
		CHECK_THAT(text, Catch::Contains("IOPS of each case against base"));
		CHECK_THAT(text, Catch::Contains("<text>0.900x*</text>")); // 10% lower: changed
		CHECK_THAT(text, Catch::Contains("<text>0.969x?</text>")); // 3% lower: undecided at 8 cases' level
		CHECK_THAT(text, Catch::Contains("<text>geomean (8 cases)</text>"));
		CHECK_THAT(text, Catch::Contains("median / base's median (log scale)"));
		// A case only one set has is written as such, not drawn as 1.0.
		REQUIRE(run_report({"plot", "gate/base", "classify/mixed.json", "-o", png, "--metric", "bw"}).status == 0);
		CHECK(read_file_text((scratch.path / "chart-ratio.png").string()).substr(1, 3) == "PNG");
		const auto disjoint = load_result_sets({"gate/base", "classify/mixed.json"});
		const auto data = ratio_plot_data_of(compare_sets(pointers_of(disjoint)), Metric::bw);
		const auto script = ratio_gnuplot_script(data, "x.svg", PlotFormat::svg);
		CHECK_THAT(script, Catch::Contains("\"not in both sets\""));
		// One set has nothing to divide by: no ratio chart.
		fs::remove(scratch.path / "chart-ratio.png");
		REQUIRE(run_report({"plot", "gate/base", "-o", png}).status == 0);
		CHECK_FALSE(fs::exists(scratch.path / "chart-ratio.png"));
	}
	SECTION("fio's latency percentiles: a latency chart beside the chart")
	{
		const auto run = run_report({"plot", "fio-3.33/e4defrag-unwritten-4k.json", "-o", svg});
		REQUIRE(run.status == 0);
		const auto latency = (scratch.path / "chart-latency.svg").string();
		CHECK(run.out == "wrote " + svg + " and " + latency + "\n");
		const auto text = read_file_text(latency);
		CHECK_THAT(text, Catch::Contains("completion latency of a move"));
		CHECK_THAT(text, Catch::Contains("latency (us)"));
		CHECK_THAT(text, Catch::Contains("U p50"));
		CHECK_THAT(text, Catch::Contains("U p99"));
		// No percentiles (the cover letter's figures carry none): no latency chart.
		REQUIRE(run_report({"plot", coverletter("wo"), "-o", png}).status == 0);
		CHECK_FALSE(fs::exists(scratch.path / "chart-latency.png"));
	}
	SECTION("a failing gnuplot is an error and leaves no stale file")
	{
		EnvVar gnuplot("E4MEXT_GNUPLOT", "false");
		const auto run = run_report({"plot", "gate/base", "-o", png});
		CHECK(run.status == 2);
		CHECK(single_line(run.err));
		CHECK_THAT(run.err, Catch::Contains("failed (exit status 1)"));
		CHECK_FALSE(fs::exists(png));
	}
	SECTION("a missing gnuplot is an error")
	{
		EnvVar gnuplot("E4MEXT_GNUPLOT", "/nonexistent/gnuplot");
		const auto run = run_report({"plot", "gate/base", "-o", svg});
		CHECK(run.status == 2);
		CHECK_THAT(run.err, Catch::Contains("exit status 127"));
	}
	SECTION("gnuplot succeeding without writing the file is an error")
	{
		const auto fake = scratch.path / "fake-gnuplot";
		{
			std::ofstream script(fake);
			script << "#!/bin/sh\ncat >/dev/null\nexit 0\n";
		}
		fs::permissions(fake, fs::perms::owner_all);
		EnvVar gnuplot("E4MEXT_GNUPLOT", fake.string());
		const auto run = run_report({"plot", "gate/base", "-o", png});
		CHECK(run.status == 2);
		CHECK_THAT(run.err, Catch::Contains("missing or empty"));
	}
	SECTION("nothing usable to draw")
	{
		CHECK(run_report({"plot", "fio-3.33/read-only.json", "-o", png}).status == 2);
	}
}

TEST_CASE("report writes a self-contained HTML page and its Markdown twin", "[cli][report]")
{
	ScratchDir scratch;
	const auto dir = scratch.path / "out";
	const auto run = run_report({"report", coverletter("wo"), coverletter("w"), "-o", dir.string()});
	REQUIRE(run.status == 0);
	const auto html = read_file_text(dir / "report.html");
	CHECK_THAT(html, Catch::StartsWith("<!DOCTYPE html>"));
	CHECK_THAT(html, Catch::Contains("<svg"));
	CHECK(html.find("<?xml") == std::string::npos);
	CHECK_THAT(html, Catch::Contains("   U 128k:  IOPS=8510,  BW=1064MiB/s      U 128k:  IOPS=146k,  BW=17.8GiB/s"));
	// 146k / 8510 of the unrounded rates, with the verdict as compare words it
	CHECK_THAT(html, Catch::Contains("<td>+1613.3%? (17.1x, no interval (a side has one run), undecided: needs 3 runs "
					 "per side)</td>"));
	CHECK_THAT(html, Catch::Contains("w/o"));
	CHECK_THAT(html, Catch::Contains("fio-3.33"));
	CHECK_THAT(html, Catch::Contains("2025-09-23 00:00:00 UTC"));
	CHECK(html.find("src=") == std::string::npos); // nothing external
	const auto md = read_file_text(dir / "report.md");
	CHECK_THAT(md, Catch::Contains("![IOPS per case](report-iops.svg)"));
	CHECK_THAT(
		md,
		Catch::Contains(
			"| U 128k | 8510 (1 run) (8510-8510, n=1; 255329 moves per run) | 146k (1 run) (146k-146k, n=1; 4374528 "
			"moves per run) | +1613.3%? (17.1x, no interval (a side has one run), undecided: needs 3 runs per side) |"));
	CHECK(fs::file_size(dir / "report-iops.svg") > 0);
	CHECK(fs::file_size(dir / "report-bw.svg") > 0);
	// the ratio charts: in the page inline, beside the Markdown as files
	CHECK(fs::file_size(dir / "report-iops-ratio.svg") > 0);
	CHECK(fs::file_size(dir / "report-bw-ratio.svg") > 0);
	CHECK_THAT(md, Catch::Contains("![IOPS ratio to the first set](report-iops-ratio.svg)"));
	std::size_t inline_charts = 0;
	for (auto at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1))
		++inline_charts;
	CHECK(inline_charts == 4);
	std::ofstream(scratch.path / "a-file") << "x";
	const auto blocked = run_report({"report", "gate/base", "gate/noise", "-o", (scratch.path / "a-file" / "out").string()});
	CHECK(blocked.status == 2);
	CHECK_THAT(blocked.err, Catch::Contains("cannot create the output directory"));
}

TEST_CASE("report carries every set's metadata", "[cli][report]")
{
	ScratchDir scratch;
	const auto dir = scratch.path / "sets";
	REQUIRE(run_report({"report", "sets", "-o", dir.string()}).status == 0);
	const auto html = read_file_text(dir / "report.html");
	for (const char *expected :
	     {"6.1.0-test", "6.2.0-test", "6.3.0-test", "0.1.0, git 0123456789ab", "Test CPU, 2 online, memory 8G",
	      "start 0.10 0.20 0.30; end 0.40 0.50 0.60", "<td>accelerator</td><td>kvm</td>", "2026-03-01T00:00:00Z"})
		CHECK_THAT(html, Catch::Contains(expected));
	CHECK_THAT(read_file_text(dir / "report.md"), Catch::Contains("| kernel | 6.1.0-test (#1 SMP PREEMPT\\_DYNAMIC) |"));
}

TEST_CASE("charts are readable: the unit, whole-number tics, runs per case, a log axis past a decade", "[cli][plot]")
{
	// The cover letter's [w/o]: U 4k 225k IOPS beside U 128k 8510, M 19.8k beside 635: each panel
	// spans more than a decade. Its bandwidth (877-1064 MiB/s, 77-80) spans less.
	const auto sets = load_result_sets({coverletter("wo")});
	const auto iops = plot_data_of(pointers_of(sets), Metric::iops);
	CHECK(iops.y_label == "IOPS (moves/s)");
	REQUIRE(iops.set_labels.size() == 1);
	CHECK_THAT(iops.set_labels[0], Catch::EndsWith("(1 run per case)"));
	const auto iops_script = gnuplot_script(iops, "x.svg", PlotFormat::svg, false);
	CHECK_THAT(iops_script, Catch::Contains("set ylabel \"IOPS (moves/s)\""));
	CHECK_THAT(iops_script, Catch::Contains("set title \"U (log scale)\""));
	CHECK_THAT(iops_script, Catch::Contains("set title \"M (log scale)\""));
	CHECK_THAT(iops_script, Catch::Contains("\"100k\" 100000"));
	CHECK_THAT(iops_script, Catch::Contains("\"1000\" 1000"));

	const auto bw = plot_data_of(pointers_of(sets), Metric::bw);
	CHECK(bw.y_label == "bandwidth (MiB/s)");
	const auto bw_script = gnuplot_script(bw, "x.svg", PlotFormat::svg, false);
	CHECK_THAT(bw_script, Catch::Contains("set title \"U\""));
	CHECK_THAT(bw_script, !Catch::Contains("(log scale)"));
	CHECK_THAT(bw_script, Catch::Contains("unset logscale y"));
	// Linear tics: whole numbers from 0 (U tops at 1064 MiB/s: a step of 250), no "900.0".
	CHECK_THAT(bw_script, Catch::Contains("set ytics (\"0\" 0, \"250\" 250, \"500\" 500, \"750\" 750, \"1000\" 1000"));
	CHECK_THAT(bw_script, !Catch::Contains(".0\" "));
	// --log puts every panel on a log axis.
	CHECK_THAT(gnuplot_script(bw, "x.svg", PlotFormat::svg, true), Catch::Contains("set title \"U (log scale)\""));

	// Runs per case that differ between cases are given as a range.
	const auto gate = load_result_sets({"gate/base"});
	const auto gate_data = plot_data_of(pointers_of(gate), Metric::iops);
	CHECK_THAT(gate_data.set_labels[0], Catch::Matches(".*\\(\\d+(-\\d+)? runs per case\\)"));
}

TEST_CASE("in-use runs: the foreground chart puts its p99 beside the moves and alone side by side", "[cli][plot]")
{
	// tests/data/report/in-use: M 4k under random 4k overwrites, foreground write p99 42205184 ns
	// beside the moves, 5799936 ns alone (fio's clat percentiles of run-1.json, run-1.alone.json).
	const auto sets = load_result_sets({"in-use"});
	const auto data = foreground_plot_data_of(pointers_of(sets));
	CHECK(data.y_label == "foreground p99 (us)");
	CHECK_THAT(data.title, Catch::StartsWith("e4mext: the foreground's p99"));
	REQUIRE(data.set_labels.size() == 2);
	CHECK_THAT(data.set_labels[0], Catch::StartsWith(sets[0].label + " beside the moves (1 run per case)"));
	CHECK_THAT(data.set_labels[1], Catch::StartsWith(sets[0].label + " alone (1 run per case)"));
	REQUIRE(data.panels.size() == 1);
	CHECK(data.panels[0].title == "M"); // one case: no factor varies beside the axis
	REQUIRE(data.panels[0].x_labels == std::vector<std::string>{"4k"});
	REQUIRE(data.panels[0].bars.size() == 2);
	const PlotBar &beside = data.panels[0].bars[0][0], &alone = data.panels[0].bars[1][0];
	REQUIRE(beside.present);
	REQUIRE(alone.present);
	CHECK(beside.median == Approx(42205.184));
	CHECK(beside.text == "42.2ms");
	CHECK(alone.median == Approx(5799.936));
	CHECK(alone.text == "5.80ms");

	// No foreground (the cover letter's runs): no panels, and plot writes no foreground chart.
	CHECK(foreground_plot_data_of(pointers_of(load_result_sets({coverletter("wo")}))).panels.empty());
	ScratchDir scratch;
	const auto svg = (scratch.path / "chart.svg").string();
	REQUIRE(run_report({"plot", coverletter("wo"), "-o", svg}).status == 0);
	CHECK_FALSE(fs::exists(scratch.path / "chart-foreground.svg"));
	const auto run = run_report({"plot", "in-use", "-o", svg});
	REQUIRE(run.status == 0);
	const auto foreground = scratch.path / "chart-foreground.svg";
	CHECK_THAT(run.out, Catch::Contains(foreground.string()));
	CHECK_THAT(read_file_text(foreground), Catch::Contains("foreground p99 (us)"));
}
