#!/bin/bash
# The engine's options three ways: what the engine itself tells fio (`fio --enghelp=ENGINE`), the
# first column of doc/engine.md's option table (the `| \`name=...\` |` rows under its header
# "# The engine: libe4mext.so"), and the option entries of e4mext-engine(7) (lines `*name=*` in its OPTIONS
# section). All three must name the same options.
#
#   t_engine_options.sh FIO ENGINE.so doc/engine.md e4mext-engine.7.scd
set -u
source "$(dirname "$0")/doclib.sh"

fio=$1 engine=$2 readme=$3 page=$4
need_file "$engine" "build it first (ninja -C build engine/libe4mext.so)"
need_file "$readme" "the engine's page (doc/engine.md)"
need_file "$page" "the page's scdoc source"

# fio --enghelp wants the library's path itself (with a slash), not external:PATH; it prints
# "name   : help" per option, and exits 0 even when it could not load the engine.
enghelp=$("$fio" --enghelp="$(realpath "$engine")" 2>&1)
from_engine=$(sed -nE 's/^([a-z_]+) +: .*/\1/p' <<<"$enghelp")
[[ -n $from_engine ]] || { echo "FAIL: fio --enghelp=$engine listed no options:"; echo "$enghelp"; exit 1; }

from_readme=$(awk '
	/^```/ { fence = !fence }
	!fence && /^#+ / { insec = ($0 ~ /^#+ The engine: libe4mext\.so$/); next }
	insec && /^\| `[a-z_]+=/ { sub(/^\| `/, ""); sub(/=.*/, ""); print }' "$readme")
[[ -n $from_readme ]] || fail "$(basename "$readme"): no option rows (| \`name=...\` |) under '# The engine: libe4mext.so'"

from_page=$(awk '
	/^#/ { insec = ($0 == "# OPTIONS"); next }
	insec && /^\*[a-z_]+=\*/ { sub(/^\*/, ""); sub(/=.*/, ""); print }' "$page")
[[ -n $from_page ]] || fail "$(basename "$page"): no option entries (*name=*) in its OPTIONS section"

echo "engine: $(list_sorted "$from_engine" | paste -sd' ')"
compare_lists "engine options" "fio --enghelp (the engine)" "$from_engine" "$(basename "$readme")'s table" "$from_readme"
compare_lists "engine options" "fio --enghelp (the engine)" "$from_engine" "$(basename "$page")" "$from_page"
finish
