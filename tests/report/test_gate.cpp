// Gate verdicts: an injected, significant 10% regression fails, noise within the threshold passes,
// a drop over the threshold that the runs cannot confirm is undecided - never a pass.
#include "gate.hpp"
#include "golden.hpp"
#include "input_error.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>

using namespace e4mext::report;

TEST_CASE("percentages and metrics", "[gate]")
{
	CHECK(parse_percentage("5%").percent == 5);
	CHECK(parse_percentage("5").percent == 5);
	CHECK(parse_percentage("5").text == "5");
	CHECK(parse_percentage("0.5%").percent == 0.5);
	CHECK(parse_percentage("2.5").percent == 2.5);
	CHECK(parse_percentage("0").percent == 0);
	CHECK_THROWS_WITH(parse_percentage("0.05"), Catch::Contains("write 5% for that fraction"));
	CHECK_THROWS_AS(parse_percentage("0.5"), UsageError);
	CHECK_THROWS_AS(parse_percentage("-1%"), UsageError);
	CHECK_THROWS_AS(parse_percentage("100%"), UsageError);
	CHECK_THROWS_AS(parse_percentage("five"), UsageError);
	CHECK_THROWS_AS(parse_percentage("%"), UsageError);
	CHECK(parse_gate_metric("bw") == GateMetric::bw);
	CHECK_THROWS_AS(parse_gate_metric("latency"), UsageError);
}

TEST_CASE("verdicts", "[gate]")
{
	const auto base = load_result_set({"gate/base"}, "base");
	SECTION("a 10% regression fails")
	{
		const auto verdict = run_gate(base, load_result_set({"gate/regressed"}, "cand"), {});
		CHECK_FALSE(verdict.passed());
		REQUIRE(verdict.regressions() == 1);
		CHECK(verdict.findings[0].label == "U 4k");
		CHECK(verdict.findings[0].outcome == GateOutcome::regressed);
		CHECK(verdict.findings[0].change == Approx(-0.10).margin(0.001));
		CHECK(verdict.findings[0].decision.verdict == Verdict::changed);
		CHECK(verdict.findings[0].decision.high < 0.95);
		CHECK(verdict.findings[0].decision.level == Approx(0.05 / 2));
		CHECK(verdict.findings[1].outcome == GateOutcome::pass);
		CHECK(verdict.findings[1].decision.verdict == Verdict::equivalent);
	}
	SECTION("noise within 5% passes")
	{
		CHECK(run_gate(base, load_result_set({"gate/noise"}, "cand"), {}).passed());
	}
	SECTION("an improvement passes")
	{
		CHECK(run_gate(base, load_result_set({"gate/improved"}, "cand"), {}).passed());
	}
	SECTION("a wider threshold lets the 10% drop pass")
	{
		GateOptions options;
		options.max_regression = parse_percentage("15%");
		CHECK(run_gate(base, load_result_set({"gate/regressed"}, "cand"), options).passed());
	}
	SECTION("the bw metric")
	{
		GateOptions options;
		options.metric = GateMetric::bw;
		CHECK_FALSE(run_gate(base, load_result_set({"gate/regressed"}, "cand"), options).passed());
	}
	SECTION("min samples")
	{
		GateOptions options;
		options.min_samples = 6;
		CHECK_THROWS_WITH(run_gate(base, load_result_set({"gate/noise"}, "cand"), options),
				  Catch::Contains("has 5 run(s), fewer than --min-samples 6"));
		options.min_samples = 5;
		CHECK(run_gate(base, load_result_set({"gate/noise"}, "cand"), options).passed());
	}
	SECTION("a case missing from the candidate fails, a new case does not")
	{
		GateOptions options;
		options.min_samples = 1;
		const auto verdict = run_gate(base, load_result_set({"classify/mixed.json"}, "cand"), options);
		CHECK_FALSE(verdict.passed());
		std::size_t missing = 0, added = 0;
		for (const auto &f : verdict.findings) {
			missing += f.outcome == GateOutcome::missing;
			added += f.outcome == GateOutcome::added;
		}
		CHECK(missing == 2);
		CHECK(added == 5);
	}
	SECTION("a drop over the threshold that the runs do not confirm is undecided: not a failure, not a pass")
	{
		const auto verdict = run_gate(base, load_result_set({"gate/inconclusive"}, "cand"), {});
		CHECK_FALSE(verdict.passed());
		CHECK(verdict.regressions() == 0);
		REQUIRE(verdict.undecided() == 1);
		const auto &f = verdict.findings[0];
		CHECK(f.outcome == GateOutcome::undecided);
		CHECK(f.change < -0.05);
		CHECK(f.decision.verdict == Verdict::undecided);
		CHECK(f.decision.runs_needed > 5);
	}
	SECTION("3 vs 3 runs decide a clear 10% drop (the rank test could not: its best p is 1/20)")
	{
		GateOptions options;
		const auto three = load_result_set(
			{"gate/regressed/run-0.json", "gate/regressed/run-1.json", "gate/regressed/run-2.json"}, "cand");
		const auto three_base =
			load_result_set({"gate/base/run-0.json", "gate/base/run-1.json", "gate/base/run-2.json"}, "base");
		const auto verdict = run_gate(three_base, three, options);
		CHECK_FALSE(verdict.passed());
		REQUIRE(verdict.findings[0].outcome == GateOutcome::regressed);
		CHECK(verdict.findings[0].decision.level == Approx(0.025));
		// Twelve looks (a bench that may run twelve rounds) widen the interval: each look gets 1/12.
		options.looks = 12;
		const auto spent = run_gate(three_base, three, options);
		CHECK(spent.findings[0].decision.level == Approx(0.05 / 24));
		CHECK(spent.findings[0].decision.low < verdict.findings[0].decision.low);
		options.min_samples = 4;
		CHECK_THROWS_WITH(run_gate(three_base, three, options), Catch::Contains("fewer than --min-samples 4"));
	}
	SECTION("a base without usable results is bad input")
	{
		CHECK_THROWS_AS(run_gate(load_result_set({"fio-3.33/read-only.json"}, "b"), base, {}), InputError);
	}
}

