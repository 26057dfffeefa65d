#!/usr/bin/env bash
# The build must stop, with a message naming both versions, when fio's source tree is not the
# release of the fio binary that will load the engine. Uses a copy of the real tree's version files.
set -euo pipefail
check=$1 fio_src=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=0
expect() { # expect DESCRIPTION EXIT_WANTED TEXT_WANTED -- ARGS
  local what=$1 want_rc=$2 want_text=$3 rc=0 out; shift 4
  out=$("$check" "$@" 2>&1) || rc=$?
  if [ "$rc" = "$want_rc" ] && grep -qF -- "$want_text" <<<"$out"; then echo "ok: $what"
  else echo "FAILED: $what (exit $rc, said: $out)"; failed=1; fi
}
cp "$fio_src"/{ioengines.h,config-host.h,FIO-VERSION-GEN} "$scratch/"
ioops=$(sed -n 's/^#define[[:space:]]\+FIO_IOOPS_VERSION[[:space:]]\+\([0-9]\+\).*/\1/p' "$fio_src/ioengines.h")
expect "the matching tree passes and prints its FIO_IOOPS_VERSION" 0 "$ioops" -- "$scratch" fio
sed -i 's/^DEF_VER=fio-.*/DEF_VER=fio-9.99/' "$scratch/FIO-VERSION-GEN"
expect "another release is refused, naming both" 1 "fio source is fio-9.99" -- "$scratch" fio
expect "a missing tree is refused with what to do" 1 "run scripts/setup" -- "$scratch/none" fio
rm "$scratch/config-host.h"
expect "an unconfigured tree is refused" 1 "not configured" -- "$scratch" fio
exit $failed
