#include "install_layout.h"

#include "process.h"

#include <chrono>
#include <filesystem>

// meson's directories (relative to the prefix unless configured outside it), the prefix it was
// configured with and the checkout it was built from.
#if !defined(E4MEXT_PREFIX) || !defined(E4MEXT_BINDIR) || !defined(E4MEXT_LIBDIR) || !defined(E4MEXT_LIBEXECDIR) ||                \
	!defined(E4MEXT_DATADIR) || !defined(E4MEXT_SOURCE_ROOT)
#error "meson passes E4MEXT_PREFIX, E4MEXT_BINDIR, E4MEXT_LIBDIR, E4MEXT_LIBEXECDIR, E4MEXT_DATADIR and E4MEXT_SOURCE_ROOT"
#endif

namespace e4mext::runner {

namespace fs = std::filesystem;

namespace {

fs::path executable_dir()
{
	std::error_code ec;
	const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
	return ec ? fs::current_path() : exe.parent_path();
}

// The prefix an installed PREFIX/BINDIR/e4mext belongs to: as many levels up as bindir has parts,
// so that the install works wherever it was copied (DESTDIR, a moved prefix).
fs::path prefix_above(const fs::path &exe_dir)
{
	const fs::path bindir = E4MEXT_BINDIR;
	if (bindir.is_absolute())
		return E4MEXT_PREFIX;
	fs::path prefix = exe_dir;
	for (const fs::path &part : bindir.lexically_normal())
		if (!part.empty() && part != ".")
			prefix = prefix.parent_path();
	return prefix;
}

bool is_install(const fs::path &exe_dir, const fs::path &prefix)
{
	std::error_code ec;
	return (prefix / E4MEXT_BINDIR).lexically_normal() == exe_dir.lexically_normal() &&
	       fs::is_regular_file(prefix / E4MEXT_DATADIR / "e4mext" / "jobs" / "cases.json", ec);
}

InstallLayout installed_layout(const fs::path &prefix)
{
	const fs::path libexec = prefix / E4MEXT_LIBEXECDIR / "e4mext";
	const fs::path data = prefix / E4MEXT_DATADIR / "e4mext";
	InstallLayout l;
	l.installed = true;
	l.root = prefix.string();
	l.engine = (prefix / E4MEXT_LIBDIR / "fio" / "libe4mext.so").string();
	l.bench_move_loop = (libexec / "bench-move-loop").string();
	l.regression_suite = (libexec / "move-ext-regression").string();
	l.golden_dir = (data / "regression").string();
	l.jobs_dir = (data / "jobs").string();
	l.results_root = "results"; // in the current directory: never under the prefix
	return l;
}

// The checkout a build directory sits in (also a copy of the tree, which a user who cannot enter
// the original may run), else the one this program was built from.
fs::path checkout_of(const fs::path &build_dir)
{
	std::error_code ec;
	const fs::path above = build_dir.parent_path();
	return fs::is_regular_file(above / "jobs" / "cases.json", ec) ? above : fs::path(E4MEXT_SOURCE_ROOT);
}

InstallLayout layout_of_build(const fs::path &build_dir, const fs::path &checkout)
{
	InstallLayout l;
	l.root = build_dir.string();
	l.checkout = checkout.string();
	l.engine = (build_dir / "engine" / "libe4mext.so").string();
	l.bench_move_loop = (build_dir / "engine" / "bench-move-loop").string();
	l.regression_suite = (build_dir / "regression" / "move-ext-regression").string();
	l.golden_dir = (checkout / "regression").string();
	l.jobs_dir = (checkout / "jobs").string();
	l.results_root = (checkout / "results").string();
	return l;
}

InstallLayout find_layout()
{
	const fs::path exe_dir = executable_dir();
	const fs::path prefix = prefix_above(exe_dir);
	if (is_install(exe_dir, prefix))
		return installed_layout(prefix);
	return layout_of_build(exe_dir, checkout_of(exe_dir));
}

} // namespace

const InstallLayout &install_layout()
{
	static const InstallLayout layout = find_layout();
	return layout;
}

InstallLayout build_tree_layout(const std::string &build_dir)
{
	const fs::path dir = fs::absolute(build_dir).lexically_normal();
	InstallLayout l = install_layout();
	const InstallLayout built = layout_of_build(dir, checkout_of(dir));
	l.root = built.root;
	l.engine = built.engine;
	l.bench_move_loop = built.bench_move_loop;
	l.regression_suite = built.regression_suite;
	return l;
}

std::string code_revision(const InstallLayout &layout)
{
	if (layout.installed)
		return "installed in " + layout.root;
	const auto timeout = std::chrono::seconds(30);
	const CommandResult sha = run_command({"git", "-C", layout.checkout, "rev-parse", "--short=12", "HEAD"}, timeout);
	std::string text = "git " + (sha.ok() ? trim_output(sha.out) : std::string("unknown"));
	const CommandResult dirty =
		run_command({"git", "-C", layout.checkout, "status", "--porcelain", "--", "engine", "report", "runner"}, timeout);
	if (dirty.ok() && !trim_output(dirty.out).empty())
		text += " (engine/, report/ or runner/ modified)";
	return text;
}

std::string results_root_help(const InstallLayout &layout)
{
	return layout.installed ? "./results, in the current directory" : layout.results_root;
}

} // namespace e4mext::runner
