#include "vm_run.h"

#include "cleanup_registry.h"
#include "file_text.h"
#include "process.h"
#include "runner_errors.h"
#include "sizes.h"
#include "time_text.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace e4mext::runner {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start)
{
	return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string first_line(const std::string &text)
{
	return text.substr(0, text.find('\n'));
}

void write_file(const fs::path &path, const std::string &content)
{
	std::ofstream out(path, std::ios::binary);
	out << content;
	if (!out.flush())
		throw RunFailed("cannot write " + path.string() + ": " + std::strerror(errno));
}

uint64_t free_bytes(const fs::path &dir)
{
	struct statvfs st {};
	return ::statvfs(dir.c_str(), &st) == 0 ? uint64_t(st.f_bavail) * st.f_frsize : 0;
}

// The images are sparse, but the guest may fill them: a full host filesystem would show up in the
// guest as a medium error, looking like a kernel fault. So they must fit, with the initramfs,
// before anything is written.
void check_room(const fs::path &dir, unsigned disks, uint64_t disk_size, uint64_t initramfs_size)
{
	const uint64_t free = free_bytes(dir), needed = disks * disk_size + initramfs_size;
	if (free < needed)
		throw RunFailed("the VM's " + std::to_string(disks) + " disk(s) of " + format_mib(disk_size) + " and its " +
				format_mib(initramfs_size) + " initramfs do not fit in the " + format_mib(free) + " free in " +
				dir.parent_path().string() + " (set TMPDIR to a filesystem with room, or give smaller disks)");
}

// Sparse raw images, `size` bytes each.
std::vector<std::string> make_disks(const fs::path &dir, unsigned count, uint64_t size)
{
	std::vector<std::string> disks;
	for (unsigned i = 1; i <= count; ++i) {
		const std::string path = (dir / ("disk" + std::to_string(i) + ".img")).string();
		UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
		if (!fd || ::ftruncate(fd.get(), static_cast<off_t>(size)) != 0)
			throw RunFailed("cannot make the disk image " + path + ": " + std::strerror(errno) +
					" (set TMPDIR to a filesystem with room)");
		disks.push_back(path);
	}
	return disks;
}

// cache=none (O_DIRECT, the host's page cache out of the measurement) where the images' filesystem
// allows it; tmpfs does not, so there writeback.
std::string disk_cache_mode(const std::string &image)
{
	UniqueFd fd(::open(image.c_str(), O_RDWR | O_DIRECT | O_CLOEXEC));
	return fd ? "none" : "writeback";
}

// Progress of the console, with the text of every line seen.
struct ConsoleState {
	std::string text;
	ConsoleScanner scanner;
	bool init_up = false;
	std::string init_error;
	double up_at = 0;

	void take(std::string_view bytes, Clock::time_point start)
	{
		text.append(bytes);
		for (const std::string &line : scanner.feed(bytes)) {
			if (!init_up && line.find(kInitUpMarker) != std::string::npos) {
				init_up = true;
				up_at = seconds_since(start);
			}
			const size_t err = line.find(kInitErrorMarker);
			if (err != std::string::npos && init_error.empty())
				init_error = line.substr(err + std::strlen(kInitErrorMarker));
		}
	}
};

// Reads what is available on fd into `sink`; false at end of file.
bool drain(int fd, std::string &sink)
{
	char buf[65536];
	const ssize_t n = ::read(fd, buf, sizeof buf);
	if (n > 0) {
		sink.append(buf, static_cast<size_t>(n));
		return true;
	}
	return n < 0 && (errno == EINTR || errno == EAGAIN);
}

// Follows a file another process appends to, copying new bytes to `out`.
class FileFollower {
public:
	explicit FileFollower(std::string path) : path_(std::move(path)) {}
	void copy_new(std::ostream &out)
	{
		if (!fd_) {
			fd_ = UniqueFd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
			if (!fd_)
				return;
		}
		std::string chunk;
		while (drain(fd_.get(), chunk) && !chunk.empty()) {
			out << chunk << std::flush;
			chunk.clear();
		}
	}

private:
	std::string path_;
	UniqueFd fd_;
};

Process start_virtiofsd(const std::string &socket, const std::string &source, const std::string &log)
{
	Process p = Process::spawn(virtiofsd_argv(kVirtiofsd, socket, source), Stream::null(), Stream::file(log));
	const auto deadline = Clock::now() + std::chrono::seconds(10);
	while (!fs::exists(socket)) {
		if (auto s = p.try_wait())
			throw RunFailed(std::string(kVirtiofsd) + " for " + source + " ended (" + s->describe() +
					") before listening: " + last_lines(read_text(log), 3) +
					(::geteuid() != 0 ? " (virtiofsd needs root)" : ""));
		if (Clock::now() > deadline)
			throw RunFailed(std::string(kVirtiofsd) + " for " + source + " made no socket " + socket +
					" within 10 s: " + last_lines(read_text(log), 3));
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
	}
	return p;
}

} // namespace

