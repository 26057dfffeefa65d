#!/usr/bin/env bash
# What e4mext-vm says when it cannot do what was asked: --help does nothing else (0); bad values,
# a missing image, a non-kernel file and an unknown version (naming the nearest) exit 2; no route to
# the archive (an empty cache and a proxy nobody listens on) exits 3 naming the mirror; a kernel
# that does not reach /init in time exits 3 with the console's last lines.
# usage: t_vm_errors.sh BUILD/runner/e4mext-vm
set -u
vm=$1
. "$(dirname "$0")/vm_test_lib.sh"
make_private_tmp

expect() { # expect STATUS PATTERN ARGS...: the exit status and a line of the output
	local want=$1 pattern=$2 out status
	shift 2
	out=$(TMPDIR=$work/tmp XDG_CACHE_HOME=${XDG_CACHE_HOME:-$HOME/.cache} "$vm" "$@" 2>&1)
	status=$?
	[ "$status" = "$want" ] || fail "e4mext-vm $*: exit $status, expected $want; said: $out"
	echo "$out" | grep -Eq -- "$pattern" || fail "e4mext-vm $*: no /$pattern/ in: $out"
}

expect 0 'Usage: e4mext-vm run' run --help
[ -z "$(ls -A "$work/tmp")" ] || fail "--help made files in TMPDIR"
expect 2 'A subcommand is required' 
expect 2 'kvm, tcg|auto,kvm,tcg' run --kernel 6.19.13 --accel xen -- true
expect 2 'command is required|command: 1 required' run --kernel 6.19.13
expect 2 -- '--memory 2: not a size' run --kernel 6.19.13 --memory 2 -- true
expect 2 -- '--disk-size 1X: not a size' run --kernel 6.19.13 --disk-size 1X -- true
expect 2 'no such file' run --kernel "$work/none/bzImage" -- true
expect 2 'a directory, not a kernel image' run --kernel "$work" -- true
expect 2 -- "--memory 1T: more than this machine's" run --kernel 6.19.13 --memory 1T -- true
echo 'not a kernel' >"$work/results/notakernel"
expect 2 'not an x86 bzImage' run --kernel "$work/results/notakernel" -- true
expect 2 'neither a kernel version' run --kernel latest -- true
# `e4mext regression --only` naming no case is a usage error, on the host and with --kernel (it
# would run nothing and pass).
e4mext=$(cd "$(dirname "$vm")/.." && pwd)/e4mext
for where in "" "--kernel 6.19.13"; do
	# shellcheck disable=SC2086 # $where is words
	out=$("$e4mext" regression $where --only no-such-case 2>&1)
	status=$?
	[ $status = 2 ] || fail "e4mext regression $where --only no-such-case: exit $status, expected 2; said: $out"
	echo "$out" | grep -q "matches no case of the suite (ids start with .*validity/" ||
		fail "regression --only no-such-case: the message does not name the known prefixes: $out"
done

require_vm_host
out=$(XDG_CACHE_HOME=$work/empty-cache http_proxy=http://127.0.0.1:9 "$vm" kernels 2>&1)
status=$?
[ $status = 3 ] || fail "kernels without a route to the archive: exit $status, expected 3; said: $out"
echo "$out" | grep -q "cannot reach Debian's archive at .* (the mirror of /etc/apt/" || fail "no route: the message does not say so: $out"
echo "$out" | grep -q "W: Failed to fetch .*127.0.0.1:9" || fail "no route: apt's reason is not quoted: $out"
pick_kernel
expect 2 "no cloud-amd64 kernel 6\.19\.12; nearest: 6\.19\.(11|13)" run --kernel 6.19.12 -- true
expect 3 'did not boot: no line from /init within 1 s' run --kernel "$kernel" --accel tcg --boot-timeout 1 --results "$work/results" -- true
expect 3 "the console's last lines" run --kernel "$kernel" --accel tcg --boot-timeout 1 --results "$work/results" -- true
# A kernel image of one's own whose config (config-<release> beside vmlinuz-<release>) lacks options.
mkdir "$work/k"
cp "$(ls "${XDG_CACHE_HOME:-$HOME/.cache}/e4mext/kernels/$kernel"/boot/vmlinuz-*)" "$work/k/vmlinuz-9.9.9-mine"
cp "$(dirname "$0")/../../tests/data/vm/config-nvme-module-no-virtiofs" "$work/k/config-9.9.9-mine"
expect 2 'CONFIG_BLK_DEV_NVME=m \(a module: the VM loads none; build it in with =y\); CONFIG_VIRTIO_FS is not set' \
	run --kernel "$work/k/vmlinuz-9.9.9-mine" -- true
# A TMPDIR too small for the VM's disks: refused before anything boots, not a medium error in the guest.
mkdir -p "$work/small-tmp"
if mount -t tmpfs -o size=64m e4mext-vm-errors-small "$work/small-tmp"; then
	out=$(TMPDIR=$work/small-tmp "$vm" run --kernel "$kernel" --accel tcg --disk-size 1G --results "$work/results" -- true 2>&1)
	status=$?
	umount "$work/small-tmp"
	[ $status = 3 ] || fail "disks larger than TMPDIR's free space: exit $status, expected 3; said: $out"
	echo "$out" | grep -q "do not fit in the .* MiB free in $work/small-tmp" || fail "small TMPDIR: the message does not say so: $out"
fi
check_nothing_left
exit $failed
