// The fuzzer's parts that need no root: cases made from (seed, case) alone, the job-file round
// trip that saved cases rely on, the content function, the reading of jobs, the per-line reader
// of the engine's statistics, and the verdicts of the checks - each shown failing as well as passing.
#include "case_spec.h"
#include "checks.h"
#include "content.h"
#include "generator.h"
#include "job_model.h"
#include "kernel_complaints.h"

#include "engine_stats.hpp"
#include "input_error.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <set>
#include <vector>

using namespace e4mext::jobfuzz;

TEST_CASE("a case is a function of (seed, case) alone", "[generator]")
{
	CHECK(to_job_file(generate_case(7, 3)) == to_job_file(generate_case(7, 3)));
	CHECK(to_job_file(generate_case(7, 3)) != to_job_file(generate_case(7, 4)));
	CHECK(to_job_file(generate_case(7, 3)) != to_job_file(generate_case(8, 3)));
}

TEST_CASE("generated cases stay within what was asked", "[generator]")
{
	std::set<std::string> donor_kinds, stats_kinds;
	for (uint64_t k = 0; k < 2000; ++k) {
		const CaseSpec c = generate_case(42, k);
		REQUIRE(c.jobs.size() >= 1);
		REQUIRE(c.jobs.size() <= 4);
		uint64_t total = 0;
		std::set<std::string> laid_out;
		for (const FileSpec &f : c.files) {
			total += f.size;
			laid_out.insert("/m/" + f.path);
		}
		CHECK(total <= kCaseFileBudget);
		for (const JobView &job : job_views(c, "/m")) {
			CHECK(job.files.size() >= 1);
			CHECK(job.files.size() <= 4);
			CHECK(job.clones <= 3);
			// Every file a job names is laid out first: fio must never make one itself.
			for (const std::string &path : job.original_paths())
				CHECK(laid_out.count(path) == 1);
			if (job.donor_is_link) {
				// Refused by the engine, the link mostly dangling (a new name).
				CHECK_FALSE(must_refuse(job, job_views(c, "/m")).empty());
				donor_kinds.insert(laid_out.count(job.donor_target) ? "symbolic link" : "dangling symbolic link");
			} else if (job.donorname.empty())
				donor_kinds.insert("default");
			else if (job.donorname.find("$jobnum") != std::string::npos)
				donor_kinds.insert("jobnum");
			else if (job.donorname.find("outside.") != std::string::npos)
				donor_kinds.insert("outside");
			else if (job.donorname.find("donor.") != std::string::npos)
				donor_kinds.insert("new");
			else
				donor_kinds.insert("run file");
		}
		// The case's statistics file, or now and then a file of the run the engine must refuse -
		// which the fuzzer's own reading (must_refuse) says for every such job.
		const std::vector<JobView> views = job_views(c, "/m");
		for (size_t j = 0; j < c.jobs.size(); ++j) {
			const std::string stats = c.option(c.jobs[j], "stats_file");
			CHECK((stats == "${E4MEXT_FUZZ_STATS}" || stats.starts_with("${E4MEXT_FUZZ_MNT}/")));
			if (stats == "${E4MEXT_FUZZ_STATS}") {
				stats_kinds.insert("case");
				continue;
			}
			CHECK_FALSE(must_refuse(views[j], views).empty());
			const std::string target = views[j].stats_target;
			const std::vector<std::string> own = views[j].original_paths();
			if (const auto link =
				    std::find_if(c.links.begin(), c.links.end(),
						 [&](const LinkSpec &l) { return "/m/" + l.path == views[j].stats_file; });
			    link != c.links.end()) {
				const bool chain = std::any_of(c.links.begin(), c.links.end(),
							       [&](const LinkSpec &l) { return l.path == link->target; });
				stats_kinds.insert(link->hard               ? "hard link"
						   : chain                  ? "chain of symbolic links"
						   : laid_out.count(target) ? "symbolic link"
									    : "dangling symbolic link");
			} else if (stats.find("/./") != std::string::npos)
				stats_kinds.insert("through /./");
			if (target.find(".e4mext-donor.") != std::string::npos)
				stats_kinds.insert("default donor");
			else if (target.find("donor.") != std::string::npos || target.find("outside.") != std::string::npos)
				stats_kinds.insert("named donor");
			else if (laid_out.count(target) && std::find(own.begin(), own.end(), target) == own.end())
				stats_kinds.insert("another job's original");
			else if (laid_out.count(target))
				stats_kinds.insert("own original");
		}
	}
	CHECK(donor_kinds ==
	      std::set<std::string>{"default", "jobnum", "outside", "new", "run file", "symbolic link", "dangling symbolic link"});
	CHECK(stats_kinds == std::set<std::string>{"case", "default donor", "named donor", "own original", "another job's original",
						   "hard link", "symbolic link", "dangling symbolic link",
						   "chain of symbolic links", "through /./"});
}

