// Sequential rounds (rounds.hpp): the stopping rule driven with fed runs (a fake round appends
// log-normal rates; the look judges them with decide()), and the standings that compare and the
// gate give the bench on committed result sets.
#include "result_set.hpp"
#include "rounds.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <sstream>

using namespace e4mext::report;

namespace {

// A reproducible normal variate (no <random>: its distributions differ between libraries).
class Noise {
public:
	double normal() { return std::sqrt(-2 * std::log(uniform())) * std::cos(2 * 3.14159265358979 * uniform()); }

private:
	double uniform()
	{
		state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
		return (static_cast<double>(state_ >> 11) + 0.5) / 9007199254740992.0;
	}
	std::uint64_t state_ = 4242;
};

// Fed runs: per case the candidate's true ratio to the base and the runs' spread (log scale).
struct FedCase {
	FedCase(double true_ratio, double log_spread) : ratio(true_ratio), spread(log_spread) {}
	double ratio;
	double spread;
	std::vector<double> base, candidate;
	unsigned rounds_run = 0;
};

struct FedBench {
	std::map<std::string, FedCase> cases;
	Noise noise;
	DecisionRule rule;
	unsigned looks_taken = 0;
	std::vector<unsigned> look_rounds;

	std::vector<std::string> ids() const
	{
		std::vector<std::string> ids;
		for (const auto &[id, c] : cases)
			ids.push_back(id);
		return ids;
	}
	RunRound runner()
	{
		return [this](unsigned, const std::vector<std::string> &ids) {
			for (const auto &id : ids) {
				auto &c = cases.at(id);
				c.base.push_back(100 * std::exp(c.spread * noise.normal()));
				c.candidate.push_back(100 * c.ratio * std::exp(c.spread * noise.normal()));
				++c.rounds_run;
			}
		};
	}
	Look looker()
	{
		return [this](unsigned rounds) {
			look_rounds.push_back(rounds);
			std::vector<CaseStanding> standings;
			rule.cases = cases.size();
			for (const auto &[id, c] : cases) {
				const auto d = decide(c.base, c.candidate, rule);
				standings.push_back(
					{id, id, d.verdict != Verdict::undecided, describe(d.verdict), d.runs_needed, ""});
			}
			return standings;
		};
	}
};

Elapsed no_clock()
{
	return [] { return 0.0; };
}

} // namespace

TEST_CASE("rounds stop when every case is decided, running only the undecided ones", "[rounds]")
{
	FedBench bench;
	bench.cases.emplace("clear", FedCase{4.0, 0.05});  // a fourfold change: decided at the first look
	bench.cases.emplace("same", FedCase{1.0, 0.002});  // no change, tiny spread: equivalent at once
	bench.cases.emplace("close", FedCase{1.02, 0.01}); // 2% off, 1% spread: equivalent, later
	RoundBudget budget;
	budget.max_rounds = 20;
	bench.rule.looks = budget.looks();
	std::ostringstream progress;
	const auto outcome = run_rounds(bench.ids(), budget, bench.runner(), bench.looker(), progress, no_clock());
	CHECK(outcome.reason == StopReason::every_case_decided);
	CHECK(bench.look_rounds.front() == 3); // no look before the third round
	CHECK(bench.cases.at("clear").rounds_run == 3);
	CHECK(bench.cases.at("same").rounds_run == 3);
	CHECK(bench.cases.at("close").rounds_run > 3); // it alone ran on
	CHECK(outcome.rounds == bench.cases.at("close").rounds_run);
	CHECK(outcome.rounds < budget.max_rounds);
	for (const auto &s : outcome.standings)
		CHECK(s.decided);
	CHECK(progress.str().find("bench: after round 3: 2 of 3 cases decided: clear changed, same equivalent; undecided: "
				  "close undecided (needs ") != std::string::npos);
	CHECK(standings_text(outcome).find("stopped after round " + std::to_string(outcome.rounds) + ": every case decided\n") ==
	      0);
}

