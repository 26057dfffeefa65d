// Gate verdicts: an injected, significant 10% regression fails, noise within the threshold passes,
// a drop over the threshold that the runs cannot confirm is inconclusive.
#include "gate.hpp"
#include "golden.hpp"
#include "input_error.hpp"

#include <catch2/catch.hpp>

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
        CHECK(verdict.findings[0].test.significance == Significance::significant);
        CHECK(verdict.findings[0].test.p_value == Approx(1.0 / 252));
        CHECK(verdict.findings[1].outcome == GateOutcome::pass);
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
        for (const auto& f : verdict.findings) {
            missing += f.outcome == GateOutcome::missing;
            added += f.outcome == GateOutcome::added;
        }
        CHECK(missing == 2);
        CHECK(added == 5);
    }
    SECTION("a drop over the threshold that the runs do not confirm is inconclusive, not a failure")
    {
        const auto verdict = run_gate(base, load_result_set({"gate/inconclusive"}, "cand"), {});
        CHECK(verdict.passed());
        REQUIRE(verdict.inconclusive() == 1);
        const auto& f = verdict.findings[0];
        CHECK(f.outcome == GateOutcome::inconclusive);
        CHECK(f.change < -0.05);
        CHECK(f.test.significance == Significance::not_significant);
        CHECK(f.runs_to_settle > 5);
    }
    SECTION("3 vs 3 runs cannot confirm a drop among 2 cases: Holm asks p <= 0.025, the best is 1/20")
    {
        GateOptions options;
        const auto three = load_result_set({"gate/regressed/run-0.json", "gate/regressed/run-1.json",
                                            "gate/regressed/run-2.json"}, "cand");
        const auto three_base = load_result_set({"gate/base/run-0.json", "gate/base/run-1.json",
                                                 "gate/base/run-2.json"}, "base");
        const auto verdict = run_gate(three_base, three, options);
        CHECK(verdict.passed());
        REQUIRE(verdict.findings[0].outcome == GateOutcome::inconclusive);
        CHECK(verdict.findings[0].test.p_value == Approx(0.05));
        CHECK(verdict.findings[0].test.significance == Significance::too_few_runs);
        CHECK(verdict.findings[0].level == Approx(0.025));
        CHECK(verdict.findings[0].runs_to_settle == 4); // 1/C(8,4) = 1/70 <= 0.025
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
    const auto inconclusive = run_report({"gate", "gate/base", "gate/inconclusive"});
    CHECK(inconclusive.status == 0);
    CHECK_THAT(inconclusive.out, Catch::Contains("INCONCLUSIVE U 4k"));
    CHECK_THAT(inconclusive.out, Catch::Contains("runs per side would settle it"));
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
    const auto with_files = run_report({"gate", "gate/base", "gate/regressed", "--labels", "base,cand",
                                        "--markdown-summary", md, "--verdict-json", js});
    CHECK(with_files.status == 1);
    CHECK(read_file_text(md) == golden("gate-regressed.md"));
    CHECK(read_file_text(js) == golden("gate-regressed.json"));
    // the Markdown summary is appended (as $GITHUB_STEP_SUMMARY wants), the JSON replaced
    run_report({"gate", "gate/base", "gate/regressed", "--labels", "base,cand", "--markdown-summary", md,
                "--verdict-json", js});
    CHECK(read_file_text(md) == golden("gate-regressed.md") + golden("gate-regressed.md"));
    CHECK(read_file_text(js) == golden("gate-regressed.json"));
    std::filesystem::remove_all(dir);
}
