#!/usr/bin/env python3
"""Writes the hand-crafted fixtures of the report tests (the real fio 3.33 output is under
fio-3.33/, produced on this machine). Deterministic; run from anywhere."""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def write(rel, text):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w" if isinstance(text, str) else "wb") as out:
        out.write(text)


def direction(io_bytes=0, total_ios=0, runtime=0, iops=None):
    bw = 1000 * io_bytes // runtime if runtime else 0
    return {"io_bytes": io_bytes, "io_kbytes": io_bytes >> 10, "bw_bytes": bw, "bw": bw // 1024,
            "iops": iops if iops is not None else (1000.0 * total_ios / runtime if runtime else 0.0),
            "runtime": runtime, "total_ios": total_ios, "short_ios": 0, "drop_ios": 0}


def job(name, options, total_ios, bs_bytes, runtime=30000, error=0, **extra):
    entry = {"jobname": name, "groupid": 0, "error": error, "job options": options,
             "read": direction(), "write": direction(total_ios * bs_bytes, total_ios, runtime), "trim": direction()}
    entry.update(extra)
    return entry


def doc(jobs, version="fio-3.33", global_options=None, key="jobs"):
    d = {"fio version": version, "timestamp": 1758585600, "time": "Tue Sep 23 00:00:00 2025"}
    if global_options is not None:
        d["global options"] = global_options
    d[key] = jobs
    return d


def dump(d):
    return json.dumps(d, indent=2) + "\n"


LIB = "external:/usr/local/lib/fio/libe4mext.so"

# fio 3.39+ shape: flag options printed as "", job_start present.
write("fio-3.39/flags-empty-string.json", dump(doc(
    [job("defrag", {"ioengine": LIB, "bs": "32k", "rw": "write", "overwrite": "", "time_based": "",
                    "group_reporting": "", "donorname": "test.def"}, 60000, 32768, job_start=1758585600000)],
    version="fio-3.39", global_options={"directory": "/mnt", "filesize": "1G"})))

# fio 3.42 client/server with two hosts, "global options" as an array, "All clients" aggregate.
clients = [
    dict(job("defrag", {"bs": "4k"}, 300000, 4096), hostname="host-a", port=8765),
    dict(job("defrag", {"bs": "4k"}, 240000, 4096), hostname="host-b", port=8765),
    dict(job("All clients", {}, 540000, 4096), hostname="host-b", port=8765),
]
del clients[2]["job options"]
write("fio-3.42/client-two-hosts.json", "\n" + dump(doc(
    clients, version="fio-3.42", key="client_stats",
    global_options=[{"ioengine": "e4defrag", "rw": "write", "donorname": "test.def"},
                    {"ioengine": "e4defrag", "rw": "write", "donorname": "test.def"}])))

# nan and inf as fio's %f prints them, informational lines before the document.
text = dump(doc([job("defrag", {"ioengine": "e4defrag", "bs": "4k"}, 30000, 4096, iops=1.0)]))
text = text.replace('"iops": 1.0', '"iops": nan').replace('"io_kbytes": 120000', '"io_kbytes": 120000, "lat_mean": -nan, "bw_dev": inf')
write("shapes/nan-inf.json", "fio: this platform does not support the requested clocksource\n"
      "note: both iodepth >= 1 and synchronous I/O engine are selected\n" + text)

# A job that failed, a job that wrote nothing, next to a good one.
write("shapes/error-and-no-writes.json", dump(doc([
    job("good", {"ioengine": "e4defrag", "bs": "4k", "rw": "write"}, 30000, 4096),
    job("failed", {"ioengine": "e4defrag", "bs": "32k", "rw": "write"}, 10, 32768, error=22),
    job("idle", {"ioengine": "e4defrag", "bs": "128k", "rw": "write"}, 0, 131072, runtime=0),
])))

