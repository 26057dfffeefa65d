// Gate verdicts: an injected 10% regression fails, noise within the threshold passes.
#include "gate.hpp"
#include "golden.hpp"
#include "input_error.hpp"

#include <catch2/catch.hpp>

using namespace e4mext::report;

TEST_CASE("percentages and metrics", "[gate]")
{
    CHECK(parse_percentage("5%") == Approx(0.05));
    CHECK(parse_percentage("5") == Approx(0.05));
    CHECK(parse_percentage("0.5%") == Approx(0.005));
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
        CHECK(verdict.findings[0].significance == Significance::significant);
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
        options.max_regression = 0.15;
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
        const auto verdict = run_gate(base, load_result_set({"classify/mixed.json"}, "cand"), {});
        CHECK_FALSE(verdict.passed());
        std::size_t missing = 0, added = 0;
        for (const auto& f : verdict.findings) {
            missing += f.outcome == GateOutcome::missing;
            added += f.outcome == GateOutcome::added;
        }
        CHECK(missing == 2);
        CHECK(added == 5);
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
    CHECK_THAT(regressed.out, Catch::Contains("REGRESSION U 4k: IOPS"));

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
