#include "rounds.hpp"

#include "number_text.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace e4mext::report {

namespace {

std::string needs_text(std::size_t runs)
{
	return runs >= most_runs_estimated ? "needs " + std::to_string(most_runs_estimated) + " or more rounds"
					   : "needs " + std::to_string(runs) + " rounds";
}

void add_flags(std::string &to, const std::string &side, const std::string &flags)
{
	if (!flags.empty())
		to += (to.empty() ? "" : "; ") + side + ": " + flags;
}

// " [THIN]", " [ENDED EARLY]", " [THIN, ENDED EARLY]" or "": a look line's short form of the flags.
std::string short_flags(const CaseStanding &s)
{
	const bool thin = s.flags.find("THIN") != std::string::npos;
	const bool early = s.flags.find("ENDED BEFORE THE WINDOW") != std::string::npos;
	if (!thin && !early)
		return "";
	return std::string(" [") + (thin ? "THIN" : "") + (thin && early ? ", " : "") + (early ? "ENDED EARLY" : "") + "]";
}

std::string key_of(const CaseStanding &s)
{
	return s.id.empty() ? "label:" + s.label : s.id;
}

} // namespace

std::vector<CaseStanding> standings_of(const Comparison &comparison, Metric metric)
{
	std::vector<CaseStanding> standings;
	for (const auto &row : comparison.cases) {
		CaseStanding s;
		s.label = case_label(row.key, comparison.varying);
		s.decided = true;
		std::string verdicts;
		for (std::size_t set = 0; set < row.cells.size(); ++set) {
			const auto &cell = row.cells[set];
			if (s.id.empty() && cell.result)
				s.id = cell.result->case_id();
			if (cell.result)
				add_flags(s.flags, comparison.sets[set]->label, evidence_flags(*cell.result));
			if (set == 0 || !row.cells[0].result || !cell.result)
				continue;
			const auto &d = cell.decision(metric);
			const auto change = cell.change(metric);
			verdicts += (verdicts.empty() ? "" : ", ") +
				    (row.cells.size() > 2 ? comparison.sets[set]->label + " " : std::string()) +
				    describe(d.verdict) + (change ? " " + format_ratio(1 + *change) : std::string());
			if (d.verdict == Verdict::undecided) {
				s.decided = false;
				s.runs_needed = std::max(s.runs_needed, d.runs_needed);
			}
		}
		s.verdict = verdicts.empty() ? "not in the first set and another: nothing to decide" : verdicts;
		standings.push_back(std::move(s));
	}
	return standings;
}

std::vector<CaseStanding> standings_of(const GateVerdict &verdict)
{
	std::vector<CaseStanding> standings;
	for (const auto &f : verdict.findings) {
		CaseStanding s;
		s.id = f.case_id;
		s.label = f.label;
		s.decided = f.outcome != GateOutcome::undecided;
		s.verdict = "gate " + describe(f.outcome);
		if (f.outcome == GateOutcome::pass || f.outcome == GateOutcome::regressed || f.outcome == GateOutcome::undecided)
			s.verdict += " " + format_ratio(1 + f.change);
		if (!s.decided)
			s.runs_needed = f.decision.runs_needed;
		add_flags(s.flags, verdict.base_label, f.base_flags);
		add_flags(s.flags, verdict.candidate_label, f.candidate_flags);
		standings.push_back(std::move(s));
	}
	return standings;
}

std::vector<CaseStanding> both(std::vector<CaseStanding> first, const std::vector<CaseStanding> &second)
{
	std::map<std::string, const CaseStanding *> by_key;
	for (const auto &s : second)
		by_key[key_of(s)] = &s;
	std::set<std::string> joined;
	for (auto &s : first) {
		const auto it = by_key.find(key_of(s));
		if (it == by_key.end())
			continue;
		const CaseStanding &other = *it->second;
		joined.insert(it->first);
		s.decided = s.decided && other.decided;
		s.verdict += "; " + other.verdict;
		s.runs_needed = std::max(s.runs_needed, other.runs_needed);
		if (s.flags.empty())
			s.flags = other.flags; // the same runs: the same flags
	}
	for (const auto &s : second)
		if (!joined.count(key_of(s)))
			first.push_back(s);
	return first;
}

