// The measurement behind `e4mext overhead`: the U case (an unwritten original, as fio lays it out
// for overwrite=0, and an unwritten donor) run by fio + libe4mext, by fio's built-in e4defrag
// engine and by bench-move-loop (the same ioctls with no fio), each run on a freshly made ext4 of
// one loop filesystem, alternating within each round so that the machine's speed cancels out.
#pragma once

#include "cleanup_registry.h"
#include "loop_fs.h"

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace e4mext::runner {

struct OverheadOptions {
	unsigned runs = 5;
	uint64_t size = 512ull << 20;         // the original
	uint64_t block_size = 4096;           // fio's bs, bench-move-loop's BS_BYTES
	uint64_t image_size = 2ull << 30;     // the loop filesystem
	bool bare_loop = true;                // also run bench-move-loop (and measure fio's floor)
	std::vector<std::string> job_options; // fio options added to both engines' job, e.g. gtod_reduce=1
	std::string build_dir; // holds engine/libe4mext.so and engine/bench-move-loop; empty: this program's own (install_layout)
};

// IOPS per variant, one figure per round, in round order.
struct OverheadSamples {
	std::vector<std::string> variants; // "libe4mext", "e4defrag" and, unless --no-loop, "bare-loop"
	std::map<std::string, std::vector<double>> iops;
};

// The same job for both engines: jobs/coverletter.fio (template_text, read from template_source)
// filled in, only ioengine= differs; then --job-option's lines.
std::string overhead_job(const std::string &template_text, const std::string &template_source, const OverheadOptions &options,
			 const std::string &directory, const std::string &ioengine);

class OverheadBench {
public:
	// Makes the loop filesystem and writes the two jobs. Throws UsageError when a built program
	// is missing, std::runtime_error when the filesystem cannot be made.
	explicit OverheadBench(OverheadOptions options);

	// options.runs rounds, printing "round K: NAME=IOPS ..." as each completes. Throws Interrupted
	// after a signal (the rounds printed are complete), std::runtime_error when a run fails.
	OverheadSamples measure(std::ostream &out);

	// What fio itself manages per second with an engine that does nothing (ioengine=null), the
	// median of three runs with the same block size and job options.
	double null_engine_iops();

private:
	double run_variant(const std::string &variant, unsigned round);
	double run_fio_job(const std::string &variant, unsigned round);
	double run_bare_loop();
	double fio_iops(const std::vector<std::string> &argv, const std::string &output);
	void lay_out_original();

	OverheadOptions options_;
	std::string engine_;
	std::string loop_program_;
	TempDir work_;
	LoopFilesystem fs_;
};

} // namespace e4mext::runner
