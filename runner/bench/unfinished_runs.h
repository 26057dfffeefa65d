// One treatment of a run that did not finish, on this machine and in a VM alike: fio was
// interrupted, failed or passed --fio-timeout, its verify pass failed, or the VM stopped during it.
// Such a run is not a run - fio may have left an empty or cut-short JSON that the report would
// table - so every file of it (run-N.* and run-N_*: job, log, JSON, case record, engine stats, the
// load-alone run's) is set aside under <set>/unfinished/, at the same path as under runs/, named
// on stderr and in the metadata's status, and never tabled. The bench's interrupt is attributed
// here too: the signal (exit 128 + N) and the runs it cut.
#pragma once

#include <exception>
#include <filesystem>
#include <string>
#include <vector>

namespace e4mext::runner {

// The run a file of a case's directory belongs to: "run-3" of run-3.json, run-3.alone.json and
// run-3_iops.1.log; "" for a file of no run (profile.txt).
std::string run_of(const std::string &file_name);

// Whether a run finished: its fio JSON is there and reads as fio's output (not empty or cut short).
bool run_finished(const std::filesystem::path &json);

// Moves every file of `run` (<case dir>/run-N relative to runs_dir) to the same place under
// unfinished_dir; returns the directory it is in now. Never throws (it runs while an error is on
// its way): a file that cannot be moved is named in the returned text.
std::string set_aside(const std::filesystem::path &runs_dir, const std::string &run, const std::filesystem::path &unfinished_dir);

// The runs set aside under unfinished_dir (<case dir>/run-N), in order.
std::vector<std::string> unfinished_runs(const std::filesystem::path &unfinished_dir);

// `text` (an error message) with each path under runs_dir whose file was set aside replaced by the
// path it has now under unfinished_dir, so that a message names files that exist.
std::string where_files_are(std::string text, const std::string &runs_dir, const std::string &unfinished_dir);

// The signal that stopped the bench, 0 for none: an Interrupted, or any failure once a signal came
// (Ctrl-C reaches the whole process group: a child - mkfs, fio, virtiofsd - may die of it and fail
// its step before the bench looks at the signal).
int interrupting_signal(const std::exception &e);

// "interrupted by SIGINT", and the runs it cut: "interrupted by SIGINT during coverletter/M-4k/run-2".
std::string interruption(int signal, const std::vector<std::string> &cut);

} // namespace e4mext::runner
