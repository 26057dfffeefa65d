#!/usr/bin/env bash
# scripts/setup on a system it does not know (an os-release of Fedora, E4MEXT_OS_RELEASE) installs
# nothing: it lists what e4mext needs, by what it is and by Debian's names, and stops with exit 1
# and what to do - or, given a configured fio source, goes on (here --dry-run --no-build).
# usage: t_unknown_system.sh SCRIPTS_SETUP
set -euo pipefail
setup=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/scripts"
cp "$setup" "$(dirname "$setup")/owner.sh" "$(dirname "$setup")/apt-sources.sh" "$work/scripts/"
printf 'ID=fedora\nVERSION_ID=41\nNAME="Fedora Linux"\n' >"$work/os-release"
fail() { echo "FAIL: $*"; echo "--- output:"; cat "$work/out"; exit 1; }

status=0
env -u E4MEXT_FIO_SOURCE E4MEXT_OS_RELEASE="$work/os-release" "$work/scripts/setup" --dry-run >"$work/out" 2>&1 || status=$?
[ $status = 1 ] || fail "exit $status on an unknown system, not 1"
grep -q "this is fedora 41 (no codename) on $(uname -m): setup installs packages only on Debian 12 (bookworm) and 13 (trixie)" "$work/out" ||
  fail "does not say which system it is and which it installs on"
grep -q "a C++20 compiler" "$work/out" && grep -q "Catch2 2.x or 3.x" "$work/out" || fail "no list of what e4mext needs"
grep -q "by their Debian 12 names .*libclang-rt-dev" "$work/out" || fail "no list of Debian's package names"
grep -qE "error: (missing programs: .*install the above|set E4MEXT_FIO_SOURCE=)" "$work/out" || fail "does not end with what to do"
left=$(cd "$work" && ls -A | grep -vxE 'scripts|out|os-release' || true)
[ -z "$left" ] || fail "created: $left"

mkdir "$work/fio"
touch "$work/fio/config-host.h"
status=0
E4MEXT_FIO_SOURCE="$work/fio" E4MEXT_OS_RELEASE="$work/os-release" "$work/scripts/setup" --dry-run --no-build >"$work/out" 2>&1 || status=$?
if grep -q "missing programs" "$work/out"; then
  echo "ok: an unknown system gets the list and what to do (this machine lacks a program, so the build path is not run)"; exit 0
fi
[ $status = 0 ] || fail "with E4MEXT_FIO_SOURCE: exit $status, not 0"
grep -q "would run: ln -sfn $work/fio $work/.deps/fio" "$work/out" || fail "with E4MEXT_FIO_SOURCE: does not link fio's source"
echo "ok: an unknown system gets the list and what to do, and builds with a given fio source"
