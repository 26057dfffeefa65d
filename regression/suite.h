// The kernel regression suite for EXT4_IOC_MOVE_EXT: the case model, the per-case context and the
// helpers cases are written with. A case is data (id, condition, filesystem, expectations per
// kernel behaviour) plus a short body that builds files, issues the move and reports what it saw.
#pragma once

#include "engine_error.h"
#include "extent_map.h"
#include "releases.h"
#include "scratch.h"
#include "unique_fd.h"

#include <fcntl.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace e4mext::regress {

// Which implementation of EXT4_IOC_MOVE_EXT the running kernel has.
enum class Behaviour { Old, New }; // old: <= 6.18 move_extent_per_page; new: >= 6.19 mext_move_extent
const char *behaviour_name(Behaviour b);

// A filesystem a case needs. Cases naming the same profile share one loop filesystem (each case
// works in a directory of its own); `exclusive` profiles get a new filesystem for the one case
// because the case changes the filesystem itself (errors, remounts).
struct FsProfile {
	std::string name;
	std::string mkfs_opts;
	std::string mount_opts;
	unsigned block_size;
	bool exclusive = false;
	bool pmem = false; // on the VM's pmem device ($E4MEXT_PMEM), which DAX needs; NOT RUN without one
};

// Thrown by a case body when a requirement is missing: the case is reported NOT RUN with `reason`.
struct NotRun : std::runtime_error {
	using std::runtime_error::runtime_error;
};

// What a case expects on one kernel behaviour, in the same words as `seen` (see Seen::text).
struct Expected {
	std::string text;
	std::string note; // e.g. "from the 6.19 sources, not measured here"
};

// A later answer of one implementation, for the releases that carry the change (a mainline
// release, stable backports), measured on the kernels the note names.
struct Change {
	Behaviour implementation;
	Expected answer;
	Releases releases;
};

class Context;

struct Case {
	std::string id;                            // "validity/donor-setuid"
	std::string condition;                     // what is set up, in words
	std::string fs;                            // FsProfile name
	Expected old_kernel;                       // the old code's first answer (6.12 on, until a change)
	std::optional<Expected> new_kernel;        // the new code's first answer (6.19); nullopt: unknown, the case says so
	std::function<std::string(Context &)> run; // returns the `seen` text
	bool dangerous = false;                    // may crash some kernels: only with --dangerous
	std::vector<Change> changes = {};          // in release order: the last one that holds wins
};

// What `c` expects of a kernel with implementation `b` and release `k`: the implementation's first
// answer, or the last change of that implementation whose releases hold for k (its note then names
// the releases). nullopt: unknown.
std::optional<Expected> expectation_for(const Case &c, Behaviour b, const std::optional<KernelRelease> &k);

// Expectation helpers for the case tables.
Expected expect(std::string text, std::string note = {});
inline constexpr const char *kFromSources = "new: from the 6.19 series, measured on 6.19.13";
inline constexpr const char *kMeasuredNew = "new: measured on 6.19.13";
inline constexpr const char *kMeasuredOld = "old: measured on 6.18.15";

// ---- what a case can do ----

// A file's layout, one character per block: W written, U unwritten (fallocated), H hole.
// `size_blocks` (default: the layout's length) sets i_size; blocks past it are preallocated beyond EOF.
struct Layout {
	std::string blocks;
	std::optional<uint64_t> size_blocks = std::nullopt;
	uint64_t size_tail_bytes = 0; // extra bytes past size_blocks (a partial last block)
};

// The outcome of one EXT4_IOC_MOVE_EXT.
struct MoveOutcome {
	int err = 0;                       // 0 or errno
	std::optional<uint64_t> moved_len; // nullopt: the kernel left the field untouched
	std::string text() const;          // "ok moved_len=8", "EINVAL moved_len=untouched"
};

// The state of a regular file around a move, and what changed.
struct FileSnapshot {
	std::string path;
	uint64_t size = 0;
	uint64_t checksum = 0; // content, read with O_DIRECT where the file allows it
	e4mext::ExtentMap map;
};

