// Data paths: what a move does to the original's and the donor's blocks, by their state (written,
// unwritten, hole, delayed allocation), across a bind mount, and the 6.18 off-by-one reproducer.
// Every case checks the original's data (read back with O_DIRECT) and size, and that the blocks
// the donor received are unwritten and read as zeros; the text reports the states afterwards.
#include "suite.h"

#include <fcntl.h>
#include <unistd.h>

namespace e4mext::regress {

namespace {

std::function<std::string(Context &)> pair_move(Layout orig, Layout donor, bool sync_orig = true)
{
	return [=](Context &ctx) {
		const std::string o = ctx.make_file("orig", orig, sync_orig), d = ctx.make_file("donor", donor);
		return ctx.move_and_verify(o, d, 0, 0, 8);
	};
}

// 1K blocks, 16 one-block extents written last to first (each followed by a block of another
// file, so they cannot merge), the original's page cache dropped, then the whole file moved.
std::string reverse_one_block_extents(Context &ctx)
{
	const uint64_t bs = ctx.block_size(), blocks = 16;
	const std::string orig = ctx.make_file("orig", Layout{std::string(blocks, 'W')}); // the reference content
	{
		// Rewrite it block by block in reverse order into fresh allocations.
		const std::string tmp = ctx.path("orig.rebuild");
		e4mext::UniqueFd src = ctx.open(orig, O_RDONLY), dst = ctx.open(tmp, O_CREAT | O_EXCL | O_RDWR);
		e4mext::UniqueFd spacer = ctx.open(ctx.path("spacer"), O_CREAT | O_EXCL | O_RDWR);
		std::vector<unsigned char> buf(bs);
		for (uint64_t b = blocks; b-- > 0;) {
			const off_t off = static_cast<off_t>(b * bs);
			must(::pread(src.get(), buf.data(), bs, off) == static_cast<ssize_t>(bs), "read " + orig);
			must(::pwrite(dst.get(), buf.data(), bs, off) == static_cast<ssize_t>(bs), "write " + tmp);
			must(::fsync(dst.get()) == 0, "fsync " + tmp);
			must(::pwrite(spacer.get(), buf.data(), bs, off) == static_cast<ssize_t>(bs), "write spacer");
			must(::fsync(spacer.get()) == 0, "fsync spacer");
		}
		must(::rename(tmp.c_str(), orig.c_str()) == 0, "rename " + tmp);
	}
	const FileSnapshot before = ctx.snapshot(orig);
	if (before.map.size() < blocks)
		throw std::runtime_error("precondition: the original has " + std::to_string(before.map.size()) +
					 " extents, wanted one per block (" + std::to_string(blocks) + ")");
	{
		e4mext::UniqueFd fd = ctx.open(orig, O_RDONLY);
		must(::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_DONTNEED) == 0, "posix_fadvise DONTNEED");
	}
	const std::string donor = ctx.make_file("donor", Layout{std::string(blocks, 'U')});
	return ctx.move_and_verify(orig, donor, 0, 0, blocks);
}

// The donor opened through a bind mount of the same filesystem (another vfsmount, same superblock).
std::string donor_through_bind_mount(Context &ctx)
{
	const std::string orig = ctx.make_file("orig", Layout{"WWWWWWWW"});
	ctx.make_file("donor", Layout{"UUUUUUUU"});
	ExtraMount &bind = ctx.hold(std::make_unique<ExtraMount>(ctx.dir(), ctx.scratch() + "/bind"));
	return ctx.move_and_verify(orig, bind.path() + "/donor", 0, 0, 8);
}

} // namespace