TEST_CASE("rounds stop at --max-rounds when a case cannot be told, saying what it needs", "[rounds]")
{
	FedBench bench;
	bench.cases.emplace("clear", FedCase{0.5, 0.05});
	bench.cases.emplace("noisy", FedCase{1.12, 0.1}); // 12% off in a 10% spread: within reach, not in 6 rounds
	RoundBudget budget;
	budget.max_rounds = 6;
	bench.rule.looks = budget.looks();
	std::ostringstream progress;
	const auto outcome = run_rounds(bench.ids(), budget, bench.runner(), bench.looker(), progress, no_clock());
	CHECK(outcome.reason == StopReason::max_rounds);
	CHECK(outcome.rounds == 6);
	CHECK(bench.cases.at("clear").rounds_run == 3);
	CHECK(bench.cases.at("noisy").rounds_run == 6);
	CHECK(bench.look_rounds == std::vector<unsigned>{3, 4, 5, 6});
	REQUIRE(outcome.standings.size() == 2);
	const auto &noisy = outcome.standings[1];
	CHECK_FALSE(noisy.decided);
	CHECK(noisy.runs_needed > 6);
	CHECK_FALSE(noisy.out_of_reach);
	const auto text = standings_text(outcome);
	CHECK(text.find("stopped after round 6: --max-rounds reached\n") == 0);
	CHECK(text.find("  noisy: undecided, needs " + std::to_string(noisy.runs_needed) + " rounds\n") != std::string::npos);
}

TEST_CASE("a case out of reach runs no more, and the rounds stop when the rest is decided", "[rounds]")
{
	FedBench bench;
	bench.cases.emplace("clear", FedCase{0.5, 0.05});
	bench.cases.emplace("close", FedCase{1.02, 0.01}); // equivalent, after a few rounds
	bench.cases.emplace("noisy", FedCase{1.0, 1.0});   // a 100% spread: hundreds of rounds
	RoundBudget budget;
	budget.max_rounds = 10;
	bench.rule.looks = budget.looks();
	std::ostringstream progress;
	const auto outcome = run_rounds(bench.ids(), budget, bench.runner(), bench.looker(), progress, no_clock());
	INFO(progress.str());
	CHECK(outcome.reason == StopReason::rest_out_of_reach);
	CHECK(bench.cases.at("noisy").rounds_run == 3); // given up at the first look
	CHECK(outcome.rounds == bench.cases.at("close").rounds_run);
	CHECK(outcome.rounds < budget.max_rounds);
	REQUIRE(outcome.standings.size() == 3);
	const auto &noisy = outcome.standings[2];
	CHECK_FALSE(noisy.decided);
	CHECK(noisy.out_of_reach);
	CHECK(noisy.runs_needed > budget.reachable_rounds());
	CHECK(progress.str().find("(needs " + std::to_string(noisy.runs_needed) + " rounds: out of reach, runs no more)") !=
	      std::string::npos);
	CHECK(standings_text(outcome).find("stopped after round " + std::to_string(outcome.rounds) +
					   ": every case decided or out of reach") == 0);
}

TEST_CASE("the looks the rounds can take", "[rounds]")
{
	RoundBudget budget;
	CHECK(budget.looks() == 8); // after rounds 3 to 10
	budget.max_rounds = 3;
	CHECK(budget.looks() == 1);
	budget.first_look = 1;
	CHECK(budget.looks() == 3);
}

TEST_CASE("rounds stop before a round that would pass --max-time", "[rounds]")
{
	FedBench bench;
	bench.cases.emplace("noisy", FedCase{1.12, 0.1}); // within reach, not decided in 3 rounds
	RoundBudget budget;
	budget.max_rounds = 10;
	budget.max_seconds = 35; // rounds of 10 s: the fourth would end at 40 s
	bench.rule.looks = budget.looks();
	double now = 0;
	const auto base_runner = bench.runner();
	const RunRound timed = [&](unsigned round, const std::vector<std::string> &ids) {
		base_runner(round, ids);
		now += 10;
	};
	std::ostringstream progress;
	const auto outcome = run_rounds(bench.ids(), budget, timed, bench.looker(), progress, [&] { return now; });
	CHECK(outcome.reason == StopReason::max_time);
	CHECK(outcome.rounds == 3);
	CHECK(outcome.standings.size() == 1);

	SECTION("stopped by the clock before the first look: one look at what ran")
	{
		FedBench early;
		early.cases.emplace("clear", FedCase{4.0, 0.05});
		early.rule.looks = budget.looks();
		now = 0;
		budget.max_seconds = 25;
		const auto runner = early.runner();
		const RunRound slow = [&](unsigned round, const std::vector<std::string> &ids) {
			runner(round, ids);
			now += 10;
		};
		const auto cut = run_rounds(early.ids(), budget, slow, early.looker(), progress, [&] { return now; });
		CHECK(cut.rounds == 2);
		CHECK(early.look_rounds == std::vector<unsigned>{2});
		CHECK(cut.standings.size() == 1);
	}
}

