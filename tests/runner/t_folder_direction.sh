#!/usr/bin/env bash
# The runner's folders depend on each other in one direction (runner/README.md, "The folders"):
# every #include "x.h" of a file in runner/<folder>/ that names a header of another runner folder
# must be one that folder may use; the top-level regression/ (the suite, loopfs) may use only
# runner/shared; engine/ and report/ none of the runner; common/ (header-only, below everything)
# nothing of the project at all. Prints each include that goes the wrong way and fails; no build or
# root needed.
#   t_folder_direction.sh SOURCE_ROOT
set -euo pipefail
root=${1:?usage: t_folder_direction.sh SOURCE_ROOT}
cd "$root"

declare -A may_use=(
  [shared]=""
  [kernel]="shared"
  [vm]="kernel shared"
  [bench]="vm kernel shared"
  [stress]="shared"
  [overhead]="shared"
  [regression]="vm kernel shared"
  [top-regression]="shared"
  [engine]=""
  [report]=""
)

# Which runner folder holds a header of this name ("" when none does).
declare -A home=()
for f in runner/*/*.h; do home[$(basename "$f")]=$(basename "$(dirname "$f")"); done

wrong=0 checked=0
check_file() { # FILE FOLDER
  local file=$1 folder=$2 header target
  while read -r header; do
    target=${home[$header]:-}
    [ -n "$target" ] || continue
    [ -e "$(dirname "$file")/$header" ] && continue # its own folder's (engine/names.h): found first
    checked=$((checked + 1))
    [ "$target" = "${folder#top-}" ] && [ "$folder" != top-regression ] && continue
    case " ${may_use[$folder]} " in
      *" $target "*) ;;
      *) echo "$file includes $header of runner/$target/: ${folder} may use only '${may_use[$folder]:-nothing of the runner}'"; wrong=$((wrong + 1));;
    esac
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file")
}
for d in runner/*/; do
  folder=$(basename "$d")
  [ -n "${may_use[$folder]+x}" ] || { echo "runner/$folder/ is not in this test's table: add it (and to runner/README.md)"; wrong=$((wrong + 1)); continue; }
  for f in "$d"*.cpp "$d"*.h; do [ -e "$f" ] && check_file "$f" "$folder"; done
done
for f in regression/*.cpp regression/*.h; do check_file "$f" top-regression; done
for f in engine/*.cpp engine/*.h report/*.cpp report/*.hpp; do [ -e "$f" ] && check_file "$f" "$(dirname "$f")"; done
# common/ is the bottom: its headers include only system headers.
for f in common/*.h; do
  while read -r header; do
    checked=$((checked + 1))
    [ -e "common/$header" ] && continue
    echo "$f includes \"$header\": common/ may include only its own and system headers"; wrong=$((wrong + 1))
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
done
echo "folder-direction: $checked includes of runner headers checked, $wrong going the wrong way"
[ "$wrong" = 0 ]
