// The profile module on committed perf script samples: folding (both perf script formats),
// kernel functions' self and children shares, the folded file's round trip and errors, the
// comparison of two kernels (changes and functions only one kernel has), and the flame graph.
// e4defrag-host.perf-script: 45 samples of `perf record -e cpu-clock -a -g` around e4defrag on a
// loop ext4 on a shared host (30 of them through ext4_move_extents: 23 e4defrag, 7 another
// session's fio); default-fields.perf-script: 6 samples in perf script's default format;
// switches.perf-script: a foreground (tid 100), a mover (200) and a sleeper (300) switching, in
// the bench's fields (comm,tid,time,event,trace,ip,sym,dso), made by hand.
#include "flame_graph.hpp"
#include "input_error.hpp"
#include "profile.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>

using namespace e4mext::report;
namespace fs = std::filesystem;

namespace {

FoldedProfile fold_file(const std::string &name)
{
	std::ifstream in(fs::path(E4MEXT_SOURCE_ROOT) / "tests/data/profile" / name);
	REQUIRE(in);
	return fold_perf_script(in).on_cpu;
}

FoldedProfile folded(const std::string &text)
{
	std::istringstream in(text);
	return read_folded(in, "test");
}

std::size_t count_of(const std::string &text, const std::string &what)
{
	std::size_t n = 0;
	for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
		++n;
	return n;
}

} // namespace

TEST_CASE("perf script folds into one stack per sample, root first, kernel frames marked", "[profile]")
{
	const FoldedProfile p = fold_file("e4defrag-host.perf-script");
	CHECK(p.samples == 45);
	std::uint64_t e4defrag = 0;
	for (const auto &[stack, count] : p.stacks) {
		const std::vector<std::string> frames = split_stack(stack);
		REQUIRE(frames.size() >= 2);
		CHECK(stack.find("+0x") == std::string::npos);
		if (frames[0] == "e4defrag")
			e4defrag += count;
		for (const std::string &f : frames)
			if (function_of(f) == "__GI___ioctl" || f == "[unknown]")
				CHECK_FALSE(is_kernel_frame(f));
	}
	CHECK(e4defrag == 28);
	// A move: user space at the root, the syscall entry, the ioctl, then ext4.
	const std::string move_prefix = "e4defrag;__GI___ioctl;entry_SYSCALL_64_after_hwframe_[k];do_syscall_64_[k];"
					"__x64_sys_ioctl_[k];__ext4_ioctl_[k];ext4_move_extents_[k]";
	bool found = false;
	for (const auto &[stack, count] : p.stacks)
		found = found || stack.rfind(move_prefix, 0) == 0;
	CHECK(found);
}

TEST_CASE("perf script's default fields (pid, cpu, time, period, event, offsets) fold alike", "[profile]")
{
	const FoldedProfile p = fold_file("default-fields.perf-script");
	CHECK(p.samples == 6);
	std::uint64_t ld = 0;
	for (const auto &[stack, count] : p.stacks) {
		ld += stack.rfind("ld;", 0) == 0 ? count : 0;
		CHECK(stack.find("+0x") == std::string::npos);
		CHECK(stack.find("cpu-clock") == std::string::npos);
	}
	CHECK(ld == 4); // and two of meson
	const KernelFunctions k = kernel_functions(p);
	CHECK(k.functions.count("exc_page_fault") == 1);
	CHECK(k.functions.count("__memmove_avx512_unaligned_erms") == 0); // user space
}

TEST_CASE("kernel functions: self is the leaf, children anywhere in the chain, once per sample", "[profile]")
{
	const KernelFunctions k = kernel_functions(fold_file("e4defrag-host.perf-script"));
	CHECK(k.samples == 45);
	CHECK(k.move_path == 30);
	const FunctionShare &move = k.functions.at("ext4_move_extents");
	CHECK(move.children == 30);
	CHECK(move.self == 1);
	CHECK(move.move_path);
	CHECK(k.functions.at("__ext4_ioctl").children == 30);
	CHECK(k.self_percent("pvm_irq_enable") == Approx(100.0 * 18 / 45));
	for (const auto &[name, share] : k.functions)
		CHECK(share.children >= share.self);

	const KernelFunctions recursive = kernel_functions(folded("fio;f_[k];g_[k];f_[k] 3\nfio;f_[k] 1\n"));
	CHECK(recursive.functions.at("f").children == 4);
	CHECK(recursive.functions.at("f").self == 4);
	CHECK(recursive.functions.at("g").self == 0);
	CHECK(recursive.kernel == 4);
}

TEST_CASE("the top functions name the move path", "[profile]")
{
	const std::string text = render_top_functions(kernel_functions(fold_file("e4defrag-host.perf-script")), 10, "t");
	CHECK(text.find("45 samples") != std::string::npos);
	CHECK(text.find("  2.22   66.67     ext4_move_extents *") != std::string::npos); // 1 and 30 of 45
	CHECK(text.find(" 40.00   ") != std::string::npos);                              // pvm_irq_enable's self share
}

