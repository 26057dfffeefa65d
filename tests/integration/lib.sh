# Shared by the integration tests: a real ext4 on a loop device of our own, real fio loading the
# real engine. Sourced by each t_*.sh; usage: t_x.sh ENGINE_SO REPO_ROOT E4MEXT_STAT
# (E4MEXT_STAT: build/tests/integration/e4mext-stat, which reads the engine's stats and fio's JSON
# through report_core, so no script here parses JSON itself).
set -euo pipefail

ENGINE=${1:?usage: $0 ENGINE_SO REPO_ROOT E4MEXT_STAT}
ROOT=${2:?usage: $0 ENGINE_SO REPO_ROOT E4MEXT_STAT}
STAT=${3:?usage: $0 ENGINE_SO REPO_ROOT E4MEXT_STAT}
LOOPFS=${E4MEXT_LOOPFS:-$ROOT/build/regression/loopfs} # meson sets it: build/regression/loopfs
TEST_NAME=$(basename "$0" .sh)
passed=0 failed=0
exit_commands=()

not_run() { echo "$TEST_NAME: not run: $*"; exit 77; }
[ "$(id -u)" = 0 ] || not_run "needs root (loop devices, mounts)"
command -v fio >/dev/null || not_run "fio is not installed (run scripts/setup)"
command -v strace >/dev/null || not_run "strace is not installed (run scripts/setup)"
[ -f "$ENGINE" ] || not_run "engine $ENGINE is not built"
[ -x "$LOOPFS" ] || not_run "$LOOPFS is not built"
[ -x "$STAT" ] || not_run "$STAT is not built"

# on_exit COMMAND: run at exit, last registered first (e.g. unmounting what a test mounted).
on_exit() { exit_commands=("$1" "${exit_commands[@]}"); }
cleanup() {
  local c w
  for c in "${exit_commands[@]}"; do eval "$c" || echo "$TEST_NAME: cleanup step failed: $c" >&2; done
  if [ -f "$SCRATCH/workdirs" ]; then
    while read -r w; do "$LOOPFS" destroy "$w" || echo "$TEST_NAME: cleanup of $w failed" >&2; done <"$SCRATCH/workdirs"
  fi
  rm -rf "$SCRATCH"
}
SCRATCH=$(mktemp -d /tmp/e4mext-it.XXXXXX)
trap cleanup EXIT
trap 'exit 130' INT TERM

# new_fs [loopfs create options...]: prints the mount point of a new loop ext4 of our own. Called
# as MNT=$(new_fs), i.e. in a subshell, so the work dir is recorded in a file for cleanup.
new_fs() {
  local w
  w=$("$LOOPFS" create --size "${FS_SIZE:-512M}" "$@") || return 1
  echo "$w" >>"$SCRATCH/workdirs"
  echo "$w/mnt"
}

check() { # check DESCRIPTION COMMAND...: one assertion
  if "${@:2}"; then passed=$((passed + 1)); echo "ok: $1"
  else failed=$((failed + 1)); echo "FAILED: $1"; fi
}

# run_fio NAME ARGS...: runs fio with the engine, under strace to count EXT4_IOC_MOVE_EXT calls.
# Leaves $SCRATCH/NAME.out (fio's output), NAME.moves (ioctl count), NAME.rc, NAME.strace.
run_fio() {
  local name=$1; shift
  set +e
  strace -f -qq -e trace=ioctl,openat -e signal=none -o "$SCRATCH/$name.strace" \
    fio --output-format=normal,json --output="$SCRATCH/$name.out" "$@" >"$SCRATCH/$name.stdout" 2>&1
  echo $? >"$SCRATCH/$name.rc"
  set -e
  grep -c 'EXT4_IOC_MOVE_EXT\|0xc028660f\|_IOC_WRITE, 0x66, 0xf, 0x28)' "$SCRATCH/$name.strace" >"$SCRATCH/$name.moves" || true
}
fio_rc() { cat "$SCRATCH/$1.rc"; }
fio_moves() { cat "$SCRATCH/$1.moves"; }
fio_made_no_donor() { ! grep -q 'openat(.*e4mext-donor.*O_CREAT' "$SCRATCH/$1.strace"; }
fio_said() { grep -qF -- "$2" "$SCRATCH/$1.out" "$SCRATCH/$1.stdout"; }
# stat_values NAME KEY: KEY (e.g. moves, orig_after.written) of every record of the engine's stats
# file $SCRATCH/NAME.stats.jsonl, one line each; stat_field NAME KEY: of the first record.
stat_values() { "$STAT" "$SCRATCH/$1.stats.jsonl" "$2"; }
stat_field() {
  local values
  values=$(stat_values "$@") || return 1
  echo "${values%%$'\n'*}"
}
stat_records() { stat_values "$1" jobname | wc -l; }
# fio_json_only FILE: FILE is fio's JSON document and nothing else.
fio_json_only() { "$STAT" --fio-json "$1"; }
no_donors_left() { ! ls "$1" | grep -q 'e4mext-donor'; }

finish() {
  echo "$TEST_NAME: $passed passed, $failed failed"
  [ "$failed" = 0 ]
}
