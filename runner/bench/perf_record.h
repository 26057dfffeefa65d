// --profile of the bench: `perf record -e cpu-clock -e sched:sched_switch -a -g` around one fio
// run (a software event and a tracepoint, so it records under TCG and KVM too), then `perf script`
// on the same machine - in a VM that is the guest, whose /proc/kallsyms names the guest kernel's
// functions - folded into stacks by the report's profile module. cpu-clock shows where CPU time
// went; sched_switch where threads waited off a CPU and for how long (a lock such as i_rwsem, the
// journal, the disk, or a CPU). Beside the run: run-N.perf.folded (every cpu-clock sample's call
// chain), run-N.offcpu.folded (microseconds off a CPU per call chain), run-N.perf.txt (the top
// kernel functions, where the foreground waited) and run-N.flame.svg. perf.data is written to
// $TMPDIR and removed.
#pragma once

#include "cleanup_registry.h"
#include "process.h"

#include <optional>
#include <string>

namespace e4mext::runner {

// "" when perf can record every CPU here; otherwise why not (perf missing, no permission, no
// perf events in this kernel), from a short `perf record` of `true`.
std::string perf_unavailable_reason();

class PerfRecording {
public:
	// Starts perf and returns once it records. `base` is the run's path without extension
	// (runs/<case>/run-N). Throws std::runtime_error when perf does not start.
	explicit PerfRecording(std::string base);
	// Stops perf and removes its data when finish() was not reached (fio failed, Ctrl-C).
	~PerfRecording();
	PerfRecording(const PerfRecording &) = delete;
	PerfRecording &operator=(const PerfRecording &) = delete;

	// Stops perf and writes the run's profile files; `title` heads them. Throws
	// std::runtime_error when perf fails (its log is named).
	void finish(const std::string &title);

private:
	std::string base_;
	TempDir work_; // perf.data and perf script's text: $TMPDIR (in a VM its tmpfs), not the results share
	std::optional<Process> perf_;
};

} // namespace e4mext::runner
