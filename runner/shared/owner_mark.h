// Whose a private temporary directory is, for the next run when its owner was SIGKILLed and could
// not clean up. The owner holds a flock() on the marker file (<dir>/.e4mext-owner) for as long as
// it lives; the kernel drops the lock when the process ends, however it ends. So a marker nobody
// holds is a dead run's, and one held is a live run's - also when that run is in another pid
// namespace (its pid means nothing here), after its pid was reused, or after a reboot. A pid and a
// start time alone get those wrong: a live run in a container looks dead (its pid is not ours) and
// its disks would be removed. The marker's text (pid, start time, boot id, pid namespace) only
// names the owner in messages.
#pragma once

#include "unique_fd.h"

#include <string>

namespace e4mext::runner {

inline constexpr const char *kOwnerMarker = ".e4mext-owner";

// Marks `dir` as this process's until destroyed: the marker is written under a name of its own,
// locked, then renamed into place, so a reader never sees it unlocked while the owner lives.
class OwnerMark {
public:
	explicit OwnerMark(const std::string &dir);
	OwnerMark(OwnerMark &&) = default;
	OwnerMark &operator=(OwnerMark &&) = default;

private:
	UniqueFd lock_;
};

enum class OwnerState {
	live,    // the marker is locked: its owner runs (here or in another namespace)
	ended,   // the marker is unlocked: its owner ended without removing the directory
	unknown, // no marker, an older marker without the lock, or the lock cannot be taken on this filesystem
};

// The state of dir's owner, and the marker's text (for messages).
struct Owner {
	OwnerState state = OwnerState::unknown;
	std::string who; // "pid 123 (start 4567, boot 1b2c...)", or "" without a marker
};
Owner owner_of(const std::string &dir);

// Whether something is mounted at or below dir (removing it would reach into that filesystem).
bool has_mount_below(const std::string &dir);

// The directories e4mext-* under `parent` whose owner ended (owner_of: ended) are removed and named
// on stderr; one with something mounted in it is named and left. Live, unknown and unmarked ones
// are not touched, nor loop filesystems (e4mext-loopfs.*: LoopFilesystem removes those, loop_fs.h).
void remove_leftovers_of_ended_runs(const std::string &parent);

} // namespace e4mext::runner
