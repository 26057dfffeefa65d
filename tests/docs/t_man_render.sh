#!/bin/bash
# Each built man page renders without a warning: man(1) as a reader would run it (80 columns, its
# preprocessors, warnings on), and groff with every warning (-ww), which also catches lines too
# long to break.
#
#   t_man_render.sh PAGE...
set -u
source "$(dirname "$0")/doclib.sh"

command -v man >/dev/null || { echo "SKIP: man(1) not installed (apt-get install man-db)"; exit 77; }
command -v groff >/dev/null || { echo "SKIP: groff not installed (apt-get install groff)"; exit 77; }
(($# > 0)) || { echo "FAIL: no pages given"; exit 1; }
warnings=$(mktemp)
trap 'rm -f "$warnings"' EXIT

for page in "$@"; do
	need_file "$page" "build the pages first (ninja -C build)"
	name=$(basename "$page")
	text=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings=all -l "$page" 2>"$warnings") ||
		fail "$name: man -l exited non-zero"
	[[ -s $warnings ]] && fail "$name: man --warnings: $(head -5 "$warnings")"
	groff_warnings=$(groff -t -man -ww -z -Tutf8 "$page" 2>&1)
	[[ -n $groff_warnings ]] && fail "$name: groff -ww: $(head -5 <<<"$groff_warnings")"
	# A page that rendered to next to nothing is broken too.
	lines=$(wc -l <<<"$text")
	((lines >= 20)) || fail "$name: rendered to only $lines lines"
	grep -q '^NAME' <<<"$text" || fail "$name: no NAME section in the rendered page"
	echo "rendered: $name ($lines lines)"
done
finish
