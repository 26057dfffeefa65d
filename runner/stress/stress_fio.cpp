#include "stress_fio.h"

#include "cleanup_registry.h"

#include <signal.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <thread>

namespace e4mext::runner {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::vector<pid_t> child_pids(pid_t pid)
{
	std::vector<pid_t> children;
	std::error_code ec;
	for (const fs::directory_entry &entry : fs::directory_iterator("/proc", ec)) {
		const std::string name = entry.path().filename();
		pid_t candidate = 0;
		if (std::from_chars(name.data(), name.data() + name.size(), candidate).ec != std::errc{})
			continue;
		std::ifstream stat(entry.path() / "stat");
		std::string line;
		if (!std::getline(stat, line))
			continue;
		// "pid (comm) state ppid ...": comm may hold spaces and parentheses, so from the last ')'.
		const auto close = line.rfind(')');
		if (close == std::string::npos || close + 4 >= line.size())
			continue;
		const char *p = line.c_str() + close + 4; // past ") S "
		pid_t parent = 0;
		std::from_chars(p, line.c_str() + line.size(), parent);
		if (parent == pid)
			children.push_back(candidate);
	}
	return children;
}

void wait_gone(const std::vector<pid_t> &pids)
{
	const auto deadline = std::chrono::steady_clock::now() + 2min;
	for (pid_t p : pids)
		while (fs::exists("/proc/" + std::to_string(p)) && std::chrono::steady_clock::now() < deadline)
			std::this_thread::sleep_for(100ms);
}

FioProcess::~FioProcess()
{
	kill_all();
}

void FioProcess::start(const std::vector<std::string> &command, const std::string &log, const std::vector<std::string> &env)
{
	kill_all();
	log_ = log;
	// env(1) adds the variables (the job files' ${VAR}s) and execs: the pid stays fio's.
	std::vector<std::string> argv = {"env"};
	argv.insert(argv.end(), env.begin(), env.end());
	argv.insert(argv.end(), command.begin(), command.end());
	process_.emplace(Process::spawn(argv, Stream::file(out_path()), Stream::file(err_path()), log));
}

bool FioProcess::running()
{
	return process_ && process_->running();
}

int FioProcess::wait(std::chrono::seconds limit)
{
	if (!process_)
		return status_;
	const auto deadline = std::chrono::steady_clock::now() + limit;
	while (std::chrono::steady_clock::now() < deadline) {
		if (auto s = process_->wait_for(100ms)) {
			status_ = s->shell_code();
			process_.reset();
			throw_if_interrupted(); // fio stopped because we were interrupted: not a result
			return status_;
		}
		if (interrupted_by()) {
			// fio has its SIGINT: it stops its jobs and runs the engine's cleanup (donors removed).
			process_->wait_for(30s);
			kill_all();
			throw_if_interrupted();
		}
	}
	kill_all();
	status_ = 124;
	return status_;
}

std::vector<pid_t> FioProcess::pids()
{
	if (!running())
		return {};
	std::vector<pid_t> all = {process_->pid()};
	for (pid_t child : child_pids(process_->pid()))
		all.push_back(child);
	return all;
}

std::vector<pid_t> FioProcess::signal(int sig, bool jobs_too)
{
	std::vector<pid_t> targets;
	if (jobs_too)
		targets = pids();
	else if (running())
		targets.push_back(process_->pid());
	for (pid_t p : targets)
		::kill(p, sig);
	return targets;
}

void FioProcess::kill_all()
{
	if (!process_)
		return;
	const std::vector<pid_t> all = signal(SIGKILL, true);
	process_->wait();
	process_.reset();
	wait_gone(all);
}

} // namespace e4mext::runner
