#!/usr/bin/env bash
# A checkout under the host's /tmp (a clone in `mktemp -d`, a CI workspace): e4mext-vm run started
# in a directory under /tmp runs its command there in the guest, a file the host made under /tmp
# is read at its path, the guest's writes to /tmp stay in the guest, the host's entries are
# read-only there, and the VM's own images are not in the guest's sight.
# usage: t_vm_host_tmp.sh BUILD/runner/e4mext-vm
set -u
vm=$(realpath "$1")
. "$(dirname "$0")/vm_test_lib.sh"
start_vm_test

checkout=$(mktemp -d /tmp/e4mext-checkout.XXXXXX)
other=$(mktemp /tmp/e4mext-host-file.XXXXXX)
trap 'rm -rf "$work" "$checkout" "$other"' EXIT
echo "checkout $checkout" >"$checkout/marker"
echo "host file $other" >"$other"
guest_wrote=e4mext-guest-wrote.$$

guest='echo "pwd: $(pwd)"
cat ./marker
cat '"$other"'
echo guest >/tmp/'"$guest_wrote"' && echo "guest /tmp: writable"
echo changed 2>/dev/null >./marker || echo "host entry: read-only"
echo "own images: $(find '"$work/tmp"' -name "*.img" | wc -l)"'

out=$(cd "$checkout" && TMPDIR=$work/tmp "$vm" run --kernel "$kernel" --accel tcg --results "$work/results" -- "$guest" 2>&1)
status=$?
echo "$out"
[ $status = 0 ] || fail "exit status $status, expected 0"
echo "$out" | grep -qx "pwd: $checkout" || fail "the command did not start in $checkout"
echo "$out" | grep -qx "checkout $checkout" || fail "the guest did not read ./marker of the checkout under /tmp"
echo "$out" | grep -qx "host file $other" || fail "the guest did not read $other, made by the host under /tmp"
echo "$out" | grep -qx "guest /tmp: writable" || fail "the guest could not write to its /tmp"
[ ! -e "/tmp/$guest_wrote" ] || {
	rm -f "/tmp/$guest_wrote"
	fail "the guest's write to /tmp reached the host"
}
echo "$out" | grep -qx "host entry: read-only" || fail "the guest could write to a file of the host's /tmp"
grep -qx "checkout $checkout" "$checkout/marker" || fail "the host's $checkout/marker changed"
echo "$out" | grep -qx "own images: 0" || fail "the guest sees the VM's own disk images"
check_nothing_left
exit $failed