TEST_CASE("the job file carries the whole case", "[case_spec]")
{
	for (uint64_t k = 0; k < 200; ++k) {
		const CaseSpec c = generate_case(1, k);
		const std::string text = to_job_file(c, {"original-changed: something"});
		const CaseSpec back = parse_job_file(text, "t.fio");
		CHECK(to_job_file(back, {"original-changed: something"}) == text);
		CHECK(back.seed == 1);
		CHECK(back.index == k);
	}
}

TEST_CASE("a job file that is not a case is refused with the line", "[case_spec]")
{
	CHECK_THROWS_WITH(parse_job_file("[j]\nrw=write\n", "x.fio"), Catch::Contains("x.fio: no '; fuzz: seed S case K' line"));
	CHECK_THROWS_WITH(parse_job_file("; fuzz: seed 1 case 2\n; fuzz: file original ../etc/passwd 5\n[j]\n", "x.fio"),
			  Catch::Contains("x.fio:2: '../etc/passwd' is not a relative path"));
	CHECK_THROWS_WITH(parse_job_file("; fuzz: seed 1 case 2\n; fuzz: file other a 5\n[j]\n", "x.fio"),
			  Catch::Contains("x.fio:2: expected 'file original|outside PATH SIZE'"));
	CHECK_THROWS_WITH(parse_job_file("; fuzz: seed 1 case 2\nrw=write\n", "x.fio"), Catch::Contains("x.fio:2: option outside"));
	CHECK_THROWS_WITH(parse_job_file("; fuzz: seed 1 case 2\n; fuzz: link soft l a\n[j]\n", "x.fio"),
			  Catch::Contains("x.fio:2: expected 'link hard|symbolic PATH TARGET'"));
	CHECK_THROWS_WITH(parse_job_file("; fuzz: seed 1 case 2\n; fuzz: link hard l ../../etc/shadow\n[j]\n", "x.fio"),
			  Catch::Contains("x.fio:2: '../../etc/shadow' is not a relative path"));
	CHECK_THROWS_WITH(parse_job_file("; fuzz: seed 1 case 2\n[global]\n", "x.fio"), Catch::Contains("no job section"));
}

TEST_CASE("a statistics file that is a file of the run by another name must be refused", "[job_model]")
{
	const CaseSpec c =
		parse_job_file("; fuzz: seed 1 case 2\n"
			       "; fuzz: file original x 5\n; fuzz: file original y 5\n"
			       "; fuzz: link hard a.stats-link x\n; fuzz: link symbolic b.stats-link y\n"
			       "[global]\nstats_file=s\n"
			       "[a]\ndirectory=${E4MEXT_FUZZ_MNT}\nfilename=x\nstats_file=${E4MEXT_FUZZ_MNT}/a.stats-link\n"
			       "[b]\ndirectory=${E4MEXT_FUZZ_MNT}\nfilename=y\ndonorname=don\n"
			       "stats_file=${E4MEXT_FUZZ_MNT}/b.stats-link\n"
			       "[c]\ndirectory=${E4MEXT_FUZZ_MNT}\nfilename=z\nstats_file=${E4MEXT_FUZZ_MNT}/./don\n"
			       "[d]\ndirectory=${E4MEXT_FUZZ_MNT}\nfilename=w\nstats_file=${E4MEXT_FUZZ_MNT}/./elsewhere\n",
			       "t.fio");
	CHECK(to_job_file(parse_job_file(to_job_file(c), "again.fio")) == to_job_file(c));
	const auto jobs = job_views(c, "/m");
	REQUIRE(jobs.size() == 4);
	CHECK(jobs[0].stats_target == "/m/x");
	CHECK(must_refuse(jobs[0], jobs) == "stats_file=/m/a.stats-link (that is /m/x) is an original of job a");
	CHECK(jobs[1].stats_target == "/m/y");
	CHECK(must_refuse(jobs[1], jobs) == "stats_file=/m/b.stats-link (that is /m/y) is an original of job b");
	CHECK(must_refuse(jobs[2], jobs) == "stats_file=/m/./don (that is /m/don) is a donor of job b");
	CHECK(jobs[3].stats_target == "/m/elsewhere");
	CHECK(must_refuse(jobs[3], jobs).empty());
}

