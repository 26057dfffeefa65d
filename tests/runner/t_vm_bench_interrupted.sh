#!/usr/bin/env bash
# SIGINT during a VM bench: the runs that finished make the set's table (marked PARTIAL), the
# metadata counts them, the run the VM was stopped in stays out of the set (its files kept under
# <set>/unfinished, as on the host, and named in the metadata), exit 130, nothing left behind. Before, its empty fio JSON joined the set
# and no table was written.
# usage: t_vm_bench_interrupted.sh BUILD/e4mext
set -u
e4mext=$1
vm="$e4mext vm" # for vm_test_lib.sh's kernel lookup
. "$(dirname "$0")/vm_test_lib.sh"
start_vm_test

TMPDIR=$work/tmp E4MEXT_TMPDIR=$work/tmp $e4mext bench --quick --size 16m --runtime 1s --repeat 1 --kernel "$kernel" \
	--results-root "$work/results" --label int >"$work/out.txt" 2>&1 &
bench=$!
# Two runs finished in the guest (their JSON reaches the host through the results share) and the
# third started (its job file is there): the interrupt should stop the VM in the third.
for _ in $(seq 6000); do # at most 10 min: a loaded machine boots TCG guests slowly
	[ "$(find "$work/results" -name 'run-1.json' -size +0 2>/dev/null | wc -l)" -ge 2 ] &&
		[ "$(find "$work/results" -name 'run-1.fio' 2>/dev/null | wc -l)" -ge 3 ] && break
	kill -0 $bench 2>/dev/null || break
	sleep 0.1
done
kill -INT $bench
wait $bench
status=$?
cat "$work/out.txt"
set_dir=$(ls -d "$work"/results/int/*/ 2>/dev/null | head -n 1)
[ $status = 130 ] || fail "exit status $status, expected 130"
[ -e "$work/results/int/PARTIAL" ] || fail "the results are not marked PARTIAL"
done_runs=$(find "$set_dir/runs" -name 'run-1.json' -size +0 | wc -l)
[ "$done_runs" -ge 2 ] || fail "$done_runs finished runs in the set, expected 2 or more"
[ -z "$(find "$set_dir/runs" -name 'run-1.json' -size 0)" ] || fail "an empty fio JSON is in the set: $(find "$set_dir/runs" -name 'run-1.json' -size 0)"
grep -q "^runs: $done_runs of 6" "$set_dir/metadata.txt" || fail "metadata.txt does not say 'runs: $done_runs of 6': $(grep '^runs' "$set_dir/metadata.txt")"
[ -s "$set_dir/table.txt" ] || fail "no table of the finished runs"
[ "$(grep -cE '^ *[UM] [0-9]+k' "$set_dir/table.txt")" -ge "$done_runs" ] || fail "the table lacks finished runs: $(cat "$set_dir/table.txt")"
# The run the VM stopped in (unless it finished in the moment before the interrupt).
if grep -q 'did not finish before the VM stopped' "$work/out.txt"; then
	# Set aside as on the host: <set>/unfinished/<group>/<case>/, named in the metadata's status.
	cut=$(cd "$set_dir/unfinished" 2>/dev/null && ls */*/run-1.fio 2>/dev/null | head -n 1)
	[ -n "$cut" ] || fail "the unfinished run's files were not kept in $set_dir/unfinished"
	[ ! -e "$set_dir/runs/$cut" ] || fail "the unfinished run's job file is in the set too: $set_dir/runs/$cut"
	grep -q "^status: partial (interrupted by SIGINT during .*/${cut%.fio}" "$set_dir/metadata.txt" ||
		fail "metadata does not name the cut run ${cut%.fio}: $(grep '^status' "$set_dir/metadata.txt")"
else
	echo "# the third run finished before the interrupt: the unfinished-run path was not exercised this time"
fi
check_nothing_left
[ $failed = 0 ] && echo "PASS: interrupted after $done_runs runs: tabled, PARTIAL, metadata right"
exit $failed
