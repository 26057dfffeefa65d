#!/usr/bin/env python3
"""Writes the cover letter's [w/o] and [w] tables (Zhang Yi, "[PATCH 00/13] ext4: optimize online
defragment") as fio 3.33 JSON result files: wo/*.json and w/*.json, one file per case.

The cover letter gives only fio's rounded text (IOPS=225k, BW=877MiB/s). For each case this
picks, with the job's runtime=30s (runtime 30000 ms), the total_ios nearest to the one the BW
text implies (it has the most digits) whose figures,
computed as fio computes them (iops = 1000*total_ios/runtime, bw = 1000*io_bytes/runtime with
io_bytes = total_ios*bs, each truncated, then num2str with 4 significant figures), print
exactly the cover letter's strings. Run it again to regenerate; the output is deterministic.
"""
import json
import os

RUNTIME_MS = 30000
TABLES = {
    "wo": [("U", "4k", "225k", "877MiB/s"), ("U", "32k", "33.2k", "1037MiB/s"), ("U", "128k", "8510", "1064MiB/s"),
           ("M", "4k", "19.8k", "77.2MiB/s"), ("M", "32k", "2502", "78.2MiB/s"), ("M", "128k", "635", "79.5MiB/s")],
    "w": [("U", "4k", "246k", "963MiB/s"), ("U", "32k", "209k", "6529MiB/s"), ("U", "128k", "146k", "17.8GiB/s"),
          ("M", "4k", "19.5k", "76.2MiB/s"), ("M", "32k", "4091", "128MiB/s"), ("M", "128k", "2814", "352MiB/s")],
}
KERNEL = {"wo": "6.17.0-rc7 (without the series)", "w": "6.17.0-rc7 + [PATCH 00/13] ext4: optimize online defragment"}


def num2str(num, maxlen, pow2, unit):
    """fio lib/num2str.c, base 1."""
    prefixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"] if pow2 else ["", "k", "M", "G", "T", "P", "E"]
    step = 1024 if pow2 else 1000
    post, modulo = 0, None
    while post < len(prefixes):
        if len(str(num)) <= maxlen:
            break
        modulo = num % step
        num //= step
        post += 1
    if modulo is None:
        return f"{num}{prefixes[post]}{unit}"
    room = maxlen - len(str(num))
    if room <= 1:
        if modulo >= step // 2:
            num += 1
        return f"{num}{prefixes[post]}{unit}"
    frac = "%.*f" % (room - 1, modulo / step)
    if frac[0] == "1":
        num += 1
    return f"{num}.{frac[2:]}{prefixes[post]}{unit}"


def bytes_of(bs):
    return int(bs[:-1]) * 1024


def pick_total_ios(bs, iops_text, bw_text):
    block = bytes_of(bs)
    # search around the value the BW text implies
    units = {"KiB/s": 1 << 10, "MiB/s": 1 << 20, "GiB/s": 1 << 30}
    unit = bw_text[-5:]
    guess = int(float(bw_text[:-5]) * units[unit] / block * RUNTIME_MS / 1000)
    for delta in range(0, guess):
        for total in (guess - delta, guess + delta):
            iops = 1000 * total // RUNTIME_MS
            bw = 1000 * total * block // RUNTIME_MS
            if num2str(iops, 4, False, "") == iops_text and num2str(bw, 4, True, "B/s") == bw_text:
                return total
    raise SystemExit(f"no total_ios for {bs} {iops_text} {bw_text}")


def direction(io_bytes=0, total_ios=0, runtime=0):
    bw_bytes = 1000 * io_bytes // runtime if runtime else 0
    return {
        "io_bytes": io_bytes, "io_kbytes": io_bytes >> 10, "bw_bytes": bw_bytes, "bw": bw_bytes // 1024,
        "iops": 1000.0 * total_ios / runtime if runtime else 0.0, "runtime": runtime, "total_ios": total_ios,
        "short_ios": 0, "drop_ios": 0,
    }


def document(kind, bs, total_ios):
    block = bytes_of(bs)
    options = {
        "name": "defrag", "directory": "/mnt", "filesize": "400G", "buffered": "1", "fadvise_hint": "0",
        "ioengine": "e4defrag", "bs": bs, "donorname": "test.def", "filename": "test", "inplace": "0",
        "rw": "write", "overwrite": "1" if kind == "M" else "0", "numjobs": "1", "iodepth": "1", "runtime": "30s",
    }
    return {
        "fio version": "fio-3.33",
        "timestamp": 1758585600,
        "time": "Tue Sep 23 00:00:00 2025",
        "jobs": [{
            "jobname": "defrag", "groupid": 0, "error": 0, "eta": 0, "elapsed": 31,
            "job options": options,
            "read": direction(), "write": direction(total_ios * block, total_ios, RUNTIME_MS), "trim": direction(),
            "job_runtime": RUNTIME_MS,
        }],
    }


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for table, rows in TABLES.items():
        os.makedirs(os.path.join(here, table), exist_ok=True)
        with open(os.path.join(here, table, "label"), "w") as out:
            out.write(("w/o" if table == "wo" else "w") + "\n")  # the block's name (e4mext-report default label)
        for kind, bs, iops_text, bw_text in rows:
            total = pick_total_ios(bs, iops_text, bw_text)
            doc = document(kind, bs, total)
            doc["jobs"][0]["job options"]["description"] = f"cover letter [{ 'w/o' if table == 'wo' else 'w'}] {kind} {bs}, kernel {KERNEL[table]}"
            name = os.path.join(here, table, f"{kind}-{bs}.json")
            with open(name, "w") as out:
                json.dump(doc, out, indent=2)
                out.write("\n")
            print(f"{table}/{kind}-{bs}.json: total_ios={total} -> IOPS={iops_text}, BW={bw_text}")


main()
