#!/usr/bin/env python3
"""Every committed results/**/*.json is one pure JSON document: nothing before or after it (fio
writes its warnings about a job into its JSON output, in front of the document), no nan or inf.
The report's parser skips such a prefix; the bench fails the run; this keeps it out of the tree.

  t_results_json.py RESULTS_DIR
Prints each bad file with what is wrong; exits 1 when there is one, 0 otherwise.
"""
import json
import pathlib
import sys


def refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


results = pathlib.Path(sys.argv[1])
files = sorted(results.rglob("*.json"))
bad = 0
for path in files:
    text = path.read_text(errors="replace")
    try:
        json.loads(text, parse_constant=refuse_constant)
    except ValueError as e:
        bad += 1
        print(f"FAIL {path.relative_to(results.parent)}: {e}; it starts: {text[:100]!r}")
if not files:
    print(f"FAIL: no JSON file under {results}")
    sys.exit(1)
print(f"{len(files) - bad} of {len(files)} JSON files under {results.name}/ are pure JSON")
sys.exit(1 if bad else 0)
