#!/usr/bin/env bash
# A TMPDIR that fills during a VM run (the VM's sparse disk images grow as the guest writes) fails
# the run loudly, never exit 0: `vm run` exits 3 with "host disk failed", qemu's own line and the
# TMPDIR named, also when the guest's command ignores its I/O errors (the guest's fio error line is
# in the output); `bench --kernel` fails its run with exit 3, fio's own error line and the host path
# of the run's log, which exists. Before, the guest saw a "critical medium error" and exited 0.
# TMPDIR is a small tmpfs this test mounts, shrinks while the guest runs, and unmounts itself (also
# when the test is interrupted).
# usage: t_vm_disk_full.sh BUILD/e4mext
set -u
e4mext=$1
vm="$e4mext vm" # for vm_test_lib.sh's kernel lookup
. "$(dirname "$0")/vm_test_lib.sh"
start_vm_test
small=$work/small
mkdir "$small"
mount -t tmpfs -o size=1200m e4mext-vm-disk-full "$small" || skip "cannot mount a tmpfs at $small"
trap 'umount "$small"; rm -rf --one-file-system "$work"' EXIT
trap 'exit 130' INT TERM # the EXIT trap unmounts

# Room for what is written so far and 4 MiB more: the guest's next writes fill it.
shrink() {
	local used
	used=$(df -k --output=used "$small" | tail -n 1)
	mount -o remount,size=$((used + 4096))k "$small" || fail "cannot shrink the tmpfs at $small"
}
# Waits (at most 10 min) for a line matching $2 in file $1 while process $3 runs.
wait_for() {
	for _ in $(seq 3000); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

# 1. vm run: the command writes 64 MiB to its disk once the host has shrunk TMPDIR, and ignores
# fio's failure (exit 0).
guest='echo guest-up; for i in $(seq 600); do [ -e '"$work"'/go ] && break; sleep 0.2; done
fio --name=fill --filename=/dev/nvme0n1 --size=64m --bs=1m --rw=write --direct=1 --ioengine=psync; echo "fio exit $?"; true'
TMPDIR=$small $e4mext vm run --kernel "$kernel" --accel tcg --boot-timeout 600 --disk-size 256M --results "$work/results" -- "$guest" \
	>"$work/run.txt" 2>&1 &
runner=$!
wait_for "$work/run.txt" '^guest-up' $runner || fail "the guest did not come up"
shrink
touch "$work/go"
wait $runner
status=$?
cat "$work/run.txt"
[ $status = 3 ] || fail "vm run with its TMPDIR full: exit $status, expected 3"
grep -q "host disk failed: qemu could not write the VM's disk images in $small .*No space left on device" "$work/run.txt" ||
	fail "vm run: no 'host disk failed' naming $small and qemu's error"
grep -q "^fio: io_u error on file /dev/nvme0n1" "$work/run.txt" || fail "vm run: fio's own error line is not in the output"
[ -z "$(ls -A "$small")" ] || fail "files left in TMPDIR: $(ls -A "$small")"

# 2. bench --kernel: the layout of M 4k (16 MiB written) fills TMPDIR; shrunk once the guest's
# bench has begun (its second mkfs rewrites the blocks of the first: TMPDIR does not grow).
mount -o remount,size=1200m "$small"
TMPDIR=$small $e4mext bench --quick --size 16m --runtime 1s --repeat 1 --only 'M-4k$' --kernel "$kernel" --accel tcg \
	--results-root "$work/results" --label full >"$work/bench.txt" 2>&1 &
bench=$!
for _ in $(seq 3000); do
	out=$(ls "$work"/results/full/*/vm/round-1/output.txt 2>/dev/null | head -n 1)
	[ -n "$out" ] && grep -q 'bench: case 1 of 1' "$out" && break
	kill -0 $bench 2>/dev/null || break
	sleep 0.2
done
shrink
wait $bench
status=$?
cat "$work/bench.txt"
[ $status = 3 ] || fail "bench with its TMPDIR full: exit $status, expected 3"
grep -q "host disk failed: .*No space left on device" "$work/bench.txt" || fail "bench: no 'host disk failed' with qemu's error"
grep -q "fio: io_u error on file" "$work/bench.txt" || fail "bench: fio's own error line is not in the excerpt"
log=$(grep -o "(log $work/results/[^)]*)" "$work/bench.txt" | head -n 1 | sed 's/^(log //; s/)$//')
[ -n "$log" ] && [ -s "$log" ] || fail "bench: the excerpt names no host path of the run's log that exists: '$log'"
[ -f "$work/results/full/PARTIAL" ] || fail "bench: the results are not marked PARTIAL"
[ -z "$(ls -A "$small")" ] || fail "files left in TMPDIR: $(ls -A "$small")"
[ $failed = 0 ] && echo "PASS: a TMPDIR filling during the run fails vm run and the bench (exit 3) with qemu's and fio's lines"
exit $failed