TEST_CASE("rounds keep the error rate: identical kernels, looks after every round", "[rounds]")
{
	// 400 benches of two cases whose kernels do not differ (20% log-normal spread), stopping as the
	// rule says (every case kept within reach, so no look is skipped); a "changed" verdict at any
	// look of any case is a false one. Threshold 0: every significant difference counts, the
	// strictest reading.
	int benches_with_false_change = 0;
	const int benches = 400;
	Noise noise;
	for (int b = 0; b < benches; ++b) {
		FedBench bench;
		bench.cases.emplace("a", FedCase{1.0, 0.2});
		bench.cases.emplace("b", FedCase{1.0, 0.2});
		bench.rule.threshold = 0;
		RoundBudget budget;
		budget.max_rounds = 10;
		bench.rule.looks = budget.looks();
		for (int skip = 0; skip < b; ++skip)
			bench.noise.normal(); // each bench its own stream
		bool false_change = false;
		const Look look = [&, inner = bench.looker()](unsigned rounds) {
			auto standings = inner(rounds);
			for (auto &s : standings) {
				false_change = false_change || s.verdict == "changed";
				s.runs_needed = std::min<std::size_t>(s.runs_needed, 1); // never out of reach: every look taken
			}
			return standings;
		};
		std::ostringstream progress;
		run_rounds(bench.ids(), budget, bench.runner(), look, progress, no_clock());
		benches_with_false_change += false_change ? 1 : 0;
	}
	CHECK(static_cast<double>(benches_with_false_change) / benches <= 0.05);
}

TEST_CASE("standings from compare and the gate", "[rounds]")
{
	const auto base = load_result_set({"gate/base"}, "base");
	const auto regressed = load_result_set({"gate/regressed"}, "cand");
	const auto inconclusive = load_result_set({"gate/inconclusive"}, "cand");
	SECTION("compare: a 10% drop is changed, the rest equivalent: every case decided")
	{
		const auto standings = standings_of(compare_sets({&base, &regressed}), Metric::iops);
		REQUIRE(standings.size() == 2);
		CHECK(standings[0].label == "U 4k");
		CHECK(standings[0].decided);
		CHECK(standings[0].verdict.rfind("changed 0.9", 0) == 0);
		CHECK(standings[1].decided);
		CHECK(standings[1].verdict.rfind("equivalent ", 0) == 0);
	}
	SECTION("the gate: undecided with the runs it needs")
	{
		const auto standings = standings_of(run_gate(base, inconclusive, {}));
		bool any_undecided = false;
		for (const auto &s : standings)
			if (!s.decided) {
				any_undecided = true;
				CHECK(s.verdict.rfind("gate undecided ", 0) == 0);
				CHECK(s.runs_needed > 3);
			}
		CHECK(any_undecided);
	}
	SECTION("both views: decided only when both decided")
	{
		std::vector<CaseStanding> compare{{"g/a", "A", true, "changed 2.00x", 0, ""},
						  {"g/b", "B", true, "equivalent 1.00x", 0, ""}};
		std::vector<CaseStanding> gate{{"g/a", "A", true, "gate ok 2.00x", 0, ""},
					       {"g/b", "B", false, "gate undecided 1.00x", 7, ""}};
		const auto joined = both(compare, gate);
		REQUIRE(joined.size() == 2);
		CHECK(joined[0].decided);
		CHECK_FALSE(joined[1].decided);
		CHECK(joined[1].runs_needed == 7);
		CHECK(joined[1].verdict == "equivalent 1.00x; gate undecided 1.00x");
	}
}
