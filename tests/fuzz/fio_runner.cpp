#include "fio_runner.h"

#include "cleanup_registry.h"
#include "file_text.h"
#include "process.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace e4mext::jobfuzz {

namespace {

// fio's job processes call setsid(): they leave fio's process group, so killing the group does
// not reach them. fio stops them itself on SIGINT (after the I/O in flight, letting the engine
// remove its donors), which is why a stop starts with SIGINT and waits this long for it.
constexpr std::chrono::seconds kGrace{10};
constexpr std::chrono::milliseconds kTick{100};

// The parent pid in /proc/PID/stat ("pid (comm) state ppid ..."; comm may hold spaces).
pid_t parent_of(const std::string &pid)
{
	const std::string stat = runner::read_text("/proc/" + pid + "/stat");
	const size_t after_comm = stat.rfind(')');
	if (after_comm == std::string::npos)
		return -1;
	std::istringstream rest(stat.substr(after_comm + 1));
	char state;
	pid_t ppid = -1;
	rest >> state >> ppid;
	return ppid;
}

// fio's job processes left behind by a fio that died or was killed: as child subreaper the fuzzer
// inherits them, so they are exactly its remaining children.
void kill_orphaned_jobs()
{
	const pid_t self = ::getpid();
	std::error_code ec;
	for (const auto &entry : std::filesystem::directory_iterator("/proc", ec)) {
		const std::string name = entry.path().filename().string();
		if (name.find_first_not_of("0123456789") != std::string::npos || parent_of(name) != self)
			continue;
		const pid_t orphan = static_cast<pid_t>(std::stol(name));
		::kill(orphan, SIGKILL);
		while (::waitpid(orphan, nullptr, 0) < 0 && errno == EINTR) {
		}
	}
}

} // namespace

FioExit run_fio(const FioCommand &cmd)
{
	runner::Process fio =
		runner::Process::spawn({cmd.fio, "--output-format=json", "--output=" + cmd.json_path, cmd.job_file},
				       runner::Stream::file(cmd.log_path), runner::Stream::file(cmd.log_path), "", cmd.env);
	FioExit r;
	std::optional<runner::ExitStatus> status;
	const auto deadline = std::chrono::steady_clock::now() + cmd.timeout;
	while (!status) {
		if (runner::interrupted_by()) { // the handler has sent fio SIGINT already
			status = fio.wait_for(kGrace);
			if (!status)
				status = fio.terminate(std::chrono::milliseconds(0), SIGKILL);
		} else if (std::chrono::steady_clock::now() >= deadline) {
			r.timed_out = true;
			status = fio.terminate(kGrace, SIGINT);
		} else {
			status = fio.wait_for(kTick);
		}
	}
	if (status->exited())
		r.exit_status = status->exit_code();
	else
		r.signal = status->signal();
	if (r.timed_out || r.signal != 0 || runner::interrupted_by())
		kill_orphaned_jobs();
	runner::throw_if_interrupted();
	r.log = runner::read_text(cmd.log_path);
	return r;
}

void handle_interrupts()
{
	// fio's jobs outliving a dead fio become ours, so that kill_orphaned_jobs() finds them.
	::prctl(PR_SET_CHILD_SUBREAPER, 1);
	runner::install_interrupt_handlers("job-fuzz");
}

} // namespace e4mext::jobfuzz