TEST_CASE("gate exit status and outputs", "[gate][cli]")
{
	const auto regressed = run_report({"gate", "gate/base", "gate/regressed", "--max-regression", "5%"});
	CHECK(regressed.status == 1);
	CHECK(regressed.out == golden("gate-regressed.txt"));
	CHECK_THAT(regressed.out, Catch::Contains("REGRESSION   U 4k: IOPS"));

	const auto noise = run_report({"gate", "gate/base", "gate/noise"});
	CHECK(noise.status == 0);
	CHECK_THAT(noise.out, Catch::Contains("gate: PASS"));

	CHECK(run_report({"gate", "gate/base", "gate/regressed", "--max-regression=15"}).status == 0);
	CHECK(run_report({"gate", "gate/base", "gate/regressed", "--metric", "bw"}).status == 1);
	CHECK(run_report({"gate", "gate/base", "gate/noise", "--min-samples", "5"}).status == 0);
	const auto too_few = run_report({"gate", "gate/base", "gate/noise", "--min-samples", "6"});
	CHECK(too_few.status == 2);
	CHECK_THAT(too_few.err, Catch::Contains("fewer than --min-samples 6"));
	CHECK(run_report({"gate", "gate/base", "gate/noise", "--min-samples", "0"}).status == 2);
	const auto fraction = run_report({"gate", "gate/base", "gate/noise", "--max-regression", "0.05"});
	CHECK(fraction.status == 2);
	CHECK_THAT(fraction.err, Catch::Contains("--max-regression 0.05: a bare number below 1"));
	const auto undecided = run_report({"gate", "gate/base", "gate/inconclusive"});
	CHECK(undecided.status == 5);
	CHECK_THAT(undecided.out, Catch::Contains("UNDECIDED    U 4k"));
	CHECK_THAT(undecided.out, Catch::Contains("undecided: needs "));
	CHECK_THAT(undecided.out, Catch::Contains("gate: UNDECIDED, 0 of 2 case(s) regressed, 1 undecided"));
	CHECK(run_report({"gate", "gate/base", "gate/inconclusive", "--allow-undecided"}).status == 0);
	CHECK(run_report({"gate", "gate/base", "gate/regressed", "--allow-undecided"}).status == 1);
	const auto loads = run_report({"gate", "sets/6.1-base", "sets/6.2-slower"});
	CHECK(loads.status == 1);
	CHECK_THAT(loads.out, Catch::Contains("gate: load: 6.1-base: load average 0.10 at start, 0.40 at end, 2 CPUs; "
					      "6.2-slower: load average 0.10 at start, 0.40 at end, 2 CPUs"));
	const auto several = run_report({"gate", coverletter(""), "gate/noise"});
	CHECK(several.status == 2);
	CHECK_THAT(several.err, Catch::Contains("holds 2 sets"));
	CHECK(run_report({"gate", "gate/base", "gate/noise", "--metric", "latency"}).status == 2);

	const auto dir = std::filesystem::temp_directory_path() / "e4mext-report-gate-test";
	std::filesystem::remove_all(dir);
	std::filesystem::create_directories(dir);
	const auto md = (dir / "summary.md").string();
	const auto js = (dir / "verdict.json").string();
	const auto with_files = run_report(
		{"gate", "gate/base", "gate/regressed", "--labels", "base,cand", "--markdown-summary", md, "--verdict-json", js});
	CHECK(with_files.status == 1);
	CHECK(read_file_text(md) == golden("gate-regressed.md"));
	CHECK(read_file_text(js) == golden("gate-regressed.json"));
	// the Markdown summary is appended (as $GITHUB_STEP_SUMMARY wants), the JSON replaced
	run_report(
		{"gate", "gate/base", "gate/regressed", "--labels", "base,cand", "--markdown-summary", md, "--verdict-json", js});
	CHECK(read_file_text(md) == golden("gate-regressed.md") + golden("gate-regressed.md"));
	CHECK(read_file_text(js) == golden("gate-regressed.json"));
	std::filesystem::remove_all(dir);
}

