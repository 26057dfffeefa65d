#!/usr/bin/env bash
# Bad input gets a message naming the file, the reason and what to do - and no EXT4_IOC_MOVE_EXT is
# ever issued for it (counted with strace). Files the user did not offer as donors stay untouched.
. "$(dirname "$0")/lib.sh"
MNT=$(new_fs)
TMPFS="$SCRATCH/tmpfs"
mkdir "$TMPFS" && mount -t tmpfs -o size=64m e4mext-it "$TMPFS"
on_exit "umount '$TMPFS'"

# refused NAME EXPECTED_TEXT FIO_ARGS...: fio fails, says EXPECTED_TEXT, and no move ioctl was issued.
refused() {
  local name=$1 text=$2; shift 2
  run_fio "$name" --name="$name" --ioengine="external:$ENGINE" --size=8m --bs=64k "$@"
  check "$name: fio fails" test "$(fio_rc "$name")" != 0
  check "$name: says '$text'" fio_said "$name" "$text"
  check "$name: no EXT4_IOC_MOVE_EXT issued" test "$(fio_moves "$name")" = 0
}
ON_EXT4=(--directory="$MNT" --filename=test)
fresh() { rm -rf "${MNT:?}"/*; head -c 8M /dev/urandom >"$MNT/test"; sync; }

fresh
refused reads "writes only" "${ON_EXT4[@]}" --rw=read
refused trims "writes only" "${ON_EXT4[@]}" --rw=randtrim
refused fio-verify "use verify_data=1" "${ON_EXT4[@]}" --rw=write --verify=crc32c
refused create-serialize "create_serialize=0 is not supported" "${ON_EXT4[@]}" --rw=write --create_serialize=0
refused donor-mode "donor_mode=bogus is not understood" "${ON_EXT4[@]}" --rw=write --donor_mode=bogus
# fio reads a negative number as a large unsigned one: not "on", not four billion retries.
refused inplace-negative "inplace=-1 is out of range: use 0 or 1" "${ON_EXT4[@]}" --rw=write --inplace=-1
refused busy-retries-negative "busy_retries=-1 is out of range: use 0 to 1000000" "${ON_EXT4[@]}" --rw=write \
  --busy_retries=-1
refused bs-not-blocks "bs=6144 is not a multiple of the filesystem block size 4096" "${ON_EXT4[@]}" --rw=write --bs=6k --size=6m --donor_mode=written
check "bs-not-blocks: refused before any donor was created or written" fio_made_no_donor bs-not-blocks
refused orig-on-tmpfs "is on tmpfs, not ext4" --directory="$TMPFS" --filename=test --rw=write
check "orig-on-tmpfs: the donor created for the check is removed" test -z "$(ls "$TMPFS" | grep e4mext-donor)"

fresh
sum=$(sha256sum <"$MNT/test")
refused donor-on-tmpfs "is on another filesystem" "${ON_EXT4[@]}" --rw=write --donorname="$TMPFS/donor"
check "donor-on-tmpfs: the donor file it created is removed" test ! -e "$TMPFS/donor"
refused donor-is-original "is the original $MNT/test itself" "${ON_EXT4[@]}" --rw=write --donorname=test --donor_mode=written
ln "$MNT/test" "$MNT/hardlink"
refused donor-hard-link "itself" "${ON_EXT4[@]}" --rw=write --donorname=hardlink --donor_mode=written
check "the original survived being named as donor, byte for byte" test "$(sha256sum <"$MNT/test")" = "$sum"

mkdir "$MNT/adir"
refused donor-directory "is a directory, not a regular file" "${ON_EXT4[@]}" --rw=write --donorname=adir
echo keep >"$MNT/setuid" && chmod u+s "$MNT/setuid"
refused donor-setuid "setuid or setgid" "${ON_EXT4[@]}" --rw=write --donorname=setuid
echo keep >"$MNT/immutable" && chattr +i "$MNT/immutable"
refused donor-immutable "is immutable (chattr +i): chattr -i it" "${ON_EXT4[@]}" --rw=write --donorname=immutable
chattr -i "$MNT/immutable"
echo keep >"$MNT/appendonly" && chattr +a "$MNT/appendonly"
refused donor-append-only "is append-only (chattr +a)" "${ON_EXT4[@]}" --rw=write --donorname=appendonly
chattr -a "$MNT/appendonly"
refused donor-dir-missing "directory does not exist" "${ON_EXT4[@]}" --rw=write --donorname=nodir/donor

# An existing file e4mext did not create, named as donor, is refused untouched: serving would give
# up its contents. donor_overwrite=1 gives them up, and the output says so plainly.
fresh
head -c 1M /dev/urandom >"$MNT/mine"
mine_sum=$(sha256sum <"$MNT/mine")
refused user-file-donor "was not created by e4mext; serving as donor would give up its contents" "${ON_EXT4[@]}" \
  --rw=write --donorname=mine
check "user-file-donor: the file is unchanged" test "$(sha256sum <"$MNT/mine")" = "$mine_sum"
run_fio user-file-donor-overwrite --name=user-file-donor-overwrite --ioengine="external:$ENGINE" "${ON_EXT4[@]}" \
  --size=8m --bs=64k --rw=write --donorname=mine --donor_overwrite=1 --verify_data=1
check "user-file-donor-overwrite: fio succeeds" test "$(fio_rc user-file-donor-overwrite)" = 0
check "user-file-donor-overwrite: says the contents are given up" fio_said user-file-donor-overwrite \
  "donor_overwrite=1: gave up the contents of the existing file $MNT/mine"
check "user-file-donor-overwrite: the file is kept" test -f "$MNT/mine"

# Two runs on one file: the second must not reset the first's live donor (the same default name,
# job 1 in both) as one "left by an interrupted run"; once the first has ended, the name is free.
fresh
run_fio first-run --name=first-run --ioengine="external:$ENGINE" "${ON_EXT4[@]}" --size=8m --bs=4k --rw=randwrite \
  --verify_data=1 --time_based=1 --runtime=20 --rate_iops=200 &
first=$!
for _ in $(seq 200); do [ -e "$MNT/test.e4mext-donor.1" ] && break; sleep 0.1; done
refused second-run "is in use by another e4mext run that is still running" "${ON_EXT4[@]}" --rw=write
wait "$first" || true
check "first-run: still succeeds" test "$(fio_rc first-run)" = 0
check "first-run: its data proof passes" fio_said first-run "verify_data passed"
not_said() { ! fio_said "$@"; }
check "first-run: no notice of a donor left by an interrupted run" not_said first-run "interrupted"
check "first-run: its donor is removed" no_donors_left "$MNT"

# A file of someone else's at e4mext's default donor name is never touched.
fresh
echo "not yours" >"$MNT/test.e4mext-donor.1"
refused foreign-default-donor "was not created by e4mext" "${ON_EXT4[@]}" --rw=write
check "foreign-default-donor: the file is unchanged" test "$(cat "$MNT/test.e4mext-donor.1")" = "not yours"

# Filesystems the kernel refuses to defragment on.
check_fs_refusal() { # NAME TEXT LOOPFS_CREATE_OPTIONS...
  local name=$1 text=$2 mnt; shift 2
  mnt=$(FS_SIZE=128M new_fs "$@")
  head -c 8M /dev/urandom >"$mnt/test"; sync
  refused "$name" "$text" --directory="$mnt" --filename=test --rw=write
}
check_fs_refusal data-journal "data journaling" --mount-opts data=journal
check_fs_refusal no-extents "not extent-mapped" --mkfs-opts "-O ^extent,^64bit,^flex_bg"
check_fs_refusal bigalloc "bigalloc" --mkfs-opts "-O bigalloc -C 65536"

# chattr +j on the original alone (ordered mount).
fresh
if chattr +j "$MNT/test" 2>/dev/null; then
  refused orig-journal-flag "data journaling" "${ON_EXT4[@]}" --rw=write
  chattr -j "$MNT/test"
else
  echo "not run: orig-journal-flag: chattr +j is not permitted here (needs CAP_SYS_RESOURCE)"
fi
# A donor may be no original of the run: no job may use a file of the run as donor; refused before anything is written.
fresh
head -c 8M /dev/urandom >"$MNT/f2"; sync
sums=$(cd "$MNT" && sha256sum test f2)
refused donor-is-same-jobs-file "donor $MNT/f2 is a file of job 'donor-is-same-jobs-file' in this run" --directory="$MNT" \
  --filename=test:f2 --rw=write --donorname=f2 --verify_data=1 --size=16m
check "donor-is-same-jobs-file: both files byte-identical" test "$(cd "$MNT" && sha256sum test f2)" = "$sums"
cat >"$SCRATCH/two-jobs.fio" <<JOB
[global]
ioengine=external:$ENGINE
directory=$MNT
bs=64k
rw=randwrite
size=8m
verify_data=1
[a]
filename=test
[b]
filename=f2
donorname=test
JOB
run_fio donor-is-other-jobs-file "$SCRATCH/two-jobs.fio"
check "donor-is-other-jobs-file: fio fails" test "$(fio_rc donor-is-other-jobs-file)" != 0
check "donor-is-other-jobs-file: job b is refused" fio_said donor-is-other-jobs-file "donor $MNT/test is a file of job 'a' in this run"
check "donor-is-other-jobs-file: job a's data proof passes" fio_said donor-is-other-jobs-file "verify_data passed"
check "donor-is-other-jobs-file: both files byte-identical" test "$(cd "$MNT" && sha256sum test f2)" = "$sums"
# The same after job a has ended: a later group's job b must still know a's file.
sed -i 's/^\[b\]$/[b]\nstonewall/' "$SCRATCH/two-jobs.fio"
run_fio donor-is-earlier-jobs-file "$SCRATCH/two-jobs.fio"
check "donor-is-earlier-jobs-file: job b (after a ended) is refused" \
  fio_said donor-is-earlier-jobs-file "donor $MNT/test is a file of job 'a' in this run"
check "donor-is-earlier-jobs-file: both files byte-identical" test "$(cd "$MNT" && sha256sum test f2)" = "$sums"
ln -s f2 "$MNT/link"
refused donor-symlink "is a symbolic link, not a regular file" "${ON_EXT4[@]}" --rw=write --donorname=link
check "donor-symlink: the original and the link's target are unchanged" test "$(cd "$MNT" && sha256sum test f2)" = "$sums"

# Misaligned writes never reach the ioctl: refused per I/O, naming the option that made them.
misaligned() { # NAME OPTION_TEXT FIO_ARGS...
  local name=$1 text=$2; shift 2
  run_fio "$name" --name="$name" --ioengine="external:$ENGINE" "${ON_EXT4[@]}" --size=8m \
    --stats_file="$SCRATCH/$name.stats.jsonl" "$@"
  check "$name: fio fails" test "$(fio_rc "$name")" != 0
  check "$name: says the write is not whole blocks" fio_said "$name" "is not whole 4096-byte filesystem blocks"
  check "$name: names $text" fio_said "$name" "It comes from $text"
  check "$name: counted as refused" test "$(stat_field "$name" misaligned_refused)" -ge 1
  check "$name: every ioctl covered exactly the bytes asked" \
    test "$(( $(stat_field "$name" blocks_requested) * 4096 ))" = "$(stat_field "$name" bytes_requested)"
}
fresh
misaligned zoneskip "zoneskip=6144" --rw=write --zonemode=strided --zonesize=1m --zonerange=2m --zoneskip=6k --bs=64k
misaligned bs-unaligned "bs_unaligned=1" --rw=randwrite --bsrange=4k-16k --bs_unaligned=1
misaligned blockalign "blockalign=2048" --rw=randwrite --bs=8k --blockalign=2k

# Options and layouts that cannot work are named before the run.
refused create-on-open "create_on_open=1 is not supported" --directory="$MNT" --filename=new --rw=write --create_on_open=1
refused fallocate-none "fallocate=none with overwrite=0 leaves fio's file empty" --directory="$MNT" --filename=empty \
  --rw=write --fallocate=none --overwrite=0
refused stats-file-dir "its directory does not exist" "${ON_EXT4[@]}" --rw=write --stats_file="$SCRATCH/none/s.jsonl"
truncate -s 8M "$MNT/holey"
run_fio hole --name=hole --ioengine="external:$ENGINE" --directory="$MNT" --filename=holey --size=8m --bs=64k --rw=write
check "hole: says the range is a hole" fio_said hole "that range of the original is a hole"

# A donor that is a device node is refused before it is opened (opening a loop node creates the device).
minor=200
while [ -e "/dev/loop$minor" ] && [ $minor -lt 250 ]; do minor=$((minor + 1)); done
mknod "$MNT/node" b 7 $minor
refused donor-device "is a block device node" "${ON_EXT4[@]}" --rw=write --donorname=node
check "donor-device: the node was never opened (no /dev/loop$minor appeared)" test ! -e "/dev/loop$minor"
rm "$MNT/node"

# directory=A:B: the donor goes where fio put the file.
mkdir "$MNT/A" "$MNT/B"
run_fio two-dirs --name=two-dirs --ioengine="external:$ENGINE" --directory="$MNT/A:$MNT/B" --numjobs=2 --size=8m \
  --bs=64k --rw=write --donorname='d.$jobnum' --keep_donor=1
check "two-dirs: fio succeeds" test "$(fio_rc two-dirs)" = 0
check "two-dirs: each clone's donor sits beside its file" test -f "$MNT/A/d.0" -a -f "$MNT/B/d.1"
finish
