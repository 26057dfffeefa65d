#include "kernel_config.h"

#include "cleanup_registry.h"
#include "file_text.h"
#include "process.h"

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace e4mext::runner {

namespace fs = std::filesystem;

namespace {

// Decompresses `data` with an external tool; whatever came out before an error counts (a payload
// is followed by other data, which the tools complain about after writing the stream).
std::string decompress_with(const std::string &tool, const std::string &data)
{
	TempDir dir("e4mext-ikconfig");
	const std::string in = dir.path() + "/payload";
	std::ofstream(in, std::ios::binary) << data;
	return run_command({tool, "-dc", in}, std::chrono::minutes(1)).out;
}

struct Payload {
	const char *magic;
	size_t magic_size;
	const char *tool;
};

} // namespace

const std::vector<std::string> &vm_required_options()
{
	static const std::vector<std::string> options = {
		"CONFIG_EXT4_FS", "CONFIG_BLK_DEV_NVME", "CONFIG_VIRTIO_PCI",         "CONFIG_VIRTIO_FS",
		"CONFIG_FUSE_FS", "CONFIG_DEVTMPFS",     "CONFIG_SERIAL_8250_CONSOLE"};
	return options;
}

std::vector<std::string> missing_vm_options(const std::string &config_text)
{
	std::vector<std::string> missing;
	for (const std::string &option : vm_required_options()) {
		const std::regex set("^" + option + "=(.*)$", std::regex::multiline);
		std::smatch m;
		if (!std::regex_search(config_text, m, set))
			missing.push_back(option + " is not set");
		else if (m[1] == "m")
			missing.push_back(option + "=m (a module: the VM loads none; build it in with =y)");
		else if (m[1] != "y")
			missing.push_back(option + "=" + m[1].str() + " (needs =y)");
	}
	return missing;
}

std::optional<std::string> embedded_ikconfig(const std::string &data)
{
	const size_t start = data.find("IKCFG_ST");
	if (start == std::string::npos)
		return std::nullopt;
	const size_t end = data.find("IKCFG_ED", start);
	if (end == std::string::npos)
		return std::nullopt;
	const std::string gz = data.substr(start + 8, end - start - 8);
	std::string text = decompress_with("gzip", gz);
	if (text.find("CONFIG_") == std::string::npos)
		return std::nullopt;
	return text;
}

std::optional<KernelConfig> find_kernel_config(const std::string &image)
{
	const fs::path path = fs::absolute(image);
	// The most specific first: config-<release> beside vmlinuz-<release>, a .config beside the
	// image, the .config of the tree arch/<arch>/boot/bzImage was built in.
	std::vector<fs::path> candidates;
	const std::string name = path.filename().string();
	if (name.rfind("vmlinuz-", 0) == 0)
		candidates.push_back(path.parent_path() / ("config-" + name.substr(8)));
	candidates.push_back(path.parent_path() / ".config");
	if (path.parent_path().filename() == "boot" && path.parent_path().parent_path().parent_path().filename() == "arch")
		candidates.push_back(path.parent_path().parent_path().parent_path().parent_path() / ".config");
	for (const fs::path &c : candidates)
		if (fs::is_regular_file(c))
			return KernelConfig{read_text(c), c.string()};

	const std::string data = read_text(path);
	if (std::optional<std::string> text = embedded_ikconfig(data))
		return KernelConfig{*text, "IKCONFIG in " + path.string()};
	static const Payload payloads[] = {{"\x1f\x8b\x08", 3, "gzip"},
					   {"\xfd\x37\x7a\x58\x5a\x00", 6, "xz"},
					   {"\x28\xb5\x2f\xfd", 4, "zstd"},
					   {"\x02\x21\x4c\x18", 4, "lz4"}};
	for (const Payload &p : payloads) {
		const size_t at = data.find(std::string(p.magic, p.magic_size));
		if (at == std::string::npos)
			continue;
		if (std::optional<std::string> text = embedded_ikconfig(decompress_with(p.tool, data.substr(at))))
			return KernelConfig{*text, "IKCONFIG in " + path.string()};
	}
	return std::nullopt;
}

std::optional<std::string> bzimage_release(const std::string &image)
{
	std::ifstream in(image, std::ios::binary);
	char header[0x210] = {};
	if (!in.read(header, sizeof header) || std::string(header + 0x202, 4) != "HdrS")
		return std::nullopt;
	const unsigned offset = static_cast<unsigned char>(header[0x20e]) | (static_cast<unsigned char>(header[0x20f]) << 8);
	if (offset == 0)
		return std::nullopt;
	in.seekg(offset + 0x200);
	std::string text(256, '\0');
	in.read(text.data(), static_cast<std::streamsize>(text.size()));
	text.resize(static_cast<size_t>(in.gcount()));
	text = text.substr(0, text.find_first_of(std::string(" \0", 2)));
	if (text.empty())
		return std::nullopt;
	return text;
}

} // namespace e4mext::runner
