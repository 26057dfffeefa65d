#include "options.h"

#include "command_line.h"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>

#ifndef JOB_FUZZ_ENGINE
#define JOB_FUZZ_ENGINE "build/engine/libe4mext.so"
#endif
#ifndef JOB_FUZZ_FIO
#define JOB_FUZZ_FIO "fio"
#endif

namespace e4mext::jobfuzz {

namespace {

const char kDescription[] = "Runs random fio jobs with libe4mext on a loop ext4 of its own (root) and checks that no data was\n"
			    "lost, no ioctl got a range off block boundaries, fio did not crash, no donor was left behind and\n"
			    "the kernel logged no warning. Every case is made from (seed, case) alone.\n"
			    "  job-fuzz [--cases N] [--first K] [--jobs N] [--seed S] [--case K] [--time-limit SECONDS]\n"
			    "           [--soak] [--keep-going] [--save-failures DIR] [--engine PATH] [--fio PATH]\n"
			    "  job-fuzz --replay FILE|DIR... [--engine PATH] [--fio PATH]";

// CLI11's own number checks name their range as a 300-digit number, and read -3 as 2^64-3 unchecked.
const CLI::Validator whole_number(
	[](std::string &text) {
		return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos
			       ? std::string()
			       : "expected a whole number >= 0, not '" + text + "'";
	},
	"");

const CLI::Validator positive_seconds(
	[](std::string &text) {
		char *end = nullptr;
		const double value = std::strtod(text.c_str(), &end);
		return !text.empty() && *end == '\0' && value > 0 ? std::string()
								  : "expected a positive number of seconds, not '" + text + "'";
	},
	"");

[[noreturn]] void usage_error(const std::string &what)
{
	runner::exit_with_usage_error("job-fuzz", what);
}

} // namespace

CommandLine parse_command_line(int argc, char **argv)
{
	CommandLine o;
	o.engine = JOB_FUZZ_ENGINE;
	o.fio = JOB_FUZZ_FIO;
	uint64_t seed = 0, only_case = 0;
	double time_limit = 0;
	CLI::App app{kDescription, "job-fuzz"};
	app.footer("Exit status: 0 no failure, 1 a case failed, 2 bad usage, 77 not run (no root, no fio).");
	const auto *cases = app.add_option("--cases", o.cases, "cases to run (default 100; 20000 with --soak)")
				    ->type_name("N")
				    ->check(whole_number);
	const auto *first = app.add_option("--first", o.first, "start at case K of the seed (default 0): a soak in parts")
				    ->type_name("K")
				    ->check(whole_number);
	const auto *jobs =
		app.add_option("--jobs", o.jobs,
			       "cases at once, each in a worker process with a loop ext4 of its own (default 1, at most " +
				       std::to_string(kMaxJobs) + ")")
			->type_name("N")
			->check(whole_number)
			->check(CLI::Range(1u, kMaxJobs));
	unsigned worker = 0;
	const auto *worker_option = app.add_option("--worker", worker)->group(""); // set by the parent of --jobs N
	const auto *seed_option = app.add_option("--seed", seed, "the run's seed (default: from the clock; printed)")
					  ->type_name("S")
					  ->check(whole_number);
	const auto *case_option =
		app.add_option("--case", only_case, "run only case K of the seed, printing its job file and fio's output")
			->type_name("K")
			->check(whole_number);
	const auto *time_option = app.add_option("--time-limit", time_limit, "start no new case after this long (default: none)")
					  ->type_name("SECONDS")
					  ->check(positive_seconds);
	app.add_flag("--soak", o.soak, "the long run: 20000 cases unless --cases, and --keep-going");
	app.add_flag("--keep-going", o.keep_going, "go on after a failing case (default: stop after the first)");
	app.add_option("--save-failures", o.save_failures,
		       "write each failing case to DIR/<failure>-<seed>-<case>.fio, at most 3 per kind of failure in DIR "
		       "(default: not saved)")
		->type_name("DIR");
	const auto *replay = app.add_option("--replay", o.replay, "run saved cases (a directory: its *.fio) with the same checks")
				     ->type_name("FILE|DIR");
	app.add_option("--engine", o.engine, "libe4mext.so")->type_name("PATH")->capture_default_str();
	app.add_option("--fio", o.fio, "fio")->type_name("PATH")->capture_default_str();
	runner::parse_or_exit(app, argc, argv);
	if (seed_option->count())
		o.seed = seed;
	if (case_option->count())
		o.only_case = only_case;
	if (time_option->count())
		o.time_limit = time_limit;
	o.replay_mode = replay->count() > 0;
	if (o.soak) {
		o.keep_going = true;
		if (!cases->count())
			o.cases = kSoakCases;
	}
	if (worker_option->count())
		o.worker = worker;
	if (o.only_case && (first->count() || jobs->count()))
		usage_error("--case K runs that case alone: it takes no --first or --jobs");
	if (o.worker && (*o.worker >= o.jobs || !o.seed))
		usage_error("--worker W is set by job-fuzz --jobs N for its workers (W < N, with --seed)");
	if (o.replay_mode && (first->count() || jobs->count() || o.only_case || o.seed || cases->count() || o.soak ||
			      o.time_limit || !o.save_failures.empty()))
		usage_error("--replay runs the saved cases as they are: it takes no --seed, --first, --jobs, --case, "
			    "--cases, --soak, --time-limit or --save-failures");
	return o;
}

} // namespace e4mext::jobfuzz
