// libe4mext.so: fio's external ioengine for EXT4_IOC_MOVE_EXT - the only file that includes fio's
// headers. It translates between fio and the fio-free core (defrag_file.h): the core's Errors
// (engine_error.h) become td_verror and io_u->error here, and every C++ exception (the standard
// library's, e.g. std::bad_alloc) is caught at the callback boundary: fio is C and must never see one.
//
// Usage (fio 3.33 and later, engine built against the same fio release):
//   fio --name=u --ioengine=external:build/engine/libe4mext.so --directory=/mnt/ext4 --filename=test
//       --size=512m --rw=write --bs=4k --overwrite=0
//   fio --name=m --ioengine=external:build/engine/libe4mext.so --filename=/mnt/ext4/f --size=64m
//       --rw=write --bs=32k --overwrite=1 --donor_mode=written --verify_data=1 --stats_file=stats.jsonl
//   A job written for fio's built-in engine runs unchanged with only its ioengine= line changed:
//   ioengine=e4defrag -> ioengine=external:/path/to/libe4mext.so (donorname=, inplace= keep their meaning).
#include "block_range.h"
#include "defrag_file.h"
#include "engine_error.h"
#include "names.h"
#include "run_files.h"

#include <atomic> // fio's arch/arch.h uses <atomic> under C++: include it outside the extern "C" block

extern "C" {
#include "fio.h"
#include "optgroup.h"
}

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace e4mext;

// fio fills this from the job's options; offset 0 is fio's "unset" marker, hence the pad.
struct RawOptions {
	void *pad;
	char *donorname;
	unsigned int inplace;
	char *donor_mode;
	unsigned int busy_retries;
	unsigned int busy_flush;
	unsigned int verify_data;
	char *stats_file;
	unsigned int keep_donor;
	unsigned int donor_overwrite;
};

fio_option make_option(const char *name, const char *lname, fio_opt_type type, size_t offset, const char *help, const char *def,
		       unsigned long long maxval = 0)
{
	fio_option o{};
	o.name = name;
	o.lname = lname;
	o.type = type;
	o.off1 = static_cast<unsigned int>(offset);
	o.help = help;
	o.def = def;
	o.maxval = maxval;
	o.category = FIO_OPT_C_ENGINE;
	o.group = FIO_OPT_G_E4DEFRAG;
	return o;
}

fio_option options[] = {
	make_option("donorname", "Donor name", FIO_OPT_STR_STORE, offsetof(RawOptions, donorname),
		    "File used as a block donor ($jobnum, $jobname, $filename expanded; relative to directory=). "
		    "Default: a private donor per job clone and file, next to the file, removed at the end",
		    nullptr),
	make_option("inplace", "In place", FIO_OPT_INT, offsetof(RawOptions, inplace),
		    "Allocate the donor range before each move and free it after (1), or prepare the whole donor first (0)", "0",
		    1),
	make_option("donor_mode", "Donor mode", FIO_OPT_STR_STORE, offsetof(RawOptions, donor_mode),
		    "State of the donor's blocks before a move: unwritten (preallocated) or written (real data, synced)",
		    "unwritten"),
	make_option("busy_retries", "EBUSY retries", FIO_OPT_INT, offsetof(RawOptions, busy_retries),
		    "Retry a move that returned EBUSY up to N times from where it stopped (0: report EBUSY to fio)", "0", 1000000),
	make_option("busy_flush", "Write back before an EBUSY retry", FIO_OPT_BOOL, offsetof(RawOptions, busy_flush),
		    "Before each EBUSY retry, write the rest of the move's range back (sync_file_range): the kernel refuses "
		    "pages a buffered writer left dirty, and they stay dirty until writeback (30 s); needs busy_retries",
		    "0", 1),
	make_option("verify_data", "Verify data", FIO_OPT_BOOL, offsetof(RawOptions, verify_data),
		    "Checksum the original with O_DIRECT reads before the first and after the last move; fail the job "
		    "if they differ or the original changes after the last (only meaningful without other writers to "
		    "the file: another job of the run writing it makes the result other-writer, neither pass nor fail)",
		    "0", 1),
	make_option("stats_file", "Statistics file", FIO_OPT_STR_STORE, offsetof(RawOptions, stats_file),
		    "Append one JSON line of move and extent statistics per job clone and file to this file "
		    "($jobnum, $jobname expanded); it may be no original or donor of the run",
		    nullptr),
	make_option("keep_donor", "Keep donor", FIO_OPT_BOOL, offsetof(RawOptions, keep_donor),
		    "Leave donors e4mext created in place at the end", "0", 1),
	make_option("donor_overwrite", "Overwrite donor", FIO_OPT_BOOL, offsetof(RawOptions, donor_overwrite),
		    "Let an existing file that e4mext did not create serve as donorname=, giving up its contents (its "
		    "range is reset, then receives the original's old blocks); without it such a file is refused",
		    "0", 1),
	fio_option{},
};

