#include "defrag_file.h"

#include "block_range.h"
#include "checks.h"
#include "engine_error.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <sstream>

namespace e4mext {

namespace {

Result<UniqueFd> open_original(const std::string &path)
{
	UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
	if (!fd.valid()) {
		const int err = errno;
		return Error{err, "open original " + path + " read-write: " + errno_text(err) +
					  "; EXT4_IOC_MOVE_EXT needs the original open for reading and writing: " +
					  write_open_advice(path, err, "choose another file")};
	}
	return fd;
}

Result<FileFacts> checked_original(int fd, const std::string &path)
{
	Result<FileFacts> facts = inspect_file(fd, path);
	if (!facts)
		return facts;
	if (const std::vector<Error> problems = check_original(*facts); !problems.empty())
		return problems.front();
	return facts;
}

Result<unsigned> checked_block_shift(const FileFacts &facts)
{
	const int shift = block_shift_of(facts.block_size);
	if (shift < 0)
		return Error{EINVAL, "original " + facts.path + ": filesystem block size " + std::to_string(facts.block_size) +
					     " is not a power of two"};
	return static_cast<unsigned>(shift);
}

const char *verify_name(VerifyResult v)
{
	switch (v) {
	case VerifyResult::passed: return "passed";
	case VerifyResult::failed: return "failed";
	case VerifyResult::other_writer: return "other-writer";
	default: return "off";
	}
}

nlohmann::json extents_json(const ExtentSummary &s)
{
	return {{"extents", s.extents}, {"written", s.written}, {"unwritten", s.unwritten}, {"blocks", s.blocks}};
}

std::optional<FileStamp> stamp_of(int fd)
{
	struct stat st;
	if (::fstat(fd, &st) != 0)
		return std::nullopt;
	return FileStamp{st.st_dev, st.st_ino, st.st_size, st.st_mtim, st.st_ctim};
}

bool same_time(const timespec &a, const timespec &b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

} // namespace

bool FileStamp::operator==(const FileStamp &o) const
{
	return dev == o.dev && ino == o.ino && size == o.size && same_time(mtime, o.mtime) && same_time(ctime, o.ctime);
}

Result<std::unique_ptr<DefragFile>> DefragFile::open(const std::string &orig_path, const DefragConfig &config)
{
	Result<UniqueFd> fd = open_original(orig_path);
	if (!fd)
		return fd.error();
	Result<FileFacts> facts = checked_original(fd->get(), orig_path);
	if (!facts)
		return facts.error();
	const Result<unsigned> shift = checked_block_shift(*facts);
	if (!shift)
		return shift.error();
	return std::unique_ptr<DefragFile>(new DefragFile(config, std::move(*fd), std::move(*facts), shift.value()));
}

DefragFile::DefragFile(const DefragConfig &config, UniqueFd orig_fd, FileFacts orig_facts, unsigned block_shift)
	: config_(config), orig_fd_(std::move(orig_fd)), orig_facts_(std::move(orig_facts)), block_shift_(block_shift),
	  mover_(config.move_fn, block_shift, config.busy_retries, config.busy_write_back ? config.write_back_fn : nullptr)
{
}

Status DefragFile::prepare(uint64_t offset, uint64_t end)
{
	const std::string &orig_path = orig_facts_.path;
	// Old kernels return ENODATA for unflushed delayed allocations: make the layout real first.
	if (::fsync(orig_fd_.get()) != 0)
		return errno_error(errno, "fsync original " + orig_path);
	Result<std::unique_ptr<Donor>> donor = Donor::open(config_.donor, orig_facts_, offset, end);
	if (!donor)
		return donor.error();
	donor_ = std::move(*donor);
	Result<ExtentMap> orig_map = read_extent_map(orig_fd_.get(), block_shift_, false, "original " + orig_path);
	if (!orig_map)
		return orig_map.error();
	orig_before_ = std::move(*orig_map);
	Result<ExtentMap> donor_map = read_extent_map(donor_->fd(), block_shift_, false, "donor " + donor_->path());
	if (!donor_map)
		return donor_map.error();
	donor_before_ = std::move(*donor_map);
	if (config_.verify_data && config_.other_writer.empty()) {
		const Result<FileChecksum> sum = checksum_file_direct(orig_fd_.get(), orig_path);
		if (!sum)
			return sum.error();
		checksum_before_ = sum.value();
	}
	// Measured: a snapshot left in the extent status cache slows the moves by about 1%.
	forget_cached_extents(orig_fd_.get());
	forget_cached_extents(donor_->fd());
	return {};
}

Status DefragFile::check_move_fd(int orig_fd) const
{
	struct stat st;
	if (::fstat(orig_fd, &st) != 0 || st.st_dev != orig_facts_.dev || st.st_ino != orig_facts_.ino)
		return Error{ESTALE, "original " + orig_facts_.path + " was replaced after e4mext prepared it"};
	const int flags = ::fcntl(orig_fd, F_GETFL);
	return check_original_access(orig_facts_.path, flags < 0 ? -1 : flags & O_ACCMODE);
}

MoveOutcome DefragFile::move(int orig_fd, uint64_t offset, uint64_t length) noexcept
{
	const uint64_t block_mask = (uint64_t{1} << block_shift_) - 1;
	if (((offset | length) & block_mask) != 0)
		return refuse(Failure::misaligned, offset, length);
	if (offset + length > orig_facts_.size)
		return refuse(Failure::outside, offset, length);
	MoveOutcome outcome;
	if (!config_.donor.inplace) {
		outcome = mover_.move(orig_fd, donor_->fd(), offset, length);
	} else {
		if (const Status acquired = donor_->acquire(offset, length); !acquired)
			return {0, donor_failed(acquired)};
		outcome = mover_.move(orig_fd, donor_->fd(), offset, length);
		if (const Status released = donor_->release(offset, length); !released && outcome.error == 0)
			outcome.error = donor_failed(released);
	}
	if (outcome.error == EINVAL)
		note_if_shrunk(offset + length);
	if (outcome.error == ENODATA && outcome.bytes_moved == 0)
		remember_failure(Failure::hole, offset, length);
	return outcome;
}

MoveOutcome DefragFile::refuse(Failure why, uint64_t offset, uint64_t length) noexcept
{
	++(why == Failure::misaligned ? misaligned_refused_ : outside_refused_);
	remember_failure(why, offset, length);
	return {0, EINVAL};
}

void DefragFile::remember_failure(Failure why, uint64_t offset, uint64_t length) noexcept
{
	if (first_failure_ != Failure::none)
		return;
	first_failure_ = why;
	failed_offset_ = offset;
	failed_length_ = length;
}

std::string DefragFile::take_message(const std::string &misalignment_cause)
{
	const std::string where = "original " + orig_facts_.path + ": fio's write at offset " + std::to_string(failed_offset_) +
				  ", length " + std::to_string(failed_length_);
	const std::string bs = std::to_string(orig_facts_.block_size);
	std::string message;
	switch (first_failure_) {
	case Failure::misaligned:
		message = where + " is not whole " + bs +
			  "-byte filesystem blocks; EXT4_IOC_MOVE_EXT would round it out and move " +
			  "blocks fio did not ask for, so e4mext refused it (EINVAL). It comes from " + misalignment_cause +
			  ": make every size and alignment a multiple of " + bs;
		break;
	case Failure::outside:
		message = where + " ends past the original's " + std::to_string(orig_facts_.size) +
			  " bytes, so e4mext refused it " +
			  "(EINVAL): only blocks inside the file can move; keep offset= and size= within the file";
		break;
	case Failure::hole:
		message = where + " found no data to move (ENODATA): that range of the original is a hole, and " +
			  "EXT4_IOC_MOVE_EXT moves only allocated blocks; let fio lay the file out (fallocate=native or " +
			  "posix for U, overwrite=1 for M), or defragment a file without holes";
		break;
	default: return {};
	}
	first_failure_ = Failure::shown;
	return message;
}

int DefragFile::donor_failed(const Status &status) noexcept
{
	++donor_errors_;
	donor_last_errno_ = status.error().errnum;
	return donor_last_errno_;
}

// EINVAL is what the kernel answers for a range past the original's end: say so when that is why.
void DefragFile::note_if_shrunk(uint64_t end) noexcept
{
	struct stat st;
	if (::fstat(orig_fd_.get(), &st) == 0 && static_cast<uint64_t>(st.st_size) < end)
		orig_shrank_to_ = static_cast<uint64_t>(st.st_size);
}

DefragReport DefragFile::finish(const RunIdentity &who)
{
	DefragReport r;
	r.who = who;
	r.file = orig_facts_.path;
	r.donor = donor_->path();
	r.donor_mode = config_.donor.mode;
	r.inplace = config_.donor.inplace;
	r.block_size = orig_facts_.block_size;
	r.moves = mover_.stats();
	r.donor_notice = donor_->notice();
	r.donor_created = donor_->created();
	r.donor_kept = !donor_->created() || config_.donor.keep;
	r.donor_errors = donor_errors_;
	r.donor_last_errno = donor_last_errno_;
	r.orig_shrank_to = orig_shrank_to_;
	struct stat st;
	r.orig_deleted = !config_.fio_unlinks && ::fstat(orig_fd_.get(), &st) == 0 && st.st_nlink == 0;
	r.misaligned_refused = misaligned_refused_;
	r.outside_refused = outside_refused_;

	read_after_state(r);
	verify_after(r);
	if (const Status removed = donor_->remove(); !removed)
		r.donor_remove_error = "could not remove the donor " + r.donor + ": " + errno_text(removed.error().errnum) +
				       "; remove it by hand (the next e4mext run with this name resets and removes it)";
	return r;
}

void DefragFile::read_after_state(DefragReport &r)
{
	// Sync: after M moves the data sits in dirty pages whose blocks are not final until written back.
	const Result<ExtentMap> orig_after =
		read_extent_map(orig_fd_.get(), block_shift_, true, "original " + r.file + " after the moves");
	const Result<ExtentMap> donor_after =
		orig_after ? read_extent_map(donor_->fd(), block_shift_, true, "donor " + r.donor + " after the moves")
			   : orig_after;
	r.orig_before = summarize(orig_before_);
	r.donor_before = summarize(donor_before_);
	if (!donor_after) {
		r.after_error = donor_after.error().message;
		return;
	}
	r.orig_after = summarize(orig_after.value());
	r.donor_after = summarize(donor_after.value());
	r.orig_blocks_relocated = blocks_relocated(orig_before_, orig_after.value());
}

void DefragFile::verify_after(DefragReport &r)
{
	if (config_.verify_data && !config_.other_writer.empty()) {
		r.verify = VerifyResult::other_writer;
		r.verify_detail = "original " + r.file + " is written by " + config_.other_writer +
				  " during the moves: its bytes change legitimately, so verify_data proves nothing here "
				  "(neither passed nor failed); that writer's own verify= checks its writes";
		return;
	}
	if (!checksum_before_)
		return;
	const Result<FileChecksum> read_back = checksum_file_direct(orig_fd_.get(), r.file);
	if (!read_back) {
		r.verify = VerifyResult::failed; // a proof that could not be made must not pass
		r.verify_detail = "could not read the original back: " + read_back.error().message;
		return;
	}
	stamp_verified_ = stamp_of(orig_fd_.get());
	const FileChecksum &after = read_back.value();
	r.xxh64_before = hash_hex(checksum_before_->hash);
	r.xxh64_after = hash_hex(after.hash);
	r.verify = after == *checksum_before_ ? VerifyResult::passed : VerifyResult::failed;
	if (r.verify == VerifyResult::failed) {
		std::ostringstream detail;
		detail << "original " << r.file << " changed during the moves: " << checksum_before_->bytes << " bytes with XXH64 "
		       << hash_hex(checksum_before_->hash) << " before, " << after.bytes << " bytes with XXH64 "
		       << hash_hex(after.hash) << " after (verify_data only holds without other writers to the file)";
		r.verify_detail = detail.str();
	}
}

void DefragFile::confirm_unchanged_since_verify(DefragReport &r) const
{
	if (r.verify != VerifyResult::passed)
		return;
	const std::optional<FileStamp> now = stamp_of(orig_fd_.get());
	if (stamp_verified_ && now && *now == *stamp_verified_)
		return;
	r.verify = VerifyResult::failed;
	r.verify_detail = "original " + r.file + " changed after its final checksum (" +
			  (now && stamp_verified_ ? "size " + std::to_string(stamp_verified_->size) + " then " +
							    std::to_string(now->size) + " bytes, or its modification time"
						  : std::string("it could not be examined")) +
			  "): the proof does not describe the bytes on disk at the end of the job (another writer? "
			  "verify_data only holds without other writers to the file)";
}

nlohmann::json to_json(const DefragReport &r)
{
	return {{"e4mext_stats", 1},
		{"engine_version", E4MEXT_VERSION},
		{"jobname", r.who.jobname},
		{"jobnum", r.who.jobnum},
		{"thread_number", r.who.thread_number},
		{"file", r.file},
		{"donor", r.donor},
		{"donor_mode", donor_mode_name(r.donor_mode)},
		{"inplace", r.inplace},
		{"block_size", r.block_size},
		{"moves", r.moves.moves},
		{"blocks_moved", r.moves.blocks_moved},
		{"partial_moves", r.moves.partial_moves},
		{"ebusy", r.moves.ebusy},
		{"enodata", r.moves.enodata},
		{"other_errors", r.moves.other_errors},
		{"retries", r.moves.retries},
		{"write_backs", r.moves.write_backs},
		{"bytes_requested", r.moves.bytes_requested},
		{"blocks_requested", r.moves.blocks_requested},
		{"misaligned_refused", r.misaligned_refused},
		{"outside_refused", r.outside_refused},
		{"orig_before", extents_json(r.orig_before)},
		{"orig_after", extents_json(r.orig_after)},
		{"donor_before", extents_json(r.donor_before)},
		{"donor_after", extents_json(r.donor_after)},
		{"orig_blocks_relocated", r.orig_blocks_relocated},
		{"verify", verify_name(r.verify)},
		{"verify_xxh64_before", r.xxh64_before},
		{"verify_xxh64_after", r.xxh64_after},
		{"donor_created", r.donor_created},
		{"donor_kept", r.donor_kept},
		{"donor_notice", r.donor_notice},
		{"donor_errors", r.donor_errors},
		{"orig_shrank_to", r.orig_shrank_to ? nlohmann::json(*r.orig_shrank_to) : nlohmann::json(nullptr)},
		{"orig_deleted", r.orig_deleted},
		{"after_error", r.after_error},
		{"donor_remove_error", r.donor_remove_error}};
}

std::string summary_line(const DefragReport &r)
{
	std::ostringstream out;
	out << "e4mext: " << r.who.jobname << "." << r.who.jobnum << " " << r.file << ": " << r.moves.moves << " moves, "
	    << r.moves.blocks_moved << " blocks moved, " << r.moves.partial_moves << " partial, " << r.moves.ebusy << " EBUSY, "
	    << r.moves.enodata << " ENODATA, " << r.moves.other_errors << " other errors, " << r.moves.retries << " retries; ";
	if (r.after_error.empty())
		out << "original extents " << r.orig_before.extents << "->" << r.orig_after.extents << " (unwritten "
		    << r.orig_before.unwritten << "->" << r.orig_after.unwritten << "), " << r.orig_blocks_relocated << " of "
		    << r.orig_before.blocks << " blocks relocated; ";
	out << "donor " << r.donor << " (" << donor_mode_name(r.donor_mode) << (r.inplace ? ", in place" : "");
	if (r.after_error.empty())
		out << ", extents " << r.donor_before.extents << "->" << r.donor_after.extents;
	out << (r.donor_kept || !r.donor_remove_error.empty() ? ", kept" : ", removed") << "); verify_data "
	    << verify_name(r.verify);
	if (r.verify == VerifyResult::other_writer)
		out << " (" << r.verify_detail << ")";
	// What went wrong, each in words a person can act on.
	if (r.misaligned_refused > 0)
		out << "; " << r.misaligned_refused << " writes refused: not whole filesystem blocks";
	if (r.outside_refused > 0)
		out << "; " << r.outside_refused << " writes refused: past the original's end";
	if (r.donor_errors > 0)
		out << "; " << r.donor_errors << " in-place donor allocations failed (last: " << errno_text(r.donor_last_errno)
		    << ")" << (r.donor_last_errno == ENOSPC ? ": the filesystem ran out of space for the donor range" : "");
	if (r.orig_shrank_to)
		out << "; the original shrank to " << *r.orig_shrank_to
		    << " bytes during the run: moves past its end fail with EINVAL";
	if (r.orig_deleted)
		out << "; the original was deleted during the run (its open inode was still moved)";
	if (!r.after_error.empty())
		out << "; no extent maps after the run: " << r.after_error;
	if (!r.donor_remove_error.empty())
		out << "; " << r.donor_remove_error;
	return out.str();
}

} // namespace e4mext
