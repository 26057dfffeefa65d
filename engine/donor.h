// The donor file: the blocks the original's extents are exchanged with. Opens or creates it, checks
// it against the original before any move, brings it to the requested state, and removes it at the
// end when e4mext created it.
#pragma once

#include "engine_error.h"
#include "file_facts.h"
#include "names.h"
#include "unique_fd.h"

#include <cstdint>
#include <memory>
#include <string>

namespace e4mext {

struct DonorSpec {
	std::string path;
	DonorMode mode = DonorMode::unwritten;
	bool inplace = false;      // allocate per move and free after (fio's inplace=1)
	bool keep = false;         // leave a donor e4mext created in place at the end
	bool default_name = false; // e4mext chose the name: a foreign file there is never touched
	unsigned shared_by = 1;    // clones and files of this job that use this donor
	bool lock_ranges = false;  // other jobs may move into the same donor: lock ranges in place mode
	bool overwrite = false;    // donor_overwrite=1: an existing file e4mext did not create may serve,
				   // its contents given up
	std::string run_token;     // this fio run (this_run_token()), written in the tag of donors it makes
};

// The extended attribute e4mext puts on donors it creates, so a donor left behind by a killed run
// can be told apart from a user's file of the same name. Its value is the token of the run that made
// (or took over) the donor; every job using a donor holds a shared flock() on it while it runs, so a
// tagged donor nobody holds is left over, and one held under another run's token is that run's, live.
inline constexpr const char *kDonorXattr = "user.e4mext.donor";

// Names this fio run in donor tags: the calling process's pid and start time (unique while it
// lives). Taken in fio's main process, so that every job of the run carries the same token.
std::string this_run_token();

class Donor {
public:
	// Opens (or creates) the donor, refuses it when the kernel would (checks.h), and prepares
	// [offset, end) in the requested state: unwritten extents, or written data synced to disk; in
	// place mode the range is left as a hole to be allocated per move. A donor created here is
	// removed again when this fails.
	static Result<std::unique_ptr<Donor>> open(const DonorSpec &spec, const FileFacts &orig, uint64_t offset, uint64_t end);
	~Donor();
	Donor(const Donor &) = delete;
	Donor &operator=(const Donor &) = delete;

	int fd() const noexcept { return fd_.get(); }
	const std::string &path() const noexcept { return spec_.path; }
	const DonorSpec &spec() const noexcept { return spec_; }
	bool created() const noexcept { return created_; }
	// What the user should know about an existing file that was used (empty when none).
	const std::string &notice() const noexcept { return notice_; }

	// In place mode, around each move: allocate [offset, offset+length) in the requested state
	// before it, and free it after.
	Status acquire(uint64_t offset, uint64_t length);
	Status release(uint64_t offset, uint64_t length);

	// Removes the donor now if e4mext created it and keep_donor is off.
	Status remove();

private:
	explicit Donor(const DonorSpec &spec) : spec_(spec) {}
	Status prepare(const FileFacts &orig, uint64_t offset, uint64_t end);
	Status open_or_create();
	Result<bool> create_tagged(const char *dir);
	Result<bool> create_then_tag();
	Status open_existing();
	Status adopt_tagged(const std::string &tag);
	Status accept_untagged();
	void tag(int fd) const;
	Status make_holes(uint64_t offset, uint64_t end);
	Status make_unwritten(uint64_t offset, uint64_t length);
	Status make_written(uint64_t offset, uint64_t length);
	Status lock_range(uint64_t offset, uint64_t length, short type);

	DonorSpec spec_;
	UniqueFd fd_;
	bool created_ = false;
	bool untagged_ = false; // an existing file e4mext did not create
	std::string notice_;
};

} // namespace e4mext
