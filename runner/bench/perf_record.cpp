#include "perf_record.h"

#include "cleanup_registry.h"
#include "file_text.h"

#include "flame_graph.hpp"
#include "profile.hpp"

#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace e4mext::runner {

namespace fs = std::filesystem;

namespace {

// cpu-clock at 999 Hz (kSamplesPerSecond): a sample per ms on each CPU (perf's default 4000 Hz
// costs four times as much, and under TCG every sample's call chain is emulated work beside the
// run); set on the event, as -F would put the tracepoint in frequency mode too and drop switches.
// sched_switch: every switch, for the time off a CPU. -B -N: no build-id pass at the end and no
// ~/.debug cache (slow under TCG; a VM's root is read-only). Symbols come from the running
// kernel's kallsyms and the binaries' own paths.
std::vector<std::string> record_argv(const std::string &data)
{
	const auto rate = std::to_string(report::kSamplesPerSecond);
	return {"perf", "record", "-e", "cpu-clock/freq=" + rate + "/", "-e", report::kSwitchEvent, "-a", "-g", "-B", "-N",
		"-q",   "-o",     data};
}

off_t file_size(const std::string &path)
{
	struct stat st {};
	return ::stat(path.c_str(), &st) == 0 ? st.st_size : 0;
}

} // namespace

std::string perf_unavailable_reason()
{
	TempDir dir("e4mext-perf-probe");
	std::vector<std::string> argv = record_argv(dir.path() + "/probe.data");
	argv.insert(argv.end(), {"--", "true"});
	CommandResult r;
	try {
		r = run_command(argv, std::chrono::seconds(60));
	} catch (const std::exception &e) {
		return std::string("perf cannot be started (") + e.what() + "): install linux-perf (scripts/setup does)";
	}
	if (r.ok())
		return "";
	return "`perf record -e cpu-clock -e " + std::string(report::kSwitchEvent) + " -a -g` failed here (" + r.status.describe() +
	       "): " + trim_output(last_lines(r.err + r.out, 3)) +
	       " (needs root or kernel.perf_event_paranoid <= -1, perf events and tracepoints in the kernel, tracefs)";
}

PerfRecording::PerfRecording(std::string base) : base_(std::move(base)), work_("e4mext-perf")
{
	const std::string data = work_.path() + "/perf.data";
	perf_.emplace(Process::spawn(record_argv(data), Stream::file(base_ + ".perf.log"), Stream::file(base_ + ".perf.log")));
	// perf writes the file's header once its events are open on every CPU: from then on it records.
	const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
	while (file_size(data) == 0) {
		if (auto status = perf_->try_wait())
			throw std::runtime_error("perf record ended before recording (" + status->describe() +
						 "): " + last_lines(read_text(base_ + ".perf.log"), 3));
		if (std::chrono::steady_clock::now() > deadline)
			throw std::runtime_error("perf record did not start recording within 60 s (log " + base_ + ".perf.log)");
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
		throw_if_interrupted();
	}
}

PerfRecording::~PerfRecording()
{
	if (!perf_)
		return;
	perf_->terminate(std::chrono::seconds(5));
}

void PerfRecording::finish(const std::string &title)
{
	const std::string data = work_.path() + "/perf.data", log = base_ + ".perf.log";
	perf_->signal_group(SIGINT);
	const std::optional<ExitStatus> stopped = perf_->wait_for(std::chrono::minutes(5));
	perf_.reset(); // kills what is left
	// perf record ends on SIGINT by raising it again once its data is written: that is its normal end.
	const bool ended = stopped && ((stopped->exited() && stopped->exit_code() == 0) ||
				       (!stopped->exited() && stopped->signal() == SIGINT));
	if (!ended)
		throw std::runtime_error("perf record failed (" + (stopped ? stopped->describe() : std::string("no end in 5 min")) +
					 "; log " + log + "): " + last_lines(read_text(log), 3));
	// perf script's text through a file: a run's samples make tens of MB, more than a pipe buffers.
	const std::string script = work_.path() + "/perf.script";
	Process perf_script = Process::spawn({"perf", "script", "-i", data, "-F", "comm,tid,time,event,trace,ip,sym,dso"},
					     Stream::file(script), Stream::file(log + ".script"));
	const ExitStatus status = perf_script.wait();
	throw_if_interrupted();
	std::error_code ignored;
	fs::remove(data, ignored);
	if (!status.exited() || status.exit_code() != 0) {
		throw std::runtime_error("perf script failed (" + status.describe() +
					 "): " + last_lines(read_text(log + ".script"), 3));
	}
	report::PerfProfiles profiles;
	{
		std::ifstream in(script);
		profiles = report::fold_perf_script(in);
	}
	fs::remove(log + ".script", ignored);
	if (fs::file_size(log, ignored) == 0)
		fs::remove(log, ignored);
	for (const auto &[profile, suffix] :
	     {std::pair{&profiles.on_cpu, report::kOnCpu}, std::pair{&profiles.off_cpu, report::kOffCpu}}) {
		std::ofstream out(base_ + suffix);
		report::write_folded(*profile, out);
		if (!out.flush())
			throw std::runtime_error("cannot write " + base_ + suffix);
	}
	profiles.off_cpu.runs = 1;
	const report::ForegroundWaits waits = report::foreground_waits(profiles.off_cpu);
	std::ofstream(base_ + ".perf.txt") << report::render_top_functions(report::kernel_functions(profiles.on_cpu), 25, title)
					   << "\n"
					   << report::render_waits({&waits}, {"this run"}, 25);
	std::ofstream(base_ + ".flame.svg") << report::render_flame_graph(profiles.on_cpu, title);
}

} // namespace e4mext::runner
