#!/usr/bin/env bash
# A guest crash during a case is that case's failure: the suite's test-only trigger panics the 6.19
# guest through sysrq when validity/same-fd starts; `e4mext regression` exits 4, reports the case as
# CRASHED with the panic and its trace, the case before it as passed, and leaves no qemu, virtiofsd
# or image behind. The trigger is refused on the host, by e4mext and by the suite itself.
# usage: t_vm_regression_crash.sh BUILD/runner/e4mext-vm BUILD/regression/move-ext-regression
set -u
vm=$1
suite=$2
e4mext=$(cd "$(dirname "$1")/.." && pwd)/e4mext
. "$(dirname "$0")/vm_test_lib.sh"
require_vm_host
[ -x "$e4mext" ] || skip "$e4mext is not built"

out=$("$e4mext" regression --sysrq-crash-in validity/same-fd 2>&1)
[ $? = 2 ] || fail "e4mext regression --sysrq-crash-in without --kernel: expected exit 2"
echo "$out" | grep -q 'only with --kernel' || fail "no refusal message from e4mext: $out"
out=$("$suite" --sysrq-crash-in validity/same-fd --only validity/same-fd 2>&1)
[ $? = 2 ] || fail "move-ext-regression --sysrq-crash-in on the host: expected exit 2"
echo "$out" | grep -q 'refused outside an e4mext VM guest' || fail "no refusal message from the suite: $out"

pick_kernel
make_private_tmp
out=$(TMPDIR=$work/tmp "$e4mext" regression --kernel "$kernel" --results "$work/results" \
	--only validity/orig-rdonly --only validity/same-fd --sysrq-crash-in validity/same-fd 2>&1)
status=$?
echo "$out"
[ $status = 4 ] || fail "exit status $status, expected 4 (guest crashed)"
echo "$out" | grep -q '^validity/orig-rdonly | .* | PASS$' || fail "the case before the crash did not pass"
echo "$out" | grep -q '^validity/same-fd | ' && fail "the crashed case printed a result line (it should never have finished)"
echo "$out" | grep -qx 'CRASHED validity/same-fd: Kernel panic - not syncing: sysrq triggered crash' ||
	fail "the panic is not reported as validity/same-fd's failure"
echo "$out" | grep -q '^    .*sysrq_handle_crash' || fail "the trace's first lines are not reported"
echo "$out" | grep -q '^suite: new EXT4_IOC_MOVE_EXT; 1 passed, 0 failed, 0 not run, 1 crashed' || fail "no summary with 1 crashed"
grep -q '^validity/same-fd | CRASHED | panic | Kernel panic' "$work/results/$kernel/cases.txt" || fail "cases.txt does not record the crash"
check_nothing_left
exit $failed
