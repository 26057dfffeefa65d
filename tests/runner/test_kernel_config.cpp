#include "cleanup_registry.h"
#include "kernel_config.h"
#include "test_data.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using namespace e4mext::runner;
namespace fs = std::filesystem;

TEST_CASE("config: every option the VM needs built in", "[config]")
{
	CHECK(missing_vm_options(read_vm_data("config-complete")).empty());
}

TEST_CASE("config: a module and an unset option are named, look-alike options do not count", "[config]")
{
	const auto missing = missing_vm_options(read_vm_data("config-nvme-module-no-virtiofs"));
	REQUIRE(missing.size() == 2);
	CHECK(missing[0] == "CONFIG_BLK_DEV_NVME=m (a module: the VM loads none; build it in with =y)");
	CHECK(missing[1] == "CONFIG_VIRTIO_FS is not set"); // CONFIG_VIRTIO_FS_DAX=y is another option
}

namespace {

// A file with an x86 boot setup header naming `release` (as arch/x86/boot/header.S lays it out).
void write_fake_bzimage(const fs::path &path, const std::string &release)
{
	std::string image(0x400, '\0');
	image.replace(0x202, 4, "HdrS");
	const unsigned offset = 0x300 - 0x200;
	image[0x20e] = static_cast<char>(offset & 0xff);
	image[0x20f] = static_cast<char>(offset >> 8);
	image.replace(0x300, release.size() + 40, release + " (builder@host) #1 SMP PREEMPT_DYNAMIC");
	std::ofstream(path, std::ios::binary) << image;
}

} // namespace

TEST_CASE("config: found beside the image or at the top of its kernel tree; release from the header", "[config]")
{
	TempDir tree("e4mext-test-kernel-tree");
	const fs::path boot = fs::path(tree.path()) / "arch" / "x86" / "boot";
	fs::create_directories(boot);
	write_fake_bzimage(boot / "bzImage", "6.19.0-rc3-e4m+");
	CHECK(bzimage_release((boot / "bzImage").string()) == std::optional<std::string>("6.19.0-rc3-e4m+"));
	CHECK_FALSE(find_kernel_config((boot / "bzImage").string()));

	fs::copy_file(vm_data_path("config-nvme-module-no-virtiofs"), fs::path(tree.path()) / ".config");
	const auto from_tree = find_kernel_config((boot / "bzImage").string());
	REQUIRE(from_tree);
	CHECK(from_tree->source == (fs::path(tree.path()) / ".config").string());
	CHECK(missing_vm_options(from_tree->text).size() == 2);

	fs::copy_file(vm_data_path("config-complete"), boot / ".config");
	const auto beside = find_kernel_config((boot / "bzImage").string());
	REQUIRE(beside);
	CHECK(beside->source == (boot / ".config").string());

	write_fake_bzimage(fs::path(tree.path()) / "vmlinuz-6.19.0-e4m", "6.19.0-e4m");
	fs::copy_file(vm_data_path("config-complete"), fs::path(tree.path()) / "config-6.19.0-e4m");
	const auto boot_style = find_kernel_config(tree.path() + "/vmlinuz-6.19.0-e4m");
	REQUIRE(boot_style);
	CHECK(boot_style->source == tree.path() + "/config-6.19.0-e4m");
}

TEST_CASE("config: IKCONFIG embedded in an image, gzip-compressed between its markers", "[config]")
{
	TempDir dir("e4mext-test-ikconfig");
	const std::string plain = dir.path() + "/config";
	fs::copy_file(vm_data_path("config-complete"), plain);
	REQUIRE(std::system(("gzip -9 -k " + plain).c_str()) == 0);
	std::ifstream gz(plain + ".gz", std::ios::binary);
	const std::string compressed((std::istreambuf_iterator<char>(gz)), std::istreambuf_iterator<char>());
	const std::string image = std::string(1000, '\x90') + "IKCFG_ST" + compressed + "IKCFG_ED" + std::string(100, '\0');
	const auto text = embedded_ikconfig(image);
	REQUIRE(text);
	CHECK(*text == read_vm_data("config-complete"));
	CHECK_FALSE(embedded_ikconfig(std::string(4096, 'x')));
}