const char *text_or_empty(const char *s)
{
	return s ? s : "";
}

// Per job clone: one DefragFile per fio file, created before the clock starts (post_init).
struct EngineState {
	DefragConfig config;
	std::string stats_file;
	std::vector<DonorSpec> donors;                  // resolved at init, indexed like td->files
	std::vector<std::unique_ptr<DefragFile>> files; // indexed like td->files
	std::string misalignment_cause;                 // for the message about a misaligned write
};

EngineState *state_of(thread_data *td)
{
	return static_cast<EngineState *>(td->io_ops_data);
}

NameContext name_context(thread_data *td, const fio_file *f)
{
	NameContext ctx;
	ctx.jobname = text_or_empty(td->o.name);
	ctx.jobnum = td->subjob_number;
	ctx.thread_number = td->thread_number;
	ctx.filename = f ? f->file_name : "";
	ctx.directory = directory_of_file(text_or_empty(td->o.directory), ctx.filename);
	return ctx;
}

// The engine's lines for a person. fio's output file is fio's: fio sends log_info and log_err
// there (--output=), so with a JSON or terse document in it they go to the process's stderr.
enum class Severity { info, error };

void say(const std::string &text, Severity severity = Severity::info)
{
	const std::string line = text + "\n";
	if (output_format != FIO_OUTPUT_NORMAL) {
		// One write() per line: job processes writing at once never interleave within a line.
		if (::write(STDERR_FILENO, line.data(), line.size()) < 0) {
			// Nowhere left to report it.
		}
		return;
	}
	if (severity == Severity::error)
		log_err("%s", line.c_str());
	else
		log_info("%s", line.c_str());
	log_info_flush(); // job processes leave through _exit(): unflushed lines would be lost
}

// The files of this fio run: every original, donor and statistics file of every job that moves
// extents with this engine, as fio's job table lists them now. Other jobs' engine options are read
// only when `with_options` (in fio's main process before any job starts: fio frees a job's copy in
// the parent once that job is forked). (A file another engine's job writes may be named as donor on
// purpose, e.g. to write into the donor during the moves, as jobs/stress/buffered-donor-writer.fio.)
std::vector<RunFile> files_of_run(const thread_data *self, bool with_options)
{
	std::vector<RunFile> run;
	// (fio's for_each_td changed its arguments in 3.36: tnumber_to_td is the same in every release)
	for (unsigned int n = 0; n < thread_number; ++n) {
		thread_data *td = tnumber_to_td(n);
		if (!td->io_ops || td->io_ops != self->io_ops)
			continue;
		const std::string job = text_or_empty(td->o.name);
		const auto *raw = with_options ? static_cast<const RawOptions *>(td->eo) : nullptr;
		fio_file *f;
		unsigned int j;
		for_each_file(td, f, j)
		{
			run.push_back({f->file_name, job, RunFileRole::original});
			if (raw)
				run.push_back(
					{donor_path(text_or_empty(raw->donorname), name_context(td, f)), job, RunFileRole::donor});
		}
		if (raw && text_or_empty(raw->stats_file)[0] != '\0')
			run.push_back({expand_name(raw->stats_file, name_context(td, nullptr)), job, RunFileRole::stats});
	}
	return run;
}