# Classification: donor_mode, inplace, rand and engines differ -> labels, never merged.
write("classify/mixed.json", dump(doc([
    job("u-written-donor", {"ioengine": LIB, "bs": "4k", "donor_mode": "written"}, 30000, 4096),
    job("u-unwritten-donor", {"ioengine": LIB, "bs": "4KiB"}, 30000, 4096),
    job("u-inplace", {"ioengine": LIB, "bs": "4096", "inplace": "1"}, 30000, 4096),
    job("u-rand", {"ioengine": LIB, "bs": "4k,4k", "rw": "randwrite"}, 30000, 4096),
    job("m-e4defrag", {"ioengine": "e4defrag", "blocksize": "1m", "overwrite": "1"}, 3000, 1048576),
])))

# Engine statistics side file beside its fio JSON.
write("sidefile/run.json", dump(doc([job("defrag", {"ioengine": LIB, "bs": "4k", "numjobs": "2"}, 30000, 4096),
                                     job("defrag", {"ioengine": LIB, "bs": "4k", "numjobs": "2"}, 30000, 4096)])))
record = {"e4mext_stats": 1, "engine_version": "0.1.0", "jobname": "defrag", "jobnum": 0, "thread_number": 1,
          "file": "/mnt/test.0.0", "donor": "/mnt/test.0.0.e4mext-donor.1", "donor_mode": "unwritten", "inplace": False,
          "block_size": 4096, "moves": 30000, "blocks_moved": 30000, "partial_moves": 2, "ebusy": 0, "enodata": 0,
          "other_errors": 0, "retries": 3,
          "orig_before": {"extents": 40, "written": 40, "unwritten": 0, "blocks": 30000},
          "orig_after": {"extents": 1, "written": 1, "unwritten": 0, "blocks": 30000},
          "donor_before": {"extents": 1, "written": 0, "unwritten": 1, "blocks": 30000},
          "donor_after": {"extents": 40, "written": 40, "unwritten": 0, "blocks": 30000},
          "orig_blocks_relocated": 30000, "verify": "passed"}
second = dict(record, jobnum=1, thread_number=2, file="/mnt/test.1.0", partial_moves=0, retries=1,
              orig_before=dict(record["orig_before"], extents=60), orig_after=dict(record["orig_after"], extents=2))
write("sidefile/run.stats.jsonl", json.dumps(record) + "\n" + json.dumps(second) + "\n")
write("sidefile-bad/run.json", dump(doc([job("defrag", {"ioengine": LIB, "bs": "4k"}, 30000, 4096)])))
write("sidefile-bad/run.stats.jsonl", json.dumps(record) + "\n{\"e4mext_stats\": 1, \"jobname\": \"defrag\"\n")

# Repetitions for statistics and the gate: 5 runs of U 4k and M 4k each.
def rep_set(name, u_ios, m_ios):
    for i, (u, m) in enumerate(zip(u_ios, m_ios)):
        write(f"gate/{name}/run-{i}.json", dump(doc([
            job("u", {"ioengine": "e4defrag", "bs": "4k", "overwrite": "0"}, u, 4096),
            job("m", {"ioengine": "e4defrag", "bs": "4k", "overwrite": "1"}, m, 4096)])))


base_u = [6000000, 6030000, 5970000, 6010000, 5990000]
base_m = [600000, 603000, 597000, 601000, 599000]
rep_set("base", base_u, base_m)
rep_set("noise", [int(x * f) for x, f in zip(base_u, [0.98, 1.01, 0.99, 0.985, 1.0])], base_m)
rep_set("regressed", [int(x * 0.9) for x in base_u], base_m)   # U 4k: 10% slower
rep_set("improved", [int(x * 1.2) for x in base_u], base_m)
# U 4k: the median 8% lower, but two runs above every base run: over 5%, not significant.
rep_set("inconclusive", [int(x * f) for x, f in zip(base_u, [0.80, 1.02, 0.92, 1.01, 0.90])], base_m)

