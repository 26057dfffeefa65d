#!/usr/bin/env bash
# scripts/setup --dry-run changes nothing: run from a copy of the script in an empty checkout, it
# must say what it would fetch and build there, and leave no .deps/ or build/ behind.
# usage: t_dry_run.sh SCRIPTS_SETUP
set -euo pipefail
setup=$1
. /etc/os-release
if [ "${ID:-}" != debian ] || { [ "${VERSION_ID:-}" != 12 ] && [ "${VERSION_ID:-}" != 13 ]; }; then
  echo "SKIP: scripts/setup installs only on Debian 12 and 13; this is ${ID:-?} ${VERSION_ID:-?}"; exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/scripts"
cp "$setup" "$work/scripts/setup"
cp "$(dirname "$setup")/owner.sh" "$(dirname "$setup")/apt-sources.sh" "$work/scripts/" # sourced by setup
fail() { echo "FAIL: $*"; echo "--- output:"; cat "$work/out"; exit 1; }

"$work/scripts/setup" --dry-run >"$work/out" 2>&1 || fail "--dry-run exited $?"
grep -q "would fetch fio .* into $work/.deps/fio-" "$work/out" || fail "does not say it would fetch fio's source into the checkout"
grep -q "would run: ninja -C build" "$work/out" || fail "does not say it would build"
grep -q "dry run: nothing was changed" "$work/out" || fail "no closing line"
left=$(cd "$work" && ls -A | grep -v '^scripts$' | grep -v '^out$' || true)
[ -z "$left" ] || fail "--dry-run created: $left"

"$work/scripts/setup" --dry-run --no-build >"$work/out" 2>&1 || fail "--dry-run --no-build exited $?"
! grep -q "ninja" "$work/out" || fail "--no-build still names the build"

if "$work/scripts/setup" --dry-runn >"$work/out" 2>&1; then fail "a misspelt option was accepted"; fi
grep -q "unknown option '--dry-runn'" "$work/out" || fail "a misspelt option is not named"
echo "ok: --dry-run changed nothing and said what it would do"
