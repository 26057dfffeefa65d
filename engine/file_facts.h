// What the kernel looks at before it moves extents, read from a file descriptor. Kept as plain data
// so the checks (checks.h) can be tested with faked facts.
#pragma once

#include "engine_error.h"

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace e4mext {

// Inode flags (FS_IOC_GETFLAGS) that matter to EXT4_IOC_MOVE_EXT.
inline constexpr uint32_t kFlagImmutable = 0x00000010;   // FS_IMMUTABLE_FL
inline constexpr uint32_t kFlagAppend = 0x00000020;      // FS_APPEND_FL
inline constexpr uint32_t kFlagEncrypted = 0x00000800;   // FS_ENCRYPT_FL
inline constexpr uint32_t kFlagJournalData = 0x00004000; // FS_JOURNAL_DATA_FL
inline constexpr uint32_t kFlagExtents = 0x00080000;     // EXT4_EXTENTS_FL
inline constexpr uint32_t kFlagDax = 0x02000000;         // FS_DAX_FL
inline constexpr uint32_t kFlagInlineData = 0x10000000;  // EXT4_INLINE_DATA_FL

struct FileFacts {
	std::string path;
	dev_t dev = 0;
	ino_t ino = 0;
	mode_t mode = 0;
	uint64_t size = 0;
	int access_mode = 0;     // O_RDONLY, O_WRONLY or O_RDWR, as the fd was opened
	std::string fs_type;     // from /proc/self/mountinfo ("ext4", "tmpfs", ...)
	uint64_t block_size = 0; // filesystem block size
	bool read_only_mount = false;
	bool data_journal_mount = false;     // mounted with data=journal
	bool dax_mount = false;              // mounted with dax / dax=always
	bool dax_file = false;               // statx says this inode uses DAX
	std::optional<uint32_t> inode_flags; // nullopt where FS_IOC_GETFLAGS is not supported
	std::optional<bool> bigalloc;        // nullopt when the superblock could not be read (not root)
	bool active_swapfile = false;
};

// The inode flags of path (FS_IOC_GETFLAGS on a read-only, non-blocking open that does not follow
// links), or nullopt when they cannot be read.
std::optional<uint32_t> read_inode_flags(const std::string &path);

// Reads the facts of an open file; an error only when fstat itself fails.
Result<FileFacts> inspect_file(int fd, const std::string &path);

} // namespace e4mext