// The clones of self's job (numjobs=), self included. fio adds a job's clones right after the job
// and sets their numjobs to 1, so a clone finds the count on the nearest job before it that is no clone.
unsigned clones_of_job(const thread_data *self)
{
	for (int i = static_cast<int>(self->thread_number) - 1; i >= 0; --i) {
		const thread_data *td = tnumber_to_td(static_cast<unsigned>(i));
		if (td->subjob_number == 0)
			return td->o.numjobs;
	}
	return 1;
}

// The run's files as parsed, taken in fio's main process before any job starts (the setup hook,
// which fio calls there for each job before laying out its files). The job table alone is not
// enough later: a job that has ended or failed has already emptied its file list in it.
std::vector<RunFile> run_files_at_start;
bool run_files_taken = false;
// This run's token in the tags of the donors it makes (donor.h), taken in fio's main process with
// the run's files, so that every job process of the run carries the same.
std::string run_token;

// Resolves every donor of this job before anything is created, reset or opened for writing, and
// refuses one that is, or may become, any file of the run. (Only this job's engine options are
// read: fio frees each job's copy in the parent once that job is forked.)
Result<std::vector<DonorSpec>> resolve_donors(thread_data *td, const DonorSpec &common, const std::string &donorname)
{
	// The list taken at start is complete; the job table now may miss jobs that have ended. (fio
	// calls the setup hook for every job the engine accepts, create_serialize=1 being required.)
	const std::vector<RunFile> run = run_files_taken ? run_files_at_start : files_of_run(td, false);
	// One name for every clone: their in-place moves must take turns on each range.
	const bool clones_share = !donorname.empty() && donorname.find("$jobnum") == std::string::npos;
	std::vector<DonorSpec> donors;
	std::vector<FileIdentity> ids;
	fio_file *f;
	unsigned int i;
	for_each_file(td, f, i)
	{
		DonorSpec spec = common;
		spec.path = donor_path(donorname, name_context(td, f));
		if (Status allowed = check_donor_not_in_run(spec.path, f->file_name, run); !allowed)
			return allowed.error();
		ids.push_back(identify(spec.path));
		donors.push_back(std::move(spec));
	}
	for (size_t k = 0; k < donors.size(); ++k) {
		const auto files_sharing =
			std::count_if(ids.begin(), ids.end(), [&](const FileIdentity &d) { return d.same_file(ids[k]); });
		donors[k].shared_by = static_cast<unsigned>(files_sharing) * (clones_share ? clones_of_job(td) : 1);
		donors[k].lock_ranges = clones_share || donors[k].shared_by > 1;
	}
	return donors;
}

// The statistics file must be none of the run's originals and donors (checked before it is opened),
// and writable before the first move, not found missing after the last.
Status check_stats_file(thread_data *td, const std::string &pattern)
{
	const std::string path = expand_name(pattern, name_context(td, nullptr));
	if (Status outside_run = check_stats_file_not_in_run(path, run_files_taken ? run_files_at_start : files_of_run(td, false));
	    !outside_run)
		return outside_run;
	UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
	if (fd.valid())
		return {};
	const int err = errno;
	return errno_error(err, "stats_file=" + path + " cannot be opened for appending",
			   err == ENOENT ? "its directory does not exist: create it, or name another stats_file="
					 : "name another stats_file=");
}

// fio checks an integer option against its maximum only, and reads a negative one as a large
// unsigned number that passes (-1 is 4294967295: for a 0/1 option, "on"). Refuses any value above
// the option's maximum, naming it as given.
Status check_option_ranges(const RawOptions *raw)
{
	for (const fio_option *o = options; o->name; ++o) {
		if (o->type != FIO_OPT_INT && o->type != FIO_OPT_BOOL)
			continue;
		unsigned int value;
		std::memcpy(&value, reinterpret_cast<const char *>(raw) + o->off1, sizeof value);
		if (value <= o->maxval)
			continue;
		const std::string given = value > INT_MAX ? std::to_string(static_cast<int>(value)) : std::to_string(value);
		return Error{EINVAL, std::string(o->name) + "=" + given + " is out of range: use " +
					     (o->maxval == 1 ? std::string("0 or 1") : "0 to " + std::to_string(o->maxval))};
	}
	return {};
}

