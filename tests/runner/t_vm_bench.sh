#!/usr/bin/env bash
# The bench on kernels in VMs, and its gate on a real difference: 6.19.13 (the series) as the base
# and 6.18.15 (without it) as the candidate, M 128k only: the candidate is about ten times slower
# (move_extent_per_page copies page by page), so `--gate` must fail it (exit 1), with both kernels' runs alternating
# (A B A B ...) and each kernel's set, metadata and the comparison written; nothing left behind.
# Fixed work (--moves) rather than a time window: a 1 s window on a loaded machine gave the old
# kernel runs of 1 to 56 moves, too spread for three rounds to decide. The rounds go on until the
# gate decides (at most 6).
# usage: t_vm_bench.sh BUILD/e4mext
set -u
e4mext=$1
vm="$e4mext vm" # for vm_test_lib.sh's kernel lookup
. "$(dirname "$0")/vm_test_lib.sh"
require_vm_host
require_kernel 6.19.13
require_kernel 6.18.15
make_private_tmp

out=$(TMPDIR=$work/tmp E4MEXT_TMPDIR=$work/tmp "$e4mext" bench --quick --only 'M-128k$' --max-rounds 6 --size 16m --moves 32 \
	--kernel 6.19.13 --kernel 6.18.15 --accel tcg --gate --results-root "$work/results" --label gate 2>&1)
status=$?
echo "$out"
d=$work/results/gate
[ $status = 1 ] || fail "exit status $status, expected 1 (the gate failing 6.18.15 against 6.19.13)"
echo "$out" | grep -q "gate: REGRESSION against 6.19.13-tcg" || fail "no REGRESSION verdict against 6.19.13-tcg"
! echo "$out" | grep -q "did not finish" || fail "a run that finished was taken for unfinished"
! echo "$out" | grep -q "has no case records" || fail "runs lost their case records on the way out of the VM"
[ "$(echo "$out" | grep -o 'kernel 6\.1[89]\.1[35]-tcg, round [123]' | tr '\n' ' ')" = \
	"kernel 6.19.13-tcg, round 1 kernel 6.18.15-tcg, round 1 kernel 6.19.13-tcg, round 2 kernel 6.18.15-tcg, round 2 kernel 6.19.13-tcg, round 3 kernel 6.18.15-tcg, round 3 " ] ||
	fail "the kernels did not alternate A B A B A B"
for v in 6.19.13 6.18.15; do
	k=$v-tcg # the set's label says the figures are emulated
	for r in 1 2 3; do
		[ -s "$d/$k/runs/coverletter/M-128k/run-$r.json" ] && [ -s "$d/$k/runs/coverletter/M-128k/run-$r.stats.jsonl" ] ||
			fail "$k: no fio JSON or engine stats for run $r"
	done
	grep -q "^kernel: $v+deb13-cloud-amd64 (in a VM under tcg)" "$d/$k/metadata.txt" || fail "$k: metadata lacks the guest kernel"
	grep -q "^filesystem: /dev/nvme0n1" "$d/$k/metadata.txt" || fail "$k: metadata lacks the VM's disk"
	# The guest's disk is made as loop images are (runner/shared/loop_fs.h's one mkfs command line).
	grep -qx "mkfs command: mkfs.ext4 -q -F -E nodiscard,lazy_itable_init=0,lazy_journal_init=0 /dev/nvme0n1" "$d/$k/metadata.txt" ||
		fail "$k: metadata lacks the guest disk's mkfs command: $(grep '^mkfs' "$d/$k/metadata.txt")"
	grep -q "^vm qemu: QEMU" "$d/$k/metadata.txt" || fail "$k: metadata lacks qemu's version"
	grep -q "M 128k:" "$d/$k/table.txt" || fail "$k: no table"
done
grep -q "^accelerator: tcg" "$d/bench.txt" || fail "bench.txt lacks the accelerator"
[ -s "$d/compare.txt" ] && [ -s "$d/gate-verdict.json" ] && [ -s "$d/plot-ratio.png" ] || fail "no compare.txt, gate-verdict.json or plot-ratio.png"
check_nothing_left
exit $failed