TEST_CASE("a donor or statistics file through a dangling link or a chain of links must be refused", "[job_model]")
{
	const CaseSpec c =
		parse_job_file("; fuzz: seed 1 case 2\n"
			       "; fuzz: file original x 5\n; fuzz: file original y 5\n"
			       "; fuzz: link symbolic a.donor-link new\n"
			       "; fuzz: link symbolic b.stats-link2 x.e4mext-donor.1\n"
			       "; fuzz: link symbolic b.stats-link b.stats-link2\n"
			       "; fuzz: link symbolic c.stats-link a.donor-link\n"
			       "[global]\nstats_file=s\n"
			       "[a]\ndirectory=${E4MEXT_FUZZ_MNT}\nfilename=x\n"
			       "[b]\ndirectory=${E4MEXT_FUZZ_MNT}\nfilename=y\ndonorname=a.donor-link\n"
			       "stats_file=${E4MEXT_FUZZ_MNT}/b.stats-link\n"
			       "[c]\ndirectory=${E4MEXT_FUZZ_MNT}\nfilename=z\nstats_file=${E4MEXT_FUZZ_MNT}/c.stats-link\n"
			       "[d]\ndirectory=${E4MEXT_FUZZ_MNT}\nfilename=w\ndonorname=${E4MEXT_FUZZ_MNT}/new\n",
			       "t.fio");
	const auto jobs = job_views(c, "/m");
	REQUIRE(jobs.size() == 4);
	CHECK(must_refuse(jobs[0], jobs).empty());
	CHECK(jobs[1].donor_is_link);
	CHECK(jobs[1].donor_target == "/m/new");
	CHECK(must_refuse(jobs[1], jobs) ==
	      "donorname=a.donor-link is a symbolic link (to /m/new): e4mext follows no link to a donor");
	CHECK(jobs[1].stats_target == "/m/x.e4mext-donor.1");
	CHECK(jobs[2].stats_target == "/m/new");
	CHECK(must_refuse(jobs[2], jobs) ==
	      "stats_file=/m/c.stats-link (that is /m/new) is a donor of job b"); // b names it through its link
	CHECK_FALSE(jobs[3].donor_is_link);
	CHECK(must_refuse(jobs[3], jobs).empty());
}

TEST_CASE("content at any offset is the same content", "[content]")
{
	const uint64_t key = content_key(1, 2, "j0f0");
	CHECK(key != content_key(1, 2, "j0f1"));
	CHECK(key != content_key(1, 3, "j0f0"));
	std::vector<unsigned char> whole(10000), pieces(10000);
	fill_content(key, 0, whole.data(), whole.size());
	size_t at = 0;
	for (size_t len : {3, 5, 8, 13, 4096, 1, 7}) {
		fill_content(key, at, pieces.data() + at, len);
		at += len;
	}
	fill_content(key, at, pieces.data() + at, pieces.size() - at);
	CHECK(whole == pieces);
	CHECK(std::accumulate(whole.begin(), whole.end(), 0UL) != 0);
}

TEST_CASE("what a job names, as a user reads it", "[job_model]")
{
	CaseSpec c = parse_job_file("; fuzz: seed 1 case 2\n"
				    "[global]\nstats_file=s\n"
				    "[a]\ndirectory=${E4MEXT_FUZZ_MNT}/d1:${E4MEXT_FUZZ_MNT}/d2\nfilename=x:y\nnumjobs=2\n"
				    "donorname=don.$jobnum.$filename\nkeep_donor\n"
				    "[b]\ndirectory=${E4MEXT_FUZZ_MNT}\nfilename=z\ndonorname=/abs/$jobname\nunlink=1\n",
				    "t.fio");
	const auto jobs = job_views(c, "/m");
	REQUIRE(jobs.size() == 2);
	CHECK(jobs[0].original_paths() == std::vector<std::string>{"/m/d1/x", "/m/d1/y"});
	CHECK(jobs[0].keep_donor);
	CHECK_FALSE(jobs[0].unlink);
	const auto donors = jobs[0].donor_paths();
	CHECK(donors.count("/m/d1/don.0.x"));
	CHECK(donors.count("/m/d2/don.1.y"));
	CHECK(donors.count("/m/d1:/m/d2/don.1.x"));
	CHECK(jobs[0].is_default_donor("/m/d1/y.e4mext-donor.7"));
	CHECK_FALSE(jobs[0].is_default_donor("/m/d2/y.e4mext-donor.7"));
	CHECK_FALSE(jobs[0].is_default_donor("/m/z.e4mext-donor.7"));
	CHECK(jobs[1].donor_paths() == std::set<std::string>{"/abs/b"});
	CHECK(jobs[1].unlink);
	CHECK(jobs[1].donor_paths().size() == 1);
}

