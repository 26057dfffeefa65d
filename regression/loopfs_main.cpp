// loopfs: a loop-mounted ext4 that touches only what it created itself, for the shell tests
// (tests/integration, tests/bench, tests/install) and anyone scripting one: the command-line face
// of runner/shared/loop_fs.h, the one loop filesystem of e4mext. Installed beside move-ext-regression.
#include "cleanup_registry.h"
#include "loop_fs.h"
#include "process.h"
#include "runner_errors.h"
#include "shell_quote.h"
#include "sizes.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

using namespace e4mext::runner;

namespace {

const char kUsage[] =
	"usage: loopfs create [--size 1G] [--mkfs-opts \"-b 1024 -O ^has_journal\"] [--mount-opts \"data=journal\"]\n"
	"           makes WORKDIR (a new private directory under ${E4MEXT_TMPDIR:-/tmp}) holding `image`, mounts it on\n"
	"           WORKDIR/mnt through a loop device of its own, and prints WORKDIR. Needs root. It stays until\n"
	"           `destroy`.\n"
	"       loopfs destroy WORKDIR         unmount WORKDIR/mnt, detach its loop device, remove WORKDIR (only one\n"
	"                                      `create` made, and only a device still backed by WORKDIR/image)\n"
	"       loopfs remount WORKDIR OPTIONS e.g. remount WORKDIR ro\n"
	"       loopfs fresh WORKDIR           unmount, mkfs again with the same options, mount\n"
	"       loopfs info WORKDIR            prints image, device, mount point and the options it was made with\n"
	"       loopfs check WORKDIR           unmount, then e2fsck -fn the image; exits with e2fsck's status\n"
	"       loopfs mount WORKDIR           mount it again after `check` (no-op when mounted)\n";

[[noreturn]] void usage_error(const std::string &message)
{
	std::cerr << "loopfs: error: " << message << "\n" << kUsage;
	std::exit(2);
}

int create(const std::vector<std::string> &args)
{
	LoopFsOptions options;
	options.owned = false;
	for (size_t i = 0; i < args.size(); i += 2) {
		if (i + 1 >= args.size())
			usage_error("create: " + args[i] + " needs a value");
		const std::string &value = args[i + 1];
		if (args[i] == "--size")
			options.size = parse_size(value, "--size");
		else if (args[i] == "--mkfs-opts")
			options.mkfs_options = split_shell_words(value, "--mkfs-opts");
		else if (args[i] == "--mount-opts")
			options.mount_options = value;
		else
			usage_error("create: unknown option '" + args[i] + "'");
	}
	LoopFilesystem fs(options);
	std::cout << fs.workdir() << "\n";
	fs.release();
	return 0;
}

int run(const std::string &command, const std::vector<std::string> &args)
{
	if (command == "create")
		return create(args);
	const size_t want = command == "remount" ? 2 : 1;
	if (args.size() != want)
		usage_error(command + " takes WORKDIR" + (want == 2 ? " OPTIONS" : ""));
	if (command == "destroy" && !std::filesystem::exists(args[0]))
		return 0; // already gone
	LoopFilesystem fs = LoopFilesystem::open(args[0]);
	// It outlives this program whatever happens below (but `destroy`).
	struct Keep {
		LoopFilesystem &fs;
		~Keep() { fs.release(); }
	} keep{fs};
	int status = 0;
	if (command == "destroy") {
		fs.destroy();
	} else if (command == "remount") {
		fs.remount(args[1]);
	} else if (command == "fresh") {
		fs.fresh();
	} else if (command == "check") {
		status = fs.check();
	} else if (command == "mount") {
		fs.mount();
	} else if (command == "info") {
		std::string mkfs_options;
		for (const std::string &word : fs.options().mkfs_options)
			mkfs_options += (mkfs_options.empty() ? "" : " ") + shell_quote(word);
		std::cout << "workdir=" << fs.workdir() << "\nimage=" << fs.image() << "\nmnt=" << fs.mount_point()
			  << "\ndevice=" << fs.device() << "\nsize=" << format_size(fs.options().size)
			  << "\nmkfs_options=" << mkfs_options << "\nmount_options=" << fs.options().mount_options << "\n";
	} else {
		usage_error("unknown command '" + command + "'");
	}
	return status;
}

} // namespace

int main(int argc, char **argv)
{
	if (argc < 2 || std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help") {
		(argc < 2 ? std::cerr : std::cout) << kUsage;
		return argc < 2 ? 2 : 0;
	}
	install_cleanup_handlers("loopfs");
	try {
		return run(argv[1], std::vector<std::string>(argv + 2, argv + argc));
	} catch (const std::exception &e) {
		std::cerr << "loopfs: error: " << e.what() << "\n";
		return 1;
	}
}