std::string host_disk_error(const std::string &qemu_stderr)
{
	std::istringstream lines(qemu_stderr);
	for (std::string line; std::getline(lines, line);)
		for (const char *sign : {"aio failed", "No space left on device", "Disk quota exceeded", "Input/output error"})
			if (line.find(sign) != std::string::npos)
				return line;
	return {};
}

std::string qemu_version()
{
	const CommandResult r = run_command({"qemu-system-x86_64", "--version"}, std::chrono::seconds(20));
	return r.ok() ? first_line(r.out) : "unknown (qemu-system-x86_64 --version: " + r.status.describe() + ")";
}

AcceleratorChoice probe_accelerator(const std::string &kernel_image, const std::string &busybox)
{
	if (::access("/dev/kvm", R_OK | W_OK) != 0)
		return {Accelerator::tcg, std::string("/dev/kvm not usable (") + std::strerror(errno) + ")"};
	const std::string binary = read_busybox(busybox);
	TempDir dir("e4mext-kvm-probe");
	CpioArchive cpio;
	for (const char *d : {"bin", "dev", "proc"})
		cpio.add_directory(d);
	cpio.add_char_device("dev/console", 0600, 5, 1);
	cpio.add_file("bin/busybox", binary, 0755);
	cpio.add_file("init",
		      std::string("#!/bin/busybox sh\n/bin/busybox echo '") + kInitUpMarker + "'\n/bin/busybox poweroff -f\n",
		      0755);
	const std::string initramfs = dir.path() + "/probe.cpio";
	write_file(initramfs, cpio.finish());

	VmConfig c;
	c.accel = Accelerator::kvm;
	c.cpus = 1;
	c.memory = 512ull << 20;
	c.kernel_image = kernel_image;
	c.initramfs = initramfs;
	c.append = "console=ttyS0 panic=-1 quiet";
	const Clock::time_point start = Clock::now();
	Process qemu = Process::spawn(qemu_argv(c), Stream::pipe(), Stream::pipe());
	std::string out, err;
	const auto deadline = start + std::chrono::seconds(30);
	while (Clock::now() < deadline) {
		struct pollfd fds[2] = {{qemu.stdout_fd(), POLLIN, 0}, {qemu.stderr_fd(), POLLIN, 0}};
		::poll(fds, 2, 100);
		if (fds[0].revents)
			drain(fds[0].fd, out);
		if (fds[1].revents)
			drain(fds[1].fd, err);
		if (out.find(kInitUpMarker) != std::string::npos) {
			return {Accelerator::kvm, "KVM probe booted to /init in " + format_seconds(seconds_since(start))};
		}
		if (err.find("KVM internal error") != std::string::npos || !qemu.running())
			break;
	}
	qemu.terminate(std::chrono::seconds(1));
	const std::string why = err.empty() ? std::string("no line from /init within 30 s") : first_line(err);
	return {Accelerator::tcg, "KVM probe failed (" + why + "); TCG"};
}

