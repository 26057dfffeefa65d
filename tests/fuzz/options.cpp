#include "options.h"

#include <charconv>
#include <cstdlib>
#include <iostream>

#ifndef JOB_FUZZ_ENGINE
#define JOB_FUZZ_ENGINE "build/engine/libe4mext.so"
#endif
#ifndef JOB_FUZZ_FIO
#define JOB_FUZZ_FIO "fio"
#endif

namespace e4mext::jobfuzz {

const char kUsage[] = "usage: job-fuzz [--cases N] [--seed S] [--case K] [--time-limit SECONDS] [--soak] [--keep-going]\n"
		      "                [--save-failures DIR] [--engine PATH] [--fio PATH]\n"
		      "       job-fuzz --replay FILE|DIR... [--engine PATH] [--fio PATH]\n"
		      "Runs random fio jobs with libe4mext on a loop ext4 of its own (root) and checks that no data was\n"
		      "lost, no ioctl got a range off block boundaries, fio did not crash, no donor was left behind and\n"
		      "the kernel logged no warning. Every case is made from (seed, case) alone.\n"
		      "  --cases N            cases to run (default 100; 20000 with --soak)\n"
		      "  --seed S             the run's seed (default: from the clock; printed)\n"
		      "  --case K             run only case K of the seed, printing its job file and fio's output\n"
		      "  --time-limit SECONDS start no new case after this long (default: none)\n"
		      "  --soak               the long run: 20000 cases unless --cases, and --keep-going\n"
		      "  --keep-going         go on after a failing case (default: stop after the first)\n"
		      "  --save-failures DIR  write each failing case to DIR/<failure>-<seed>-<case>.fio, at most 3 per\n"
		      "                       kind of failure in DIR (default: not saved)\n"
		      "  --replay FILE|DIR... run saved cases (a directory: its *.fio) with the same checks\n"
		      "  --engine PATH        libe4mext.so (default: " JOB_FUZZ_ENGINE ")\n"
		      "  --fio PATH           fio (default: " JOB_FUZZ_FIO ")\n"
		      "Exit status: 0 no failure, 1 a case failed, 2 bad usage, 77 not run (no root, no fio).\n";

namespace {

[[noreturn]] void usage_error(const std::string &what)
{
	std::cerr << "job-fuzz: " << what << " (job-fuzz --help lists the options)\n";
	std::exit(2);
}

uint64_t parse_count(const std::string &option, const std::string &text)
{
	uint64_t value = 0;
	const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
	if (ec != std::errc() || end != text.data() + text.size())
		usage_error(option + " " + text + ": expected a non-negative integer");
	return value;
}

double parse_seconds(const std::string &option, const std::string &text)
{
	char *end = nullptr;
	const double value = std::strtod(text.c_str(), &end);
	if (text.empty() || *end != '\0' || !(value > 0))
		usage_error(option + " " + text + ": expected a positive number of seconds");
	return value;
}

} // namespace

CommandLine parse_command_line(int argc, char **argv)
{
	CommandLine o;
	o.engine = JOB_FUZZ_ENGINE;
	o.fio = JOB_FUZZ_FIO;
	bool cases_given = false;
	for (int i = 1; i < argc; ++i) {
		const std::string a = argv[i];
		auto value = [&]() -> std::string {
			if (i + 1 >= argc)
				usage_error(a + " needs a value");
			return argv[++i];
		};
		if (a == "-h" || a == "--help") {
			std::cout << kUsage;
			std::exit(0);
		} else if (a == "--cases") {
			o.cases = parse_count(a, value());
			cases_given = true;
		} else if (a == "--seed") {
			o.seed = parse_count(a, value());
		} else if (a == "--case") {
			o.only_case = parse_count(a, value());
		} else if (a == "--time-limit") {
			o.time_limit = parse_seconds(a, value());
		} else if (a == "--soak") {
			o.soak = true;
		} else if (a == "--keep-going") {
			o.keep_going = true;
		} else if (a == "--save-failures") {
			o.save_failures = value();
		} else if (a == "--engine") {
			o.engine = value();
		} else if (a == "--fio") {
			o.fio = value();
		} else if (a == "--replay") {
			o.replay_mode = true;
			while (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0)
				o.replay.push_back(argv[++i]);
		} else {
			usage_error("unknown option '" + a + "'");
		}
	}
	if (o.soak) {
		o.keep_going = true;
		if (!cases_given)
			o.cases = kSoakCases;
	}
	if (o.replay_mode && (o.only_case || o.seed || cases_given || o.soak || o.time_limit || !o.save_failures.empty()))
		usage_error("--replay runs the saved cases as they are: it takes no --seed, --case, --cases, --soak, "
			    "--time-limit or --save-failures");
	if (o.replay_mode && o.replay.empty())
		usage_error("--replay needs at least one case file or directory");
	return o;
}

} // namespace e4mext::jobfuzz
