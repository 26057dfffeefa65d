#!/usr/bin/env python3
"""input-fuzz: hostile inputs to the runner's and the report's command lines (build/e4mext).

Every input is a function of (seed, number), so a failure can be run again alone. Two kinds:
  bench   e4mext bench with a label, a size, hosts and a jobs/cases.json (group name and bs value)
          drawn from valid and hostile values, always with --dir on a directory that does not
          exist: a run with only valid values must get as far as refusing that directory; a run
          with a hostile value must be refused before it (exit 2) for that value.
  report  e4mext table/compare/gate on a result set holding a fio JSON file drawn from the
          report's fixtures and mutated: truncated, bytes flipped, numbers made huge, negative or
          fractional, nested deeply, padded to megabytes, emptied.
The oracle, for every input: exit 0 (with output), 1 or 5 (gate only: regressed, undecided) or 2/3 with a message; never a
signal, a hang (a time limit per command), an unhandled exception ("unexpected error"), exit 0 on
a hostile bench value, or a file written outside the input's own results directory.

usage: input-fuzz.py --e4mext BUILD/e4mext --jobs JOBS_DIR --data TESTS/data/report
                     [--seed N] [--inputs N] [--first N] [--time-limit S] [--input N] [--save-failures DIR]
Exit status: 0 no failure, 1 failures (one line each), 2 bad usage, 77 not run.
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

COMMAND_LIMIT = 30  # seconds one e4mext command may take

# "" means the option's default (a label of the kernel, set and date; 512m; no hosts): valid.
GOOD_LABELS = ["", "quick", "6.19.13-tcg", "base+x", "a..b", "L", "x" * 128, "run_1.2", "-", "--"]
BAD_LABELS = [".", "..", "../x", "../../../../tmp/{token}", "a/b", "/abs", "a\nb", "with space", "tab\tx",
              "x" * 129, "ü", "a;b", "$(touch /tmp/{token})", "a\rb", "*", "~"]
GOOD_SIZES = ["", "32m", "1g", "512m", "1024m", "2g", " 32m"]
BAD_SIZES = ["0", "0m", "1000", "1536k", "-1m", "m", "1.5g", "1e3m", "99999999999999999999g",
             "18014398509481984k", "17179869184g", "16777216t", "0x10m", "32m ", "32 m", "32mm"]
# A host's directory is its name with : and / as _: "h/../.." is the one name h_.._.. under runs/.
GOOD_HOSTS = ["127.0.0.1:8765", "localhost", "h1:1,h2:2", "host-a.example_b:9", "h/../..", ".:1", "../../tmp/{token}:1"]
BAD_HOSTS = ["..", ",", "a,", ",a", "h\nx", "a b", "[::1]:8765", "a,..,b", "x;y"]
GOOD_GROUPS = ["coverletter", "g1", "a.b", "x+y", "G_" * 20]
BAD_GROUPS = ["", ".", "..", "../../../../tmp/{token}", "a/b", "a\nb", "a\n[evil]", "sp ace", "x" * 200]
GOOD_BS = ["4k", "32k", "128k", "1m"]
BAD_BS = ["", "4k\n[evil]\nfilename=/etc/passwd", "4k\r", "4k\x00", "../4k", "4k/..", "4 k", "4k;x"]


def token_of(seed, number):
    return f"e4mext-input-fuzz-{seed}-{number}"


def fill(value, token):
    return value.replace("{token}", token)


def pick(rng, good, bad, bad_chance):
    if rng.random() < bad_chance:
        return rng.choice(bad), True
    return rng.choice(good), False


# ---- the bench ------------------------------------------------------------------------------

def bench_input(rng, token):
    """One bench command: its fields, which of them is hostile, the cases.json to use."""
    chance = 0.25
    label, bad_label = pick(rng, GOOD_LABELS, BAD_LABELS, chance)
    size, bad_size = pick(rng, GOOD_SIZES, BAD_SIZES, chance)
    hosts, bad_hosts = pick(rng, GOOD_HOSTS, BAD_HOSTS, chance) if rng.random() < 0.4 else (None, False)
    group, bad_group = pick(rng, GOOD_GROUPS, BAD_GROUPS, chance)
    bs, bad_bs = pick(rng, GOOD_BS, BAD_BS, chance)
    fields = {"label": fill(label, token), "size": size, "hosts": fill(hosts, token) if hosts is not None else None,
              "group": fill(group, token), "bs": bs}
    bad = [name for name, b in [("label", bad_label), ("size", bad_size), ("hosts", bad_hosts), ("group", bad_group),
                                ("bs", bad_bs)] if b]
    return fields, bad


def write_cases(jobs_src, jobs_dir, group, bs):
    shutil.copytree(jobs_src, jobs_dir)
    path = os.path.join(jobs_dir, "cases.json")
    with open(path) as f:
        doc = json.load(f)
    bs_values = next(factor for factor in doc["factors"] if factor["name"] == "bs")["values"]
    if bs not in bs_values:
        bs_values.append(bs)
    doc["sets"]["quick"] = [{"group": group, "layout": ["U"], "bs": [bs]}]
    with open(path, "w") as f:
        json.dump(doc, f)


def run_bench(args, scratch, fields, bad):
    jobs = os.path.join(scratch, "jobs")
    write_cases(args.jobs, jobs, fields["group"], fields["bs"])
    argv = [args.e4mext, "bench", "--quick", "--jobs-dir", jobs, "--results-root", os.path.join(scratch, "results"),
            "--dir", os.path.join(scratch, "no-such-dir"), "--repeat", "1", "--runtime", "1s",
            ]
    for name in ("label", "size"):  # "": the option left out, its default used
        if fields[name]:
            argv.append(f"--{name}={fields[name]}")
    if fields["hosts"] is not None:
        argv.append("--hosts=" + fields["hosts"])
    status, out, err = run(argv, scratch)
    problems = common_problems(status, err)
    reached_dir = "no such directory" in err
    if status == 0:
        problems.append("bench-exit-0: a bench with a directory that does not exist succeeded")
    elif bad and reached_dir:
        problems.append(f"accepted-{bad[0]}: the hostile {bad[0]} {fields[bad[0]]!r} was accepted (got as far as --dir)")
    elif not bad and not reached_dir and status is not None and status not in (-9,):
        problems.append(f"refused-valid: valid values refused: {one_line(err)}")
    elif bad and status not in (2, None):
        problems.append(f"hostile-exit-{status}: a hostile {bad[0]} gave exit {status}, not 2 (bad usage)")
    return problems, argv


# ---- the report -----------------------------------------------------------------------------

def fixtures(data):
    found = []
    for root, _, files in os.walk(data):
        if "malformed" in root:
            continue
        for name in files:
            if name.endswith(".json") and os.path.getsize(os.path.join(root, name)) < 200_000:
                found.append(os.path.join(root, name))
    return sorted(found)


NUMBER = re.compile(rb"(?<=[:\[,\s])-?[0-9]+(\.[0-9]+)?(?=[,\]\}\s])")
HOSTILE_NUMBERS = [b"18446744073709551615", b"18446744073709551616", b"9223372036854775807", b"-9223372036854775808",
                   b"-1", b"0", b"1e308", b"-1e308", b"1e-320", b"4611686018427387904", b"0.5", b"123456789012345678901234567890"]


def mutate(rng, text):
    """A hostile variant of a fio JSON document and the kind of mutation."""
    kind = rng.choice(["truncate", "flip", "numbers", "numbers", "nest", "pad", "empty", "bigstring", "junk", "dup"])
    if kind == "truncate":
        return text[:rng.randrange(len(text))], kind
    if kind == "flip":
        data = bytearray(text)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data), kind
    if kind == "numbers":
        spans = [m.span() for m in NUMBER.finditer(text)]
        if not spans:
            return text, kind
        chosen = sorted(rng.sample(spans, min(len(spans), rng.randint(1, 12))), reverse=True)
        data = text
        for start, end in chosen:
            data = data[:start] + rng.choice(HOSTILE_NUMBERS) + data[end:]
        return data, kind
    if kind == "nest":
        depth = rng.choice([100, 1000, 100000])
        return b"[" * depth + text + b"]" * depth, kind
    if kind == "pad":
        return text + b" " * rng.choice([1 << 20, 4 << 20]), kind
    if kind == "empty":
        return b"", kind
    if kind == "bigstring":
        return text.replace(b'"jobname"', b'"jobname": "' + b"A" * (2 << 20) + b'", "x"', 1), kind
    if kind == "junk":
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 4096))), kind
    # dup: the document twice, one after the other
    return text + b"\n" + text, kind


def run_report(args, scratch, rng, fixture_files):
    source = rng.choice(fixture_files)
    with open(source, "rb") as f:
        text = f.read()
    data, kind = mutate(rng, text)
    set_dir = os.path.join(scratch, "results", "set")
    os.makedirs(set_dir)
    with open(os.path.join(set_dir, "run-1.json"), "wb") as f:
        f.write(data)
    base = os.path.join(args.data, "gate", "base")
    command = rng.choice(["table", "table", "compare", "gate"])
    if command == "table":
        argv = [args.e4mext, "table", set_dir] + rng.choice([[], ["--format", "markdown"], ["--format", "csv"], ["--format", "json"]])
    elif command == "compare":
        argv = [args.e4mext, "compare", base, set_dir]
    else:
        argv = [args.e4mext, "gate", base, set_dir, "--min-samples", "1"]
    status, out, err = run(argv, scratch)
    # The gate's exit 5 is its verdict "undecided", printed on stdout like a pass or a regression.
    verdicts = (5,) if command == "gate" else ()
    problems = common_problems(status, err, verdicts)
    if status in (0,) + verdicts and not out.strip():
        problems.append(f"report-no-output: exit {status} with nothing on stdout")
    if status == 0 and b"{" not in data:
        problems.append("report-garbage-accepted: exit 0 on a file with no JSON object")
    if status not in (None, 0, 1, 2) + verdicts and status > 0:
        problems.append(f"report-exit-{status}: the report exits 0, 1 or 2 (the gate also 5, undecided)")
    if status == 1 and command != "gate":
        problems.append("report-exit-1: only the gate exits 1")
    if status == 2 and len(err.strip().splitlines()) != 1:
        problems.append(f"report-messages: {len(err.strip().splitlines())} lines on stderr, expected one")
    return problems, argv + [f"(file: {kind} of {os.path.relpath(source, args.data)})"], data


# ---- running and judging ----------------------------------------------------------------------

def one_line(text):
    text = " | ".join(line for line in text.strip().splitlines()[-3:])
    return text[:300]


def run(argv, cwd):
    """Runs argv in its own process group; returns (status, stdout, stderr); status None on a hang."""
    try:
        p = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True)
    except OSError as e:
        return 127, "", str(e)
    try:
        out, err = p.communicate(timeout=COMMAND_LIMIT)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        return None, out.decode(errors="replace"), err.decode(errors="replace")
    return p.returncode, out.decode(errors="replace"), err.decode(errors="replace")


def common_problems(status, err, verdicts=()):
    problems = []
    if status is None:
        problems.append(f"hang: no end within {COMMAND_LIMIT} s")
    elif status < 0:
        problems.append(f"crash: killed by signal {-status}: {one_line(err)}")
    elif status >= 128:
        problems.append(f"crash: exit {status}: {one_line(err)}")
    if "unexpected error" in err or "terminate called" in err or "Segmentation fault" in err:
        problems.append(f"unclear-error: {one_line(err)}")
    if status is not None and status >= 2 and status not in verdicts and not err.strip():
        problems.append(f"silent-failure: exit {status} with nothing on stderr")
    return problems


def written_outside(scratch, token):
    """Files the input made outside its results directory: in the scratch tree and in /tmp."""
    allowed = {os.path.join(scratch, d) for d in ("results", "jobs")}
    stray = []
    for root, dirs, files in os.walk(scratch):
        if root in allowed:
            dirs[:] = []
            continue
        for name in dirs + files:
            path = os.path.join(root, name)
            if path not in allowed:
                stray.append(path)
    stray += [os.path.join("/tmp", n) for n in os.listdir("/tmp") if token in n]
    return stray


def one_input(args, seed, number, fixture_files):
    rng = random.Random(f"{seed}-{number}")
    token = token_of(seed, number)
    scratch = tempfile.mkdtemp(prefix="e4mext-input-fuzz.")
    data = None
    try:
        if rng.random() < 0.5:
            fields, bad = bench_input(rng, token)
            problems, argv = run_bench(args, scratch, fields, bad)
        else:
            problems, argv, data = run_report(args, scratch, rng, fixture_files)
        stray = written_outside(scratch, token)
        if stray:
            problems.append("written-outside: " + ", ".join(stray[:3]))
        for path in stray:
            if path.startswith("/tmp/") and token in path:
                shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) else os.unlink(path)
        return problems, argv, data
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--e4mext", required=True)
    parser.add_argument("--jobs", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--inputs", type=int, default=200)
    parser.add_argument("--first", type=int, default=0, help="the number of the first input (a soak split in parts)")
    parser.add_argument("--input", type=int, default=None, help="run this input alone")
    parser.add_argument("--time-limit", type=float, default=0, help="stop starting inputs after S seconds")
    parser.add_argument("--save-failures", default=None, help="write each failing report input's file here")
    args = parser.parse_args()
    if not os.access(os.path.abspath(args.e4mext), os.X_OK):
        print(f"input-fuzz: SKIP: {args.e4mext} is not built", file=sys.stderr)
        return 77
    args.e4mext = os.path.abspath(args.e4mext)  # each input runs in its own directory
    seed = args.seed if args.seed is not None else int(time.time())
    fixture_files = fixtures(args.data)
    if not fixture_files:
        print(f"input-fuzz: no fio JSON fixtures under {args.data}", file=sys.stderr)
        return 2
    print(f"input-fuzz: seed {seed}", flush=True)
    numbers = [args.input] if args.input is not None else range(args.first, args.first + args.inputs)
    started = time.monotonic()
    ran = failures = 0
    kinds = {}
    for number in numbers:
        if args.time_limit and time.monotonic() - started > args.time_limit:
            print(f"input-fuzz: time limit of {args.time_limit:.0f} s reached", flush=True)
            break
        problems, argv, data = one_input(args, seed, number, fixture_files)
        ran += 1
        for p in problems:
            failures += 1
            kind = p.split(":")[0]
            kinds[kind] = kinds.get(kind, 0) + 1
            print(f"FAIL input {number} (--seed {seed} --input {number}): {p}\n    {' '.join(repr(a) for a in argv)}",
                  flush=True)
            if args.save_failures and data is not None:
                os.makedirs(args.save_failures, exist_ok=True)
                with open(os.path.join(args.save_failures, f"{kind}-{seed}-{number}.json"), "wb") as f:
                    f.write(data)
        if ran % 500 == 0:
            print(f"input-fuzz: {ran} inputs, {failures} failures, {time.monotonic() - started:.0f} s", flush=True)
    print(f"input-fuzz: {ran} inputs run in {time.monotonic() - started:.0f} s, {failures} failures"
          + ("" if not kinds else " (" + ", ".join(f"{k}: {n}" for k, n in sorted(kinds.items())) + ")"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