std::vector<Case> data_path_cases()
{
	const char *kNewData =
		"new: from the 6.19 series (donor hole -> skip, both unwritten -> swap, else copy), measured on 6.19.13";
	return {
		// ---- original written ----
		{"data/orig-written-donor-written",
		 "original WWWWWWWW, donor WWWWWWWW (cached): disk reads zeros, the donor's cache does not", "ext4-4k",
		 expect("ok moved_len=8 relocated=8 orig=WWWWWWWW donor=UUUUUUUU donor-cache=stale"),
		 expect("ok moved_len=8 relocated=8 orig=WWWWWWWW donor=UUUUUUUU donor-cache=stale", kMeasuredNew),
		 pair_move(Layout{"WWWWWWWW"}, Layout{"WWWWWWWW"})},
		{"data/orig-written-donor-unwritten", "original WWWWWWWW, donor UUUUUUUU", "ext4-4k",
		 expect("ok moved_len=8 relocated=8 orig=WWWWWWWW donor=UUUUUUUU"),
		 expect("ok moved_len=8 relocated=8 orig=WWWWWWWW donor=UUUUUUUU", kNewData),
		 pair_move(Layout{"WWWWWWWW"}, Layout{"UUUUUUUU"})},
		{"data/orig-written-donor-hole", "original WWWWWWWW, donor all hole (sparse, 8 blocks)", "ext4-4k",
		 expect("ok moved_len=0 relocated=0 orig=WWWWWWWW donor=HHHHHHHH"),
		 expect("ok moved_len=0 relocated=0 orig=WWWWWWWW donor=HHHHHHHH", kNewData),
		 pair_move(Layout{"WWWWWWWW"}, Layout{"HHHHHHHH"})},
		{"data/orig-written-donor-partly-hole", "original WWWWWWWW, donor UUHHUUHH", "ext4-4k",
		 expect("ok moved_len=4 relocated=4 orig=WWWWWWWW donor=UUHHUUHH"),
		 expect("ok moved_len=4 relocated=4 orig=WWWWWWWW donor=UUHHUUHH", kNewData),
		 pair_move(Layout{"WWWWWWWW"}, Layout{"UUHHUUHH"})},
		// ---- original unwritten ----
		{"data/orig-unwritten-donor-written",
		 "original UUUUUUUU, donor WWWWWWWW (cached): disk reads zeros, the donor's cache does not", "ext4-4k",
		 expect("ok moved_len=8 relocated=8 orig=UUUUUUUU donor=UUUUUUUU donor-cache=stale"),
		 expect("ok moved_len=8 relocated=8 orig=UUUUUUUU donor=UUUUUUUU donor-cache=stale", kMeasuredNew),
		 pair_move(Layout{"UUUUUUUU"}, Layout{"WWWWWWWW"})},
		{"data/orig-unwritten-donor-unwritten", "original UUUUUUUU, donor UUUUUUUU (swap only)", "ext4-4k",
		 expect("ok moved_len=8 relocated=8 orig=UUUUUUUU donor=UUUUUUUU"),
		 expect("ok moved_len=8 relocated=8 orig=UUUUUUUU donor=UUUUUUUU", kNewData),
		 pair_move(Layout{"UUUUUUUU"}, Layout{"UUUUUUUU"})},
		{"data/orig-unwritten-donor-hole", "original UUUUUUUU, donor all hole (the behaviour probe)", "ext4-4k",
		 expect("ENODATA moved_len=0 relocated=0 orig=UUUUUUUU donor=HHHHHHHH"),
		 expect("ok moved_len=0 relocated=0 orig=UUUUUUUU donor=HHHHHHHH", kNewData),
		 pair_move(Layout{"UUUUUUUU"}, Layout{"HHHHHHHH"})},
		{"data/orig-unwritten-donor-partly-hole", "original UUUUUUUU, donor UUHHUUHH", "ext4-4k",
		 expect("ok moved_len=4 relocated=4 orig=UUUUUUUU donor=UUHHUUHH"),
		 expect("ok moved_len=4 relocated=4 orig=UUUUUUUU donor=UUHHUUHH", kNewData),
		 pair_move(Layout{"UUUUUUUU"}, Layout{"UUHHUUHH"})},
		// ---- mixed original ----
		{"data/orig-mixed-donor-unwritten", "original WWUUWWUU, donor UUUUUUUU: states kept per range", "ext4-4k",
		 expect("ok moved_len=8 relocated=8 orig=WWUUWWUU donor=UUUUUUUU"),
		 expect("ok moved_len=8 relocated=8 orig=WWUUWWUU donor=UUUUUUUU", kNewData),
		 pair_move(Layout{"WWUUWWUU"}, Layout{"UUUUUUUU"})},
		// ---- holes and delayed allocation in the original ----
		{"data/orig-hole", "original WWHHWWWW (hole at 2..3, data after it), donor UUUUUUUU: the hole is skipped",
		 "ext4-4k", expect("ok moved_len=6 relocated=6 orig=WWHHWWWW donor=UUUUUUUU"),
		 expect("ok moved_len=6 relocated=6 orig=WWHHWWWW donor=UUUUUUUU", "new: holes skipped, measured on 6.19.13"),
		 pair_move(Layout{"WWHHWWWW"}, Layout{"UUUUUUUU"})},
		{"data/orig-all-hole", "original HHHHHHHH (i_size 8 blocks, nothing allocated), donor UUUUUUUU", "ext4-4k",
		 expect("ENODATA moved_len=0 relocated=0 orig=HHHHHHHH donor=UUUUUUUU", kMeasuredOld),
		 expect("ok moved_len=0 relocated=0 orig=HHHHHHHH donor=UUUUUUUU", kMeasuredNew),
		 pair_move(Layout{"HHHHHHHH"}, Layout{"UUUUUUUU"})},
		{"data/orig-trailing-hole", "original WWWWHHHH (nothing allocated after block 3), donor UUUUUUUU", "ext4-4k",
		 expect("ENODATA moved_len=4 relocated=4 orig=WWWWHHHH donor=UUUUUUUU"),
		 expect("ok moved_len=4 relocated=4 orig=WWWWHHHH donor=UUUUUUUU", "new: holes skipped, measured on 6.19.13"),
		 pair_move(Layout{"WWWWHHHH"}, Layout{"UUUUUUUU"})},
		{"data/orig-delalloc", "original written, not flushed (delayed allocation), donor UUUUUUUU", "ext4-4k",
		 expect("ENODATA moved_len=0 relocated=0 orig=WWWWWWWW donor=UUUUUUUU"),
		 expect("ok moved_len=0 relocated=0 orig=WWWWWWWW donor=UUUUUUUU",
			"new: measured on 6.19.13 (delayed blocks are skipped)"),
		 pair_move(Layout{"WWWWWWWW"}, Layout{"UUUUUUUU"}, /*sync_orig=*/false)},
		// ---- other paths ----
		{"data/donor-via-bind-mount", "donor opened through a bind mount of the same filesystem", "ext4-4k",
		 expect("ok moved_len=8 relocated=8 orig=WWWWWWWW donor=UUUUUUUU"),
		 expect("ok moved_len=8 relocated=8 orig=WWWWWWWW donor=UUUUUUUU", kNewData), donor_through_bind_mount},
		{"data/reverse-one-block-extents-1k",
		 "1K blocks, 16 one-block extents written in reverse, cache dropped (6.18 off-by-one)",
		 "ext4-1k",
		 expect("EIO moved_len=0 relocated=0 orig=WWWWWWWWWWWWWWWW donor=UUUUUUUUUUUUUUUU",
			"old: measured on 6.12.43, 6.16.3 and 6.16.12, before the fix"),
		 expect("ok moved_len=16 relocated=16 orig=WWWWWWWWWWWWWWWW donor=UUUUUUUUUUUUUUUU", kNewData),
		 reverse_one_block_extents,
		 false,
		 {{Behaviour::Old,
		   expect("ok moved_len=16 relocated=16 orig=WWWWWWWWWWWWWWWW donor=UUUUUUUUUUUUUUUU",
			  "fixed (in 6.18, backported); measured on 6.12.57 to 6.12.94 and 6.17.8 to 6.18.15; 6.12.43, "
			  "6.16.3, 6.16.12 EIO"),
		   stable_from({"6.12.57", "6.17.8"}, "6.18")}}},
	};
}