TEST_CASE("a run of unresolved user frames is one frame", "[profile]")
{
	std::istringstream script("fio 42\n\tffffffff81000130 do_syscall_64 ([kernel.kallsyms])\n"
				  "\t7f00 [unknown] ([unknown])\n\t7f01 [unknown] ([unknown])\n\t7f02 [unknown] ([unknown])\n"
				  "\t5500 main (/usr/bin/fio)\n\t7f03 [unknown] ([unknown])\n\n");
	const FoldedProfile p = fold_perf_script(script).on_cpu;
	REQUIRE(p.stacks.size() == 1);
	CHECK(p.stacks.begin()->first == "fio;[unknown];main;[unknown];do_syscall_64_[k]");
	CHECK(folded("a;[unknown];[unknown];b 2\n").stacks.begin()->first == "a;[unknown];b");
}

TEST_CASE("folded files round-trip and damaged ones are refused with the line", "[profile]")
{
	const FoldedProfile p = fold_file("e4defrag-host.perf-script");
	std::ostringstream out;
	write_folded(p, out);
	std::istringstream in(out.str());
	const FoldedProfile back = read_folded(in, "x");
	CHECK(back.samples == p.samples);
	CHECK(back.stacks == p.stacks);
	CHECK_THROWS_WITH(folded("a;b 2\na;b;c\n"), Catch::Contains("test:2") && Catch::Contains("not a folded stack"));
	CHECK_THROWS_AS(folded("a;b -1\n"), InputError);
}

TEST_CASE("two kernels: the largest changes and the move path's functions only one of them has", "[profile]")
{
	const KernelFunctions base =
		kernel_functions(folded("fio;ext4_move_extents_[k];move_extent_per_page_[k];ext4_swap_extents_[k] 6\n"
					"fio;ext4_move_extents_[k];mext_check_coverage_[k] 2\n"
					"swapper;default_idle_[k] 2\n"));
	const KernelFunctions other =
		kernel_functions(folded("fio;ext4_move_extents_[k];mext_move_extent_[k];ext4_swap_extents_[k] 2\n"
					"fio;x_[k] 2\nswapper;default_idle_[k] 8\n"));
	// mext_check_coverage is sampled in another case of the other kernel: it exists there.
	const std::set<std::string> base_all = {"ext4_move_extents", "move_extent_per_page", "ext4_swap_extents",
						"mext_check_coverage", "default_idle"};
	const std::set<std::string> other_all = {"ext4_move_extents", "mext_move_extent", "ext4_swap_extents", "default_idle",
						 "mext_check_coverage"};
	const ProfileComparison c = compare_profiles("U-128k", base, other, base_all, other_all, 3);
	REQUIRE(c.children.size() == 3);
	CHECK(c.children[0].function == "ext4_move_extents"); // 80% -> 16.7%: the largest change
	CHECK(c.children[0].change() == Approx(100.0 * 2 / 12 - 80));
	CHECK(c.children[1].function == "move_extent_per_page");
	CHECK(c.children[1].change() == Approx(-60));
	CHECK(c.children[2].function == "default_idle");
	CHECK(c.children[2].change() == Approx(100.0 * 8 / 12 - 20));
	REQUIRE(c.only_base.size() == 1);
	CHECK(c.only_base[0].function == "move_extent_per_page");
	CHECK(c.only_base[0].base == Approx(60));
	REQUIRE(c.only_other.size() == 1);
	CHECK(c.only_other[0].function == "mext_move_extent");
}

TEST_CASE("the flame graph is one static SVG with a titled frame per function", "[profile]")
{
	const FoldedProfile p = fold_file("e4defrag-host.perf-script");
	const std::string svg = render_flame_graph(p, "U-128k <run 1>");
	CHECK(svg.rfind("<?xml", 0) == 0);
	CHECK(svg.find("<svg xmlns=\"http://www.w3.org/2000/svg\"") != std::string::npos);
	CHECK(svg.find("<script") == std::string::npos);
	CHECK(svg.find("U-128k &lt;run 1&gt;") != std::string::npos);
	CHECK(svg.find("<title>ext4_move_extents [kernel] (23 samples, 51.11%)</title>") != std::string::npos); // e4defrag's
	CHECK(svg.find("<title>all (45 samples, 100.00%)</title><rect x=\"10.0\"") != std::string::npos);
	CHECK(svg.find("width=\"1180.0\"") != std::string::npos); // the root spans the graph
	CHECK(count_of(svg, "<g>") == count_of(svg, "</g>"));
	CHECK(count_of(svg, "<g>") > 100);
	const std::string escaped = render_flame_graph(folded("a;std::vector<int>::push_back 1\n"), "t");
	CHECK(escaped.find("std::vector&lt;int&gt;::push_back") != std::string::npos);
	CHECK(render_flame_graph(FoldedProfile{}, "t").find("no samples were recorded") != std::string::npos);
}

