#!/usr/bin/env bash
# DAX in a VM: e4mext-vm run --pmem gives a 6.18 guest /dev/pmem0 (memmap=, nd_e820 and nd_pmem
# loaded by /init), ext4 on it mounted -o dax and dax=inode with a DAX directory (chattr +x), and
# the engine, in real fio, refuses a DAX original before any EXT4_IOC_MOVE_EXT (counted with
# strace), naming DAX; the file's bytes are unchanged.
# usage: t_vm_dax.sh BUILD/runner/e4mext-vm
set -u
vm=$(realpath "$1")
engine=$(cd "$(dirname "$vm")/.." && pwd)/engine/libe4mext.so
. "$(dirname "$0")/vm_test_lib.sh"
require_vm_host
[ -f "$engine" ] || skip "$engine is not built"
command -v fio >/dev/null || skip "fio is not installed (run scripts/setup)"
command -v strace >/dev/null || skip "strace is not installed (run scripts/setup)"
kernel=6.18.15 # a Debian kernel with modules: nd_e820, nd_pmem
require_kernel $kernel
make_private_tmp

guest='set -u
[ -n "${E4MEXT_PMEM:-}" ] || { echo "no pmem: ${E4MEXT_PMEM_MISSING:-}"; exit 20; }
echo "pmem: $E4MEXT_PMEM"
# refused NAME MOUNT_OPTIONS DIR_FLAG: fio with the engine on a DAX file; the move count and the bytes.
refused() {
	mkfs.ext4 -q -F -b 4096 "$E4MEXT_PMEM" && mount -o "$2" "$E4MEXT_PMEM" /mnt || exit 21
	mkdir /mnt/d && { [ -z "$3" ] || chattr "$3" /mnt/d; }
	head -c 8M /dev/urandom >/mnt/d/test && sync
	before=$(sha256sum </mnt/d/test)
	strace -f -qq -e trace=ioctl -e signal=none -o /tmp/$1.strace fio --name=$1 --ioengine=external:'"$engine"' \
		--directory=/mnt/d --filename=test --rw=write --bs=64k --size=8m >/tmp/$1.out 2>&1
	echo "$1: fio exit $?"
	grep -o "uses DAX[^;]*" /tmp/$1.out | head -n 1 | sed "s/^/$1: /"
	echo "$1: moves $(grep -c "EXT4_IOC_MOVE_EXT\|0xc028660f\|_IOC_WRITE, 0x66, 0xf, 0x28)" /tmp/$1.strace)"
	[ "$(sha256sum </mnt/d/test)" = "$before" ] && echo "$1: data unchanged"
	umount /mnt
}
refused dax-mount dax ""
refused dax-file dax=inode +x'

out=$(TMPDIR=$work/tmp "$vm" run --kernel "$kernel" --accel tcg --pmem 256M --results "$work/results" -- "$guest" 2>&1)
status=$?
echo "$out"
[ $status = 0 ] || fail "exit status $status, expected 0"
echo "$out" | grep -qx "pmem: /dev/pmem0" || fail "the guest has no /dev/pmem0 (E4MEXT_PMEM)"
for run in dax-mount dax-file; do
	echo "$out" | grep -Eq "^$run: fio exit [1-9]" || fail "$run: fio did not fail"
	echo "$out" | grep -q "^$run: uses DAX, where online defrag is refused" || fail "$run: the engine did not name DAX"
	echo "$out" | grep -qx "$run: moves 0" || fail "$run: EXT4_IOC_MOVE_EXT was issued"
	echo "$out" | grep -qx "$run: data unchanged" || fail "$run: the file's data changed"
done
grep -q "^pmem: 256M of the memory as legacy pmem (memmap=256M!1536M)" "$work/results/$kernel/metadata.txt" ||
	fail "metadata.txt does not record the pmem region"
check_nothing_left
exit $failed
