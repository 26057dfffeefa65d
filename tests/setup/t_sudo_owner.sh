#!/usr/bin/env bash
# Under sudo, what scripts/setup and scripts/bench make in the checkout belongs to the user who ran
# sudo: run as root with SUDO_USER/SUDO_UID/SUDO_GID of an unprivileged user (nobody), every file
# and directory they made must be that user's. As a control, the same setup without SUDO_UID
# leaves root's files (so the check can tell the two apart).
#   t_sudo_owner.sh SOURCE_DIR BUILD_DIR FIO_SOURCE
# Exits 77 (SKIP) when not root or without the user nobody.
set -euo pipefail
src=$(cd "$1" && pwd) build=$(cd "$2" && pwd) fio_source=$3
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (it runs the scripts as sudo would)"; exit 77; }
uid=$(id -u nobody 2>/dev/null) && gid=$(id -g nobody) || { echo "SKIP: no user nobody"; exit 77; }
[ "$uid" != 0 ] || { echo "SKIP: nobody is uid 0 here"; exit 77; }
as_sudo=(env SUDO_USER=nobody SUDO_UID="$uid" SUDO_GID="$gid")

work=$(mktemp -d "${TMPDIR:-/tmp}/e4mext-sudo-owner.XXXXXX")
label="sudo-owner-test.$$"
results="$src/results/$label"
cleanup() { rm -rf --one-file-system "$work"; [ ! -d "$results" ] || rm -rf --one-file-system "$results"; }
trap cleanup EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }
# not_owned_by UID PATH: the files under PATH (PATH included) whose owner is not UID.
not_owned_by() { find "$2" ! -uid "$1" -printf '%u %p\n' | head -n 10; }

# scripts/setup in a checkout of its own (the scripts alone; fio's source given, no build).
for run in control sudo; do
  rm -rf "$work/checkout"
  mkdir -p "$work/checkout/scripts"
  cp "$src/scripts/setup" "$src/scripts/owner.sh" "$src/scripts/apt-sources.sh" "$work/checkout/scripts/"
  prefix=()
  [ $run = control ] || prefix=("${as_sudo[@]}")
  "${prefix[@]}" env E4MEXT_FIO_SOURCE="$fio_source" "$work/checkout/scripts/setup" --no-build >"$work/setup.out" 2>&1 ||
    { fail "scripts/setup --no-build ($run) exited $?"; sed 's/^/  | /' "$work/setup.out"; continue; }
  [ -L "$work/checkout/.deps/fio" ] || { fail "setup ($run) made no .deps/fio"; continue; }
  if [ $run = control ]; then
    [ -z "$(not_owned_by 0 "$work/checkout/.deps")" ] || fail "control: without SUDO_UID, .deps is not root's"
  else
    wrong=$(not_owned_by "$uid" "$work/checkout/.deps")
    [ -z "$wrong" ] && echo "ok: scripts/setup under sudo: .deps/ and .deps/fio belong to nobody" ||
      fail "scripts/setup under sudo left files that are not nobody's: $wrong"
  fi
done

# scripts/bench in this checkout: one short case, into results/<label>, then removed.
[ ! -e "$results" ] || { echo "FAIL: $results exists already"; exit 1; }
if "${as_sudo[@]}" E4MEXT_BUILD_DIR="$build" "$src/scripts/bench" --quick --only 'U-4k$' --repeat 1 --size 16m \
  --runtime 1s --label "$label" >"$work/bench.out" 2>&1; then
  wrong=$(not_owned_by "$uid" "$results")
  [ -z "$wrong" ] && echo "ok: scripts/bench under sudo: results/$label ($(find "$results" | wc -l) files) belongs to nobody" ||
    fail "scripts/bench under sudo left files in results/$label that are not nobody's: $wrong"
  [ "$(stat -c %u "$src/results")" = "$(stat -c %u "$src")" ] || fail "results/ changed owner"
else
  status=$?
  if grep -q "SKIP\|loop device" "$work/bench.out" && [ ! -e /dev/loop-control ]; then
    echo "SKIP: no loop devices for the bench"; exit 77
  fi
  fail "scripts/bench exited $status"; tail -n 20 "$work/bench.out" | sed 's/^/  | /'
fi
[ $failed = 0 ] || exit 1
echo "all checks passed"