TEST_CASE("a job's own statistics file, donor_overwrite and default donors by thread number", "[job_model]")
{
	CaseSpec c = parse_job_file("; fuzz: seed 1 case 2\n"
				    "[global]\nstats_file=s\n"
				    "[a]\ndirectory=${E4MEXT_FUZZ_MNT}\nfilename=x:y\nnumjobs=2\n"
				    "[b]\ndirectory=${E4MEXT_FUZZ_MNT}\nfilename=z\ndonorname=/o\ndonor_overwrite=1\n"
				    "stats_file=${E4MEXT_FUZZ_MNT}/x.e4mext-donor.2\n"
				    "[c]\ndirectory=${E4MEXT_FUZZ_MNT}\nfilename=w\n",
				    "t.fio");
	const auto jobs = job_views(c, "/m");
	REQUIRE(jobs.size() == 3);
	CHECK(jobs[0].stats_file == "s");
	CHECK_FALSE(jobs[0].donor_overwrite);
	CHECK(jobs[1].donor_overwrite);
	CHECK(jobs[1].stats_file == "/m/x.e4mext-donor.2");
	// fio numbers threads from 1 over every clone of every job: a is 1 and 2, b is 3, c is 4.
	CHECK(jobs[0].default_donor_paths() ==
	      std::set<std::string>{"/m/x.e4mext-donor.1", "/m/y.e4mext-donor.1", "/m/x.e4mext-donor.2", "/m/y.e4mext-donor.2"});
	CHECK(jobs[1].default_donor_paths().empty()); // it names its donor
	CHECK(jobs[2].default_donor_paths() == std::set<std::string>{"/m/w.e4mext-donor.4"});
}

TEST_CASE("the engine's statistics, line by line", "[engine_stats]")
{
	using e4mext::report::parse_engine_stats;
	using e4mext::report::parse_engine_stats_records;
	const std::string base =
		R"({"e4mext_stats":1,"jobname":"j","partial_moves":1,"retries":2,"orig_before":{"extents":4},"orig_after":{"extents":1})";
	const auto records = parse_engine_stats_records(
		base + "}\n\n" + base.substr(0, base.size()) +
			R"(,"file":"/m/f","block_size":4096,"bytes_requested":12288,"blocks_requested":4,"misaligned_refused":2,"donor_created":true,"verify":"failed"})" +
			"\n",
		"s.jsonl");
	REQUIRE(records.size() == 2);
	CHECK_FALSE(records[0].bytes_requested);
	CHECK_FALSE(records[0].block_size);
	CHECK(records[0].verify == "off");
	CHECK(records[1].line == 3);
	CHECK(records[1].file == "/m/f");
	CHECK(*records[1].block_size == 4096);
	CHECK(*records[1].bytes_requested == 12288);
	CHECK(*records[1].blocks_requested == 4);
	CHECK(*records[1].misaligned_refused == 2);
	CHECK(records[1].donor_created);
	CHECK_FALSE(records[1].donor_kept);
	// The per-job summary is built on the records.
	const auto by_job = parse_engine_stats(base + "}\n" + base + R"(,"verify":"failed"})" + "\n", "s.jsonl");
	CHECK(by_job.at("j").records == 2);
	CHECK(by_job.at("j").retries == 4);
	CHECK(by_job.at("j").verify_failed);
	CHECK_THROWS_WITH(parse_engine_stats_records(base + R"(,"donor_kept":"yes"})", "s.jsonl"),
			  Catch::Contains("s.jsonl:1: donor_kept: expected true or false, found a string"));
	CHECK_THROWS_WITH(parse_engine_stats_records(base + R"(,"bytes_requested":-1})", "s.jsonl"),
			  Catch::Contains("bytes_requested: expected a non-negative integer"));
}

