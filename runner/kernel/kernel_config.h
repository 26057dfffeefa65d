// What a kernel must build in (=y) to run in the runner's VM - there is no module loading in the
// guest - and where a self-built kernel's config is found.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace e4mext::runner {

// CONFIG_EXT4_FS, BLK_DEV_NVME, VIRTIO_PCI, VIRTIO_FS, FUSE_FS, DEVTMPFS, SERIAL_8250_CONSOLE.
const std::vector<std::string> &vm_required_options();

// One line per required option that is not built in: "CONFIG_VIRTIO_FS is not set" or
// "CONFIG_BLK_DEV_NVME=m (a module: the VM loads none; build it in with =y)". Empty when all are.
std::vector<std::string> missing_vm_options(const std::string &config_text);

// A kernel config and where it came from ("/src/linux/.config", "IKCONFIG in /src/linux/arch/x86/boot/bzImage").
struct KernelConfig {
	std::string text;
	std::string source;
};

// The config of the kernel image at `image`, the most specific first: config-<release> beside
// vmlinuz-<release> (as in /boot), a .config next to it, the .config at the top of the kernel tree
// it was built in (arch/x86/boot/bzImage), or the config embedded with CONFIG_IKCONFIG (found as scripts/extract-ikconfig finds it:
// in the image, or in its gzip/xz/zstd/lz4-compressed payload). Nothing when none is findable.
std::optional<KernelConfig> find_kernel_config(const std::string &image);

// The embedded config between IKCFG_ST and IKCFG_ED in `data` (gzip-compressed there), if any.
std::optional<std::string> embedded_ikconfig(const std::string &data);

// The release string from a bzImage's setup header ("6.19.13+deb13-cloud-amd64"), if it has one.
std::optional<std::string> bzimage_release(const std::string &image);

} // namespace e4mext::runner
