// What the runner leaves on the machine while it works - child process groups (qemu, virtiofsd)
// and private temporary directories (disk images, sockets, the initramfs) - and the guarantee that
// they go away on SIGINT/SIGTERM/SIGHUP/SIGPIPE too. RAII owners (Process, TempDir) hold a Registration; the
// signal handler walks this fixed-size registry with async-signal-safe calls only (kill, waitpid,
// fork+execv of rm), then re-raises the signal.
#pragma once

#include "owner_mark.h"

#include <signal.h>
#include <sys/types.h>

#include <optional>
#include <stdexcept>
#include <string>

namespace e4mext::runner {

// Installs the handlers for SIGINT, SIGTERM, SIGHUP and SIGPIPE (idempotent). `program` names the message
// printed on interruption ("e4mext-vm: interrupted, ...").
void install_cleanup_handlers(const std::string &program);

// For programs that keep partial results (the bench, stress): the first SIGINT/SIGTERM/SIGHUP/
// SIGPIPE sends SIGINT to every registered process group and is remembered; the program checks
// interrupted_by() (or throw_if_interrupted) after each wait and unwinds, its destructors cleaning
// up. A second signal takes the fatal path above. Replaces install_cleanup_handlers' handlers.
void install_interrupt_handlers(const std::string &program);
int interrupted_by(); // the signal, 0 when none came

// Thrown by throw_if_interrupted(); the exit status is 128 + signal.
struct Interrupted : std::runtime_error {
	explicit Interrupted(int sig) : std::runtime_error("interrupted by signal " + std::to_string(sig)), signal(sig) {}
	int signal;
};
void throw_if_interrupted();

// One entry of the registry, listed by a register_* function below and unlisted when this goes out
// of scope (an exception included), on reset(), or on assignment; moved, it moves its entry. The
// owner of a resource keeps one beside it: made with the resource (signals blocked, see
// SignalBlock, so that nothing exists unlisted), unlisted after its destructor has removed it.
class Registration {
public:
	Registration() = default;
	~Registration() { reset(); }
	Registration(Registration &&other) noexcept;
	Registration &operator=(Registration &&other) noexcept;
	Registration(const Registration &) = delete;
	Registration &operator=(const Registration &) = delete;
	void reset() noexcept; // unlisted now
	explicit operator bool() const { return slot_ >= 0; }

private:
	friend struct RegistrySlot;
	explicit Registration(int slot) : slot_(slot) {}
	int slot_ = -1; // its entry; only the fatal path frees entries otherwise, and it ends the process
};

// What the fatal path removes. Each throws std::runtime_error when the registry is full or the
// path too long for its fixed storage.
[[nodiscard]] Registration register_process_group(pid_t pgid); // SIGKILL to the group, reaped
[[nodiscard]] Registration register_directory(const std::string &path);
[[nodiscard]] Registration register_mount(const std::string &target);  // unmounted (lazily), its directory removed
[[nodiscard]] Registration register_swapfile(const std::string &path); // swapoff
// A loop filesystem's work directory: WORKDIR/mnt unmounted (lazily), `device` detached only while
// it is still backed by the image's inode (`image_dev`, `image_ino`), WORKDIR removed.
[[nodiscard]] Registration register_loop_filesystem(const std::string &workdir, const std::string &device, dev_t image_dev,
						    ino_t image_ino);

// Blocks those signals for its lifetime, so a resource is never created without being
// registered. old_mask() is the mask to give children (set in the child just before exec).
class SignalBlock {
public:
	SignalBlock();
	~SignalBlock();
	SignalBlock(const SignalBlock &) = delete;
	SignalBlock &operator=(const SignalBlock &) = delete;
	const sigset_t &old_mask() const { return old_; }

private:
	sigset_t old_;
};

// A private directory ${TMPDIR:-/tmp}/<prefix>.XXXXXX, removed with everything in it on
// destruction or on a fatal signal. It holds its owner's mark (owner_mark.h); making one first
// removes, and names on stderr, the marked directories of e4mext processes that have ended (a
// SIGKILLed run cannot clean up) - never one of a live process (in any pid namespace), one without
// the mark, or one with something mounted in it.
class TempDir {
public:
	explicit TempDir(const std::string &prefix);
	~TempDir();
	TempDir(const TempDir &) = delete;
	TempDir &operator=(const TempDir &) = delete;
	const std::string &path() const { return path_; }

private:
	std::string path_;
	Registration listed_;
	std::optional<OwnerMark> mark_;
};

} // namespace e4mext::runner