// Refuses, before anything is touched, what this engine cannot do or would do wrong.
Status check_job_supported(thread_data *td)
{
	if (td_read(td) || td_trim(td))
		return Error{EINVAL, "e4mext moves extents on writes only: rw= must be write or randwrite (each write of bs bytes "
				     "at an offset moves those blocks of the file into the donor)"};
	if (td->o.verify != 0 /* VERIFY_NONE */)
		return Error{EINVAL, "fio's verify= cannot check this engine (it moves blocks, it does not write fio's buffers): "
				     "remove verify= and use verify_data=1, which proves the file's data is unchanged"};
	if (!td->o.create_serialize)
		return Error{EINVAL, "create_serialize=0 is not supported: e4mext prepares each file's donor before fio starts its "
				     "clock, so fio must lay the files out first; remove create_serialize=0 (the default is 1)"};
	if (td->o.create_on_open)
		return Error{EINVAL,
			     "create_on_open=1 is not supported: e4mext prepares each file (its donor, extent map and "
			     "checksum) before fio starts its clock, so the file must exist by then; remove create_on_open=1"};
	return {};
}

Status check_geometry(thread_data *td, const fio_file *f, uint64_t block_size)
{
	const struct {
		const char *what;
		unsigned long long value;
	} values[] = {{"bs", td->o.min_bs[DDIR_WRITE]},
		      {"bs (max)", td->o.max_bs[DDIR_WRITE]},
		      {"offset", f->file_offset},
		      {"offset_increment", td->o.offset_increment}};
	for (const auto &v : values)
		if (Status aligned = check_aligned(v.what, v.value, block_size); !aligned)
			return aligned;
	for (unsigned i = 0; i < td->o.bssplit_nr[DDIR_WRITE]; ++i)
		if (Status aligned = check_aligned("bssplit", td->o.bssplit[DDIR_WRITE][i].bs, block_size); !aligned)
			return aligned;
	return check_block_limit(f->file_offset, f->io_size, static_cast<unsigned>(block_shift_of(block_size)));
}

// The options that can make fio issue writes that are not whole blocks, named in the message about
// such a write (the bs, offset and bssplit values themselves are refused before the run).
std::string misalignment_cause(thread_data *td, const fio_file *f, uint64_t block_size)
{
	std::string cause;
	const auto add = [&](const std::string &what) { cause += (cause.empty() ? "" : ", ") + what; };
	const auto odd = [&](unsigned long long v) { return v % block_size != 0; };
	if (td->o.bs_unaligned)
		add("bs_unaligned=1");
	if (odd(td->o.ba[DDIR_WRITE]))
		add("blockalign=" + std::to_string(td->o.ba[DDIR_WRITE]));
	if (td->o.zone_mode == ZONE_MODE_STRIDED)
		for (auto [name, value] :
		     {std::pair{"zonesize", td->o.zone_size}, {"zonerange", td->o.zone_range}, {"zoneskip", td->o.zone_skip}})
			if (odd(value))
				add(std::string(name) + "=" + std::to_string(value));
	if (odd(f->io_size))
		add("size=/io_size= (" + std::to_string(f->io_size) + " bytes: the last write is cut short)");
	return cause.empty() ? "the job's I/O pattern (blockalign=, zoneskip=, bs_unaligned=, size=)" : cause;
}