# Holm in compare and the gate: 8 cases, 6 runs each. U 4k and M 4k 10% lower with no overlap
# (U = 0: two-sided p 0.002, one-sided 0.001); the other six 3% lower with four crossed pairs
# (U = 4: two-sided p 0.026, one-sided 0.013): significant alone, not after Holm over 8 cases.
def holm_set(name, runs_of):
    sizes = [("4k", 4096), ("32k", 32768), ("128k", 131072), ("1m", 1048576)]
    for i in range(6):
        jobs = []
        for overwrite in ("0", "1"):
            for bs, size in sizes:
                ios = int(3000000 * 4096 // size * runs_of(bs)[i])
                jobs.append(job(f"{overwrite}-{bs}", {"ioengine": "e4defrag", "bs": bs, "overwrite": overwrite},
                                ios, size))
        write(f"holm/{name}/run-{i}.json", dump(doc(jobs)))


holm_base_runs = [0.975, 0.985, 0.995, 1.005, 1.015, 1.025]
holm_set("base", lambda bs: holm_base_runs)
# Ascending: c c c b c c b c b b b b - pairs with the candidate above: 3 over the first base run,
# 1 over the second.
holm_set("shifted", lambda bs: [0.9 * r for r in holm_base_runs] if bs == "4k" else
         [0.95, 0.955, 0.96, 0.978, 0.981, 0.99])

# Sets as scripts/bench leaves them: results/<label>/metadata.txt and runs/ below; three kernels.
def bench_set(label, kernel, date, u_factor, m_factor):
    write(f"sets/{label}/metadata.txt", "\n".join([
        f"label: {label}", f"date: {date}", f"kernel: {kernel} (#1 SMP PREEMPT_DYNAMIC)", "fio: fio-3.33",
        "e4mext: 0.1.0, git 0123456789ab", "cpu: Test CPU, 2 online", "memory: 8G",
        "load average at start: 0.10 0.20 0.30", "load average at end: 0.40 0.50 0.60",
        "accelerator: kvm", "status: complete"]) + "\n")
    for i, (u, m) in enumerate(zip(base_u, base_m)):
        write(f"sets/{label}/runs/coverletter/U-4k/run-{i + 1}.json", dump(doc([
            job("defrag", {"ioengine": "e4defrag", "bs": "4k", "overwrite": "0"}, int(u * u_factor), 4096)])))
        write(f"sets/{label}/runs/coverletter/M-4k/run-{i + 1}.json", dump(doc([
            job("defrag", {"ioengine": "e4defrag", "bs": "4k", "overwrite": "1"}, int(m * m_factor), 4096)])))


bench_set("6.1-base", "6.1.0-test", "2026-01-01T00:00:00Z", 1.0, 1.0)
bench_set("6.2-slower", "6.2.0-test", "2026-02-01T00:00:00Z", 0.9, 1.0)
bench_set("6.3-faster", "6.3.0-test", "2026-03-01T00:00:00Z", 1.2, 1.5)

# Exact figures and thin evidence (tests/report/test_exact.cpp): two sets as scripts/bench leaves
# them, 4 runs per case in 3 s windows, fio's "iops" field truncated to an integer so that a ratio
# taken from it (31 / 1473 against the exact 34.0 / 1485) would show. U 128k's old kernel makes
# fewer than 400 moves per run (thin), one of M 128k's new-kernel runs ends at 2.1 s (its file ran
# out: runtime=3s without time_based). Every run has fio's completion-latency percentiles.
def exact_run(label, case, bs, overwrite, total_ios, runtime_ms, clat_ms, i):
    d = direction(total_ios * bs, total_ios, runtime_ms, iops=float(1000 * total_ios // runtime_ms))
    d["clat_ns"] = {"percentile": {"50.000000": int(clat_ms * 1e6), "99.000000": int(clat_ms * 7.3e6),
                                   "99.900000": int(clat_ms * 13.1e6)}}
    entry = {"jobname": "defrag", "groupid": 0, "error": 0,
             "job options": {"ioengine": "e4defrag", "bs": f"{bs // 1024}k", "overwrite": overwrite, "runtime": "3s"},
             "read": direction(), "write": d, "trim": direction()}
    write(f"exact/{label}/runs/coverletter/{case}/run-{i + 1}.json", dump(doc([entry])))


def exact_set(label, kernel, cases):
    write(f"exact/{label}/metadata.txt", "\n".join([
        f"label: {label}", "date: 2026-12-01T00:00:00Z", f"kernel: {kernel}", "fio: fio-3.33",
        "e4mext: 0.1.0, git 0123456789ab", "runtime limit: 3s", "status: complete"]) + "\n")
    for case, bs, overwrite, runs in cases:
        for i, (total_ios, runtime_ms, clat_ms) in enumerate(runs):
            exact_run(label, case, bs, overwrite, total_ios, runtime_ms, clat_ms, i)


exact_set("6.18-old", "6.18.15-test", [
    ("U-4k", 4096, "0", [(2995, 3000, 0.91), (3104, 3000, 0.87), (2890, 3000, 0.95), (3047, 3001, 0.90)]),
    ("U-128k", 131072, "0", [(95, 3000, 29.0), (113, 3000, 24.1), (104, 3000, 27.3), (99, 3002, 28.8)]),
    ("M-128k", 131072, "1", [(611, 3000, 4.62), (598, 3000, 4.79), (640, 3000, 4.41), (587, 3000, 4.85)]),
])
exact_set("6.19-new", "6.19.13-test", [
    ("U-4k", 4096, "0", [(3311, 3000, 0.82), (3207, 3000, 0.85), (3402, 3000, 0.80), (3365, 3000, 0.81)]),
    ("U-128k", 131072, "0", [(1470, 3000, 1.93), (1502, 3000, 1.88), (1433, 3000, 1.99), (1488, 3000, 1.91)]),
    ("M-128k", 131072, "1", [(1712, 3000, 1.61), (1190, 2100, 1.63), (1745, 3000, 1.58), (1698, 3000, 1.64)]),
])

# One set made of two files, named by its "label" file.
write("mixed-set/label", "mixed\n")
write("mixed-set/mixed.json", open(os.path.join(HERE, "classify/mixed.json")).read())
write("mixed-set/client-two-hosts.json", open(os.path.join(HERE, "fio-3.42/client-two-hosts.json")).read())

# Malformed inputs: each must exit 2 with one line naming the file.
write("malformed/empty.json", "")
write("malformed/whitespace.json", "\n  \n")
write("malformed/garbage.json", bytes(range(256)) * 4)
write("malformed/not-fio.json", '{"name": "something else", "values": [1, 2, 3]}\n')
write("malformed/array.json", '[1, 2, 3]\n')
write("malformed/truncated.json", dump(doc([job("x", {"bs": "4k"}, 10, 4096)]))[:400])
write("malformed/invalid-json.json", '{\n  "fio version": "fio-3.33",\n  "jobs": [ {"jobname": "x",, } ]\n}\n')
write("malformed/wrong-type-io-bytes.json", dump(doc([job("x", {"bs": "4k"}, 10, 4096)])).replace(
    '"io_bytes": 40960', '"io_bytes": "40960"'))
write("malformed/wrong-type-jobs.json", dump({"fio version": "fio-3.33", "jobs": [1, 2]}))
write("malformed/missing-write.json", json.dumps({"fio version": "fio-3.33", "jobs": [{"jobname": "x", "error": 0}]}))
write("malformed/missing-runtime.json", dump(doc([job("x", {"bs": "4k"}, 10, 4096)])).replace('"runtime": 30000,', ''))
write("malformed/negative-total-ios.json", dump(doc([job("x", {"bs": "4k"}, 10, 4096)])).replace(
    '"total_ios": 10', '"total_ios": -10'))
write("malformed/option-not-string.json", dump(doc([job("x", {"bs": 4096}, 10, 4096)])))
write("malformed/bad-bs.json", dump(doc([job("x", {"bs": "4q"}, 10, 4096)])))
write("malformed/empty-jobs.json", dump(doc([])))
write("malformed/deep-nesting.json", "{\"a\":" + "[" * 1000 + "]" * 1000 + "}\n")
# Found by the fuzzer: a number too large for a double (nlohmann's out_of_range, not parse_error).
write("malformed/number-overflow.json", dump(doc([job("x", {"bs": "4k"}, 10, 4096)])).replace(
    '"io_bytes": 40960', '"io_bytes": 444444444E4444444'))
