#include "suite.h"

#include "checksum.h"
#include "move_extent.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <new>

namespace e4mext::regress {

namespace {

constexpr uint64_t kMovedLenSentinel = 0x5a5a5a5a5a5a5a5aULL;

// The data of written block `block` of a file named `name`: distinct per file and per block.
void fill_pattern(const std::string &name, uint64_t block, unsigned char *buf, size_t len)
{
	uint64_t seed = std::hash<std::string>{}(name) ^ (block * 0x9e3779b97f4a7c15ULL);
	for (size_t i = 0; i < len; ++i) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		buf[i] = static_cast<unsigned char>(seed >> 56);
	}
}

uint64_t checksum_of(const std::vector<unsigned char> &content)
{
	constexpr size_t kChunk = 1 << 20;
	e4mext::ContentHash hash;
	for (size_t at = 0; at < content.size(); at += kChunk)
		hash.update(content.data() + at, std::min(kChunk, content.size() - at));
	return hash.value();
}

// The checksum readers see: O_DIRECT (dirty pages are written back first, then the blocks are read
// from the device) where the file allows it; buffered where it does not.
uint64_t read_checksum(const std::string &path)
{
	if (const auto direct = e4mext::checksum_file_direct(path); direct) {
		return direct->hash;
	} else {
		e4mext::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
		must(fd.valid(), "open " + path);
		std::vector<unsigned char> content;
		unsigned char buf[65536];
		for (;;) {
			ssize_t n = ::read(fd.get(), buf, sizeof(buf));
			must(n >= 0, "read " + path);
			if (n == 0)
				break;
			content.insert(content.end(), buf, buf + n);
		}
		return checksum_of(content);
	}
}

// Per-block state from a FIEMAP map: W written, U unwritten, H hole, up to `blocks` (at least)
// and as far as the map reaches.
std::string block_states(const e4mext::ExtentMap &map, uint64_t blocks)
{
	for (const e4mext::Extent &e : map)
		blocks = std::max(blocks, e.logical + e.length);
	std::string states(blocks, 'H');
	for (const e4mext::Extent &e : map)
		for (uint64_t b = e.logical; b < e.logical + e.length; ++b)
			states[b] = e.unwritten ? 'U' : 'W';
	return states;
}

std::optional<uint64_t> physical_of(const e4mext::ExtentMap &map, uint64_t logical, bool *unwritten = nullptr)
{
	for (const e4mext::Extent &e : map) {
		if (logical >= e.logical && logical < e.logical + e.length) {
			if (unwritten)
				*unwritten = e.unwritten;
			return e.physical + (logical - e.logical);
		}
	}
	return std::nullopt;
}

unsigned shift_of(unsigned block_size)
{
	unsigned shift = 0;
	while ((1u << shift) < block_size)
		++shift;
	return shift;
}

// Expected checksums of the files make_file() wrote, by path.
std::map<std::string, uint64_t> &known_checksums()
{
	static std::map<std::string, uint64_t> sums;
	return sums;
}

} // namespace

const char *behaviour_name(Behaviour b)
{
	return b == Behaviour::Old ? "old" : "new";
}

Expected expect(std::string text, std::string note)
{
	return Expected{std::move(text), std::move(note)};
}

std::optional<Expected> expectation_for(const Case &c, Behaviour b, const std::optional<KernelRelease> &k)
{
	std::optional<Expected> e = b == Behaviour::Old ? std::optional<Expected>(c.old_kernel) : c.new_kernel;
	if (!k)
		return e;
	std::vector<const Change *> mine;
	std::vector<Releases> ranges;
	for (const Change &change : c.changes)
		if (change.implementation == b) {
			mine.push_back(&change);
			ranges.push_back(change.releases);
		}
	if (const std::optional<size_t> i = last_holding(ranges, *k)) {
		const Change &change = *mine[*i];
		e = change.answer;
		e->note = change.releases.text() + (change.answer.note.empty() ? "" : ": " + change.answer.note);
	}
	return e;
}

void must(bool ok, const std::string &what)
{
	if (!ok)
		throw std::runtime_error(what + ": " + errno_name(errno) + " (" + std::strerror(errno) + ")");
}

void set_inode_flags(int fd, uint32_t set, uint32_t clear)
{
	int flags = 0;
	must(::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0, "FS_IOC_GETFLAGS");
	flags = static_cast<int>((static_cast<uint32_t>(flags) | set) & ~clear);
	must(::ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0, "FS_IOC_SETFLAGS");
}

std::string MoveOutcome::text() const
{
	std::string s = err == 0 ? "ok" : errno_name(err);
	s += " moved_len=" + (moved_len ? std::to_string(*moved_len) : std::string("untouched"));
	return s;
}

Context::Context(const FsProfile &fs, ScratchFs &scratch_fs, const std::string &case_dir, const std::string &scratch,
		 FsLookup other_fs)
	: fs_(fs), fs_mount_(&scratch_fs), case_dir_(case_dir), dir_(scratch_fs.mnt() + "/" + case_dir), scratch_(scratch),
	  other_fs_(std::move(other_fs))
{
	std::filesystem::create_directories(dir_);
	dirs_.push_back(dir_);
}

