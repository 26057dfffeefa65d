#include "kernel_spec.h"

#include <cctype>
#include <map>

#include "kernel_config.h"
#include "runner_errors.h"

#include <filesystem>

namespace e4mext::runner {

namespace fs = std::filesystem;

namespace {

std::string join(const std::vector<std::string> &items, const std::string &sep)
{
	std::string out;
	for (const std::string &i : items)
		out += (out.empty() ? "" : sep) + i;
	return out;
}

Kernel from_file(const std::string &spec)
{
	std::error_code ec;
	if (fs::is_directory(spec, ec))
		throw UsageError("--kernel " + spec +
				 ": a directory, not a kernel image; give the image itself, such as arch/x86/boot/bzImage");
	if (!fs::is_regular_file(spec, ec))
		throw UsageError("--kernel " + spec +
				 ": no such file (give a kernel image such as arch/x86/boot/bzImage, "
				 "or a version such as 6.19.13)");
	Kernel k;
	k.spec = spec;
	k.image = fs::absolute(spec).string();
	const std::optional<std::string> release = bzimage_release(spec);
	if (!release)
		throw UsageError("--kernel " + spec +
				 ": not an x86 bzImage (no HdrS setup header); give arch/x86/boot/bzImage "
				 "of your build, not vmlinux");
	k.label = *release;
	k.origin = "file " + k.image;
	const std::optional<KernelConfig> config = find_kernel_config(spec);
	if (!config) {
		k.notes.push_back("no config found for " + k.image +
				  " (no .config beside it or in its tree, no IKCONFIG): "
				  "not checked for the options the VM needs (" +
				  join(vm_required_options(), ", ") + ")");
		return k;
	}
	const std::vector<std::string> missing = missing_vm_options(config->text);
	if (!missing.empty())
		throw UsageError("--kernel " + spec + ": its config (" + config->source +
				 ") lacks what the VM needs: " + join(missing, "; ") + ". Rebuild with these options built in.");
	k.notes.push_back("config " + config->source + ": every option the VM needs is built in");
	return k;
}

Kernel from_archive(const std::string &spec, KernelArchive &archive)
{
	Kernel k;
	k.spec = spec;
	k.label = spec;
	std::optional<CachedKernel> c = archive.cached(spec);
	// Cached by an older e4mext, which did not fetch linux-modules packages (7.2 on): looked up
	// once more, and kept as it is when the archive cannot be reached.
	if (c && c->modules.empty() && c->modules_dir.empty()) {
		try {
			if (const std::optional<KernelPackage> p = find_kernel(archive.catalogue(), spec))
				c = archive.fetch(*p);
		} catch (const KernelUnavailable &e) {
			k.notes.push_back(
				std::string("cached without its modules, and the archive cannot be reached to add them: ") +
				e.what());
		}
	}
	if (!c) {
		const std::vector<KernelPackage> catalogue = archive.catalogue();
		const std::optional<KernelPackage> package = find_kernel(catalogue, spec);
		if (!package) {
			const std::vector<std::string> near = nearest_versions(catalogue, spec);
			throw UsageError("--kernel " + spec + ": Debian's archive has no cloud-amd64 kernel " + spec +
					 (near.empty() ? std::string(" (and no kernel at all in the suites searched)")
						       : "; nearest: " + join(near, ", ")) +
					 ". `e4mext-vm kernels` lists them all.");
		}
		c = archive.fetch(*package);
	}
	// Held before anything reads it, so another run's unpack of the same kernel cannot remove it;
	// when that run moved it aside just now, the new entry is the one to use.
	for (int tries = 0; !k.cache_hold && c; ++tries) {
		if (std::optional<CacheHold> h = hold_cache_entry(*c))
			k.cache_hold = *h;
		else if (tries < 3)
			c = archive.cached(spec);
		else
			throw KernelUnavailable("the cache entry " + c->directory +
						" keeps being replaced by another run: try again");
	}
	if (!c)
		throw KernelUnavailable("the cache entry of " + spec + " disappeared while in use (removed by hand?): try again");
	archive.index_modules(*c);
	k.image = c->image;
	k.modules_dir = c->modules_dir;
	if (k.modules_dir.empty())
		k.modules_missing = c->modules.empty() ? "cached by an older e4mext, which fetched no modules package"
				    : c->modules.rfind("none: ", 0) == 0 ? c->modules.substr(6)
									 : c->modules;
	k.origin = "Debian " + c->package + ", cached in " + c->directory;
	return k;
}

} // namespace

bool spec_is_path(const std::string &spec)
{
	std::error_code ec;
	return spec.find('/') != std::string::npos || fs::is_regular_file(spec, ec);
}

Kernel resolve_kernel(const std::string &spec, KernelArchive &archive)
{
	if (spec_is_path(spec))
		return from_file(spec);
	if (!looks_like_kernel_version(spec))
		throw UsageError("--kernel " + spec + ": neither a kernel version (6.19.13, 7.3-rc7) nor a file");
	return from_archive(spec, archive);
}

std::vector<Kernel> resolve_kernels(const std::vector<std::string> &specs, const std::string &program, std::ostream &err)
{
	KernelArchive archive(default_kernel_cache(), default_kernel_suites(), err);
	archive.remove_leftovers();
	std::vector<Kernel> kernels;
	for (const std::string &spec : specs) {
		kernels.push_back(resolve_kernel(spec, archive));
		for (const std::string &note : kernels.back().notes)
			err << program << ": " << kernels.back().label << ": " << note << "\n";
	}
	return kernels;
}

std::vector<std::string> unique_labels(const std::vector<Kernel> &kernels)
{
	std::map<std::string, int> seen;
	std::vector<std::string> out;
	for (const Kernel &k : kernels) {
		std::string label = k.label;
		for (char &c : label)
			if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '+' && c != '-')
				c = '_';
		const int n = ++seen[label];
		out.push_back(n == 1 ? label : label + "-" + std::to_string(n));
	}
	return out;
}

} // namespace e4mext::runner
