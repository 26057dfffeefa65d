#!/usr/bin/env bash
# Two kernels in one run: one VM each, in the order given, each with its own results directory
# and metadata; the exit status is the first kernel's that is not 0.
# usage: t_vm_two_kernels.sh BUILD/runner/e4mext-vm
set -u
vm=$1
. "$(dirname "$0")/vm_test_lib.sh"
require_vm_host
pick_kernel
old=6.18.15
require_kernel $old
make_private_tmp

# Exits 5 on the old kernel only: the run's status must be that 5, from the first kernel.
out=$(TMPDIR=$work/tmp "$vm" run --kernel $old --kernel "$kernel" --accel tcg --results "$work/results" -- \
	'echo "guest: $(uname -r)"; case $(uname -r) in 6.18.*) exit 5;; esac' 2>&1)
status=$?
echo "$out"
[ $status = 5 ] || fail "exit status $status, expected 5 (the first kernel's)"
[ "$(echo "$out" | grep '^guest: ' | cut -d' ' -f2 | cut -d+ -f1 | tr '\n' ' ')" = "$old $kernel " ] ||
	fail "the guests did not run $old then $kernel"
grep -q "^status: finished: command exit status 5$" "$work/results/$old/metadata.txt" || fail "$old: metadata does not record exit status 5"
grep -q "^status: finished: command exit status 0$" "$work/results/$kernel/metadata.txt" || fail "$kernel: metadata does not record exit status 0"
[ "$(echo "$out" | grep -c '^=== e4mext-vm: kernel ')" = 2 ] || fail "expected two metadata blocks"

out=$("$vm" kernels --suite bookworm-backports 2>/dev/null)
[ -n "$out" ] || fail "kernels --suite bookworm-backports listed nothing"
echo "$out" | awk -F'\t' '$4 != "bookworm-backports" || $1 !~ /^6\.12\./ {bad = 1} END {exit bad}' ||
	fail "kernels --suite bookworm-backports listed others: $out"
check_nothing_left
exit $failed