TEST_CASE("a set's profiles merge per case and compare names the changed functions", "[profile]")
{
	const fs::path root = fs::temp_directory_path() / ("e4mext-profile-test-" + std::to_string(::getpid()));
	fs::remove_all(root);
	auto put = [&](const std::string &set, const std::string &run, const std::string &text) {
		const fs::path dir = root / set / "runs" / "coverletter" / "U-128k";
		fs::create_directories(dir);
		std::ofstream(dir / (run + ".perf.folded")) << text;
	};
	put("a", "run-1", "fio;ext4_move_extents_[k];move_extent_per_page_[k] 3\n");
	put("a", "run-2", "fio;ext4_move_extents_[k];move_extent_per_page_[k] 1\nfio;x_[k] 4\n");
	put("b", "run-1", "fio;ext4_move_extents_[k];mext_move_extent_[k] 2\nfio;x_[k] 6\n");
	const auto profiles = case_profiles(root / "a");
	REQUIRE(profiles.count("coverletter/U-128k") == 1);
	CHECK(profiles.at("coverletter/U-128k").samples == 8);
	CHECK(write_case_profiles(root / "a" / "runs") == 1);
	CHECK(fs::exists(root / "a/runs/coverletter/U-128k/profile.txt"));
	CHECK(fs::exists(root / "a/runs/coverletter/U-128k/flame.svg"));
	const std::string text = render_profile_comparisons({root / "a", root / "b"}, {"6.18", "6.19"}, false);
	CHECK(text.find("coverletter/U-128k: 6.19 against 6.18 (8 and 8 samples)") != std::string::npos);
	CHECK(text.find("move path only in 6.18:\n") != std::string::npos);
	CHECK(text.find("move_extent_per_page") != std::string::npos);
	CHECK(text.find("mext_move_extent") != std::string::npos);
	CHECK(render_profile_comparisons({root / "a", root / "nothing"}, {"a", "n"}, false).empty());
	fs::remove_all(root);
}

TEST_CASE("sched_switch samples give each thread's time off a CPU by the stack it left with", "[profile]")
{
	std::ifstream in(fs::path(E4MEXT_SOURCE_ROOT) / "tests/data/profile/switches.perf-script");
	REQUIRE(in);
	const PerfProfiles p = fold_perf_script(in);
	CHECK(p.on_cpu.samples == 1); // the switches are not CPU samples
	// 100: out at 1.000 (i_rwsem), in at 1.003: 3000 us; out at 1.005 preempted, in at 1.0055: 500 us.
	// 200 (moved extents: its comm marked): out at 1.002, in at 1.010: 8000 us. 300 and the last
	// switch out of 100 have no switch in: left out. The kworker's idle switch (next 100) ends 100's.
	CHECK(p.off_cpu.samples == 3000 + 500 + 8000);
	bool rwsem = false, preempted = false, mover = false;
	for (const auto &[stack, us] : p.off_cpu.stacks) {
		rwsem = rwsem || (stack.rfind("fio;", 0) == 0 && stack.find("rwsem_down_write_slowpath_[k]") != std::string::npos &&
				  us == 3000);
		preempted = preempted || (stack.rfind("fio;", 0) == 0 && split_stack(stack).back() == kPreempted && us == 500);
		mover = mover || (stack.rfind(std::string("fio") + kMoverSuffix + ";", 0) == 0 && us == 8000);
	}
	CHECK(rwsem);
	CHECK(preempted);
	CHECK(mover);
}

