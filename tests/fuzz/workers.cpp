#include "workers.h"

#include "tally.h"

#include "cleanup_registry.h"
#include "process.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace e4mext::jobfuzz {

namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> worker_command(const CommandLine &cmd, uint64_t seed, unsigned worker)
{
	std::vector<std::string> argv = {std::filesystem::read_symlink("/proc/self/exe").string(),
					 "--seed",
					 std::to_string(seed),
					 "--first",
					 std::to_string(cmd.first),
					 "--cases",
					 std::to_string(cmd.cases),
					 "--jobs",
					 std::to_string(cmd.jobs),
					 "--worker",
					 std::to_string(worker),
					 "--engine",
					 cmd.engine,
					 "--fio",
					 cmd.fio};
	if (cmd.keep_going)
		argv.push_back("--keep-going");
	if (cmd.time_limit)
		argv.insert(argv.end(), {"--time-limit", std::to_string(*cmd.time_limit)});
	if (!cmd.save_failures.empty())
		argv.insert(argv.end(), {"--save-failures", cmd.save_failures});
	return argv;
}

// One worker's stdout, read as whole lines.
struct Worker {
	runner::Process process;
	std::string partial;
	bool open = true;
};

class Counter {
public:
	Counter(const CommandLine &cmd, std::vector<Worker> &workers) : cmd_(cmd), workers_(workers) {}

	// Its case records are counted; whatever else a worker prints (failing cases) is passed on.
	void line(const std::string &text)
	{
		const std::optional<CaseOutcome> o = read_case_record(text);
		if (!o) {
			std::cout << text << std::endl;
			return;
		}
		tally_.add(*o);
		if (tally_.cases % kProgressEvery == 0)
			print_progress(tally_, Clock::now() - start_);
		if (!o->failures.empty() && !cmd_.keep_going && !stopped_) {
			stopped_ = true;
			std::cout << "job-fuzz: stopping at the first failure (--keep-going runs on): the other workers are "
				     "interrupted"
				  << std::endl;
			for (Worker &w : workers_)
				w.process.signal_group(SIGINT);
		}
	}

	bool stopped() const { return stopped_; }
	const Tally &tally() const { return tally_; }
	Clock::duration elapsed() const { return Clock::now() - start_; }

private:
	const CommandLine &cmd_;
	std::vector<Worker> &workers_;
	Tally tally_;
	bool stopped_ = false;
	const Clock::time_point start_ = Clock::now();
};

void read_output(Worker &w, Counter &counter)
{
	char buf[65536];
	const ssize_t n = ::read(w.process.stdout_fd(), buf, sizeof buf);
	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		w.open = false;
		if (!w.partial.empty())
			counter.line(w.partial);
		return;
	}
	w.partial.append(buf, static_cast<size_t>(n));
	for (size_t end; (end = w.partial.find('\n')) != std::string::npos; w.partial.erase(0, end + 1))
		counter.line(w.partial.substr(0, end));
}

} // namespace

int run_workers(const CommandLine &cmd, uint64_t seed)
{
	std::cout << "job-fuzz: " << cmd.jobs << " workers, each on a loop ext4 of its own, worker W running the cases K with "
		  << "(K - " << cmd.first << ") % " << cmd.jobs << " == W" << std::endl;
	std::vector<Worker> workers;
	workers.reserve(cmd.jobs);
	for (unsigned w = 0; w < cmd.jobs; ++w)
		workers.push_back(
			{runner::Process::spawn(worker_command(cmd, seed, w), runner::Stream::pipe(), runner::Stream::inherit()),
			 "", true});
	Counter counter(cmd, workers);
	for (;;) {
		std::vector<pollfd> fds;
		std::vector<Worker *> owners;
		for (Worker &w : workers)
			if (w.open) {
				fds.push_back({w.process.stdout_fd(), POLLIN, 0});
				owners.push_back(&w);
			}
		if (fds.empty())
			break;
		// A signal ends the poll; the handler has passed it on to the workers, which stop and
		// close their output.
		if (::poll(fds.data(), fds.size(), -1) < 0) {
			if (errno == EINTR)
				continue;
			throw std::runtime_error(std::string("poll on the workers' output: ") + std::strerror(errno));
		}
		for (size_t i = 0; i < fds.size(); ++i)
			if (fds[i].revents != 0)
				read_output(*owners[i], counter);
	}
	bool worker_failed = false;
	for (unsigned w = 0; w < workers.size(); ++w) {
		const runner::ExitStatus status = workers[w].process.wait();
		const bool stopped_by_us = counter.stopped() && status.shell_code() == 128 + SIGINT;
		if (status.exited() && (status.exit_code() == 0 || status.exit_code() == 1))
			continue;
		if (stopped_by_us || runner::interrupted_by())
			continue;
		std::cout << "job-fuzz: worker " << w << " ended with " << status.describe() << std::endl;
		worker_failed = true;
	}
	runner::throw_if_interrupted();
	const Tally &t = counter.tally();
	if (cmd.time_limit && !counter.stopped() && t.cases < cmd.cases)
		std::cout << "job-fuzz: time limit of " << *cmd.time_limit << " s reached after " << t.cases << " cases"
			  << std::endl;
	print_summary(t, counter.elapsed());
	return t.failures || worker_failed ? 1 : 0;
}

} // namespace e4mext::jobfuzz