TEST_CASE("compare marks as the gate judges: one rule over the cases, not each case alone", "[gate][compare]")
{
	// holm/: U 4k and M 4k 10% lower without overlap; six cases 3% lower with a 2% spread: a
	// change of each alone at alpha 0.05, but neither changed beyond 5% nor provably within it
	// at the level of 8 cases.
	const auto json = run_report({"compare", "holm/base", "holm/shifted", "--format", "json"});
	REQUIRE(json.status == 0);
	const auto cmp = nlohmann::json::parse(json.out);
	std::set<std::string> marked;
	for (const auto &entry : cmp["cases"]) {
		const auto &iops = entry["results"][1]["iops"];
		INFO(entry["case"].get<std::string>());
		CHECK(iops["p_value"].get<double>() <= 0.05); // each would be a change alone
		CHECK(iops["level"].get<double>() == Approx(0.05 / 8));
		if (iops["verdict"] == "changed")
			marked.insert(entry["case"].get<std::string>());
		else
			CHECK(iops["verdict"] == "undecided");
	}
	CHECK(marked == std::set<std::string>{"U 4k", "M 4k"});
	const auto text = run_report({"compare", "holm/base", "holm/shifted"});
	// 100.0k: the unrounded median is 99999.99, truncated as fio truncates
	CHECK_THAT(text.out, Catch::Contains("     100.0k     1.9%    -10.0% *       90.0k     1.9%  U 4k IOPS\n"));
	CHECK_THAT(text.out, Catch::Contains("      12.5k     1.9%     -3.1% ?       12.1k     1.7%  U 32k IOPS\n"));
	CHECK_THAT(text.out, Catch::Contains("Bonferroni over the cases"));

	// The gate, on the same family, confirms the same drops and no other.
	const auto gate = run_report({"gate", "holm/base", "holm/shifted", "--max-regression", "1%"});
	CHECK(gate.status == 1);
	CHECK_THAT(gate.out, Catch::Contains("REGRESSION   U 4k:"));
	CHECK_THAT(gate.out, Catch::Contains("REGRESSION   M 4k:"));
	CHECK_THAT(gate.out, Catch::Contains("gate: FAIL, 2 of 8 case(s) regressed, 6 undecided"));
}

TEST_CASE("one case measured side by side (e4mext overhead --gate)", "[gate]")
{
	const GateSide base{"e4defrag", {100, 101, 99, 100, 102, 98, 100}};
	SECTION("10% slower in every run: regressed, by the same rule as sets")
	{
		const auto verdict = run_gate("U 4k", base, {"libe4mext", {90, 91, 89, 90, 92, 88, 90}}, {});
		CHECK_FALSE(verdict.passed());
		CHECK(verdict.tested == 1);
		REQUIRE(verdict.findings.size() == 1);
		CHECK(verdict.findings[0].outcome == GateOutcome::regressed);
		CHECK(verdict.findings[0].change == Approx(-0.1));
		CHECK_THAT(render_gate_text(verdict),
			   Catch::Contains("libe4mext against e4defrag") && Catch::Contains("gate: FAIL"));
	}
	SECTION("within the threshold: pass")
	{
		CHECK(run_gate("U 4k", base, {"libe4mext", {99, 100, 98, 101, 99, 97, 100}}, {}).passed());
	}
	SECTION("over the threshold but not significant: undecided, which does not pass")
	{
		const auto verdict = run_gate("U 4k", base, {"libe4mext", {80, 120, 85, 110, 90, 101, 94}}, {});
		CHECK_FALSE(verdict.passed());
		CHECK(verdict.undecided() == 1);
		CHECK(verdict.regressions() == 0);
	}
	SECTION("fewer runs than min_samples")
	{
		CHECK_THROWS_AS(run_gate("U 4k", base, {"libe4mext", {90, 91}}, {}), InputError);
	}
	CHECK_THROWS_WITH(parse_percentage("0.5", "--gate"), Catch::StartsWith("--gate 0.5:"));
}

