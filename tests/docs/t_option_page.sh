#!/bin/bash
# A man page of a program without commands (move-ext-regression(1)) against its --help: the
# option entries of the page's OPTIONS section are exactly the options --help prints, and every
# --option mentioned anywhere in the page is one of them.
#
#   t_option_page.sh PROGRAM PAGE.scd
set -u
source "$(dirname "$0")/doclib.sh"

program=$1 page=$2
need_file "$program" "build it first (ninja -C build)"
need_file "$page" "the page's scdoc source"

options=$(help_options "$program") || exit 1
[[ -n $options ]] || { echo "FAIL: $program --help lists no options (has its format changed?)"; exit 1; }
compare_lists "options of $(basename "$program")" "its --help" "$options" \
	"$(basename "$page") section '# OPTIONS'" "$(scd_section_options "$page" "# OPTIONS")"
unknown=$(comm -13 <(list_sorted "$options"$'\n'"--help") <(scd_mentioned_long_options "$page") | tr '\n' ' ')
[[ -z $unknown ]] || fail "$(basename "$page") mentions options $(basename "$program") does not have: ${unknown% }"
echo "checked: $(wc -w <<<"$options") options"
finish