// fio lays files out before the engine starts; a file shorter than the moved range was not.
Status check_laid_out(thread_data *td, const fio_file *f, uint64_t size, uint64_t end)
{
	if (size >= end)
		return {};
	std::string why = std::string("original ") + f->file_name + " is " + std::to_string(size) + " bytes, but the job moves " +
			  "up to byte " + std::to_string(end) + "; only blocks inside the file can move";
	if (td->o.fallocate_mode == FIO_FALLOCATE_NONE && !td->o.overwrite)
		why += ": fallocate=none with overwrite=0 leaves fio's file empty; use fallocate=native or posix (unwritten "
		       "extents, U) or overwrite=1 (written, M)";
	else
		why += ": let fio lay it out (remove file_size= or size= larger than the file) or use a smaller size=";
	return Error{EINVAL, why};
}

void fail(thread_data *td, int errnum, const char *where, const std::string &message)
{
	say("e4mext: " + message, Severity::error);
	td_verror(td, errnum, where);
}

// Runs a callback body (returning Status), turning its Error and any exception into fio's error
// reporting. Returns 0 or 1, as fio's callbacks do.
template <typename Body> int guarded(thread_data *td, const char *where, Body &&body) noexcept
{
	try {
		const Status done = body();
		if (done)
			return 0;
		fail(td, done.error().errnum, where, done.error().message);
	} catch (const std::bad_alloc &) {
		fail(td, ENOMEM, where, std::string(where) + ": out of memory");
	} catch (const std::exception &e) {
		fail(td, EIO, where, std::string(where) + ": " + e.what());
	} catch (...) {
		fail(td, EIO, where, std::string(where) + ": unknown error");
	}
	return 1;
}

// fio's contract for a setup hook: it also sets each file's real_file_size, which fio's own file
// setup does when there is none. Done as fio does: a missing file is not an error (fio creates it).
int read_file_sizes(thread_data *td)
{
	fio_file *f;
	unsigned int i;
	for_each_file(td, f, i)
	{
		if (td_io_get_file_size(td, f) != 0) {
			if (td->error != ENOENT) {
				say(std::string("e4mext: ") + td->verror, Severity::error);
				return 1;
			}
			td->error = 0;
			td->verror[0] = '\0';
		}
		if (f->real_file_size == -1ULL && td->o.size)
			f->real_file_size = td->o.size / td->o.nr_files;
	}
	return 0;
}

int e4mext_setup(thread_data *td)
{
	const int rc = guarded(td, "setup", [&] {
		if (!run_files_taken) {
			run_files_at_start = files_of_run(td, true);
			run_files_taken = true;
			run_token = this_run_token();
		}
		return Status();
	});
	return rc != 0 ? rc : read_file_sizes(td);
}

int e4mext_init(thread_data *td)
{
	return guarded(td, "init", [&]() -> Status {
		const auto *raw = static_cast<const RawOptions *>(td->eo);
		if (Status supported = check_job_supported(td); !supported)
			return supported;
		if (Status in_range = check_option_ranges(raw); !in_range)
			return in_range;
		const Result<DonorMode> mode = parse_donor_mode(text_or_empty(raw->donor_mode));
		if (!mode)
			return mode.error();
		auto state = std::make_unique<EngineState>();
		state->stats_file = text_or_empty(raw->stats_file);
		if (!state->stats_file.empty()) {
			if (Status writable = check_stats_file(td, state->stats_file); !writable)
				return writable;
		}
		DonorSpec common;
		common.mode = *mode;
		common.inplace = raw->inplace != 0;
		common.keep = raw->keep_donor != 0;
		common.default_name = text_or_empty(raw->donorname)[0] == '\0';
		common.overwrite = raw->donor_overwrite != 0;
		common.run_token = run_token.empty() ? this_run_token() : run_token;
		Result<std::vector<DonorSpec>> donors = resolve_donors(td, common, text_or_empty(raw->donorname));
		if (!donors)
			return donors.error();
		state->donors = std::move(*donors);
		state->config.verify_data = raw->verify_data != 0;
		state->config.busy_retries = raw->busy_retries;
		state->config.busy_write_back = raw->busy_flush != 0;
		state->config.fio_unlinks = td->o.unlink != 0;
		// A move never transfers fio's buffers: changing their content per write is wasted time.
		td->flags &= ~static_cast<unsigned int>(TD_F_SCRAMBLE_BUFFERS | TD_F_REFILL_BUFFERS);
		td->io_ops_data = state.release();
		return Status();
	});
}

