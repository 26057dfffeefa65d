#!/usr/bin/env bash
# stats_file= may be no file of the run: not an original of any job, not a donor (named or e4mext's
# default name, this job's or another's), under no other name (a hard or symbolic link). Each is
# refused before the engine opens anything: the original keeps its bytes and size, no file appears.
# And a statistics file that cannot be written fails the job.
. "$(dirname "$0")/lib.sh"
MNT=$(new_fs)

fresh() { rm -rf "${MNT:?}"/*; head -c 8M /dev/urandom >"$MNT/test"; head -c 8M /dev/urandom >"$MNT/f2"; sync; }
sums() { (cd "$MNT" && sha256sum test f2 && stat -c '%n %s' test f2); }
# The files in the mount, so that a refused job is seen to have created none.
listing() { (cd "$MNT" && ls -A | sort); }
# The engine never opened STATS_PATH for appending (its statistics file is opened with O_APPEND).
never_appended() { ! grep -F "\"$2\"" "$SCRATCH/$1.strace" | grep -q 'O_APPEND'; }

# stats_refused NAME STATS_PATH EXPECTED_TEXT FIO_ARGS_OR_JOBFILE...: fio fails saying EXPECTED_TEXT,
# no move is issued (unless OTHER_JOB_MOVES=1: another job of the run may move), STATS_PATH is never opened for appending, files and listing are unchanged.
stats_refused() {
  local name=$1 stats=$2 text=$3 before list; shift 3
  before=$(sums) list=$(listing)
  run_fio "$name" "$@"
  check "$name: fio fails" test "$(fio_rc "$name")" != 0
  check "$name: says '$text'" fio_said "$name" "$text"
  [ "${OTHER_JOB_MOVES:-0}" = 1 ] || check "$name: no EXT4_IOC_MOVE_EXT issued" test "$(fio_moves "$name")" = 0
  check "$name: $stats never opened for appending" never_appended "$name" "$stats"
  check "$name: the originals keep their bytes and sizes" test "$(sums)" = "$before"
  check "$name: no file created" test "$(listing)" = "$list"
}
one_job() { # NAME STATS_PATH [FIO_ARGS...]: one job on $MNT/test with verify_data=1
  local name=$1 stats=$2; shift 2
  echo --name="$name" --ioengine="external:$ENGINE" --directory="$MNT" --filename=test --size=8m --bs=64k \
    --rw=write --overwrite=1 --verify_data=1 --stats_file="$stats" "$@"
}

fresh
# shellcheck disable=SC2046 # one_job prints words without spaces
stats_refused stats-is-original "$MNT/test" "stats_file=$MNT/test is a file of job 'stats-is-original'" \
  $(one_job stats-is-original "$MNT/test")
ln "$MNT/test" "$MNT/hard"
stats_refused stats-hard-link "$MNT/hard" "is the same file as $MNT/test (a hard link)" \
  $(one_job stats-hard-link "$MNT/hard")
ln -s test "$MNT/soft"
stats_refused stats-symlink "$MNT/soft" "is the same file as $MNT/test (a symbolic link)" \
  $(one_job stats-symlink "$MNT/soft")
rm "$MNT/hard" "$MNT/soft"
stats_refused stats-is-own-donor "$MNT/d" "stats_file=$MNT/d is the donor of job 'stats-is-own-donor'" \
  $(one_job stats-is-own-donor "$MNT/d" --donorname=d)
stats_refused stats-is-default-donor "$MNT/test.e4mext-donor.1" \
  "stats_file=$MNT/test.e4mext-donor.1 is the donor of job 'stats-is-default-donor'" \
  $(one_job stats-is-default-donor "$MNT/test.e4mext-donor.1")

# Another job's files: job b is refused; job a runs (its data proof passes) and leaves nothing behind,
# except where b's statistics file is a's donor: then a is refused as well (its donor is a file of the run).
two_jobs() { # STATS_PATH [LINES FOR JOB a...]
  local stats=$1; shift
  printf '%s\n' "[global]" "ioengine=external:$ENGINE" "directory=$MNT" "bs=64k" "rw=randwrite" "size=8m" \
    "verify_data=1" "[a]" "filename=test" "$@" "[b]" "filename=f2" "stats_file=$stats" >"$SCRATCH/two.fio"
  echo "$SCRATCH/two.fio"
}
OTHER_JOB_MOVES=1 stats_refused stats-is-other-jobs-original "$MNT/test" "stats_file=$MNT/test is a file of job 'a'" \
  "$(two_jobs "$MNT/test")"
check "stats-is-other-jobs-original: job a's data proof passes" fio_said stats-is-other-jobs-original "verify_data passed"
stats_refused stats-is-other-jobs-donor "$MNT/da" "stats_file=$MNT/da is the donor of job 'a'" \
  "$(two_jobs "$MNT/da" donorname=da)"
stats_refused stats-is-other-jobs-default-donor "$MNT/test.e4mext-donor.1" \
  "stats_file=$MNT/test.e4mext-donor.1 is the donor of job 'a'" "$(two_jobs "$MNT/test.e4mext-donor.1")"
# Job b in a later group, after job a has ended, still knows a's files.
OTHER_JOB_MOVES=1 stats_refused stats-is-earlier-jobs-original "$MNT/test" "stats_file=$MNT/test is a file of job 'a'" \
  "$(two_jobs "$MNT/test" && echo stonewall >>"$SCRATCH/two.fio")"

# A statistics file that cannot be written fails the job, saying so.
fresh
run_fio stats-unwritable $(one_job stats-unwritable /dev/full)
check "stats-unwritable: fio fails" test "$(fio_rc stats-unwritable)" != 0
check "stats-unwritable: says the statistics are lost" fio_said stats-unwritable \
  "cannot append the statistics to stats_file=/dev/full"
check "stats-unwritable: the original keeps its bytes" fio_said stats-unwritable "verify_data passed"
# The same options with a statistics file outside the run succeed: the refusals above are not the job's other options.
run_fio stats-outside $(one_job stats-outside "$SCRATCH/stats-outside.stats.jsonl")
check "stats-outside: fio succeeds" test "$(fio_rc stats-outside)" = 0
check "stats-outside: one statistics record, verify passed" test "$(stat_values stats-outside verify)" = passed
finish
