// Where the bench's cases run. A target gives a directory on ext4 that is fresh before every run
// (a re-made filesystem, or a private directory emptied), says whether fio runs locally or through a
// fio server, and describes itself for the metadata. The kernel-in-a-VM target is built from these:
// inside the guest, the bench runs on a GuestDiskTarget (bench_vm.h).
#pragma once

#include "loop_fs.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace e4mext::runner {

class BenchTarget {
public:
	virtual ~BenchTarget() = default;
	// Before each run: a fresh filesystem, or fresh files.
	virtual void fresh() = 0;
	// The directory fio writes to (on the fio server's side for --hosts).
	virtual std::string directory() const = 0;
	// "key: value" metadata lines: filesystem, device, mkfs features, mount options.
	virtual std::vector<std::string> describe() const = 0;
	// Whether this process can drop the page cache that fio's files live in (root, local).
	virtual bool can_drop_caches() const = 0;
};

// A loop image of its own, re-made with mkfs before every run (default; needs root).
std::unique_ptr<BenchTarget> make_loop_target(uint64_t image_size, const std::vector<std::string> &mkfs_options);
// An existing ext4 directory: fresh files in a private subdirectory, emptied before every run.
std::unique_ptr<BenchTarget> make_dir_target(const std::string &dir, uint64_t file_size);
// A block device of a VM made by e4mext (listed in $E4MEXT_DISKS): mkfs and mount before every run.
std::unique_ptr<BenchTarget> make_guest_disk_target(const std::string &device, const std::vector<std::string> &mkfs_options);

// The default loop image size: 4 x the file, at least 2 GiB, at most half the free space there.
uint64_t default_image_size(uint64_t file_size);

} // namespace e4mext::runner
