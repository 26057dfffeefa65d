#!/usr/bin/env bash
# A SIGKILLed runner leaves nothing running: qemu and both virtiofsd die with it (PR_SET_PDEATHSIG),
# and the next run names and removes the private directory (disk image, sockets) the killed one
# could not. The results directory has a comma in its name, which virtiofsd's -o list must not split
# (the guest's output reaches the host only through that share).
# usage: t_vm_killed.sh BUILD/runner/e4mext-vm
set -u
vm=$1
. "$(dirname "$0")/vm_test_lib.sh"
start_vm_test
results="$work/results/a,b"
mkdir "$results"

TMPDIR=$work/tmp "$vm" run --kernel "$kernel" --results "$results" -- 'echo guest-up; sleep 600' >"$work/out.txt" 2>&1 &
runner=$!
for _ in $(seq 600); do
	grep -q '^guest-up' "$work/out.txt" 2>/dev/null && break
	kill -0 $runner 2>/dev/null || break
	sleep 0.5
done
grep -q '^guest-up' "$work/out.txt" || {
	kill -KILL $runner 2>/dev/null
	cat "$work/out.txt"
	fail "the guest's output did not reach the host through $results"
	exit 1
}
# Our children, found by our private TMPDIR in their command lines (never by name).
children=""
for pid in $(ls /proc | grep -E '^[0-9]+$'); do
	tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q -- "$work/tmp" && [ "$pid" != $runner ] && children="$children $pid"
done
echo "runner $runner, children:$children"
[ -n "$children" ] || fail "found no qemu/virtiofsd of the run"
kill -KILL $runner
wait $runner 2>/dev/null
left=$children
for _ in $(seq 50); do
	left=""
	for pid in $children; do
		[ -d "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] && left="$left $pid"
	done
	[ -z "$left" ] && break
	sleep 0.1
done
[ -z "$left" ] || {
	fail "still running 5 s after the runner's SIGKILL:$left"
	for pid in $left; do kill -KILL "$pid" 2>/dev/null; done
}
leftover=$(ls -d "$work"/tmp/e4mext-vm.* 2>/dev/null)
[ -n "$leftover" ] || fail "the killed run left no private directory (nothing for the next run to clean: test unsound)"

# The next run names what the killed one left and removes it.
out=$(TMPDIR=$work/tmp "$vm" run --kernel "$kernel" --results "$work/results/second" -- true 2>&1)
status=$?
[ $status = 0 ] || fail "the next run: exit $status: $(echo "$out" | tail -n 5)"
for dir in $leftover; do
	echo "$out" | grep -qF "removed $dir, left by an earlier e4mext run" || fail "the next run did not name $dir: $(echo "$out" | head -n 5)"
	[ ! -e "$dir" ] || fail "$dir is still there after the next run"
done
check_nothing_left
[ $failed = 0 ] && echo "PASS: qemu/virtiofsd gone after the runner's SIGKILL; the next run removed $leftover"
exit $failed