TEST_CASE("an ioctl range off block boundaries fails the case", "[checks]")
{
	const std::string line = R"({"e4mext_stats":1,"jobname":"j","jobnum":1,"file":"/m/f","partial_moves":0,"retries":0,)"
				 R"("orig_before":{"extents":1},"orig_after":{"extents":1},"block_size":4096,)";
	const StatsVerdict aligned = check_engine_stats(line + R"("bytes_requested":8192,"blocks_requested":2})" + "\n", "s.jsonl");
	CHECK(aligned.failures.empty());
	CHECK(aligned.records == 1);
	CHECK(aligned.records_without_requests == 0);
	CHECK_FALSE(aligned.misaligned_refused);

	// A 6 KiB write at 2 KiB covers two blocks: 8192 bytes asked for 6144.
	const StatsVerdict off = check_engine_stats(
		line + R"("bytes_requested":6144,"blocks_requested":2,"misaligned_refused":3})" + "\n", "s.jsonl");
	REQUIRE(off.failures.size() == 1);
	CHECK(off.failures[0].kind == "misaligned-ioctl");
	CHECK_THAT(off.failures[0].detail,
		   Catch::Contains("job j.1 file /m/f: the ioctls asked for 2 blocks of 4096 bytes (8192 bytes) for 6144"));
	CHECK(off.misaligned_refused);

	const StatsVerdict old_engine = check_engine_stats(line + R"("moves":3})" + "\n", "s.jsonl");
	CHECK(old_engine.failures.empty());
	CHECK(old_engine.records_without_requests == 1);

	const StatsVerdict garbage = check_engine_stats("{\n", "s.jsonl");
	REQUIRE(garbage.failures.size() == 1);
	CHECK(garbage.failures[0].kind == "stats-unreadable");
}

TEST_CASE("a donor left behind fails the case unless its job keeps donors", "[checks]")
{
	const CaseSpec c = parse_job_file("; fuzz: seed 1 case 2\n"
					  "[keep]\ndirectory=/m\nfilename=k\nkeep_donor=1\n"
					  "[named]\ndirectory=/m\nfilename=n\ndonorname=donor.$jobnum\n"
					  "[plain]\ndirectory=/m\nfilename=p\n",
					  "t.fio");
	const auto jobs = job_views(c, "/m");
	const ExtraFile kept = judge_extra_file("/m/k.e4mext-donor.1", true, jobs);
	CHECK(kept.donor);
	CHECK_FALSE(kept.failure);
	const ExtraFile left = judge_extra_file("/m/p.e4mext-donor.3", true, jobs);
	CHECK(left.donor);
	REQUIRE(left.failure);
	CHECK(left.failure->kind == "leftover-donor");
	CHECK_THAT(left.failure->detail, Catch::Contains("carries user.e4mext.donor"));
	const ExtraFile unmarked = judge_extra_file("/m/p.e4mext-donor.3", false, jobs);
	REQUIRE(unmarked.failure);
	CHECK(unmarked.failure->kind == "leftover-donor");
	const ExtraFile named = judge_extra_file("/m/donor.0", false, jobs);
	REQUIRE(named.failure);
	CHECK(named.failure->kind == "leftover-donor");
	const ExtraFile stranger = judge_extra_file("/m/what", false, jobs);
	CHECK_FALSE(stranger.donor);
	REQUIRE(stranger.failure);
	CHECK(stranger.failure->kind == "unexpected-file");
}

TEST_CASE("kernel complaints in /dev/kmsg records", "[kernel_log]")
{
	CHECK(kernel_complaint("4,1234,5678,-;WARNING: CPU: 1 PID: 42 at fs/ext4/move_extent.c:100\n SUBSYSTEM=x\n") ==
	      "WARNING: CPU: 1 PID: 42 at fs/ext4/move_extent.c:100");
	CHECK(kernel_complaint("1,5,6,-;BUG: KASAN: slab-out-of-bounds in mext_page_mkuptodate\n") ==
	      "BUG: KASAN: slab-out-of-bounds in mext_page_mkuptodate");
	CHECK(kernel_complaint("4,7,8,-;Oops: general protection fault\n") == "Oops: general protection fault");
	CHECK(kernel_complaint("6,9,10,-;EXT4-fs (loop0): mounted filesystem with ordered data mode\n").empty());
}
