// Everything e4mext does for one (job clone, original file) pair: the checks, the donor, the
// before/after extent maps, the optional data proof, and the moves themselves. Knows nothing of fio.
#pragma once

#include "checksum.h"
#include "donor.h"
#include "engine_error.h"
#include "extent_map.h"
#include "file_facts.h"
#include "mover.h"

#include <nlohmann/json.hpp>

#include <sys/types.h>

#include <ctime>
#include <memory>
#include <optional>
#include <string>

namespace e4mext {

struct DefragConfig {
	DonorSpec donor;
	bool verify_data = false;
	// Another writer of the original during the moves (a fio job of the same run, named here): its
	// bytes then change legitimately, so verify_data can prove nothing and says so (other-writer),
	// neither passing nor failing; the writer's own verification (fio verify=) covers its writes.
	std::string other_writer;
	unsigned busy_retries = 0;
	bool busy_write_back = false; // write the rest of the range back before each EBUSY retry
	bool fio_unlinks = false;     // fio removes the original at the end (unlink=1): not worth a warning
	MoveExtentFn move_fn = move_extent_ioctl;
	WriteBackFn write_back_fn = write_back_range;
};

// Who ran the moves, for the statistics record.
struct RunIdentity {
	std::string jobname;
	unsigned jobnum = 0;
	unsigned thread_number = 0;
};

enum class VerifyResult { off, passed, failed, other_writer };

// What changes whenever a file's bytes do: its inode, size, and modification and change times.
struct FileStamp {
	dev_t dev = 0;
	ino_t ino = 0;
	off_t size = 0;
	timespec mtime{}, ctime{};
	bool operator==(const FileStamp &o) const;
};

// The figures of one (job clone, file), written as one JSON line and one summary line.
struct DefragReport {
	RunIdentity who;
	std::string file, donor;
	DonorMode donor_mode = DonorMode::unwritten;
	bool inplace = false;
	uint64_t block_size = 0;
	MoveStats moves;
	ExtentSummary orig_before, orig_after, donor_before, donor_after;
	uint64_t orig_blocks_relocated = 0;
	uint64_t misaligned_refused = 0; // writes refused: not whole filesystem blocks
	uint64_t outside_refused = 0;    // writes refused: beyond the original's end when prepared
	VerifyResult verify = VerifyResult::off;
	std::string verify_detail;             // why verification failed or could not run
	std::string xxh64_before, xxh64_after; // the original's XXH64 (hex, as xxhsum prints it); empty when off
	std::string donor_notice;              // an existing file was used or reset
	bool donor_created = false, donor_kept = false;
	// What went wrong around the moves, for the summary and the statistics (empty/0: nothing).
	uint64_t donor_errors = 0; // in place: allocating or freeing the donor range failed
	int donor_last_errno = 0;
	std::optional<uint64_t> orig_shrank_to; // the original was truncated under the moves
	bool orig_deleted = false;              // its last name was removed during the run (not by fio's unlink=1)
	std::string after_error;                // the after-snapshot could not be taken
	std::string donor_remove_error;         // a donor e4mext created could not be removed
};

nlohmann::json to_json(const DefragReport &report);
std::string summary_line(const DefragReport &report);

class DefragFile {
public:
	// Opens the original and refuses it when the kernel would (checks.h). Nothing is created or
	// written yet.
	static Result<std::unique_ptr<DefragFile>> open(const std::string &orig_path, const DefragConfig &config);

	// Prepares the donor for moves of [offset, end), records the extent maps and, with
	// verify_data, the original's checksum. Call once, before the first move.
	Status prepare(uint64_t offset, uint64_t end);

	// Refuses a descriptor of the original that the moves cannot go through: another inode than the
	// one prepared (ESTALE), or not open for reading and writing (EBADF, checks.h). The moves use
	// the caller's descriptor (fio's), not the one open() made, so this is where its mode is known.
	Status check_move_fd(int orig_fd) const;

	const FileFacts &original() const noexcept { return orig_facts_; }
	// What the user should know about the donor before the run (an existing file used or reset).
	const std::string &donor_notice() const noexcept { return donor_->notice(); }

	// Moves the blocks under fio's write [offset, offset+length), using fio's descriptor of the
	// original. A write that is not whole blocks inside the file is refused (EINVAL) and never reaches
	// the kernel, which would round it out and move blocks fio did not ask for.
	MoveOutcome move(int orig_fd, uint64_t offset, uint64_t length) noexcept;

	// A message to show once about why a move failed (a refused write, a hole), then empty.
	// `misalignment_cause` names the job options that can produce misaligned writes.
	std::string take_message(const std::string &misalignment_cause);

	// Reads the after state, checks the data, removes a donor e4mext created and returns the
	// figures; what cannot be read is reported in them, not thrown. Call once, after the last move.
	DefragReport finish(const RunIdentity &who);

	// With verify_data, after everything else the engine writes at the end (the statistics line):
	// the original must still be the inode, size and modification that were checksummed last, or
	// the proof no longer describes the bytes on disk and `report` is turned into a failure.
	void confirm_unchanged_since_verify(DefragReport &report) const;

private:
	DefragFile(const DefragConfig &config, UniqueFd orig_fd, FileFacts orig_facts, unsigned block_shift);

	// Why a write failed, kept for take_message() (the first failure only).
	enum class Failure { none, misaligned, outside, hole, shown };

	int donor_failed(const Status &status) noexcept;
	MoveOutcome refuse(Failure why, uint64_t offset, uint64_t length) noexcept;
	void remember_failure(Failure why, uint64_t offset, uint64_t length) noexcept;
	void note_if_shrunk(uint64_t end) noexcept;
	void read_after_state(DefragReport &r);
	void verify_after(DefragReport &r);

	DefragConfig config_;
	UniqueFd orig_fd_;
	FileFacts orig_facts_;
	unsigned block_shift_;
	Mover mover_;
	std::unique_ptr<Donor> donor_;
	ExtentMap orig_before_, donor_before_;
	std::optional<FileChecksum> checksum_before_;
	std::optional<FileStamp> stamp_verified_; // the original as its last checksum saw it
	uint64_t donor_errors_ = 0;
	int donor_last_errno_ = 0;
	uint64_t misaligned_refused_ = 0, outside_refused_ = 0;
	Failure first_failure_ = Failure::none;
	uint64_t failed_offset_ = 0, failed_length_ = 0;
	std::optional<uint64_t> orig_shrank_to_;
};

} // namespace e4mext