std::string Context::other_dir(const std::string &profile)
{
	const std::string d = other_fs_(profile).mnt() + "/" + case_dir_;
	std::filesystem::create_directories(d);
	dirs_.push_back(d);
	return d;
}

bool Context::content_unchanged(const std::string &p) const
{
	auto known = known_checksums().find(p);
	if (known == known_checksums().end())
		throw std::logic_error(p + " was not made by make_file");
	return read_checksum(p) == known->second;
}

void Context::rewritten(const std::string &p)
{
	known_checksums().erase(p);
}

Context::~Context()
{
	while (!held_.empty())
		held_.pop_back(); // in reverse: a swapfile goes before the fs it lives on, fds before mounts
	for (const std::string &d : dirs_) {
		// Flags a case set (immutable, append-only) would stop the removal.
		std::error_code ec;
		for (auto it = std::filesystem::recursive_directory_iterator(d, ec); !ec && it != decltype(it){};
		     it.increment(ec)) {
			if (it->is_symlink(ec) || !it->is_regular_file(ec))
				continue;
			e4mext::UniqueFd fd(::open(it->path().c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
			int flags = 0;
			if (fd.valid() && ::ioctl(fd.get(), FS_IOC_GETFLAGS, &flags) == 0 &&
			    (flags & (FS_IMMUTABLE_FL | FS_APPEND_FL))) {
				flags &= ~(FS_IMMUTABLE_FL | FS_APPEND_FL);
				::ioctl(fd.get(), FS_IOC_SETFLAGS, &flags);
			}
			known_checksums().erase(it->path().string());
		}
		std::filesystem::remove_all(d, ec);
	}
}

std::string Context::make_file(const std::string &name, const Layout &layout, bool sync)
{
	const std::string p = name.find('/') == std::string::npos ? path(name) : name;
	const uint64_t bs = block_size();
	const uint64_t size = layout.size_blocks.value_or(layout.blocks.size()) * bs + layout.size_tail_bytes;
	e4mext::UniqueFd fd(::open(p.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0644));
	must(fd.valid(), "create " + p);
	must(::ftruncate(fd.get(), static_cast<off_t>(size)) == 0, "ftruncate " + p);
	std::vector<unsigned char> content(size, 0);
	for (uint64_t b = 0; b < layout.blocks.size(); ++b) {
		const uint64_t off = b * bs;
		switch (layout.blocks[b]) {
		case 'W': {
			if (off >= size)
				throw std::logic_error("layout of " + name + " writes block " + std::to_string(b) + " past i_size");
			const size_t len = static_cast<size_t>(std::min(bs, size - off));
			fill_pattern(name, b, content.data() + off, len);
			must(::pwrite(fd.get(), content.data() + off, len, static_cast<off_t>(off)) == static_cast<ssize_t>(len),
			     "write " + p);
			break;
		}
		case 'U':
			must(::fallocate(fd.get(), FALLOC_FL_KEEP_SIZE, static_cast<off_t>(off), static_cast<off_t>(bs)) == 0,
			     "fallocate " + p);
			break;
		case 'H': break;
		default: throw std::logic_error("layout of " + name + ": unknown block kind '" + layout.blocks[b] + "'");
		}
	}
	if (sync)
		must(::fsync(fd.get()) == 0, "fsync " + p);
	known_checksums()[p] = checksum_of(content);
	return p;
}

e4mext::UniqueFd Context::open(const std::string &p, int flags) const
{
	e4mext::UniqueFd fd(::open(p.c_str(), flags | O_CLOEXEC, 0644));
	must(fd.valid(), "open " + p);
	return fd;
}

FileSnapshot Context::snapshot(const std::string &p) const
{
	FileSnapshot s;
	s.path = p;
	struct stat st;
	must(::stat(p.c_str(), &st) == 0, "stat " + p);
	s.size = static_cast<uint64_t>(st.st_size);
	auto known = known_checksums().find(p);
	// Files the suite wrote have a known checksum: reading them here would flush delayed allocations.
	s.checksum = known != known_checksums().end() ? known->second : read_checksum(p);
	e4mext::UniqueFd fd = open(p, O_RDONLY);
	auto map = e4mext::read_extent_map(fd.get(), shift_of(block_size()), false, p);
	if (!map)
		throw std::runtime_error("FIEMAP " + p + ": " + errno_name(map.error().errnum));
	s.map = std::move(map.value());
	// Delayed allocations have no physical block yet (FIEMAP reports 0): not mapped for our purposes.
	std::erase_if(s.map, [](const e4mext::Extent &e) { return e.physical == 0; });
	return s;
}

MoveOutcome Context::move(int orig_fd, int donor_fd, uint64_t orig_start, uint64_t donor_start, uint64_t len, bool read_only_args,
			  uint32_t reserved) const
{
	const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
	void *mem = ::mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	must(mem != MAP_FAILED, "mmap a page for the ioctl argument");
	auto *args = new (mem) e4mext::MoveExtentArgs{};
	args->reserved = reserved;
	args->donor_fd = static_cast<__u32>(donor_fd);
	args->orig_start = orig_start;
	args->donor_start = donor_start;
	args->len = len;
	args->moved_len = kMovedLenSentinel;
	if (read_only_args)
		must(::mprotect(mem, page, PROT_READ) == 0, "mprotect the ioctl argument read-only");
	MoveOutcome out;
	out.err = ::ioctl(orig_fd, e4mext::kMoveExtIoctl, args) == 0 ? 0 : errno;
	if (args->moved_len != kMovedLenSentinel)
		out.moved_len = args->moved_len;
	::munmap(mem, page);
	return out;
}

std::string Context::move_and_verify(const std::string &orig, const std::string &donor, uint64_t orig_start, uint64_t donor_start,
				     uint64_t len, const MoveOptions &options)
{
	const FileSnapshot orig_before = snapshot(orig);
	const FileSnapshot donor_before = snapshot(donor);
	MoveOutcome outcome;
	{
		e4mext::UniqueFd ofd = open(orig, options.orig_flags);
		e4mext::UniqueFd dfd = open(donor, options.donor_flags);
		if (options.before_move)
			options.before_move(ofd.get(), dfd.get());
		outcome = move(ofd.get(), dfd.get(), orig_start, donor_start, len, options.read_only_args, options.reserved);
	}
	std::string seen = outcome.text();
	std::string problems;

	// The one invariant that matters: the original's data, read back from the device.
	if (read_checksum(orig) != orig_before.checksum)
		problems += " !original-data-changed";
	struct stat st;
	must(::stat(orig.c_str(), &st) == 0, "stat " + orig);
	if (static_cast<uint64_t>(st.st_size) != orig_before.size)
		problems += " !original-size-changed";
	must(::stat(donor.c_str(), &st) == 0, "stat " + donor);
	if (static_cast<uint64_t>(st.st_size) != donor_before.size)
		problems += " !donor-size-changed";

	// Reading the maps after the checksum: the O_DIRECT read has written back what the move redirtied.
	const FileSnapshot orig_after = snapshot(orig);
	const FileSnapshot donor_after = snapshot(donor);
	const uint64_t bs = block_size();
	const uint64_t relocated = e4mext::blocks_relocated(orig_before.map, orig_after.map);

	// The blocks the donor received from the original: unwritten, and read as zeros from the device
	// (O_DIRECT). What a buffered read of them returns is reported, not judged: the old code leaves
	// the donor's cached pages in place ("donor-cache=stale").
	uint64_t received = 0;
	bool stale_cache = false;
	e4mext::UniqueFd direct = open(donor, O_RDONLY | O_DIRECT), buffered = open(donor, O_RDONLY);
	void *raw = nullptr;
	must(::posix_memalign(&raw, 4096, bs) == 0, "posix_memalign");
	std::unique_ptr<unsigned char, decltype(&std::free)> block(static_cast<unsigned char *>(raw), &std::free);
	auto reads_zero = [&](int fd, uint64_t blk) {
		const ssize_t n = ::pread(fd, block.get(), bs, static_cast<off_t>(blk * bs));
		must(n >= 0, "read " + donor + " block " + std::to_string(blk));
		return std::all_of(block.get(), block.get() + n, [](unsigned char c) { return c == 0; });
	};
	const uint64_t span = std::min<uint64_t>(len == 0 ? (orig_before.size + bs - 1) / bs : len, 1u << 20);
	for (uint64_t i = 0; i < span; ++i) {
		auto before = physical_of(orig_before.map, orig_start + i);
		bool unwritten = false;
		auto now = physical_of(donor_after.map, donor_start + i, &unwritten);
		if (!before || !now || *before != *now)
			continue;
		++received;
		const std::string which = " !donor-block-" + std::to_string(donor_start + i);
		if (!unwritten)
			problems += which + "-received-written";
		if (!reads_zero(direct.get(), donor_start + i))
			problems += which + "-reads-nonzero-from-disk";
		if (!reads_zero(buffered.get(), donor_start + i))
			stale_cache = true;
	}
	if (received != relocated)
		problems += " !relocated-" + std::to_string(relocated) + "-but-donor-received-" + std::to_string(received);

	if (!options.report_relocated && outcome.err != 0 && relocated != 0)
		problems += " !refused-but-relocated-" + std::to_string(relocated);
	if (options.report_relocated) {
		seen += " relocated=" + std::to_string(relocated);
		seen += " orig=" + block_states(orig_after.map, (orig_before.size + bs - 1) / bs);
		seen += " donor=" + block_states(donor_after.map, (donor_before.size + bs - 1) / bs);
	}
	if (stale_cache)
		seen += " donor-cache=stale";
	return seen + problems;
}

} // namespace e4mext::regress
