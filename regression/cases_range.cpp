// Range rules: how orig_start, donor_start and len are checked and clamped. All in blocks.
#include "suite.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

namespace e4mext::regress {

namespace {

constexpr uint64_t k2p32 = 1ULL << 32;

// One move from an 8-block written original to an 8-block unwritten donor (or the given layouts).
std::function<std::string(Context &)> range(uint64_t orig_start, uint64_t donor_start, uint64_t len,
					    Layout orig = Layout{"WWWWWWWW"}, Layout donor = Layout{"UUUUUUUU"})
{
	return [=](Context &ctx) {
		const std::string o = ctx.make_file("orig", orig), d = ctx.make_file("donor", donor);
		return ctx.move_and_verify(o, d, orig_start, donor_start, len);
	};
}

// Files whose one written block sits at the far end of what ext4 can map (block 2^32-3, i_size
// 2^32-2 blocks): the 2^32-1 limits can be reached without the EOF clamp hiding them. Checks the
// original's last block is intact and reports the outcome.
std::string far_end_move(Context &ctx, uint64_t start, uint64_t len)
{
	const uint64_t bs = ctx.block_size();
	const uint64_t block = k2p32 - 3;
	std::vector<unsigned char> data(bs, 0xa5), back(bs);
	auto make = [&](const std::string &name, bool written) {
		e4mext::UniqueFd fd = ctx.open(ctx.path(name), O_CREAT | O_EXCL | O_RDWR);
		must(::ftruncate(fd.get(), static_cast<off_t>((k2p32 - 2) * bs)) == 0, "ftruncate " + name + " to 2^32-2 blocks");
		if (written)
			must(::pwrite(fd.get(), data.data(), bs, static_cast<off_t>(block * bs)) == static_cast<ssize_t>(bs),
			     "write");
		else
			must(::fallocate(fd.get(), FALLOC_FL_KEEP_SIZE, static_cast<off_t>(block * bs), static_cast<off_t>(bs)) ==
				     0,
			     "fallocate");
		must(::fsync(fd.get()) == 0, "fsync");
		return fd;
	};
	e4mext::UniqueFd o = make("orig", true), d = make("donor", false);
	std::string seen = ctx.move(o.get(), d.get(), start, start, len).text();
	o.reset();
	e4mext::UniqueFd check = ctx.open(ctx.path("orig"), O_RDONLY | O_DIRECT);
	void *buf = nullptr;
	must(::posix_memalign(&buf, 4096, bs) == 0, "posix_memalign");
	std::unique_ptr<void, decltype(&std::free)> owned(buf, &std::free);
	must(::pread(check.get(), buf, bs, static_cast<off_t>(block * bs)) == static_cast<ssize_t>(bs), "read back");
	if (std::memcmp(buf, data.data(), bs) != 0)
		seen += " !original-data-changed";
	return seen;
}
std::function<std::string(Context &)> far_end(uint64_t start, uint64_t len)
{
	return [=](Context &ctx) { return far_end_move(ctx, start, len); };
}

} // namespace

std::vector<Case> range_cases()
{
	const std::string full = " relocated=8 orig=WWWWWWWW donor=UUUUUUUU";
	const std::string none = " relocated=0 orig=WWWWWWWW donor=UUUUUUUU";
	return {
		// ---- the EOF clamp ----
		{"range/len-eof", "len = EOF (8 blocks)", "ext4-4k", expect("ok moved_len=8" + full),
		 expect("ok moved_len=8" + full, kFromSources), range(0, 0, 8)},
		{"range/len-eof-plus-1", "len = EOF+1, a hole past EOF: the off-by-one of the old clamp", "ext4-4k",
		 expect("ENODATA moved_len=8" + full),
		 expect("ok moved_len=8" + full, "new: the hole past EOF is skipped, measured on 6.19.13"), range(0, 0, 9)},
		{"range/len-eof-plus-1-prealloc",
		 "len = EOF+1, original 8 written blocks + 4 preallocated past EOF (KEEP_SIZE), donor 16 unwritten", "ext4-4k",
		 expect("ok moved_len=9 relocated=9 orig=WWWWWWWWUUUU donor=UUUUUUUUUUUUUUUU",
			"old: measured on 6.18.15: the preallocated block past EOF moves too"),
		 expect("ok moved_len=9 relocated=9 orig=WWWWWWWWUUUU donor=UUUUUUUUUUUUUUUU",
			"new: measured on 6.19.13: as old, one block past EOF moves; the series fixed only the hole case"),
		 range(0, 0, 9, Layout{"WWWWWWWWUUUU", 8}, Layout{std::string(16, 'U')})},
		{"range/len-eof-plus-2", "len = EOF+2", "ext4-4k", expect("ok moved_len=8" + full),
		 expect("ok moved_len=8" + full, kFromSources), range(0, 0, 10)},
		{"range/len-far-past-eof", "len = 1000 on an 8-block file", "ext4-4k", expect("ok moved_len=8" + full),
		 expect("ok moved_len=8" + full, kFromSources), range(0, 0, 1000)},
		{"range/donor-shorter", "donor EOF at 4 blocks, len 8: clamped to the donor", "ext4-4k",
		 expect("ok moved_len=4 relocated=4 orig=WWWWWWWW donor=UUUU"),
		 expect("ok moved_len=4 relocated=4 orig=WWWWWWWW donor=UUUU", kFromSources),
		 range(0, 0, 8, Layout{"WWWWWWWW"}, Layout{"UUUU"})},
		{"range/prealloc-past-eof", "original: 4 written blocks + 4 preallocated past EOF, len 8", "ext4-4k",
		 expect("ok moved_len=4 relocated=4 orig=WWWWUUUU donor=UUUUUUUU"),
		 expect("ok moved_len=4 relocated=4 orig=WWWWUUUU donor=UUUUUUUU", kFromSources),
		 range(0, 0, 8, Layout{"WWWWUUUU", 4})},
		{"range/partial-last-block", "original i_size 4 blocks + 100 bytes: the partial block moves", "ext4-4k",
		 expect("ok moved_len=5 relocated=5 orig=WWWWW donor=UUUUUUUU"),
		 expect("ok moved_len=5 relocated=5 orig=WWWWW donor=UUUUUUUU", kFromSources),
		 range(0, 0, 8, Layout{"WWWWW", 4, 100})},
		// ---- starts at or beyond EOF, empty files ----
		{"range/orig-start-at-eof",
		 "orig_start = EOF, donor_start 0: len clamps to 0, then the donor clamp's len-1 wraps it back to 8", "ext4-4k",
		 expect("ENODATA moved_len=0" + none), expect("ok moved_len=0" + none, kMeasuredNew), range(8, 0, 1)},
		{"range/orig-start-past-eof", "orig_start = EOF+4, donor_start 0 (the same wrap)", "ext4-4k",
		 expect("ENODATA moved_len=0" + none), expect("ok moved_len=0" + none, kMeasuredNew), range(12, 0, 1)},
		{"range/orig-start-at-eof-donor-too", "orig_start = EOF = donor_start (donor 16 blocks)", "ext4-4k",
		 expect("EINVAL moved_len=0 relocated=0 orig=WWWWWWWW donor=UUUUUUUUUUUUUUUU"),
		 expect("EINVAL moved_len=0 relocated=0 orig=WWWWWWWW donor=UUUUUUUUUUUUUUUU", kFromSources),
		 range(8, 8, 1, Layout{"WWWWWWWW"}, Layout{std::string(16, 'U')})},
		{"range/donor-start-at-eof", "donor_start = donor's EOF", "ext4-4k", expect("EINVAL moved_len=0" + none),
		 expect("EINVAL moved_len=0" + none, kFromSources), range(0, 8, 1)},
		{"range/orig-size-zero", "original i_size 0 with 8 blocks preallocated", "ext4-4k",
		 expect("EINVAL moved_len=0 relocated=0 orig=UUUUUUUU donor=UUUUUUUU"),
		 expect("EINVAL moved_len=0 relocated=0 orig=UUUUUUUU donor=UUUUUUUU", kFromSources),
		 range(0, 0, 8, Layout{"UUUUUUUU", 0})},
		{"range/donor-size-zero", "donor i_size 0 with 8 blocks preallocated", "ext4-4k",
		 expect("EINVAL moved_len=0" + none), expect("EINVAL moved_len=0" + none, kFromSources),
		 range(0, 0, 8, Layout{"WWWWWWWW"}, Layout{"UUUUUUUU", 0})},
		// ---- a leading hole ----
		{"range/inside-leading-hole", "original HHHHWWWW, orig_start 0 len 2: the range lies wholly in the hole", "ext4-4k",
		 expect("ok moved_len=0 relocated=0 orig=HHHHWWWW donor=UUUUUUUU", kMeasuredOld),
		 expect("ok moved_len=0 relocated=0 orig=HHHHWWWW donor=UUUUUUUU", kMeasuredNew),
		 range(0, 0, 2, Layout{"HHHHWWWW"})},
		// ---- len 0 ----
		{"range/len-zero-start-zero", "len 0, starts 0: wraps to 'up to EOF'", "ext4-4k", expect("ok moved_len=8" + full),
		 expect("ok moved_len=8" + full, kFromSources), range(0, 0, 0)},
		{"range/len-zero-start-one", "len 0, starts 1", "ext4-4k", expect("EINVAL moved_len=0" + none),
		 expect("EINVAL moved_len=0" + none, kFromSources), range(1, 1, 0)},
		// ---- the 2^32-1 limits ----
		{"range/orig-start-2p32-1", "orig_start = 2^32-1", "ext4-4k", expect("EINVAL moved_len=0" + none),
		 expect("EINVAL moved_len=0" + none, kFromSources), range(k2p32 - 1, 0, 1)},
		{"range/donor-start-2p32-1", "donor_start = 2^32-1", "ext4-4k", expect("EINVAL moved_len=0" + none),
		 expect("EINVAL moved_len=0" + none, kFromSources), range(0, k2p32 - 1, 1)},
		{"range/len-2p32", "len = 2^32 on an 8-block file", "ext4-4k", expect("EINVAL moved_len=0" + none),
		 expect("EINVAL moved_len=0" + none, kFromSources), range(0, 0, k2p32)},
		{"range/len-u64-max", "orig_start 1, len 2^64-1 (start+len wraps)", "ext4-4k", expect("EINVAL moved_len=0" + none),
		 expect("EINVAL moved_len=0" + none, kFromSources), range(1, 1, ~0ULL)},
		{"range/start-u64-max", "orig_start = donor_start = 2^64-1", "ext4-4k", expect("EINVAL moved_len=0" + none),
		 expect("EINVAL moved_len=0" + none, kFromSources), range(~0ULL, ~0ULL, 1)},
		{"range/far-end-below-limit", "block 2^32-3 of files 2^32-2 blocks long, len 1 (start+len = 2^32-2)", "ext4-4k",
		 expect("ok moved_len=1"), expect("ok moved_len=1", kFromSources), far_end(k2p32 - 3, 1)},
		{"range/far-end-at-limit", "block 2^32-3, len 2 (start+len = 2^32-1)", "ext4-4k", expect("EINVAL moved_len=0"),
		 expect("EINVAL moved_len=0", kFromSources), far_end(k2p32 - 3, 2)},
		// ---- block size < page size: same offset in a page ----
		{"range/1k-different-page-offset", "1K blocks: orig_start 1, donor_start 2 (different offsets in a page)",
		 "ext4-1k", expect("EINVAL moved_len=0 relocated=0 orig=WWWWWWWWWWWWWWWW donor=UUUUUUUUUUUUUUUU"),
		 expect("EINVAL moved_len=0 relocated=0 orig=WWWWWWWWWWWWWWWW donor=UUUUUUUUUUUUUUUU", kFromSources),
		 range(1, 2, 4, Layout{std::string(16, 'W')}, Layout{std::string(16, 'U')})},
		{"range/1k-same-page-offset", "1K blocks: orig_start 1, donor_start 5 (same offset, other page)", "ext4-1k",
		 expect("ok moved_len=4 relocated=4 orig=WWWWWWWWWWWWWWWW donor=UUUUUUUUUUUUUUUU"),
		 expect("ok moved_len=4 relocated=4 orig=WWWWWWWWWWWWWWWW donor=UUUUUUUUUUUUUUUU", kFromSources),
		 range(1, 5, 4, Layout{std::string(16, 'W')}, Layout{std::string(16, 'U')})},
		{"range/1k-unaligned-len", "1K blocks: starts 0, len 3 (ends inside a page)", "ext4-1k",
		 expect("ok moved_len=3 relocated=3 orig=WWWWWWWWWWWWWWWW donor=UUUUUUUUUUUUUUUU"),
		 expect("ok moved_len=3 relocated=3 orig=WWWWWWWWWWWWWWWW donor=UUUUUUUUUUUUUUUU", kFromSources),
		 range(0, 0, 3, Layout{std::string(16, 'W')}, Layout{std::string(16, 'U')})},
		// ---- partial ranges ----
		{"range/partial-middle", "blocks 4..7 of 16, same offsets", "ext4-4k",
		 expect("ok moved_len=4 relocated=4 orig=WWWWWWWWWWWWWWWW donor=UUUUUUUUUUUUUUUU"),
		 expect("ok moved_len=4 relocated=4 orig=WWWWWWWWWWWWWWWW donor=UUUUUUUUUUUUUUUU", kFromSources),
		 range(4, 4, 4, Layout{std::string(16, 'W')}, Layout{std::string(16, 'U')})},
		{"range/partial-shifted", "original blocks 2..4 into donor blocks 10..12", "ext4-4k",
		 expect("ok moved_len=3 relocated=3 orig=WWWWWWWWWWWWWWWW donor=UUUUUUUUUUUUUUUU"),
		 expect("ok moved_len=3 relocated=3 orig=WWWWWWWWWWWWWWWW donor=UUUUUUUUUUUUUUUU", kFromSources),
		 range(2, 10, 3, Layout{std::string(16, 'W')}, Layout{std::string(16, 'U')})},
		{"range/partial-tail-clamped", "orig_start 6, len 8 on an 8-block file: clamped to 2", "ext4-4k",
		 expect("ok moved_len=2 relocated=2 orig=WWWWWWWW donor=UUUUUUUU"),
		 expect("ok moved_len=2 relocated=2 orig=WWWWWWWW donor=UUUUUUUU", kFromSources), range(6, 0, 8)},
	};
}

} // namespace e4mext::regress
