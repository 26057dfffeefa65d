# Shared by the VM tests: skip (77) with the reason when the machine cannot run them, pick the
# kernel, and check that a run left nothing behind. Sourced; $vm is build/runner/e4mext-vm or
# "build/e4mext vm" (two words: used unquoted).
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; failed=1; }
failed=0

require_vm_host() {
	[ "$(id -u)" = 0 ] || skip "needs root: virtiofsd shares the host's root with the guest"
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 missing (scripts/setup installs qemu-system-x86)"
	[ -x /usr/lib/qemu/virtiofsd ] || skip "/usr/lib/qemu/virtiofsd missing (qemu-system-common)"
	[ -x /bin/busybox ] || skip "/bin/busybox missing (scripts/setup installs busybox-static)"
}

# True when kernel VERSION is in e4mext's kernel cache.
kernel_cached() {
	[ -e "${XDG_CACHE_HOME:-$HOME/.cache}/e4mext/kernels/$1/e4mext-package.txt" ]
}

# require_kernel VERSION: skips unless VERSION is cached or Debian's archive lists it.
require_kernel() {
	kernel_cached "$1" && return
	$vm kernels 2>/dev/null | grep -q "^${1//./\\.}[[:space:]]" ||
		skip "Debian's archive does not list $1 (or cannot be reached), and it is not cached"
}

# 6.19.13 when cached or offered, else the newest 6.19.x the lists hold; skips without a route to
# the archive and without a cached kernel.
pick_kernel() {
	local list
	if kernel_cached 6.19.13; then
		kernel=6.19.13
		return
	fi
	list=$($vm kernels 2>&1) || skip "cannot list Debian's kernels (no route to the archive?): $(echo "$list" | tail -n 3)"
	if echo "$list" | grep -q '^6\.19\.13[[:space:]]'; then
		kernel=6.19.13
	else
		kernel=$(echo "$list" | awk '$1 ~ /^6\.19\.[0-9]+$/ {v = $1} END {print v}')
	fi
	[ -n "$kernel" ] || skip "Debian's archive lists no 6.19.x cloud-amd64 kernel"
}

# The usual start of a VM test: skip unless this host can run VMs, pick the kernel ($kernel), and
# make the private TMPDIR ($work).
start_vm_test() {
	require_vm_host
	pick_kernel
	make_private_tmp
}

# A private TMPDIR for the run: whatever e4mext-vm makes (images, sockets, initramfs) lands there.
make_private_tmp() {
	work=$(mktemp -d /tmp/e4mext-vm-test.XXXXXX)
	trap 'rm -rf "$work"' EXIT
	mkdir "$work/tmp" "$work/results"
}

# No qemu or virtiofsd naming our private directory, and nothing left in TMPDIR.
check_nothing_left() {
	local pid leftovers=""
	for pid in $(ls /proc | grep -E '^[0-9]+$'); do
		if tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q -- "$work/tmp"; then
			leftovers="$leftovers $pid:$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | cut -c1-60)"
		fi
	done
	[ -z "$leftovers" ] || fail "processes left behind:$leftovers"
	[ -z "$(ls -A "$work/tmp")" ] || fail "files left in TMPDIR: $(ls -A "$work/tmp")"
}
