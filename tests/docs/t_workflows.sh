#!/bin/bash
# The CI workflow files a user copies (.github/workflows/*.yml) against GitHub's workflow schema,
# with a real validator: action-validator (npm's @action-validator/cli), from
# $E4MEXT_ACTION_VALIDATOR, .deps/npm (where scripts/setup installs it) or PATH; SKIP (77) without it.
#   t_workflows.sh SOURCE_DIR
set -u
src=$1
validator=${E4MEXT_ACTION_VALIDATOR:-}
[ -n "$validator" ] || [ ! -x "$src/.deps/npm/node_modules/.bin/action-validator" ] ||
  validator=$src/.deps/npm/node_modules/.bin/action-validator
[ -n "$validator" ] || validator=$(command -v action-validator || true)
[ -n "$validator" ] && [ -x "$validator" ] ||
  { echo "SKIP: no action-validator (scripts/setup installs it into .deps/npm when npm is there; or set E4MEXT_ACTION_VALIDATOR)"; exit 77; }
shopt -s nullglob
files=("$src"/.github/workflows/*.yml "$src"/.github/workflows/*.yaml)
[ ${#files[@]} -gt 0 ] || { echo "FAIL: no workflow files in $src/.github/workflows"; exit 1; }
failed=0
for f in "${files[@]}"; do
  if out=$("$validator" "$f" 2>&1); then
    echo "ok   ${f#"$src"/}"
  else
    echo "FAIL ${f#"$src"/}:"; echo "$out" | head -n 40; failed=1
  fi
done
exit $failed
