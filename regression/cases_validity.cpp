// The validity table: which (original, donor) pairs EXT4_IOC_MOVE_EXT refuses, with which errno,
// and whether moved_len is written back. Each case builds an 8-block written original and an
// 8-block unwritten donor (a move that would succeed), then changes one thing.
#include "suite.h"

#include "file_facts.h"
#include "move_extent.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/fscrypt.h>
#include <sys/ioctl.h>
#include <sys/quota.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

namespace e4mext::regress {

namespace {

const Layout kOrig{"WWWWWWWW"};
const Layout kDonor{"UUUUUUUU"};

struct Pair {
	std::string orig, donor;
};
Pair make_pair(Context &ctx)
{
	return {ctx.make_file("orig", kOrig), ctx.make_file("donor", kDonor)};
}

// The move on fds the case opened itself (special files, odd modes).
std::string move_fds(Context &ctx, int orig_fd, int donor_fd)
{
	return ctx.move(orig_fd, donor_fd, 0, 0, 8).text();
}

// Valid pair, but the original is opened with `flags`.
std::string orig_opened(Context &ctx, int flags)
{
	Pair p = make_pair(ctx);
	e4mext::UniqueFd o = ctx.open(p.orig, flags), d = ctx.open(p.donor, O_RDWR);
	return move_fds(ctx, o.get(), d.get());
}

// Valid original; the donor is opened with `flags`.
std::string donor_opened(Context &ctx, const std::string &donor, int flags)
{
	const std::string orig = ctx.make_file("orig", kOrig);
	e4mext::UniqueFd o = ctx.open(orig, O_RDWR), d = ctx.open(donor, flags);
	return move_fds(ctx, o.get(), d.get());
}

// Valid pair; one of them gets inode flags after it was opened (immutable and append-only files
// cannot be opened for writing, so the flag must come later).
std::string with_flags_after_open(Context &ctx, bool on_donor, uint32_t flags)
{
	Pair p = make_pair(ctx);
	MoveOptions o;
	o.before_move = [&](int ofd, int dfd) { set_inode_flags(on_donor ? dfd : ofd, flags, 0); };
	return ctx.refused_move(p.orig, p.donor, o);
}

// The original on this case's filesystem, the donor on a tmpfs: the move, and whether the
// original's bytes survived.
std::string with_donor_on_tmpfs(Context &ctx)
{
	ExtraMount &tmp = ctx.hold(std::make_unique<ExtraMount>("", ctx.scratch() + "/tmpfs"));
	const std::string orig = ctx.make_file("orig", kOrig), donor = ctx.make_file(tmp.path() + "/donor", kOrig);
	e4mext::UniqueFd o = ctx.open(orig, O_RDWR), d = ctx.open(donor, O_RDWR);
	std::string seen = move_fds(ctx, o.get(), d.get());
	o.reset();
	return seen + (ctx.content_unchanged(orig) ? "" : " !original-data-changed");
}

std::string with_mode(Context &ctx, bool on_donor, mode_t mode)
{
	Pair p = make_pair(ctx);
	must(::chmod((on_donor ? p.donor : p.orig).c_str(), mode) == 0, "chmod");
	return ctx.refused_move(p.orig, p.donor);
}

// DAX per file (mounted dax=inode): files made in a directory with FS_XFLAG_DAX inherit it and use
// DAX at once; files in a directory without it do not. On a -o dax mount every file is DAX. Each
// file's DAX state is read back with statx (STATX_ATTR_DAX), so a case whose setup did not take
// says so instead of passing on a non-DAX file.
std::string dax_dir(Context &ctx, bool dax)
{
	const std::string dir = ctx.path(dax ? "dax" : "no-dax");
	if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
		must(false, "mkdir " + dir);
	if (dax) {
		e4mext::UniqueFd fd = ctx.open(dir, O_RDONLY | O_DIRECTORY);
		struct fsxattr x {};
		must(::ioctl(fd.get(), FS_IOC_FSGETXATTR, &x) == 0, "FS_IOC_FSGETXATTR " + dir);
		x.fsx_xflags |= FS_XFLAG_DAX;
		must(::ioctl(fd.get(), FS_IOC_FSSETXATTR, &x) == 0, "FS_IOC_FSSETXATTR FS_XFLAG_DAX on " + dir);
	}
	return dir;
}

bool uses_dax(const std::string &path)
{
	struct statx stx;
	must(::statx(AT_FDCWD, path.c_str(), 0, STATX_BASIC_STATS, &stx) == 0, "statx " + path);
	if (!(stx.stx_attributes_mask & STATX_ATTR_DAX))
		throw NotRun("statx on this kernel does not report STATX_ATTR_DAX, so the files' DAX state is unknown");
	return stx.stx_attributes & STATX_ATTR_DAX;
}

// The refused move plus a problem for each file whose DAX state is not what the case set up.
std::string dax_move(Context &ctx, const std::string &orig, const std::string &donor, bool orig_dax, bool donor_dax)
{
	std::string problems;
	if (uses_dax(orig) != orig_dax)
		problems += orig_dax ? " !orig-not-dax" : " !orig-dax";
	if (uses_dax(donor) != donor_dax)
		problems += donor_dax ? " !donor-not-dax" : " !donor-dax";
	return ctx.refused_move(orig, donor) + problems;
}

std::string with_dax_mount(Context &ctx)
{
	Pair p = make_pair(ctx);
	return dax_move(ctx, p.orig, p.donor, true, true);
}

std::string with_dax_files(Context &ctx, bool orig_dax, bool donor_dax)
{
	const std::string orig = ctx.make_file(dax_dir(ctx, orig_dax) + "/orig", kOrig);
	const std::string donor = ctx.make_file(dax_dir(ctx, donor_dax) + "/donor", kDonor);
	return dax_move(ctx, orig, donor, orig_dax, donor_dax);
}

bool has_capability(int cap)
{
	std::ifstream status("/proc/self/status");
	for (std::string line; std::getline(status, line);)
		if (line.rfind("CapEff:", 0) == 0)
			return (std::stoull(line.substr(7), nullptr, 16) >> cap) & 1;
	return false;
}

// Valid pair; one of them gets per-file data journaling (chattr +j).
std::string with_journal_data_flag(Context &ctx, bool on_donor)
{
	if (!has_capability(CAP_SYS_RESOURCE))
		throw NotRun("setting the per-file data journaling flag needs CAP_SYS_RESOURCE, which this process lacks");
	Pair p = make_pair(ctx);
	e4mext::UniqueFd fd = ctx.open(on_donor ? p.donor : p.orig, O_RDONLY);
	set_inode_flags(fd.get(), e4mext::kFlagJournalData, 0);
	fd.reset();
	return ctx.refused_move(p.orig, p.donor);
}

// A swapfile in this case's directory, active for the rest of the case.
std::string make_active_swapfile(Context &ctx, const std::string &name)
{
	const std::string p = ctx.make_file(name, Layout{std::string(256, 'W')}); // 1 MiB at 4K blocks
	must(::chmod(p.c_str(), 0600) == 0, "chmod " + p);
	CommandResult r;
	try {
		r = run_command({"mkswap", p});
	} catch (const std::system_error &) {
		throw NotRun("needs mkswap (util-linux)");
	}
	if (!r.ok())
		throw std::runtime_error("mkswap " + p + ": " + r.err);
	ctx.rewritten(p);
	ctx.hold(std::make_unique<ActiveSwapfile>(p));
	return p;
}

// fscrypt v2: an encrypted directory unlocked with a random key added to the filesystem.
std::string make_encrypted_dir(Context &ctx)
{
	const std::string dir = ctx.path("encrypted");
	must(::mkdir(dir.c_str(), 0755) == 0, "mkdir " + dir);
	e4mext::UniqueFd dfd = ctx.open(dir, O_RDONLY | O_DIRECTORY);

	// struct fscrypt_add_key_arg ends in the raw key (a flexible array member).
	alignas(fscrypt_add_key_arg) unsigned char key_buf[sizeof(fscrypt_add_key_arg) + FSCRYPT_MAX_KEY_SIZE] = {};
	auto *key = reinterpret_cast<fscrypt_add_key_arg *>(key_buf);
	key->key_spec.type = FSCRYPT_KEY_SPEC_TYPE_IDENTIFIER;
	key->raw_size = FSCRYPT_MAX_KEY_SIZE;
	std::ifstream("/dev/urandom", std::ios::binary)
		.read(reinterpret_cast<char *>(key_buf + sizeof(fscrypt_add_key_arg)), FSCRYPT_MAX_KEY_SIZE);
	if (::ioctl(dfd.get(), FS_IOC_ADD_ENCRYPTION_KEY, key) != 0)
		throw NotRun("FS_IOC_ADD_ENCRYPTION_KEY: " + errno_name(errno) +
			     " (kernel without fscrypt v2 or filesystem without -O encrypt)");

	fscrypt_policy_v2 policy{};
	policy.version = FSCRYPT_POLICY_V2;
	policy.contents_encryption_mode = FSCRYPT_MODE_AES_256_XTS;
	policy.filenames_encryption_mode = FSCRYPT_MODE_AES_256_CTS;
	policy.flags = FSCRYPT_POLICY_FLAGS_PAD_32;
	std::memcpy(policy.master_key_identifier, key->key_spec.u.identifier, FSCRYPT_KEY_IDENTIFIER_SIZE);
	if (::ioctl(dfd.get(), FS_IOC_SET_ENCRYPTION_POLICY, &policy) != 0)
		throw NotRun("FS_IOC_SET_ENCRYPTION_POLICY: " + errno_name(errno));
	return dir;
}

std::string with_encrypted(Context &ctx, bool orig_encrypted, bool donor_encrypted)
{
	const std::string enc = make_encrypted_dir(ctx);
	std::string orig, donor;
	try {
		orig = ctx.make_file(orig_encrypted ? enc + "/orig" : "orig", kOrig);
		donor = ctx.make_file(donor_encrypted ? enc + "/donor" : "donor", kDonor);
	} catch (const std::runtime_error &e) {
		if (std::strstr(e.what(), "ENOPKG"))
			throw NotRun(std::string("the kernel lacks the AES-256-XTS/CTS crypto: ") + e.what());
		throw;
	}
	e4mext::UniqueFd fd = ctx.open(orig_encrypted ? orig : donor, O_RDONLY);
	int flags = 0;
	must(::ioctl(fd.get(), FS_IOC_GETFLAGS, &flags) == 0, "FS_IOC_GETFLAGS");
	if (!(static_cast<uint32_t>(flags) & e4mext::kFlagEncrypted))
		throw std::runtime_error("precondition: the file in the encrypted directory is not encrypted");
	return ctx.refused_move(orig, donor);
}

// inline_data: a 60-byte file lives in the inode, a 4K one in an extent.
std::string with_inline(Context &ctx, bool orig_inline)
{
	const Layout tiny{"W", 0, 60};
	const std::string orig = ctx.make_file("orig", orig_inline ? tiny : kOrig);
	const std::string donor = ctx.make_file("donor", orig_inline ? kDonor : tiny);
	e4mext::UniqueFd fd = ctx.open(orig_inline ? orig : donor, O_RDONLY);
	int flags = 0;
	must(::ioctl(fd.get(), FS_IOC_GETFLAGS, &flags) == 0, "FS_IOC_GETFLAGS");
	if (!(static_cast<uint32_t>(flags) & e4mext::kFlagInlineData))
		throw std::runtime_error("precondition: the 60-byte file did not get inline data");
	return ctx.refused_move(orig, donor);
}

// A file mapped by indirect blocks: made with extents, then migrated (chattr -e).
std::string with_indirect(Context &ctx, bool orig_indirect)
{
	Pair p = make_pair(ctx);
	if (!orig_indirect) // an unwritten extent cannot be migrated: the indirect donor holds data
		p.donor = ctx.make_file("donor-written", Layout{"WWWWWWWW"});
	e4mext::UniqueFd fd = ctx.open(orig_indirect ? p.orig : p.donor, O_RDONLY);
	set_inode_flags(fd.get(), 0, e4mext::kFlagExtents);
	fd.reset();
	return ctx.refused_move(p.orig, p.donor);
}

// Writes into /sys/fs/ext4/<dev>/trigger_fs_error: with errors=remount-ro the filesystem goes
// (emergency) read-only under open read-write fds, which a read-only mount never allows.
std::string on_filesystem_turned_read_only(Context &ctx)
{
	Pair p = make_pair(ctx);
	e4mext::UniqueFd o = ctx.open(p.orig, O_RDWR), d = ctx.open(p.donor, O_RDWR);
	e4mext::UniqueFd witness = ctx.open(ctx.path("witness"), O_CREAT | O_RDWR);
	const std::string dev = ctx.scratch_fs().device();
	const std::string trigger = "/sys/fs/ext4/" + dev.substr(dev.rfind('/') + 1) + "/trigger_fs_error";
	{
		std::ofstream t(trigger);
		t << "e4mext regression suite: turning its own loop filesystem read-only on purpose\n";
		if (!t.flush())
			throw NotRun("cannot write " + trigger + " (kernel without it?)");
	}
	// 6.16 on, a write through an open fd then fails with EROFS; 6.12.43 answers it with EIO. Any
	// answer but EROFS is said in front of the move's.
	const bool refused = ::pwrite(witness.get(), "x", 1, 0) < 0;
	const std::string write = refused ? errno_name(errno) : "ok";
	return (write == "EROFS" ? "" : "write after the error: " + write + ", ") + move_fds(ctx, o.get(), d.get());
}

// Why the vfsv1 format is not there: Debian builds it as the module quota_v2 (CONFIG_QFMT_V2=m),
// which the kernel loads on demand from /lib/modules/<release> - absent when the kernel's package
// has no modules (Debian's 6.19 to 7.1 in the VM).
std::string quota_format_missing()
{
	struct utsname u {};
	::uname(&u);
	const std::string modules = std::string("/lib/modules/") + u.release;
	if (::access(modules.c_str(), F_OK) != 0)
		return "quota_v2 (CONFIG_QFMT_V2) is not built in, and " + modules + " is missing: no module can load";
	return "quota_v2 (CONFIG_QFMT_V2) is neither built in nor loadable from " + modules;
}

// A quota file in use: a minimal empty vfsv1 file (header, info, an empty tree root block) turned
// on with quotactl(Q_QUOTAON) on a filesystem mounted usrquota,grpquota. Quota files become
// immutable when turned on, so `fd` (opened read-write before) is how a case reaches it.
struct ActiveQuotaFile {
	std::string device, path;
	int type;
	e4mext::UniqueFd fd;
	ActiveQuotaFile(Context &ctx, const std::string &name, int quota_type) : device(ctx.scratch_fs().device()), type(quota_type)
	{
		path = ctx.path(name);
		fd = ctx.open(path, O_CREAT | O_EXCL | O_RDWR);
		const uint32_t magic = quota_type == USRQUOTA ? 0xd9c01f11 : 0xd9c01927;
		const uint32_t header[8] = {magic, 1 /* vfsv1 */, 604800, 604800, 0, 2 /* blocks */, 0, 0};
		std::vector<unsigned char> file(2048, 0);
		std::memcpy(file.data(), header, sizeof(header));
		must(::pwrite(fd.get(), file.data(), file.size(), 0) == static_cast<ssize_t>(file.size()), "write " + path);
		must(::fsync(fd.get()) == 0, "fsync " + path);
		if (::quotactl(QCMD(Q_QUOTAON, quota_type), device.c_str(), QFMT_VFS_V1, const_cast<char *>(path.c_str())) != 0) {
			const int e = errno;
			throw NotRun("quotactl Q_QUOTAON with the vfsv1 format: " + errno_name(e) +
				     (e == ESRCH ? " (no vfsv1 quota format registered: " + quota_format_missing() + ")" : ""));
		}
	}
	~ActiveQuotaFile() { ::quotactl(QCMD(Q_QUOTAOFF, type), device.c_str(), 0, nullptr); }
};

std::string with_quota_files(Context &ctx, bool orig_quota, bool donor_quota)
{
	e4mext::UniqueFd o, d;
	if (orig_quota)
		o = std::move(ctx.hold(std::make_unique<ActiveQuotaFile>(ctx, "aquota.user", USRQUOTA)).fd);
	else
		o = ctx.open(ctx.make_file("orig", Layout{"WW"}), O_RDWR);
	if (donor_quota)
		d = std::move(ctx.hold(std::make_unique<ActiveQuotaFile>(ctx, "aquota.group", GRPQUOTA)).fd);
	else
		d = ctx.open(ctx.make_file("donor", Layout{"UU"}), O_RDWR);
	return move_fds(ctx, o.get(), d.get());
}

} // namespace

std::vector<Case> validity_cases()
{
	const char *kJournalFlagOld = "old: measured on 6.12.43 (the kernel matrix)";
	// Old code with large folios for regular files (6.16) moves a +j file on a nodelalloc mount.
	const Change kJournalFlagMoves{
		Behaviour::Old,
		expect("ok moved_len=8", "measured on 6.16.12 to 6.18.15: the flag is set, the move goes ahead anyway"),
		mainline_from("6.16")};
	// From 7.1.7 (stable) and 7.2 the donor's superblock is checked first: EXDEV, moved_len not
	// written back. Debian's archive bounds the backport: 7.1.3 EINVAL, 7.1.7 EXDEV.
	const Change kExdevFrom717{
		Behaviour::New,
		expect("EXDEV moved_len=untouched", "measured on 7.1.7 to 7.1.13, 7.2.6 to 7.3.4; 7.1.3 and 7.0.13 EINVAL"),
		stable_from({"7.1.7"}, "7.2")};
	const int kNoFollow = O_RDWR | O_NONBLOCK; // FIFOs open read-write without blocking
	return {
		// ---- file descriptor modes ----
		{"validity/orig-rdonly", "original opened O_RDONLY", "ext4-4k", expect("EBADF moved_len=untouched"),
		 expect("EBADF moved_len=untouched", kFromSources), [](Context &c) { return orig_opened(c, O_RDONLY); }},
		{"validity/orig-wronly", "original opened O_WRONLY", "ext4-4k", expect("EBADF moved_len=untouched"),
		 expect("EBADF moved_len=untouched", kFromSources), [](Context &c) { return orig_opened(c, O_WRONLY); }},
		{"validity/orig-opath", "original opened O_PATH", "ext4-4k", expect("EBADF moved_len=untouched"),
		 expect("EBADF moved_len=untouched", kFromSources), [](Context &c) { return orig_opened(c, O_PATH); }},
		{"validity/orig-directory", "original is a directory (opened O_RDONLY)", "ext4-4k",
		 expect("EBADF moved_len=untouched"), expect("EBADF moved_len=untouched", kFromSources),
		 [](Context &c) {
			 e4mext::UniqueFd o = c.open(c.dir(), O_RDONLY | O_DIRECTORY);
			 e4mext::UniqueFd d = c.open(c.make_file("donor", kDonor), O_RDWR);
			 return move_fds(c, o.get(), d.get());
		 }},
		{"validity/donor-rdonly", "donor opened O_RDONLY", "ext4-4k", expect("EBADF moved_len=untouched"),
		 expect("EBADF moved_len=untouched", kFromSources),
		 [](Context &c) { return donor_opened(c, c.make_file("donor", kDonor), O_RDONLY); }},
		{"validity/donor-wronly", "donor opened O_WRONLY (enough)", "ext4-4k",
		 expect("ok moved_len=8 relocated=8 orig=WWWWWWWW donor=UUUUUUUU"),
		 expect("ok moved_len=8 relocated=8 orig=WWWWWWWW donor=UUUUUUUU", kFromSources),
		 [](Context &c) {
			 Pair p = make_pair(c);
			 MoveOptions o;
			 o.donor_flags = O_WRONLY;
			 return c.move_and_verify(p.orig, p.donor, 0, 0, 8, o);
		 }},
		{"validity/donor-fd-closed", "donor_fd names no open file", "ext4-4k", expect("EBADF moved_len=untouched"),
		 expect("EBADF moved_len=untouched", kFromSources),
		 [](Context &c) {
			 e4mext::UniqueFd o = c.open(c.make_file("orig", kOrig), O_RDWR);
			 int closed = ::dup(o.get());
			 ::close(closed);
			 return move_fds(c, o.get(), closed);
		 }},
		{"validity/donor-fd-minus-one", "donor_fd = -1 (0xffffffff)", "ext4-4k", expect("EBADF moved_len=untouched"),
		 expect("EBADF moved_len=untouched", kFromSources),
		 [](Context &c) {
			 e4mext::UniqueFd o = c.open(c.make_file("orig", kOrig), O_RDWR);
			 return move_fds(c, o.get(), -1);
		 }},
		// ---- the argument pointer ----
		{"validity/reserved-nonzero", "struct move_extent's reserved field is 1 (documented: must be zero)", "ext4-4k",
		 expect("ok moved_len=8 relocated=8 orig=WWWWWWWW donor=UUUUUUUU", kMeasuredOld),
		 expect("ok moved_len=8 relocated=8 orig=WWWWWWWW donor=UUUUUUUU", kMeasuredNew),
		 [](Context &c) {
			 Pair p = make_pair(c);
			 MoveOptions o;
			 o.reserved = 1;
			 return c.move_and_verify(p.orig, p.donor, 0, 0, 8, o);
		 }},
		{"validity/bad-pointer", "argument pointer is not mapped", "ext4-4k", expect("EFAULT"),
		 expect("EFAULT", kFromSources),
		 [](Context &c) {
			 Pair p = make_pair(c);
			 e4mext::UniqueFd o = c.open(p.orig, O_RDWR);
			 int rc = ::ioctl(o.get(), e4mext::kMoveExtIoctl, reinterpret_cast<void *>(16));
			 return rc == 0 ? std::string("ok") : errno_name(errno);
		 }},
		{"validity/args-read-only",
		 "argument readable but not writable: the move completes, moved_len cannot be copied back", "ext4-4k",
		 expect("EFAULT moved_len=untouched relocated=8 orig=WWWWWWWW donor=UUUUUUUU"),
		 expect("EFAULT moved_len=untouched relocated=8 orig=WWWWWWWW donor=UUUUUUUU", kFromSources),
		 [](Context &c) {
			 Pair p = make_pair(c);
			 MoveOptions o;
			 o.read_only_args = true;
			 return c.move_and_verify(p.orig, p.donor, 0, 0, 8, o);
		 }},
		// ---- the same inode ----
		{"validity/same-fd", "donor_fd is the original's fd", "ext4-4k", expect("EINVAL moved_len=0"),
		 expect("EINVAL moved_len=0", kFromSources),
		 [](Context &c) {
			 e4mext::UniqueFd o = c.open(c.make_file("orig", kOrig), O_RDWR);
			 return move_fds(c, o.get(), o.get());
		 }},
		{"validity/same-file-second-open", "donor is a second open of the original", "ext4-4k",
		 expect("EINVAL moved_len=0"), expect("EINVAL moved_len=0", kFromSources),
		 [](Context &c) { return donor_opened(c, c.path("orig"), O_RDWR); }},
		{"validity/same-file-hard-link", "donor is a hard link to the original", "ext4-4k", expect("EINVAL moved_len=0"),
		 expect("EINVAL moved_len=0", kFromSources),
		 [](Context &c) {
			 const std::string orig = c.make_file("orig", kOrig);
			 must(::link(orig.c_str(), c.path("link").c_str()) == 0, "link");
			 e4mext::UniqueFd o = c.open(orig, O_RDWR), d = c.open(c.path("link"), O_RDWR);
			 return move_fds(c, o.get(), d.get());
		 }},
		// ---- not regular files, not ext4 ----
		{"validity/orig-fifo", "original is a FIFO on the ext4", "ext4-4k", expect("ENOTTY moved_len=untouched"),
		 expect("ENOTTY moved_len=untouched", kFromSources),
		 [=](Context &c) {
			 must(::mkfifo(c.path("fifo").c_str(), 0644) == 0, "mkfifo");
			 e4mext::UniqueFd o = c.open(c.path("fifo"), kNoFollow), d = c.open(c.make_file("donor", kDonor), O_RDWR);
			 return move_fds(c, o.get(), d.get());
		 }},
		{"validity/orig-chardev", "original is a character device node (1:3) on the ext4", "ext4-4k",
		 expect("ENOTTY moved_len=untouched"), expect("ENOTTY moved_len=untouched", kFromSources),
		 [](Context &c) {
			 must(::mknod(c.path("null").c_str(), S_IFCHR | 0644, makedev(1, 3)) == 0, "mknod");
			 e4mext::UniqueFd o = c.open(c.path("null"), O_RDWR), d = c.open(c.make_file("donor", kDonor), O_RDWR);
			 return move_fds(c, o.get(), d.get());
		 }},
		{"validity/orig-on-tmpfs", "original on tmpfs, donor on ext4", "ext4-4k", expect("ENOTTY moved_len=untouched"),
		 expect("ENOTTY moved_len=untouched", kFromSources),
		 [](Context &c) {
			 ExtraMount &tmp = c.hold(std::make_unique<ExtraMount>("", c.scratch() + "/tmpfs"));
			 const std::string orig = c.make_file(tmp.path() + "/orig", kOrig);
			 e4mext::UniqueFd o = c.open(orig, O_RDWR), d = c.open(c.make_file("donor", kDonor), O_RDWR);
			 return move_fds(c, o.get(), d.get());
		 }},
		{"validity/donor-fifo", "donor is a FIFO on the same ext4", "ext4-4k", expect("EINVAL moved_len=0"),
		 expect("EINVAL moved_len=0", kFromSources),
		 [=](Context &c) {
			 must(::mkfifo(c.path("fifo").c_str(), 0644) == 0, "mkfifo");
			 return donor_opened(c, c.path("fifo"), kNoFollow);
		 }},
		{"validity/donor-chardev", "donor is a character device node (1:3) on the same ext4", "ext4-4k",
		 expect("EINVAL moved_len=0"), expect("EINVAL moved_len=0", kFromSources),
		 [](Context &c) {
			 must(::mknod(c.path("null").c_str(), S_IFCHR | 0644, makedev(1, 3)) == 0, "mknod");
			 return donor_opened(c, c.path("null"), O_RDWR);
		 }},
		{"validity/donor-directory", "donor is a directory (can only be opened O_RDONLY)", "ext4-4k",
		 expect("EBADF moved_len=untouched"), expect("EBADF moved_len=untouched", kFromSources),
		 [](Context &c) {
			 must(::mkdir(c.path("d").c_str(), 0755) == 0, "mkdir");
			 return donor_opened(c, c.path("d"), O_RDONLY | O_DIRECTORY);
		 }},
		{"validity/donor-other-ext4",
		 "donor on another ext4 filesystem",
		 "ext4-4k",
		 expect("EINVAL moved_len=0"),
		 expect("EINVAL moved_len=0", kFromSources),
		 [](Context &c) {
			 const std::string donor = c.make_file(c.other_dir("ext4-4k-other") + "/donor", kDonor);
			 return c.refused_move(c.make_file("orig", kOrig), donor);
		 },
		 false,
		 {kExdevFrom717}},
		{"validity/donor-on-tmpfs",
		 "donor on tmpfs (crashed the first posting of the 6.19 series)",
		 "ext4-4k",
		 expect("EINVAL moved_len=0"),
		 expect("EINVAL moved_len=0", kFromSources),
		 with_donor_on_tmpfs,
		 /*dangerous=*/true,
		 {kExdevFrom717}},
		// ---- modes and inode flags: the donor's are checked, the original's are not ----
		{"validity/donor-setuid", "donor mode 04755", "ext4-4k", expect("EINVAL moved_len=0"),
		 expect("EINVAL moved_len=0", kFromSources), [](Context &c) { return with_mode(c, true, 04755); }},
		{"validity/donor-setgid", "donor mode 02755", "ext4-4k", expect("EINVAL moved_len=0"),
		 expect("EINVAL moved_len=0", kFromSources), [](Context &c) { return with_mode(c, true, 02755); }},
		{"validity/orig-setuid-setgid", "original mode 06755 (not checked)", "ext4-4k", expect("ok moved_len=8"),
		 expect("ok moved_len=8", kFromSources), [](Context &c) { return with_mode(c, false, 06755); }},
		{"validity/donor-immutable", "donor made immutable after open", "ext4-4k", expect("EPERM moved_len=0"),
		 expect("EPERM moved_len=0", kFromSources),
		 [](Context &c) { return with_flags_after_open(c, true, e4mext::kFlagImmutable); }},
		{"validity/donor-append-only", "donor made append-only after open", "ext4-4k", expect("EPERM moved_len=0"),
		 expect("EPERM moved_len=0", kFromSources),
		 [](Context &c) { return with_flags_after_open(c, true, e4mext::kFlagAppend); }},
		{"validity/orig-immutable", "original made immutable after open (not checked)", "ext4-4k", expect("ok moved_len=8"),
		 expect("ok moved_len=8", kFromSources),
		 [](Context &c) { return with_flags_after_open(c, false, e4mext::kFlagImmutable); }},
		{"validity/orig-append-only", "original made append-only after open (not checked)", "ext4-4k",
		 expect("ok moved_len=8"), expect("ok moved_len=8", kFromSources),
		 [](Context &c) { return with_flags_after_open(c, false, e4mext::kFlagAppend); }},
		// ---- swapfiles ----
		{"validity/orig-swapfile", "original is an active swapfile", "ext4-4k", expect("ETXTBSY moved_len=0"),
		 expect("ETXTBSY moved_len=0", kFromSources),
		 [](Context &c) { return c.refused_move(make_active_swapfile(c, "swap"), c.make_file("donor", kDonor)); }},
		{"validity/donor-swapfile", "donor is an active swapfile", "ext4-4k", expect("ETXTBSY moved_len=0"),
		 expect("ETXTBSY moved_len=0", kFromSources),
		 [](Context &c) { return c.refused_move(c.make_file("orig", kOrig), make_active_swapfile(c, "swap")); }},
		// ---- data journaling ----
		{"validity/data-journal-mount", "filesystem mounted data=journal", "data-journal", expect("EOPNOTSUPP moved_len=0"),
		 expect("EOPNOTSUPP moved_len=0", kFromSources),
		 [](Context &c) {
			 Pair p = make_pair(c);
			 return c.refused_move(p.orig, p.donor);
		 }},
		// The +j flag takes effect only on a filesystem mounted nodelalloc: with delayed allocation (the
		// default) ext4_inode_journal_mode() ignores it and the move goes ahead on every kernel. On
		// nodelalloc the new code refuses; 6.18.15 moves anyway (lsattr shows the j, e4defrag succeeds).
		{"validity/orig-journal-data-flag",
		 "original has per-file data journaling (chattr +j, mounted nodelalloc)",
		 "nodelalloc",
		 expect("EOPNOTSUPP moved_len=0", kJournalFlagOld),
		 expect("EOPNOTSUPP moved_len=0", kFromSources),
		 [](Context &c) { return with_journal_data_flag(c, false); },
		 false,
		 {kJournalFlagMoves}},
		{"validity/donor-journal-data-flag",
		 "donor has per-file data journaling (chattr +j, mounted nodelalloc)",
		 "nodelalloc",
		 expect("EOPNOTSUPP moved_len=0", kJournalFlagOld),
		 expect("EOPNOTSUPP moved_len=0", kFromSources),
		 [](Context &c) { return with_journal_data_flag(c, true); },
		 false,
		 {kJournalFlagMoves}},
		{"validity/journal-data-flag-delalloc", "original has chattr +j on a delalloc mount (the flag is ignored)",
		 "ext4-4k", expect("ok moved_len=8"), expect("ok moved_len=8", kFromSources),
		 [](Context &c) { return with_journal_data_flag(c, false); }},
		{"validity/donor-journal-data-flag-delalloc", "donor has chattr +j on a delalloc mount", "ext4-4k",
		 expect("ok moved_len=8", kMeasuredOld), expect("ok moved_len=8", kMeasuredNew),
		 [](Context &c) { return with_journal_data_flag(c, true); }},
		// ---- encryption, inline data, indirect blocks ----
		{"validity/orig-encrypted", "original encrypted (fscrypt v2), donor not", "encrypt",
		 expect("EOPNOTSUPP moved_len=0"), expect("EOPNOTSUPP moved_len=0", kFromSources),
		 [](Context &c) { return with_encrypted(c, true, false); }},
		{"validity/donor-encrypted", "donor encrypted (fscrypt v2), original not", "encrypt",
		 expect("EOPNOTSUPP moved_len=0"), expect("EOPNOTSUPP moved_len=0", kFromSources),
		 [](Context &c) { return with_encrypted(c, false, true); }},
		{"validity/both-encrypted", "both encrypted with the same key", "encrypt", expect("EOPNOTSUPP moved_len=0"),
		 expect("EOPNOTSUPP moved_len=0", kFromSources), [](Context &c) { return with_encrypted(c, true, true); }},
		{"validity/orig-inline-data", "original's 60 bytes stored inline (-O inline_data)", "inline-data",
		 expect("EOPNOTSUPP moved_len=0"), expect("EOPNOTSUPP moved_len=0", kFromSources),
		 [](Context &c) { return with_inline(c, true); }},
		{"validity/donor-inline-data", "donor's 60 bytes stored inline (-O inline_data)", "inline-data",
		 expect("EOPNOTSUPP moved_len=0"), expect("EOPNOTSUPP moved_len=0", kFromSources),
		 [](Context &c) { return with_inline(c, false); }},
		{"validity/orig-indirect", "original mapped by indirect blocks (migrated with chattr -e)", "ext4-4k",
		 expect("EOPNOTSUPP moved_len=0"), expect("EOPNOTSUPP moved_len=0", kFromSources),
		 [](Context &c) { return with_indirect(c, true); }},
		{"validity/donor-indirect", "donor mapped by indirect blocks (migrated with chattr -e)", "ext4-4k",
		 expect("EOPNOTSUPP moved_len=0"), expect("EOPNOTSUPP moved_len=0", kFromSources),
		 [](Context &c) { return with_indirect(c, false); }},
		// ---- quota files ----
		{"validity/orig-quota-file",
		 "original is an active quota file (2 blocks), donor regular",
		 "quota",
		 expect("ok moved_len=2",
			"old: measured on 6.12.43, 6.12.57, 6.16.3, 6.16.12, 6.17.8: only both quota files are refused"),
		 expect("EOPNOTSUPP moved_len=0",
			"new: patch 2 of the 6.19 series checks either file; measured on 7.2.13 (6.19 to 7.1: no quota_v2 module)"),
		 [](Context &c) { return with_quota_files(c, true, false); },
		 false,
		 {{Behaviour::Old,
		   expect("EOPNOTSUPP moved_len=0",
			  "the series' 'ext4: fix checks for orig_inode and donor_inode' backported; measured on 6.12.69, "
			  "6.12.94, 6.17.13 to 6.18.15; 6.12.57 and 6.17.8 ok"),
		   stable_from({"6.12.69", "6.17.13", "6.18.5"})}}},
		{"validity/donor-quota-file", "donor is an active quota file (immutable while on), original regular", "quota",
		 expect("EPERM moved_len=0", "old: measured on 6.18.15"),
		 expect("EPERM moved_len=0", "new: measured on 7.2.13 (6.19 to 7.1: no quota_v2 module)"),
		 [](Context &c) { return with_quota_files(c, false, true); }},
		{"validity/both-quota-files", "both are active quota files (user and group)", "quota",
		 expect("EPERM moved_len=0", "old: measured on 6.18.15"),
		 expect("EPERM moved_len=0", "new: measured on 7.2.13 (6.19 to 7.1: no quota_v2 module)"),
		 [](Context &c) { return with_quota_files(c, true, true); }},
		// ---- filesystem-wide refusals ----
		{"validity/bigalloc", "filesystem with bigalloc (64K clusters)", "bigalloc",
		 expect("EOPNOTSUPP moved_len=untouched"), expect("EOPNOTSUPP moved_len=0", kFromSources),
		 [](Context &c) {
			 Pair p = make_pair(c);
			 return c.refused_move(p.orig, p.donor);
		 }},
		// Two invalid inputs at once: which check answers first. Old code refuses bigalloc in the ioctl
		// before anything else; the new code checks the donor's superblock first (EINVAL, EXDEV from
		// 7.1). Dangerous like donor-on-tmpfs (a donor not on ext4 crashed the series' first posting).
		{"validity/bigalloc-donor-on-tmpfs",
		 "bigalloc original and a donor on tmpfs: which refusal wins",
		 "bigalloc",
		 expect("EOPNOTSUPP moved_len=untouched", "old: measured on 6.18.15: bigalloc wins"),
		 expect("EINVAL moved_len=0", "new: measured on 6.19.13: the other superblock wins"),
		 with_donor_on_tmpfs,
		 /*dangerous=*/true,
		 {kExdevFrom717}},
		// ---- DAX (an emulated pmem device of the VM: memmap=) ----
		{"validity/dax", "filesystem mounted -o dax: both files use DAX", "dax",
		 expect("EOPNOTSUPP moved_len=untouched", "old: measured on 6.18.15"),
		 expect("EOPNOTSUPP moved_len=0", "new: measured on 7.2.13 (6.19 to 7.1: no pmem driver)"), with_dax_mount},
		{"validity/dax-orig", "mounted dax=inode, original DAX (FS_XFLAG_DAX), donor not", "dax-inode",
		 expect("EOPNOTSUPP moved_len=untouched", "old: measured on 6.18.15"),
		 expect("EOPNOTSUPP moved_len=0", "new: measured on 7.2.13 (6.19 to 7.1: no pmem driver)"),
		 [](Context &c) { return with_dax_files(c, true, false); }},
		// 6.18.15 and 7.2.13 check only the original for DAX: the move goes ahead, and unlinking the DAX
		// donor afterwards WARNs in dax_layout_busy_page_range (fs/dax.c:788 and :828), so the case is dangerous.
		{"validity/dax-donor", "mounted dax=inode, donor DAX (FS_XFLAG_DAX), original not", "dax-inode",
		 expect("ok moved_len=8",
			"old: measured on 6.18.15: a DAX donor is not refused; unlinking it then WARNs in dax_layout_busy_page_range"),
		 expect("ok moved_len=8",
			"new: measured on 7.2.13: a DAX donor is not refused either; unlinking it then WARNs (fs/dax.c:828)"),
		 [](Context &c) { return with_dax_files(c, false, true); }, /*dangerous=*/true},
		{"validity/dax-inode-neither", "mounted dax=inode, neither file DAX: the mount alone does not refuse", "dax-inode",
		 expect("ok moved_len=8", "old: measured on 6.18.15"),
		 expect("ok moved_len=8", "new: measured on 7.2.13 (6.19 to 7.1: no pmem driver)"),
		 [](Context &c) { return with_dax_files(c, false, false); }},
		{"validity/read-only-after-error",
		 "filesystem turned read-only (errors=remount-ro) under read-write fds",
		 "errors-ro",
		 expect("write after the error: EIO, EIO moved_len=0", "old: measured on 6.12.43"),
		 expect("EROFS moved_len=0", kFromSources),
		 on_filesystem_turned_read_only,
		 false,
		 {{Behaviour::Old, expect("EROFS moved_len=0", "measured on 6.16.12 to 6.18.15 (6.13 to 6.15 not in the archive)"),
		   mainline_from("6.16")}}},
		// A read-only mount lets no file be opened for writing, so the ioctl can only be given
		// read-only fds; which check answers first (the fds' modes or the mount) is the question.
		{"validity/read-only-mount", "read-only mount: open O_RDWR fails, the ioctl on O_RDONLY fds", "read-only",
		 expect("open: EROFS, ioctl: EBADF moved_len=untouched"),
		 expect("open: EROFS, ioctl: EBADF moved_len=untouched", kFromSources),
		 [](Context &c) {
			 Pair p = make_pair(c);
			 c.scratch_fs().remount("ro");
			 int fd = ::open(p.orig.c_str(), O_RDWR | O_CLOEXEC);
			 std::string seen = fd >= 0 ? "open: ok" : "open: " + errno_name(errno);
			 if (fd >= 0)
				 ::close(fd);
			 MoveOptions o;
			 o.orig_flags = O_RDONLY;
			 o.donor_flags = O_RDONLY;
			 return seen + ", ioctl: " + c.refused_move(p.orig, p.donor, o);
		 }},
	};
}

} // namespace e4mext::regress
