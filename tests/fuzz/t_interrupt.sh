#!/usr/bin/env bash
# Ctrl-C ends a job-fuzz run, not the case: SIGINT during a run exits 128+2 with no case counted as
# failed.
# usage: t_interrupt.sh BUILD/tests/fuzz/job-fuzz
set -u
fuzz=$1
[ "$(id -u)" = 0 ] || { echo "SKIP: job-fuzz needs root (loop devices)"; exit 77; }
command -v fio >/dev/null || { echo "SKIP: fio is not installed"; exit 77; }
log=$(mktemp)
trap 'kill -INT "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -f "$log"' EXIT
"$fuzz" --cases 200 --seed 5 --keep-going >"$log" 2>&1 &
pid=$!
sleep 15 # a few cases in (about 1 s each here), most likely during one of them
kill -INT "$pid"
wait "$pid"
status=$?
cat "$log"
[ $status = 130 ] || { echo "FAIL: exit status $status after SIGINT, expected 130"; exit 1; }
grep -q "fuzzer-error" "$log" && { echo "FAIL: the interrupt was counted as a failing case"; exit 1; }
grep -q "interrupted (signal 2)" "$log" || { echo "FAIL: no 'interrupted (signal 2)' line"; exit 1; }
exit 0
