#!/usr/bin/env bash
# Ctrl-C ends a job-fuzz run, not the case: SIGINT during a run exits 128+2 with no case counted as
# failed, and every loop filesystem the run made (one per worker with --jobs N) is gone.
# usage: t_interrupt.sh BUILD/tests/fuzz/job-fuzz [more job-fuzz arguments, e.g. --jobs 2]
set -u
fuzz=$1
shift
[ "$(id -u)" = 0 ] || { echo "SKIP: job-fuzz needs root (loop devices)"; exit 77; }
command -v fio >/dev/null || { echo "SKIP: fio is not installed"; exit 77; }
log=$(mktemp)
trap 'kill -INT "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -f "$log"' EXIT
"$fuzz" --cases 200 --seed 5 --keep-going "$@" >"$log" 2>&1 &
pid=$!
sleep 15 # a few cases in (about 1 s each here), most likely during one of them
kill -INT "$pid"
wait "$pid"
status=$?
cat "$log"
[ $status = 130 ] || { echo "FAIL: exit status $status after SIGINT, expected 130"; exit 1; }
grep -q "fuzzer-error" "$log" && { echo "FAIL: the interrupt was counted as a failing case"; exit 1; }
grep -q "interrupted (signal 2)" "$log" || { echo "FAIL: no 'interrupted (signal 2)' line"; exit 1; }
images=$(sed -n 's/^job-fuzz: cases run on a loop ext4 of their own, image //p' "$log")
[ -n "$images" ] || { echo "FAIL: the run named no loop image"; exit 1; }
for image in $images; do
	[ ! -e "$(dirname "$image")" ] || { echo "FAIL: $(dirname "$image") is left after the interrupt"; exit 1; }
done
exit 0