std::string describe(StopReason reason)
{
	switch (reason) {
	case StopReason::every_case_decided: return "every case decided";
	case StopReason::rest_out_of_reach: return "every case decided or out of reach (needing more than twice --max-rounds)";
	case StopReason::max_rounds: return "--max-rounds reached";
	case StopReason::max_time: break;
	}
	return "--max-time reached (another round would pass it)";
}

RoundsOutcome run_rounds(const std::vector<std::string> &case_ids, const RoundBudget &budget, const RunRound &run_round,
			 const Look &look, std::ostream &progress, const Elapsed &elapsed)
{
	RoundsOutcome outcome;
	std::vector<std::string> next = case_ids;
	double last_round = 0;
	for (unsigned round = 1;; ++round) {
		if (round > budget.max_rounds) {
			outcome.reason = StopReason::max_rounds;
			break;
		}
		if (budget.max_seconds > 0 && round > 1 && elapsed() + last_round > budget.max_seconds) {
			outcome.reason = StopReason::max_time;
			break;
		}
		const double started = elapsed();
		run_round(round, next);
		last_round = elapsed() - started;
		outcome.rounds = round;
		if (round < budget.first_look && round < budget.max_rounds)
			continue;
		outcome.standings = look(round);
		bool given_up = false;
		for (auto &s : outcome.standings) {
			s.out_of_reach = !s.decided && s.runs_needed > budget.reachable_rounds();
			given_up = given_up || s.out_of_reach;
		}
		progress << "bench: " << look_line(round, outcome.standings) << "\n" << std::flush;
		std::set<std::string> undecided;
		bool unnamed = false;
		for (const auto &s : outcome.standings) {
			if (!s.decided && !s.out_of_reach) {
				undecided.insert(s.id);
				unnamed = unnamed || s.id.empty();
			}
		}
		if (undecided.empty()) {
			outcome.reason = given_up ? StopReason::rest_out_of_reach : StopReason::every_case_decided;
			break;
		}
		next.clear();
		for (const auto &id : case_ids)
			if (unnamed || undecided.count(id))
				next.push_back(id);
	}
	// Stopped by the clock before the first look: one look at what ran (every round count up to
	// max_rounds is within the looks the level was paid for).
	if (outcome.standings.empty() && outcome.rounds > 0)
		outcome.standings = look(outcome.rounds);
	return outcome;
}

std::string look_line(unsigned rounds, const std::vector<CaseStanding> &standings)
{
	std::string decided, undecided;
	std::size_t count = 0;
	for (const auto &s : standings) {
		if (s.decided) {
			++count;
			decided += (decided.empty() ? "" : ", ") + s.label + " " + s.verdict + short_flags(s);
		} else {
			undecided += (undecided.empty() ? "" : ", ") + s.label + " " + s.verdict + " (" +
				     needs_text(s.runs_needed) + (s.out_of_reach ? ": out of reach, runs no more" : "") + ")" +
				     short_flags(s);
		}
	}
	std::string line = "after round " + std::to_string(rounds) + ": " + std::to_string(count) + " of " +
			   std::to_string(standings.size()) + " cases decided";
	if (!decided.empty())
		line += ": " + decided;
	if (!undecided.empty())
		line += "; undecided: " + undecided;
	return line;
}

std::string standings_text(const RoundsOutcome &outcome)
{
	std::string text = "stopped after round " + std::to_string(outcome.rounds) + ": " + describe(outcome.reason) + "\n";
	for (const auto &s : outcome.standings)
		text += "  " + s.label + ": " + (s.decided ? s.verdict : s.verdict + ", " + needs_text(s.runs_needed)) +
			(s.flags.empty() ? "" : " [" + s.flags + "]") + "\n";
	return text;
}

} // namespace e4mext::report
