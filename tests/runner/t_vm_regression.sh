#!/usr/bin/env bash
# The regression suite on two kernels through `e4mext regression --kernel`: a 6.18 Debian kernel
# (old EXT4_IOC_MOVE_EXT) and a 6.19 one (new; its package has no modules, so no loop driver: the
# suite makes its filesystems on the VM's NVMe disks). A few cases, the dangerous donor-on-tmpfs
# one included; both behaviours detected, the kernel matrix printed with the case that differs.
# usage: t_vm_regression.sh BUILD/runner/e4mext-vm BUILD/regression/move-ext-regression
set -u
vm=$1
e4mext=$(cd "$(dirname "$1")/.." && pwd)/e4mext
. "$(dirname "$0")/vm_test_lib.sh"
require_vm_host
[ -x "$e4mext" ] || skip "$e4mext is not built"
pick_kernel
old=6.18.15
require_kernel $old
make_private_tmp

out=$(cd / && TMPDIR=$work/tmp "$e4mext" regression --kernel $old --kernel "$kernel" --results "$work/results" \
	--only validity/orig-rdonly --only range/len-eof-plus-1 --only validity/donor-on-tmpfs 2>&1)
status=$?
echo "$out"
[ $status = 0 ] || fail "exit status $status, expected 0"
echo "$out" | grep -q "^# kernel $old+deb13-cloud-amd64: old EXT4_IOC_MOVE_EXT" || fail "the suite did not detect the old implementation on $old"
echo "$out" | grep -q "^# kernel $kernel+deb13-cloud-amd64: new EXT4_IOC_MOVE_EXT" || fail "the suite did not detect the new implementation on $kernel"
[ "$(echo "$out" | grep -c '^# filesystems on the disks of \$E4MEXT_DISKS')" = 2 ] || fail "the suite did not use the VM's disks on both kernels"
echo "$out" | grep -q '^validity/donor-on-tmpfs | .* | PASS$' || fail "the dangerous case did not run and pass"
[ "$(echo "$out" | grep -cx '4 passed, 0 failed, 1 not run')" = 2 ] || fail "expected '4 passed, 0 failed, 1 not run' from each kernel (--only range/len-eof-plus-1 names both EOF cases)"
echo "$out" | grep -qE "^$old +old +4 +0 +0 +0 +NOT RUN +- +finished$" || fail "no matrix row for $old (old, 4 passed)"
echo "$out" | grep -qE "^$kernel +new +4 +0 +0 +0 +NOT RUN +- +finished$" || fail "no matrix row for $kernel (new, 4 passed)"
echo "$out" | grep -qx 'cases whose results differ between kernels: 1' || fail "expected one case to differ between the kernels"
echo "$out" | grep -A2 -x 'range/len-eof-plus-1' | grep -q "ENODATA moved_len=8 .*: $old$" || fail "the differing case does not show $old's ENODATA"
for k in $old $kernel; do
	for f in metadata.txt console.log output.txt cases.txt junit.xml; do
		[ -s "$work/results/$k/$f" ] || fail "$k: no $f in the results"
	done
	grep -q '<testsuite name="move-ext-regression" tests="[0-9]*" failures="0"' "$work/results/$k/junit.xml" ||
		fail "$k: junit.xml has no passing testsuite"
	grep -q 'name="validity/donor-on-tmpfs"' "$work/results/$k/junit.xml" || fail "$k: junit.xml lacks the dangerous case"
done
grep -q 'cases whose results differ' "$work/results/matrix.txt" || fail "no matrix.txt"
check_nothing_left
exit $failed
