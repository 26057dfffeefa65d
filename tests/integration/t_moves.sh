#!/usr/bin/env bash
# U and M moves at 4k/32k/128k with verify_data=1, written donors, FIEMAP showing the original's
# blocks relocated, and random data byte-identical after M runs.
. "$(dirname "$0")/lib.sh"
MNT=$(new_fs)
ENGINE_OPTS=(--ioengine="external:$ENGINE" --directory="$MNT" --filename=test --rw=write --verify_data=1)

for layout in U M; do
  overwrite=$([ $layout = M ] && echo 1 || echo 0)
  for bs in 4k 32k 128k; do
    name="$layout-$bs"
    rm -f "$MNT"/test*
    run_fio "$name" --name="$name" "${ENGINE_OPTS[@]}" --size=32m --bs=$bs --overwrite=$overwrite \
      --stats_file="$SCRATCH/$name.stats.jsonl"
    check "$name: fio exits 0" test "$(fio_rc "$name")" = 0
    check "$name: verify_data passed" test "$(stat_field "$name" verify)" = passed
    check "$name: every block of the original relocated" \
      test "$(stat_field "$name" orig_blocks_relocated)" = "$(stat_field "$name" orig_before.blocks)"
    check "$name: one ioctl per write" test "$(fio_moves "$name")" = "$(stat_field "$name" moves)"
    if [ $layout = U ]; then
      check "$name: original stays unwritten" test "$(stat_field "$name" orig_after.written)" = 0
    else
      check "$name: original stays written" test "$(stat_field "$name" orig_after.unwritten)" = 0
    fi
    check "$name: donor removed" no_donors_left "$MNT"
  done
done

# donor_mode=written: the donor's blocks hold data before the move.
rm -f "$MNT"/test*
run_fio written --name=written "${ENGINE_OPTS[@]}" --size=16m --bs=64k --donor_mode=written --stats_file="$SCRATCH/written.stats.jsonl"
check "written donor: fio exits 0" test "$(fio_rc written)" = 0
check "written donor: donor was written before" test "$(stat_field written donor_before.unwritten)" = 0
check "written donor: verify passed" test "$(stat_field written verify)" = passed
check "written donor: verify_data's XXH64 is the one xxhsum computes" \
  test "$(stat_field written verify_xxh64_after)" = "$(xxhsum -H64 "$MNT/test" | cut -d' ' -f1)"

# Random data must come out byte-identical, checked independently of the engine (sha256, cold cache).
rm -f "$MNT"/test*
head -c 64M /dev/urandom >"$MNT/test"
sync
before=$(sha256sum <"$MNT/test")
for bs in 4k 1m; do
  run_fio "random-$bs" --name=random "${ENGINE_OPTS[@]}" --bs=$bs --stats_file="$SCRATCH/random-$bs.stats.jsonl"
  check "random data, bs=$bs: fio exits 0 (no filesize= given)" test "$(fio_rc "random-$bs")" = 0
  check "random data, bs=$bs: moved as M (written)" test "$(stat_field "random-$bs" orig_before.written)" -gt 0
done
sync; echo 3 >/proc/sys/vm/drop_caches
check "random data is byte-identical after two M runs" test "$(sha256sum <"$MNT/test")" = "$before"
# Another job of the same fio run overwriting the original during the moves (the bench's in-use
# write-same): its bytes change legitimately, so verify_data says other-writer, neither passed nor
# failed (no false failure, no false pass), and the writer's own fio verify checks its writes.
rm -f "$MNT"/test*
head -c 32M /dev/urandom >"$MNT/test"
sync
run_fio other-writer --name=writer --directory="$MNT" --filename=test --size=32m --rw=randwrite --bs=4k --direct=1 \
  --ioengine=psync --rate_iops=500 --number_ios=400 --verify=crc32c --do_verify=1 --verify_fatal=1 \
  --name=defrag "${ENGINE_OPTS[@]}" --size=32m --bs=4k --stats_file="$SCRATCH/other-writer.stats.jsonl"
check "other writer: fio exits 0 (the writer's verify passed)" test "$(fio_rc other-writer)" = 0
check "other writer: verify_data says other-writer" test "$(stat_field other-writer verify)" = other-writer
check "other writer: the summary names the writer" fio_said other-writer "is written by fio job 'writer'"
# fio's JSON document stays fio's in every engine mode: the engine's lines go to stderr.
json_case=0
for mode in "--overwrite=0" "--overwrite=1 --donor_mode=written" "--inplace=1" "--verify_data=1 --donorname=d"; do
  out="$SCRATCH/json-$((++json_case)).json"
  # shellcheck disable=SC2086
  fio --name=json "${ENGINE_OPTS[@]}" --size=8m --bs=64k --rw=write $mode --output-format=json --output="$out" \
    2>"$out.stderr" >/dev/null
  check "JSON output with $mode: fio's JSON document alone" fio_json_only "$out"
  check "JSON output with $mode: the summary went to stderr" grep -q "^e4mext: json.0 " "$out.stderr"
done
finish
