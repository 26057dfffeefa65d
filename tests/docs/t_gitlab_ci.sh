#!/bin/bash
# The GitLab CI file a user copies (.gitlab-ci.yml) with a real validator: gitlab-ci-local (npm),
# which checks the file against GitLab's published CI JSON schema (bundled, so it works offline)
# and resolves what the schema cannot (stages, needs, extends, parallel), as `gitlab-ci-local --list`.
# From $E4MEXT_GITLAB_CI_LOCAL, .deps/npm (where scripts/setup installs it) or PATH; SKIP (77)
# without it. A copy with an unknown key must fail, so a validator that accepts anything fails here.
#   t_gitlab_ci.sh SOURCE_DIR
set -u
src=$1
validator=${E4MEXT_GITLAB_CI_LOCAL:-}
[ -n "$validator" ] || [ ! -x "$src/.deps/npm/node_modules/.bin/gitlab-ci-local" ] ||
  validator=$src/.deps/npm/node_modules/.bin/gitlab-ci-local
[ -n "$validator" ] || validator=$(command -v gitlab-ci-local || true)
[ -n "$validator" ] && [ -x "$validator" ] ||
  { echo "SKIP: no gitlab-ci-local (scripts/setup installs it into .deps/npm when npm is there; or set E4MEXT_GITLAB_CI_LOCAL)"; exit 77; }
command -v git >/dev/null || { echo "SKIP: git missing (gitlab-ci-local reads a git checkout)"; exit 77; }
[ -f "$src/.gitlab-ci.yml" ] || { echo "FAIL: no $src/.gitlab-ci.yml"; exit 1; }
scratch=$(mktemp -d "${TMPDIR:-/tmp}/e4mext-gitlab-ci.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# gitlab-ci-local writes its state beside the file: validate a copy in a git checkout of its own.
validate() { # DIR: prints the validator's verdict, exit status its own
  (cd "$1" && git init -q && git add .gitlab-ci.yml &&
    git -c user.email=test@e4mext -c user.name=test commit -q -m ci &&
    "$validator" --list 2>&1) | grep -v -e 'remote' -e 'origin' -e 'fallback' -e 'symbolic-ref'
  return "${PIPESTATUS[0]}"
}
mkdir "$scratch/real" "$scratch/broken"
cp "$src/.gitlab-ci.yml" "$scratch/real/"
if ! out=$(validate "$scratch/real"); then
  echo "FAIL .gitlab-ci.yml:"; echo "$out" | head -n 40; exit 1
fi
echo "ok   .gitlab-ci.yml"; echo "$out" | sed 's/^/     /'
# The same file with one misspelt key must be refused.
sed 's/^  artifacts:$/  artefacts:/' "$src/.gitlab-ci.yml" >"$scratch/broken/.gitlab-ci.yml"
cmp -s "$src/.gitlab-ci.yml" "$scratch/broken/.gitlab-ci.yml" && { echo "FAIL: the test's mutation no longer applies (no '  artifacts:' line)"; exit 1; }
if out=$(validate "$scratch/broken"); then
  echo "FAIL: the validator accepted a job with an unknown key 'artefacts':"; echo "$out" | head -n 20; exit 1
fi
echo "ok   a misspelt key is refused: $(echo "$out" | grep -m1 -e 'artefacts' -e 'Invalid')"