// Another job of this fio run that writes the file at path with another engine (an application
// beside the moves, as in the bench's in-use cases), as "fio job 'NAME'"; "" when none does.
std::string other_writer_of(thread_data *td, const char *path)
{
	struct stat mine;
	if (::stat(path, &mine) != 0)
		return "";
	for (unsigned int n = 0; n < thread_number; ++n) {
		thread_data *other = tnumber_to_td(n);
		if (other == td || !td_write(other) ||
		    std::strcmp(text_or_empty(other->o.ioengine), text_or_empty(td->o.ioengine)) == 0)
			continue;
		fio_file *f;
		unsigned int j;
		for_each_file(other, f, j)
		{
			struct stat theirs;
			if (f->file_name && ::stat(f->file_name, &theirs) == 0 && theirs.st_dev == mine.st_dev &&
			    theirs.st_ino == mine.st_ino)
				return std::string("fio job '") + text_or_empty(other->o.name) + "'";
		}
	}
	return "";
}

// Prepares every file before fio starts its clock, so donor setup is not measured as moves.
int e4mext_post_init(thread_data *td)
{
	return guarded(td, "post_init", [&]() -> Status {
		EngineState *state = state_of(td);
		fio_file *f;
		unsigned int i;
		for_each_file(td, f, i)
		{
			DefragConfig config = state->config;
			config.donor = state->donors.at(i);
			if (config.verify_data)
				config.other_writer = other_writer_of(td, f->file_name);
			if (config.donor.shared_by > 1 && !config.donor.inplace && td->subjob_number == 0)
				say("e4mext: warning: donor " + config.donor.path + " is shared by " +
				    std::to_string(config.donor.shared_by) +
				    " job clones or files; later moves swap earlier ones back (put $jobnum or $filename in donorname= "
				    "for one donor each)");
			const uint64_t end = f->file_offset + f->io_size;
			// Checks first, donor second: nothing is created or written for a job that is refused.
			Result<std::unique_ptr<DefragFile>> opened = DefragFile::open(f->file_name, config);
			if (!opened)
				return opened.error();
			std::unique_ptr<DefragFile> file = std::move(*opened);
			const uint64_t block_size = file->original().block_size;
			if (Status geometry = check_geometry(td, f, block_size); !geometry)
				return Error{EINVAL, std::string("original ") + f->file_name + ": " + geometry.error().message};
			if (Status laid_out = check_laid_out(td, f, file->original().size, end); !laid_out)
				return laid_out;
			state->misalignment_cause = misalignment_cause(td, f, block_size);
			if (Status prepared = file->prepare(f->file_offset, end); !prepared)
				return prepared;
			if (!file->donor_notice().empty())
				say("e4mext: " + file->donor_notice());
			state->files.push_back(std::move(file));
		}
		return Status();
	});
}

// After a failed open: the file's own error is the one worth reporting.
void close_quietly(thread_data *td, fio_file *f)
{
	if (generic_close_file(td, f) != 0)
		say(std::string("e4mext: closing ") + f->file_name + " failed as well", Severity::error);
}

int e4mext_open_file(thread_data *td, fio_file *f)
{
	if (int rc = generic_open_file(td, f); rc != 0)
		return rc;
	const EngineState *state = state_of(td);
	if (static_cast<size_t>(f->fileno) >= state->files.size()) {
		close_quietly(td, f);
		fail(td, EINVAL, "open_file", std::string("file ") + f->file_name + " was not prepared by e4mext");
		return 1;
	}
	DefragFile &file = *state->files[f->fileno];
	// The moves go through fio's descriptor: it is the one whose inode and access mode count.
	if (const Status usable = file.check_move_fd(f->fd); !usable) {
		close_quietly(td, f);
		fail(td, usable.error().errnum, "open_file", usable.error().message);
		return 1;
	}
	FILE_SET_ENG_DATA(f, &file);
	return 0;
}

