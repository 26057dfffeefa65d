#!/usr/bin/env bash
# scripts/setup-in-chroot's usage errors exit 2 with what is wrong, before anything is made (no
# root needed, no chroot, no clone); --help prints the usage. The chroot run itself takes many
# minutes: it is run by hand and its summary committed (doc/install.md).
# usage: t_chroot_usage.sh SCRIPTS_SETUP_IN_CHROOT
set -euo pipefail
script=$1
failed=0
expect() { # expect STATUS TEXT ARGS...: the script with ARGS exits STATUS and says TEXT
  local want=$1 text=$2 status=0 output
  shift 2
  output=$("$script" "$@" 2>&1) || status=$?
  if [ $status != "$want" ] || ! grep -qF -- "$text" <<<"$output"; then
    echo "FAIL: setup-in-chroot $*: exit $status (want $want), output: $output"
    failed=1
  else
    echo "ok: setup-in-chroot $*: exit $status, '$text'"
  fi
}
expect 0 "usage: scripts/setup-in-chroot" --help
expect 2 "unknown option '--suit'" --suit trixie
expect 2 "--suite needs a value" --suite
expect 2 "--out needs a value" --suite trixie --out ""
expect 2 "is not a Debian suite name" --suite 'trixie;rm'
expect 2 "meson suite names separated by spaces" --test-suites 'unit,report'
exit $failed