// How move_and_verify opens the files and issues the move.
struct MoveOptions {
	bool report_relocated = true; // add relocated=N orig=<states> donor=<states> to the text
	int orig_flags = O_RDWR;
	int donor_flags = O_RDWR;
	bool read_only_args = false;
	uint32_t reserved = 0;                                      // struct move_extent's `reserved` field ("must be zero")
	std::function<void(int orig_fd, int donor_fd)> before_move; // e.g. set flags on the open files
};

class Context {
public:
	using FsLookup = std::function<ScratchFs &(const std::string &profile)>;
	Context(const FsProfile &fs, ScratchFs &scratch_fs, const std::string &case_dir, const std::string &scratch,
		FsLookup other_fs);

	const FsProfile &fs() const { return fs_; }
	unsigned block_size() const { return fs_.block_size; }
	const std::string &dir() const { return dir_; }         // this case's directory on the filesystem
	const std::string &scratch() const { return scratch_; } // a private directory outside it (mount points)
	ScratchFs &scratch_fs() { return *fs_mount_; }
	std::string path(const std::string &name) const { return dir_ + "/" + name; }

	// Creates `name` (in dir(), or a full path) with the layout and flushes it (sync=false leaves delayed allocations).
	// The written data is a pattern unique to the file and the block, so moved blocks are checked.
	std::string make_file(const std::string &name, const Layout &layout, bool sync = true);
	e4mext::UniqueFd open(const std::string &path, int flags) const;
	FileSnapshot snapshot(const std::string &path) const;

	// Issues the ioctl with moved_len preset to a sentinel, so "untouched" is observable. With
	// `read_only_args` the structure sits in a page the kernel can read but not write back to.
	MoveOutcome move(int orig_fd, int donor_fd, uint64_t orig_start, uint64_t donor_start, uint64_t len,
			 bool read_only_args = false, uint32_t reserved = 0) const;

	// The standard data case: snapshots both files, moves, and checks every invariant the issue
	// names (original's content and size unchanged, donor's size unchanged, the blocks the donor
	// received are unwritten and read as zeros). Returns the outcome text, plus " relocated=N"
	// (the original's blocks now at another physical place) when `report_relocated`, plus one
	// " !problem" per broken invariant.
	std::string move_and_verify(const std::string &orig, const std::string &donor, uint64_t orig_start, uint64_t donor_start,
				    uint64_t len, const MoveOptions &options);
	std::string move_and_verify(const std::string &orig, const std::string &donor, uint64_t orig_start, uint64_t donor_start,
				    uint64_t len)
	{
		return move_and_verify(orig, donor, orig_start, donor_start, len, MoveOptions{});
	}
	// Refusal cases: the outcome only, plus a problem if the refused move relocated anything.
	std::string refused_move(const std::string &orig, const std::string &donor, MoveOptions options = {})
	{
		options.report_relocated = false;
		return move_and_verify(orig, donor, 0, 0, 0, options);
	}

	// A directory of this case on another filesystem of the given profile (made on first use).
	std::string other_dir(const std::string &profile);
	// True when `path` (made by make_file) still holds what make_file wrote, read from the device.
	bool content_unchanged(const std::string &path) const;
	// Forget what make_file wrote to `path` (it was rewritten by something else, e.g. mkswap).
	void rewritten(const std::string &path);

	// Keeps something alive until the case ends (mounts, swapfiles, fds).
	template <typename T> T &hold(std::unique_ptr<T> thing)
	{
		T &ref = *thing;
		held_.push_back(std::shared_ptr<void>(std::move(thing)));
		return ref;
	}
	~Context();

private:
	FsProfile fs_;
	ScratchFs *fs_mount_;
	std::string case_dir_;
	std::string dir_;
	std::string scratch_;
	FsLookup other_fs_;
	std::vector<std::string> dirs_; // every directory this case made on a filesystem
	std::vector<std::shared_ptr<void>> held_;
};

// ---- small helpers used by case bodies ----
using e4mext::errno_name;                                   // "EINVAL"
void set_inode_flags(int fd, uint32_t set, uint32_t clear); // FS_IOC_SETFLAGS, throws
void must(bool ok, const std::string &what);                // throws std::runtime_error(what + errno) when !ok

// The case tables (one file each).
std::vector<Case> validity_cases();
std::vector<Case> range_cases();
std::vector<Case> data_path_cases();
std::vector<FsProfile> fs_profiles();

} // namespace e4mext::regress
