#include "overhead_run.h"

#include "file_text.h"
#include "install_layout.h"
#include "job_template.h"
#include "process.h"
#include "runner_errors.h"

#include "fio_parse.hpp"
#include "result_set.hpp"
#include "statistics.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace e4mext::runner {

namespace fs = std::filesystem;

namespace {

constexpr auto kRunTimeout = std::chrono::minutes(10);

// One part (the engine, bench-move-loop) of this program's layout (a build tree's or an install's),
// or of the build named by --build-dir; a usage error when it is missing.
std::string required_part(const OverheadOptions &options, std::string InstallLayout::*part)
{
	const InstallLayout layout = options.build_dir.empty() ? install_layout() : build_tree_layout(options.build_dir);
	const std::string &path = layout.*part;
	if (::access(path.c_str(), R_OK) != 0)
		throw UsageError(
			path + " is missing: " +
			(layout.installed ? "reinstall e4mext" : "build it (ninja -C " + layout.root + ", or scripts/setup)") +
			", or name a build with --build-dir");
	return path;
}

void write_text(const std::string &path, const std::string &text)
{
	std::ofstream file(path);
	file << text;
	if (!file.flush())
		throw std::runtime_error("cannot write " + path);
}

// Each run starts with a cold page cache, as the bench does.
void drop_caches()
{
	::sync();
	std::ofstream("/proc/sys/vm/drop_caches") << "3\n";
}

// bench-move-loop's one line: "ops=N bytes=N usec=N iops=N.N bw_bytes=N"; whole IOPS, as fio
// reports its own.
double bare_loop_iops(const std::string &line)
{
	const auto at = line.find(" iops=");
	if (at == std::string::npos)
		return 0;
	return std::floor(std::strtod(line.c_str() + at + 6, nullptr));
}

LoopFsOptions loop_options(uint64_t image_size)
{
	LoopFsOptions options;
	options.size = image_size;
	return options;
}

} // namespace

std::string overhead_job(const std::string &template_text, const std::string &template_source, const OverheadOptions &options,
			 const std::string &directory, const std::string &ioengine)
{
	// The cover letter's U row: an unwritten original, 30 s per run, as jobs/coverletter.fio says.
	std::string job = expand_template(template_text,
					  {{"DIR", directory},
					   {"FILESIZE", std::to_string(options.size)},
					   {"ENGINE", ioengine},
					   {"BS", std::to_string(options.block_size)},
					   {"OVERWRITE", "0"},
					   {"RUNTIME", "30s"}},
					  template_source);
	for (const std::string &option : options.job_options)
		job += option + "\n";
	return job;
}

OverheadBench::OverheadBench(OverheadOptions options)
	: options_(std::move(options)), engine_(required_part(options_, &InstallLayout::engine)),
	  loop_program_(required_part(options_, &InstallLayout::bench_move_loop)), work_("e4mext-overhead"),
	  fs_(loop_options(options_.image_size))
{
	const std::string source = required_part(options_, &InstallLayout::jobs_dir) + "/coverletter.fio";
	const auto text = read_file(source);
	if (!text)
		throw UsageError(source + ": cannot read it (the overhead's job; is the checkout or install complete?)");
	write_text(work_.path() + "/libe4mext.fio",
		   overhead_job(*text, source, options_, fs_.mount_point(), "external:" + engine_));
	write_text(work_.path() + "/e4defrag.fio", overhead_job(*text, source, options_, fs_.mount_point(), "e4defrag"));
}

OverheadSamples OverheadBench::measure(std::ostream &out)
{
	OverheadSamples samples;
	samples.variants = {"libe4mext", "e4defrag"};
	if (options_.bare_loop)
		samples.variants.push_back("bare-loop");
	const size_t n = samples.variants.size();
	for (unsigned round = 1; round <= options_.runs; ++round) {
		std::string line = "round " + std::to_string(round) + ":";
		for (size_t k = 0; k < n; ++k) {
			// Rotate which variant goes first, so none always runs on a machine just warmed up.
			const std::string &variant = samples.variants[(k + round - 1) % n];
			const double iops = run_variant(variant, round);
			samples.iops[variant].push_back(iops);
			line += " " + variant + "=" + std::to_string(static_cast<uint64_t>(iops));
		}
		out << line << std::endl;
	}
	return samples;
}

double OverheadBench::run_variant(const std::string &variant, unsigned round)
{
	fs_.fresh();
	throw_if_interrupted();
	lay_out_original();
	drop_caches();
	const double iops = variant == "bare-loop" ? run_bare_loop() : run_fio_job(variant, round);
	if (iops <= 0)
		throw std::runtime_error(variant + " produced no figure in round " + std::to_string(round));
	return iops;
}

// The original as fio would lay it out for overwrite=0: one preallocated, unwritten range.
void OverheadBench::lay_out_original()
{
	const std::string path = fs_.mount_point() + "/test";
	const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		throw std::system_error(errno, std::generic_category(), "cannot create " + path);
	const int err = ::posix_fallocate(fd, 0, static_cast<off_t>(options_.size));
	::close(fd);
	if (err != 0)
		throw std::system_error(err, std::generic_category(), "fallocate of " + path);
}

double OverheadBench::run_fio_job(const std::string &variant, unsigned round)
{
	const std::string output = work_.path() + "/" + variant + "." + std::to_string(round) + ".json";
	return fio_iops({"fio", "--output-format=json", "--output=" + output, work_.path() + "/" + variant + ".fio"}, output);
}

// Runs fio, and reads its IOPS (fio's own integer figure) from its JSON through report_core.
double OverheadBench::fio_iops(const std::vector<std::string> &argv, const std::string &output)
{
	const CommandResult r = run_command(argv, kRunTimeout);
	throw_if_interrupted();
	if (!r.ok())
		throw std::runtime_error("fio failed (" + (r.timed_out ? std::string("timed out") : r.status.describe()) +
					 ") writing " + output + ": " + last_lines(r.err.empty() ? r.out : r.err, 3));
	const auto measurements = report::measurements_of(report::load_fio_file(output), std::nullopt);
	if (measurements.size() != 1 || measurements[0].status != report::RunStatus::ok)
		throw std::runtime_error(output + ": fio's run did not complete one job with writes (" +
					 (measurements.empty() ? std::string("no job") : report::describe_status(measurements[0])) +
					 ")");
	return static_cast<double>(measurements[0].iops);
}

double OverheadBench::run_bare_loop()
{
	const CommandResult r =
		run_command({loop_program_, fs_.mount_point() + "/test", std::to_string(options_.block_size)}, kRunTimeout);
	throw_if_interrupted();
	if (!r.ok())
		throw std::runtime_error("bench-move-loop failed (" +
					 (r.timed_out ? std::string("timed out") : r.status.describe()) +
					 "): " + last_lines(r.err, 3));
	return bare_loop_iops(r.out);
}

double OverheadBench::null_engine_iops()
{
	const std::string output = work_.path() + "/null.json";
	std::vector<std::string> argv = {
		"fio", "--name=floor", "--ioengine=null", "--rw=write", "--bs=" + std::to_string(options_.block_size), "--size=4g"};
	for (const std::string &option : options_.job_options)
		argv.push_back("--" + option);
	argv.insert(argv.end(), {"--output-format=json", "--output=" + output});
	std::vector<double> runs;
	for (int i = 0; i < 3; ++i)
		runs.push_back(fio_iops(argv, output));
	return report::summarize(std::move(runs)).median;
}

} // namespace e4mext::runner
