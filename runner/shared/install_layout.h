// Where e4mext's parts are, for every command: beside build/e4mext in a build tree (the jobs and
// the golden files from the checkout), or, installed, under the prefix that the
// executable's own location gives (PREFIX/bin/e4mext), so that a DESTDIR or a moved prefix works.
#pragma once

#include <string>

namespace e4mext::runner {

struct InstallLayout {
	bool installed = false;
	std::string root;             // the build directory, or the prefix of the install
	std::string engine;           // libe4mext.so
	std::string bench_move_loop;  // the bare-ioctl loop `e4mext overhead` measures
	std::string regression_suite; // move-ext-regression
	std::string golden_dir;       // golden-old.txt and golden-new.txt
	std::string jobs_dir;         // cases.json, defrag.fio, stress/
	std::string results_root;     // where the bench's results/NAME goes by default
	std::string checkout;         // the source checkout (empty when installed)
};

// The layout this program runs from (found from /proc/self/exe once).
const InstallLayout &install_layout();

// A build directory named on the command line (--build-dir): its engine and bench-move-loop; the
// rest as for this program.
InstallLayout build_tree_layout(const std::string &build_dir);

// What the results' metadata says of the code that ran: the checkout's git revision (and whether
// engine/, report/ or runner/ were modified), or, installed, the version and where it is.
std::string code_revision(const InstallLayout &layout);

// How --help describes the default results root.
std::string results_root_help(const InstallLayout &layout);

} // namespace e4mext::runner