VmOutcome run_in_vm(const Kernel &kernel, const VmRequest &req, Accelerator accel, std::ostream &guest_output)
{
	if (::access(kVirtiofsd, X_OK) != 0)
		throw MissingRequirement(std::string(kVirtiofsd) + " is missing: install qemu-system-common (scripts/setup does)");
	const fs::path results = req.results_dir;
	std::error_code ec;
	fs::create_directories(results, ec);
	if (ec)
		throw RunFailed("cannot create the results directory " + results.string() + ": " + ec.message());
	for (const char *stale : {"exit-status", "guest-kernel", "output.txt", "console.log"})
		fs::remove(results / stale, ec);

	TempDir work("e4mext-vm");
	const fs::path dir = work.path();
	VmConfig c;
	c.accel = accel;
	c.cpus = req.cpus;
	c.memory = req.memory;
	c.kernel_image = kernel.image;
	c.initramfs = (dir / "initramfs.cpio").string();
	GuestPlan plan = req.plan;
	plan.hidden_dirs.push_back(fs::absolute(dir).string());
	plan.pmem = req.pmem > 0;
	c.pmem = req.pmem;
	const std::string initramfs = build_initramfs(plan, req.busybox);
	check_room(dir, req.plan.disks, req.disk_size, initramfs.size());
	write_file(c.initramfs, initramfs);
	c.disk_images = make_disks(dir, req.plan.disks, req.disk_size);
	c.disk_cache = c.disk_images.empty() ? "none" : disk_cache_mode(c.disk_images.front());
	c.root_socket = (dir / "root.sock").string();
	c.results_socket = (dir / "results.sock").string();
	c.output_file = (results / "output.txt").string();

	Process root_fs = start_virtiofsd(c.root_socket, "/", (dir / "virtiofsd-root.log").string());
	Process results_fs =
		start_virtiofsd(c.results_socket, fs::absolute(results).string(), (dir / "virtiofsd-results.log").string());

	VmOutcome o;
	o.disk_cache = c.disk_cache;
	const Clock::time_point start = Clock::now();
	Process qemu = Process::spawn(qemu_argv(c), Stream::pipe(), Stream::pipe());
	ConsoleState console;
	std::string qemu_err;
	FileFollower output(c.output_file);
	bool console_open = true, err_open = true;
	for (;;) {
		struct pollfd fds[2] = {{console_open ? qemu.stdout_fd() : -1, POLLIN, 0},
					{err_open ? qemu.stderr_fd() : -1, POLLIN, 0}};
		::poll(fds, 2, 100);
		if (console_open && fds[0].revents) {
			std::string chunk;
			console_open = drain(fds[0].fd, chunk);
			console.take(chunk, start);
		}
		if (err_open && fds[1].revents)
			err_open = drain(fds[1].fd, qemu_err);
		output.copy_new(guest_output);
		if (!console_open && !qemu.running())
			break;
		const double elapsed = seconds_since(start);
		if (!console.init_up && elapsed > static_cast<double>(req.boot_timeout.count())) {
			o.end = VmEnd::boot_failed;
			o.problem = "no line from /init within " + std::to_string(req.boot_timeout.count()) + " s of starting qemu";
			break;
		}
		if (elapsed > static_cast<double>(req.timeout.count())) {
			o.end = VmEnd::hung;
			o.problem = "the guest was still running after " + std::to_string(req.timeout.count()) +
				    " s (--timeout): killed";
			break;
		}
	}
	const ExitStatus qemu_status = qemu.terminate(std::chrono::seconds(2));
	for (std::string chunk; console_open && drain(qemu.stdout_fd(), chunk) && !chunk.empty(); chunk.clear())
		console.take(chunk, start);
	console.scanner.finish();
	output.copy_new(guest_output);
	results_fs.terminate(std::chrono::seconds(2));
	root_fs.terminate(std::chrono::seconds(2));

	o.total_seconds = seconds_since(start);
	o.reached_init = console.init_up;
	o.boot_seconds = console.up_at;
	o.console = console.text;
	o.crashes = console.scanner.crashes();
	write_file(results / "console.log", console.text);
	const std::string status_text = read_text(results / "exit-status");
	o.guest_kernel = first_line(read_text(results / "guest-kernel"));
	if (!status_text.empty())
		o.command_status = std::atoi(status_text.c_str());

	// Before any other verdict: the guest's errors, its command's failure or a hang (qemu pausing
	// the guest) follow from it, and a command that ignored the errors would pass.
	if (const std::string error = host_disk_error(qemu_err); !error.empty()) {
		o.end = VmEnd::host_disk_failed;
		o.problem = "qemu could not write the VM's disk images in " + dir.parent_path().string() + " (the host's TMPDIR, " +
			    format_mib(free_bytes(dir)) + " free now): " + error +
			    "; the guest saw I/O errors from its disks, not a fault of its kernel: set TMPDIR to a filesystem "
			    "with room for " +
			    std::to_string(req.plan.disks) + " x " + format_mib(req.disk_size);
		return o;
	}
	if (o.end == VmEnd::hung || (o.end == VmEnd::boot_failed && !o.problem.empty()))
		return o;
	if (!console.init_up) {
		o.end = VmEnd::boot_failed;
		o.problem = "qemu ended (" + qemu_status.describe() + ") before /init printed a line" +
			    (qemu_err.empty() ? std::string() : "; qemu said: " + last_lines(qemu_err, 3));
	} else if (!console.init_error.empty()) {
		o.end = VmEnd::boot_failed;
		o.problem = "the guest's /init: " + console.init_error;
	} else if (o.command_status < 0) {
		o.end = o.crashes.empty() ? VmEnd::boot_failed : VmEnd::crashed;
		if (o.crashes.empty())
			o.problem = "qemu ended (" + qemu_status.describe() + ") without the command's exit status" +
				    (qemu_err.empty() ? std::string() : "; qemu said: " + last_lines(qemu_err, 3));
	} else {
		o.end = VmEnd::finished;
	}
	return o;
}

AcceleratorChoice choose_accelerator(const std::string &option, const std::string &kernel_image, const std::string &busybox)
{
	if (option == "tcg")
		return {Accelerator::tcg, "--accel tcg"};
	if (option == "kvm")
		return {Accelerator::kvm, "--accel kvm"};
	return probe_accelerator(kernel_image, busybox);
}

} // namespace e4mext::runner
