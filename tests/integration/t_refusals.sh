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
refused donor-directory "EISDIR" "${ON_EXT4[@]}" --rw=write --donorname=adir
echo keep >"$MNT/setuid" && chmod u+s "$MNT/setuid"
refused donor-setuid "setuid or setgid" "${ON_EXT4[@]}" --rw=write --donorname=setuid
echo keep >"$MNT/immutable" && chattr +i "$MNT/immutable"
refused donor-immutable "open existing donor $MNT/immutable" "${ON_EXT4[@]}" --rw=write --donorname=immutable
chattr -i "$MNT/immutable"
echo keep >"$MNT/appendonly" && chattr +a "$MNT/appendonly"
refused donor-append-only "EPERM" "${ON_EXT4[@]}" --rw=write --donorname=appendonly
chattr -a "$MNT/appendonly"
refused donor-dir-missing "directory does not exist" "${ON_EXT4[@]}" --rw=write --donorname=nodir/donor

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
finish
