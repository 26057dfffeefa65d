#!/usr/bin/env bash
# The regression suite inside a guest: a 6.18 Debian kernel (its package has the modules, so the
# loop driver the suite's filesystems need loads on demand) runs a few cases of
# move-ext-regression, which must detect the old implementation and pass them.
# (6.19.x packages come without modules: no loop driver, so the suite cannot run there yet.)
# usage: t_vm_regression.sh BUILD/runner/e4mext-vm BUILD/tests/regression/move-ext-regression
set -u
vm=$1
regression=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
. "$(dirname "$0")/vm_test_lib.sh"
require_vm_host
kernel=6.18.15
if [ ! -e "${XDG_CACHE_HOME:-$HOME/.cache}/e4mext/kernels/$kernel/e4mext-package.txt" ]; then
	list=$("$vm" kernels 2>&1) || skip "cannot list Debian's kernels (no route to the archive?): $(echo "$list" | tail -n 3)"
	echo "$list" | grep -q "^6\.18\.15[[:space:]]" || skip "Debian's archive no longer lists $kernel"
fi
make_private_tmp

cases='--only validity/orig-rdonly --only validity/same-fd --only range/len-eof-plus-1'
out=$(TMPDIR=$work/tmp "$vm" run --kernel $kernel --accel tcg --results "$work/results" -- "$regression $cases" 2>&1)
status=$?
echo "$out"
[ $status = 0 ] || fail "exit status $status, expected 0"
echo "$out" | grep -q "^# kernel $kernel+deb13-cloud-amd64: old EXT4_IOC_MOVE_EXT" || fail "the suite did not detect the old implementation in the guest"
[ "$(echo "$out" | grep -c ' | PASS$')" = 3 ] || fail "expected 3 PASS lines"
# the one not run is the golden comparison, which partial (--only) runs skip
echo "$out" | grep -qx '3 passed, 0 failed, 1 not run' || fail "no '3 passed, 0 failed, 1 not run' summary"
echo "$out" | grep -q "^modules: .*/$kernel/.*lib/modules/$kernel+deb13-cloud-amd64 (modprobe works in the guest)" || fail "metadata does not name the modules"
check_nothing_left
exit $failed
