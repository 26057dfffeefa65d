#!/usr/bin/env bash
# VM smoke test: fetch a 6.19 kernel (6.19.13, or the newest 6.19.x offered), boot it (KVM probe,
# then TCG here), make ext4 on the guest's NVMe disk and defragment a fragmented file there with
# e4defrag (EXT4_IOC_MOVE_EXT in the guest kernel), data checked; metadata and cleanup checked.
# usage: t_vm_smoke.sh BUILD/runner/e4mext-vm
set -u
vm=$1
. "$(dirname "$0")/vm_test_lib.sh"
start_vm_test
cached_before=no
kernel_cached "$kernel" && cached_before=yes

# Four 64 KiB pieces of f interleaved with pieces of g, so f has several extents; e4defrag moves
# them into one (the ioctl under test); the checksum after dropping the caches proves the data.
guest='uname -r
mkfs.ext4 -q /dev/nvme0n1 && mount /dev/nvme0n1 /mnt || exit 10
for i in 0 2 4 6; do
	dd if=/dev/urandom of=/mnt/f bs=64k seek=$i count=1 conv=notrunc oflag=direct status=none
	dd if=/dev/zero of=/mnt/g$i bs=64k count=1 oflag=direct status=none
done
for i in 1 3 5 7; do dd if=/dev/urandom of=/mnt/f bs=64k seek=$i count=1 conv=notrunc oflag=direct status=none; done
sync; rm /mnt/g*
before=$(md5sum </mnt/f)
filefrag /mnt/f
e4defrag -v /mnt/f | tr "\r" "\n" | grep -E "extents:|Success"
filefrag /mnt/f
echo 3 > /proc/sys/vm/drop_caches
[ "$(md5sum </mnt/f)" = "$before" ] && echo "data unchanged"
umount /mnt'

start=$SECONDS
out=$(TMPDIR=$work/tmp "$vm" run --kernel "$kernel" --results "$work/results" -- "$guest" 2>&1)
status=$?
took=$((SECONDS - start))
echo "$out"
echo "# e4mext-vm run --kernel $kernel: exit $status in ${took}s"

[ $status = 0 ] || fail "exit status $status, expected 0"
echo "$out" | grep -qx "$kernel+deb[0-9.]*-cloud-amd64" || fail "uname -r in the guest did not print $kernel's release"
echo "$out" | grep -q 'extents: [2-9][0-9]* -> 1' || fail "e4defrag did not join the file's extents into one"
echo "$out" | grep -q '/mnt/f: 1 extent found' || fail "filefrag does not show one extent after e4defrag"
echo "$out" | grep -qx 'data unchanged' || fail "the file's data changed across the move"
meta=$work/results/$kernel/metadata.txt
[ -f "$meta" ] || fail "no $meta"
for key in 'guest kernel: '"$kernel" 'accelerator: (kvm|tcg) \(' 'vcpus: 2$' 'memory: 2G$' 'disks: 1 x 1G, qemu NVMe' 'cache=(none|writeback)' \
	'qemu: QEMU emulator version' 'status: finished: command exit status 0'; do
	grep -Eq "^$key" "$meta" 2>/dev/null || grep -Eq "$key" "$meta" 2>/dev/null || fail "metadata.txt lacks /$key/"
	echo "$out" | grep -Eq "$key" || fail "the printed metadata lacks /$key/"
done
[ -s "$work/results/$kernel/console.log" ] || fail "no console.log"
if [ $cached_before = yes ]; then # a cached kernel needs no network: no list refresh, no download
	echo "$out" | grep -Eq '^e4mext: (refreshing|fetching)' && fail "the kernel was cached, yet the run went to the archive"
fi
[ $took -lt 180 ] || fail "took ${took}s, more than 3 minutes"
check_nothing_left
exit $failed
