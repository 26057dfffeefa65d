#include "extent_map.h"

#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <memory>

namespace e4mext {

Result<ExtentMap> read_extent_map(int fd, unsigned block_shift, bool sync, const std::string &what)
{
	constexpr unsigned kBatch = 512;
	const size_t bytes = sizeof(struct fiemap) + kBatch * sizeof(struct fiemap_extent);
	std::unique_ptr<struct fiemap, decltype(&std::free)> fm(static_cast<struct fiemap *>(std::calloc(1, bytes)), &std::free);
	if (!fm)
		return errno_error(ENOMEM, "FIEMAP of " + what);

	ExtentMap out;
	uint64_t next = 0;
	for (;;) {
		std::fill_n(reinterpret_cast<char *>(fm.get()), bytes, 0);
		fm->fm_start = next;
		fm->fm_length = FIEMAP_MAX_OFFSET - next;
		fm->fm_flags = sync ? FIEMAP_FLAG_SYNC : 0;
		fm->fm_extent_count = kBatch;
		if (::ioctl(fd, FS_IOC_FIEMAP, fm.get()) != 0)
			return errno_error(errno, "FIEMAP of " + what);
		if (fm->fm_mapped_extents == 0)
			return out;
		for (unsigned i = 0; i < fm->fm_mapped_extents; ++i) {
			const struct fiemap_extent &fe = fm->fm_extents[i];
			out.push_back({fe.fe_logical >> block_shift, fe.fe_physical >> block_shift, fe.fe_length >> block_shift,
				       (fe.fe_flags & FIEMAP_EXTENT_UNWRITTEN) != 0});
			if (fe.fe_flags & FIEMAP_EXTENT_LAST)
				return out;
			next = fe.fe_logical + fe.fe_length;
		}
	}
}

void forget_cached_extents(int fd) noexcept
{
	constexpr unsigned long kClearEsCache = _IO('f', 40); // EXT4_IOC_CLEAR_ES_CACHE
	::ioctl(fd, kClearEsCache);
}

ExtentSummary summarize(const ExtentMap &map)
{
	ExtentSummary s;
	for (const Extent &e : map) {
		++s.extents;
		++(e.unwritten ? s.unwritten : s.written);
		s.blocks += e.length;
	}
	return s;
}

uint64_t blocks_relocated(const ExtentMap &before, const ExtentMap &after)
{
	uint64_t relocated = 0;
	size_t i = 0, j = 0;
	while (i < before.size() && j < after.size()) {
		const Extent &b = before[i], &a = after[j];
		const uint64_t lo = std::max(b.logical, a.logical);
		const uint64_t hi = std::min(b.logical + b.length, a.logical + a.length);
		if (lo < hi) {
			// Within the overlap both maps are linear, so either every block kept its place or none did.
			const bool same_place = b.physical + (lo - b.logical) == a.physical + (lo - a.logical);
			if (!same_place)
				relocated += hi - lo;
		}
		(b.logical + b.length <= a.logical + a.length) ? ++i : ++j;
	}
	return relocated;
}

} // namespace e4mext