std::vector<FsProfile> fs_profiles()
{
	// -b 4096 explicitly: mkfs.ext4 picks 1K blocks for small images. 64M keeps mkfs fast.
	return {
		{"ext4-4k", "-b 4096", "", 4096},
		{"ext4-4k-other", "-b 4096", "", 4096},
		{"ext4-1k", "-b 1024", "", 1024},
		{"data-journal", "-b 4096", "data=journal", 4096},
		{"nodelalloc", "-b 4096", "nodelalloc", 4096},
		{"bigalloc", "-b 4096 -O bigalloc -C 65536", "", 4096},
		{"inline-data", "-b 4096 -O inline_data", "", 4096},
		{"encrypt", "-b 4096 -O encrypt", "", 4096},
		{"quota", "-b 4096", "usrquota,grpquota", 4096, /*exclusive=*/true},
		{"errors-ro", "-b 4096", "errors=remount-ro", 4096, /*exclusive=*/true},
		{"read-only", "-b 4096", "", 4096, /*exclusive=*/true},
		{"dax", "-b 4096", "dax", 4096, /*exclusive=*/true, /*pmem=*/true},
		{"dax-inode", "-b 4096", "dax=inode", 4096, /*exclusive=*/true, /*pmem=*/true},
	};
}

} // namespace e4mext::regress
