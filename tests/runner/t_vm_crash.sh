#!/usr/bin/env bash
# A guest crash costs only the VM: the command panics the guest kernel through sysrq; e4mext-vm
# exits 4, names the panic with its trace, and leaves no qemu, virtiofsd or image behind. A guest
# still running at --timeout counts as hung: killed, exit 4, nothing left behind either.
# usage: t_vm_crash.sh BUILD/runner/e4mext-vm
set -u
vm=$1
. "$(dirname "$0")/vm_test_lib.sh"
start_vm_test

out=$(TMPDIR=$work/tmp "$vm" run --kernel "$kernel" --accel tcg --disks 2 --disk-size 64M --results "$work/results" -- \
	'echo before the crash; echo c > /proc/sysrq-trigger; echo after the crash' 2>&1)
status=$?
echo "$out"
[ $status = 4 ] || fail "exit status $status, expected 4 (guest crashed)"
echo "$out" | grep -qx 'before the crash' || fail "the command's output before the crash is missing"
echo "$out" | grep -q 'after the crash' && fail "the command went on after the panic"
echo "$out" | grep -qx 'status: crashed: panic' || fail "no 'status: crashed: panic' line"
echo "$out" | grep -q '  panic: Kernel panic - not syncing: sysrq triggered crash' || fail "the panic line is not reported"
echo "$out" | grep -q 'sysrq_handle_crash' || fail "the trace's first lines are not reported"
grep -q 'status: crashed: panic' "$work/results/$kernel/metadata.txt" || fail "metadata.txt does not record the crash"
grep -q 'Kernel panic - not syncing' "$work/results/$kernel/console.log" || fail "console.log lacks the panic"
check_nothing_left

out=$(TMPDIR=$work/tmp "$vm" run --kernel "$kernel" --accel tcg --timeout 60 --results "$work/results" -- 'echo sleeping; sleep 600' 2>&1)
status=$?
echo "$out"
[ $status = 4 ] || fail "a hung guest: exit status $status, expected 4"
echo "$out" | grep -qx 'sleeping' || fail "a hung guest: the command's output is missing"
echo "$out" | grep -qx 'status: hung: the guest was still running after 60 s (--timeout): killed' || fail "a hung guest is not reported as hung"
check_nothing_left
exit $failed