namespace {

std::string committed(const std::string &dir)
{
	return std::string(E4MEXT_SOURCE_ROOT) + "/results/6.18.15-vs-6.19.13-quick-tcg-256m/" + dir;
}

} // namespace

TEST_CASE("the committed kernel comparison: exact ratios, thin runs flagged, the gate does not pass", "[gate][compare][committed]")
{
	// Ratios of the unrounded rates, as the run files give them (U 128k: 489.007 / 32.945 =
	// 14.843; fio's integer iops gave 489 / 32 = 15.3x). 6.18.15's runs of U 128k made 95-113 moves.
	const auto text = run_report({"compare", committed("6.18.15-tcg"), committed("6.19.13-tcg")});
	REQUIRE(text.status == 0);
	CHECK_THAT(text.out, Catch::Contains("   U 128k:   14.8x, interval"));
	CHECK_THAT(text.out, Catch::Contains("   M 128k:   11.5x, interval"));
	CHECK_THAT(text.out, Catch::Contains("moves: 6.18.15-tcg 95-113\n             moves per run, THIN (< 400 moves in a run)"));
	CHECK_THAT(text.out, !Catch::Contains("15.3x") && !Catch::Contains("11.7x"));
	CHECK_THAT(text.out, Catch::Contains("     19.0ms    10.6%    -92.5% *      1.43ms    11.3%  U 128k p50 latency\n"));
	const auto json = nlohmann::json::parse(
		run_report({"compare", committed("6.18.15-tcg"), committed("6.19.13-tcg"), "--format", "json"}).out);
	for (const auto &entry : json["cases"]) {
		if (entry["case"] != "U 128k")
			continue;
		CHECK(entry["results"][1]["iops"]["ratio"].get<double>() == Approx(14.8431).epsilon(1e-4));
		CHECK(entry["results"][1]["iops"]["verdict"] == "changed");
		CHECK(entry["results"][1]["thin"] == false);
		CHECK(entry["results"][0]["thin"] == true);
		CHECK(entry["results"][1]["completion_latency"]["p50_ns"]["median"].get<double>() > 0);
	}

	// The run: base 6.19.13, candidate the kernel without the series: a 90% drop fails.
	const auto gate = run_report({"gate", committed("6.19.13-tcg"), committed("6.18.15-tcg")});
	CHECK(gate.status == 1);
	CHECK_THAT(gate.out, Catch::Contains("REGRESSION   U 128k"));
	CHECK_THAT(gate.out, Catch::Contains("gate: FAIL"));
	// With the bench's twelve looks spent, 3 runs per kernel are too few: undecided, never a pass.
	const auto looks = run_report({"gate", committed("6.19.13-tcg"), committed("6.18.15-tcg"), "--looks", "12"});
	CHECK(looks.status != 0);
	CHECK_THAT(looks.out, !Catch::Contains("gate: PASS"));
}

TEST_CASE("rates near 2^64 neither wrap nor read as a regression", "[gate][overflow]")
{
	const auto dir = std::filesystem::temp_directory_path() / "e4mext-report-overflow-test";
	std::filesystem::remove_all(dir);
	std::filesystem::create_directories(dir / "huge");
	auto doc = nlohmann::json::parse(read_file_text("fio-3.33/e4defrag-unwritten-4k.json"));
	for (int i = 0; i < 3; ++i) {
		auto &write = doc["jobs"][0]["write"];
		write["total_ios"] = (std::uint64_t{1} << 62) + static_cast<std::uint64_t>(i);
		write["runtime"] = 1;
		std::ofstream(dir / "huge" / ("run-" + std::to_string(i) + ".json")) << doc.dump();
	}
	const auto table = run_report({"table", (dir / "huge").string()});
	REQUIRE(table.status == 0);
	CHECK_THAT(table.out, !Catch::Contains("IOPS=0,"));
	CHECK_THAT(table.out, Catch::Contains("IOPS=18.4E")); // saturated at 2^64-1, not wrapped to 0
	const auto gate = run_report({"gate", "gate/base", (dir / "huge").string(), "--allow-undecided"});
	CHECK_THAT(gate.out, !Catch::Contains("REGRESSION   U 4k"));
	std::filesystem::remove_all(dir);
}
