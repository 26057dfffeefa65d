#!/usr/bin/env bash
# A job written for fio's built-in e4defrag engine runs unchanged but for its ioengine= line;
# numjobs > 1 gets a private donor per clone; interrupted runs leave no donor behind.
. "$(dirname "$0")/lib.sh"
MNT=$(new_fs)

# The cover letter's job, as fio's built-in engine expects it.
write_seed_job() { # write_seed_job FILE IOENGINE
  cat >"$1" <<JOB
[defrag]
directory=$MNT
filesize=64M
buffered=1
fadvise_hint=0
ioengine=$2
bs=4k
donorname=test.def
filename=test
inplace=0
rw=write
overwrite=0
numjobs=1
iodepth=1
runtime=30s
JOB
}
write_seed_job "$SCRATCH/builtin.fio" e4defrag
write_seed_job "$SCRATCH/ours.fio" "external:$ENGINE"
check "the two job files differ only in the ioengine line" \
  test "$(diff "$SCRATCH/builtin.fio" "$SCRATCH/ours.fio" | grep -c '^[<>]')" = 2

run_fio builtin "$SCRATCH/builtin.fio"
check "fio's built-in engine runs the seed job" test "$(fio_rc builtin)" = 0
rm -f "$MNT"/test*
run_fio ours "$SCRATCH/ours.fio"
check "libe4mext runs the same job unchanged" test "$(fio_rc ours)" = 0
check "libe4mext moved the whole file, one ioctl per 4k write" test "$(fio_moves ours)" = $((64 * 256))
check "libe4mext printed its summary line" fio_said ours "16384 moves, 16384 blocks moved"
check "the donor test.def it created is gone" test ! -e "$MNT/test.def"

# numjobs=4 on one file: four private donors, all removed.
rm -f "$MNT"/test*
run_fio clones --name=clones --ioengine="external:$ENGINE" --directory="$MNT" --filename=test --size=16m \
  --bs=64k --rw=write --numjobs=4 --verify_data=1 --stats_file="$SCRATCH/clones.stats.jsonl"
check "numjobs=4: fio exits 0" test "$(fio_rc clones)" = 0
check "numjobs=4: one statistics record per clone" test "$(stat_records clones)" = 4
check "numjobs=4: four distinct donors" test "$(stat_values clones donor | sort -u | wc -l)" = 4
check "numjobs=4: every clone's data check passed" test "$(stat_values clones verify | grep -cx passed)" = 4
check "numjobs=4: no donor left" no_donors_left "$MNT"

# inplace=1, four clones sharing one explicit donor (range-locked): data intact, donor gone at the end.
rm -f "$MNT"/test*
head -c 32M /dev/urandom >"$MNT/test"; sync
sum=$(sha256sum <"$MNT/test")
run_fio inplace --name=inplace --ioengine="external:$ENGINE" --directory="$MNT" --filename=test --bs=64k \
  --rw=randwrite --numjobs=4 --inplace=1 --donorname=shared.donor --verify_data=1 --stats_file="$SCRATCH/inplace.stats.jsonl"
check "inplace, shared donor, 4 clones: fio exits 0" test "$(fio_rc inplace)" = 0
check "inplace, shared donor, 4 clones: every clone's data check passed" test "$(stat_values inplace verify | grep -cx passed)" = 4
check "inplace, shared donor, 4 clones: no move failed" test "$(stat_values inplace other_errors | grep -cx 0)" = 4
sync; echo 3 >/proc/sys/vm/drop_caches
check "inplace, shared donor, 4 clones: data byte-identical" test "$(sha256sum <"$MNT/test")" = "$sum"
check "inplace, shared donor, 4 clones: the donor e4mext made is gone" test ! -e "$MNT/shared.donor"

# SIGINT mid-run: fio stops its jobs, the engine cleans up.
rm -f "$MNT"/test*
fio --name=long --ioengine="external:$ENGINE" --directory="$MNT" --filename=test --size=64m --bs=4k --rw=randwrite \
  --time_based --runtime=60 >"$SCRATCH/sigint.out" 2>&1 &
fio_pid=$!
sleep 3
check "the long job is running with a donor" test -n "$(ls "$MNT" | grep e4mext-donor)"
kill -INT $fio_pid
for _ in $(seq 50); do kill -0 $fio_pid 2>/dev/null || break; sleep 0.2; done
check "fio ended within 10 s of SIGINT" bash -c "! kill -0 $fio_pid 2>/dev/null"
wait $fio_pid || true
check "no donor left after SIGINT" no_donors_left "$MNT"
check "the summary was still printed" grep -q "e4mext: long.0" "$SCRATCH/sigint.out"

# SIGKILL leaves a tagged donor; the next run recognises it, resets it and removes it.
fio --name=long --ioengine="external:$ENGINE" --directory="$MNT" --filename=test --size=64m --bs=4k \
  --rw=randwrite --time_based --runtime=60 >/dev/null 2>&1 &
fio_pid=$!
sleep 3
job_pids=$(pgrep -P $fio_pid || true)   # fio runs each job in a child process: kill those too
kill -KILL $fio_pid $job_pids
wait $fio_pid 2>/dev/null || true
for p in $job_pids; do for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; done
check "SIGKILL ended fio and its job process" bash -c "! kill -0 $fio_pid $job_pids 2>/dev/null"
check "SIGKILL left the donor behind" test -n "$(ls "$MNT" | grep e4mext-donor)"
run_fio after-kill --name=long --ioengine="external:$ENGINE" --directory="$MNT" --filename=test --size=64m --bs=1m --rw=write
check "the next run succeeds" test "$(fio_rc after-kill)" = 0
check "the next run says it reset the stale donor" fio_said after-kill "an earlier, interrupted e4mext run left behind"
check "and removes it" no_donors_left "$MNT"
finish