enum fio_q_status e4mext_queue(thread_data *td, io_u *io_u)
{
	fio_ro_check(td, io_u);
	if (io_u->ddir != DDIR_WRITE) {
		if (ddir_sync(io_u->ddir) && do_io_u_sync(td, io_u) < 0)
			io_u->error = errno;
		else if (!ddir_sync(io_u->ddir))
			io_u->error = EINVAL;
		return FIO_Q_COMPLETED;
	}
	auto *file = static_cast<DefragFile *>(FILE_ENG_DATA(io_u->file));
	const MoveOutcome outcome = file->move(io_u->file->fd, io_u->offset, io_u->xfer_buflen);
	io_u->resid = io_u->xfer_buflen - outcome.bytes_moved;
	io_u->error = outcome.error;
	if (outcome.error != 0) {
		if (std::string message = file->take_message(state_of(td)->misalignment_cause); !message.empty())
			say("e4mext: " + message, Severity::error);
	}
	return FIO_Q_COMPLETED;
}

Status write_stats_line(thread_data *td, const std::string &pattern, const std::string &line)
{
	const std::string path = expand_name(pattern, name_context(td, nullptr));
	UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
	if (!fd.valid())
		return errno_error(errno, "cannot open stats_file=" + path + " to append the statistics",
				   "the job's figures are lost; name a stats_file= that stays writable");
	// One write() per line: clones appending at once never interleave within a line.
	const ssize_t written = ::write(fd.get(), line.data(), line.size());
	if (written != static_cast<ssize_t>(line.size()))
		return errno_error(written < 0 ? errno : ENOSPC, "cannot append the statistics to stats_file=" + path,
				   "the job's figures are lost (" + std::to_string(written < 0 ? 0 : written) + " of " +
					   std::to_string(line.size()) + " bytes written); name a stats_file= with room to write");
	if (::close(fd.release()) != 0)
		return errno_error(errno, "cannot append the statistics to stats_file=" + path,
				   "the job's figures may be lost; name a stats_file= with room to write");
	return {};
}

void e4mext_cleanup(thread_data *td)
{
	EngineState *state = state_of(td);
	if (!state)
		return;
	const RunIdentity who{text_or_empty(td->o.name), td->subjob_number, td->thread_number};
	for (auto &file : state->files) {
		// Each file on its own: one failure must not leave the others' donors behind.
		guarded(td, "cleanup", [&] {
			DefragReport report = file->finish(who);
			Status stats_written;
			if (!state->stats_file.empty())
				stats_written = write_stats_line(td, state->stats_file, to_json(report).dump() + "\n");
			// The data proof holds for the bytes at the very end: nothing the engine writes may
			// come after it unseen.
			file->confirm_unchanged_since_verify(report);
			file.reset();
			say(summary_line(report));
			if (report.verify == VerifyResult::failed)
				return Status(Error{EIO, "verify_data: " + report.verify_detail});
			return stats_written;
		});
	}
	delete state;
	td->io_ops_data = nullptr;
}

ioengine_ops engine_ops;

} // namespace

extern "C" {

// fio looks this up after dlopen()ing an external engine (the entry point for C++ engines).
__attribute__((visibility("default"))) void get_ioengine(ioengine_ops **ops_out);
void get_ioengine(ioengine_ops **ops_out)
{
	engine_ops.name = "e4mext";
	engine_ops.version = FIO_IOOPS_VERSION;
	engine_ops.flags = FIO_SYNCIO;
	engine_ops.setup = e4mext_setup;
	engine_ops.init = e4mext_init;
	engine_ops.post_init = e4mext_post_init;
	engine_ops.queue = e4mext_queue;
	engine_ops.open_file = e4mext_open_file;
	engine_ops.close_file = generic_close_file;
	engine_ops.get_file_size = generic_get_file_size;
	engine_ops.cleanup = e4mext_cleanup;
	engine_ops.options = options;
	engine_ops.option_struct_size = sizeof(RawOptions);
	*ops_out = &engine_ops;
}

} // extern "C"