TEST_CASE("the foreground's waits: by system call and wait site, the mover and sleeping calls left out", "[profile]")
{
	const FoldedProfile off =
		folded("fio;__libc_pwrite64;entry_SYSCALL_64_[k];do_syscall_64_[k];__x64_sys_pwrite64_[k];vfs_write_[k];"
		       "ext4_dio_write_iter_[k];down_write_[k];rwsem_down_write_slowpath_[k];schedule_preempt_disabled_[k];"
		       "schedule_[k];__schedule_[k] 3000\n"
		       "fio;do_syscall_64_[k];__x64_sys_pwrite64_[k];vfs_write_[k];irqentry_exit_[k];[preempted] 500\n"
		       "fio;do_syscall_64_[k];__x64_sys_clock_nanosleep_[k];do_nanosleep_[k];schedule_[k] 7000\n"
		       "fio-moves;do_syscall_64_[k];__x64_sys_ioctl_[k];ext4_move_extents_[k];io_schedule_[k] 8000\n"
		       "kworker/0:1;worker_thread_[k];schedule_[k] 9000\n"
		       "fio;[unknown];[preempted] 100\n"
		       "fio;do_syscall_64_[k];ksys_write_[k];vfs_write_[k];[preempted] 40\n");
	ForegroundWaits w = foreground_waits(off);
	CHECK(w.total == 3540);
	CHECK(w.sleeping == 7000);
	CHECK(w.other == 100); // preempted in user space
	REQUIRE(w.by_site.size() == 3);
	CHECK(w.by_site.at("write: [preempted]") == 40); // ksys_write: __x64_sys_write folded into it
	CHECK(w.by_site.at("pwrite64: rwsem_down_write_slowpath < down_write < ext4_dio_write_iter") == 3000);
	CHECK(w.by_site.at("pwrite64: [preempted]") == 500);
	w.runs = 1;
	ForegroundWaits alone;
	alone.runs = 1;
	alone.by_site["pwrite64: [preempted]"] = 1000;
	alone.total = 1000;
	const std::string text = render_waits({&alone, &w}, {"alone", "beside"}, 10);
	// In ms per run: the rwsem wait 0 -> 3, the largest change, listed first.
	CHECK(text.find("      0.0       3.0      +3.0  pwrite64: rwsem_down_write_slowpath") != std::string::npos);
	CHECK(text.find("      1.0       0.5      -0.5  pwrite64: [preempted]") != std::string::npos);
	CHECK(text.find("      1.0       3.5      +2.5  every wait in the I/O system calls") != std::string::npos); // 3.54
	CHECK(text.find("      0.0       0.1      +0.1  not counted: other system calls") != std::string::npos);
	CHECK(text.find("      0.0       7.0      +7.0  not counted: system calls that sleep") != std::string::npos);
	CHECK(text.find("    alone    beside    change  system call: where it waited\n") != std::string::npos);
	CHECK(text.find("ms per run (alone: 1 run, beside: 1 run)") != std::string::npos);
	CHECK(text.find("pwrite64: rwsem") < text.find("pwrite64: [preempted]"));
}

TEST_CASE("a case's load alone is profiled apart: its own files, set beside the run with the moves", "[profile]")
{
	const fs::path root = fs::temp_directory_path() / ("e4mext-profile-alone-" + std::to_string(::getpid()));
	fs::remove_all(root);
	const fs::path dir = root / "runs" / "in-use" / "M-1m-load_write-same";
	fs::create_directories(dir);
	std::ofstream(dir / "run-1.perf.folded") << "fio;ext4_move_extents_[k] 6\nfio;vfs_write_[k] 2\n";
	std::ofstream(dir / "run-1.alone.perf.folded") << "fio;vfs_write_[k] 4\n";
	std::ofstream(dir / "run-1.offcpu.folded")
		<< "fio;__x64_sys_pwrite64_[k];rwsem_down_write_slowpath_[k];schedule_[k] 4000\n";
	std::ofstream(dir / "run-1.alone.offcpu.folded") << "fio;__x64_sys_pwrite64_[k];__iomap_dio_rw_[k];io_schedule_[k] 500\n";
	std::ofstream(dir / "run-12.alone.perf.folded.old") << "not a recording\n";
	CHECK(case_profiles(root).at("in-use/M-1m-load_write-same").samples == 8); // not the alone one's
	CHECK(case_profiles(root, kAloneOnCpu).at("in-use/M-1m-load_write-same").samples == 4);
	CHECK(case_profiles(root, kAloneOnCpu).at("in-use/M-1m-load_write-same").runs == 1);
	CHECK(case_profiles(root, kOffCpu).at("in-use/M-1m-load_write-same").samples == 4000);
	CHECK(write_case_profiles(root / "runs") == 1);
	for (const char *f : {"profile.txt", "flame.svg", "flame-alone.svg", "offcpu.svg", "offcpu-alone.svg"})
		CHECK(fs::exists(dir / f));
	std::ifstream in(dir / "profile.txt");
	const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
	CHECK(text.find("the load alone (no moves), every run merged\n4 samples") != std::string::npos);
	CHECK(text.find("  100.00   25.00  -75.00  vfs_write") != std::string::npos); // children: 4 of 4 -> 2 of 8
	CHECK(text.find("      0.0       4.0      +4.0  pwrite64: rwsem_down_write_slowpath\n") != std::string::npos);
	CHECK(text.find("      0.5       0.0      -0.5  pwrite64: __iomap_dio_rw\n") != std::string::npos);
	std::ifstream svg(dir / "offcpu.svg");
	const std::string offcpu((std::istreambuf_iterator<char>(svg)), std::istreambuf_iterator<char>());
	CHECK(offcpu.find("4000 us off-CPU;") != std::string::npos);
	fs::remove_all(root);
}
