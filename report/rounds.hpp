// Sequential rounds: repeat until the runs can tell (Chromium Pinpoint's model), for the bench with
// two or more kernels, --compare or --gate.
//
// The bench runs rounds A B A B ... of the cases. From the first look (after round 3, the gate's
// fewest runs per side) on, after every round, each case is judged by the verdicts of compare or of
// the gate - the decision rule of statistics.hpp (decide()), nothing of its own - and the bench
// stops when every case is decided (changed, or equivalent within the threshold), or when the
// budget is spent (--max-rounds, --max-time); a case still undecided then is reported with the
// rounds its measured spread would need. A decided case runs no more: later rounds run only the
// undecided cases.
//
// A case whose measured spread would need more than twice --max-rounds rounds is out of reach: it
// runs no more (more rounds within the budget would almost surely not decide it) and stays
// undecided with the rounds it needs. Giving up can only withhold a verdict, never make one false.
//
// Why the error rate holds: every verdict is taken at level alpha / (cases x looks) with looks =
// --max-rounds - 2, the looks the bench can take (after rounds 3 to --max-rounds). By Bonferroni's inequality the chance of
// any false verdict, over every case at every look, stays at most alpha however the looks
// correlate and whenever the bench stops: the stopping at the first decisive look that inflates a
// fixed-level test is paid for in advance by the smaller level. Leaving decided cases out keeps
// it: a decided case's runs, and so its verdict, stay as they were when it was decided, and
// compare and the gate over the final runs (with --looks = --max-rounds) repeat that verdict.
#pragma once

#include "gate.hpp"

#include <cstddef>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace e4mext::report {

// Where one case stands at a look.
struct CaseStanding {
	std::string id;    // the bench's case id ("coverletter/U-4k"); "" when its runs have no case record
	std::string label; // "U 4k"
	bool decided = false;
	std::string verdict;         // "changed 14.9x", "equivalent 1.01x", "undecided 0.98x" (ratio of medians)
	std::size_t runs_needed = 0; // undecided: the runs per side the measured spread would need
	std::string flags;           // "6.18.15-tcg: THIN (< 400 moves in a run)": sides whose runs are thin evidence
	bool out_of_reach = false;   // undecided, needing more rounds than the budget can reach (run_rounds)
};

// compare's verdicts on `metric`: a case is decided when its verdict against the first set is
// changed or equivalent for every other set that has it. A case no other set shares with the first
// has nothing to decide and counts as decided.
std::vector<CaseStanding> standings_of(const Comparison &comparison, Metric metric);
// The gate's outcomes: decided unless undecided (missing and new cases are decided: more runs
// cannot change them).
std::vector<CaseStanding> standings_of(const GateVerdict &verdict);
// Two views of the same runs (compare and gate): decided when both decided, by id (or label).
std::vector<CaseStanding> both(std::vector<CaseStanding> first, const std::vector<CaseStanding> &second);

struct RoundBudget {
	unsigned first_look = 3;  // rounds before the first look
	unsigned max_rounds = 10; // bounds the looks of the Bonferroni bound
	double max_seconds = 0;   // 0: no time limit

	// The most looks the rounds can take: one after each round from first_look to max_rounds (a
	// bench cut by the clock before first_look takes one look instead of all of them).
	std::size_t looks() const { return max_rounds >= first_look ? max_rounds - first_look + 1 : 1; }
	// Rounds a case may need and still be run on: more, and it is out of reach.
	std::size_t reachable_rounds() const { return 2 * std::size_t{max_rounds}; }
};

enum class StopReason { every_case_decided, rest_out_of_reach, max_rounds, max_time };
std::string describe(StopReason reason); // "every case decided", "--max-rounds reached", ...

struct RoundsOutcome {
	unsigned rounds = 0;
	StopReason reason = StopReason::max_rounds;
	std::vector<CaseStanding> standings; // at the last look (empty when no look was taken)
};

// One round of the given cases (ids of the bench's cases) as run number `round`.
using RunRound = std::function<void(unsigned round, const std::vector<std::string> &case_ids)>;
// Where every case stands after `rounds` rounds (from the runs written so far).
using Look = std::function<std::vector<CaseStanding>(unsigned rounds)>;
// Seconds since the rounds began.
using Elapsed = std::function<double()>;

// Runs rounds of case_ids until the stopping rule above says stop. A round does not start when the
// time spent and one more round as long as the last would pass max_seconds. Later rounds run the
// undecided cases within reach only (all of them when such a case has no id). Progress lines, one per
// look, go to `progress`. Exceptions of run_round and look pass through.
RoundsOutcome run_rounds(const std::vector<std::string> &case_ids, const RoundBudget &budget, const RunRound &run_round,
			 const Look &look, std::ostream &progress, const Elapsed &elapsed);

// "after round 4: 5 of 6 cases decided: U 32k changed 4.53x, ...; undecided: U 4k 0.98x (needs 9 rounds)"
// A case whose runs are thin evidence carries " [THIN]" (or " [ENDED EARLY]") after its verdict.
std::string look_line(unsigned rounds, const std::vector<CaseStanding> &standings);
// The final word per case: "U 4k: undecided, needs 12 rounds" / "U 32k: changed 4.53x", and the
// flags of thin evidence in full: "U 128k: changed 11.5x [6.18.15-tcg: THIN (< 400 moves in a run)]".
std::string standings_text(const RoundsOutcome &outcome);

} // namespace e4mext::report
