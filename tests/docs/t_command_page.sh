#!/bin/bash
# A man page of a program with commands (e4mext(1), e4mext-report(1)) against the program's own
# --help: the page has a section "## PREFIX COMMAND" for every command the program lists and none
# for a command it does not have; each section's option entries are exactly the options that
# `PROGRAM COMMAND --help` prints; --help is documented; and every --option the page mentions
# anywhere is an option of some command (or one of the FOREIGN options of other programs, e.g.
# fio's, given after the page).
#
#   t_command_page.sh PROGRAM PREFIX PAGE.scd [FOREIGN_OPTION...]
set -u
source "$(dirname "$0")/doclib.sh"

program=$1 prefix=$2 page=$3
shift 3
foreign=("$@")
need_file "$program" "build it first (ninja -C build)"
need_file "$page" "the page's scdoc source"
[[ -x $program ]] || { echo "FAIL: $program is not executable"; exit 1; }

commands=$(program_commands "$program") || exit 1
[[ -n $commands ]] || { echo "FAIL: $program --help lists no commands (has its format changed?)"; exit 1; }
compare_lists "commands of $(basename "$program")" "'$(basename "$program") --help'" "$commands" \
	"$(basename "$page") (## $prefix sections)" "$(scd_subsections "$page" "$prefix")"

all_options="--help"
while IFS= read -r command; do
	# shellcheck disable=SC2086 # "vm run" is two arguments
	options=$(help_options "$program" $command) || { fail "$prefix $command --help failed"; continue; }
	all_options+=$'\n'$options
	documented=$(scd_section_options "$page" "## $prefix $command")
	compare_lists "options of '$prefix $command'" "its --help" "$options" \
		"$(basename "$page") section '## $prefix $command'" "$documented"
	echo "checked: $prefix $command ($(wc -w <<<"$options") options)"
done <<<"$commands"

# Top-level options beyond --help that no command's --help lists (e4mext-report --version).
"$program" --version >/dev/null 2>&1 && all_options+=$'\n--version'

grep -q -- '\*--help\*' "$page" || fail "$(basename "$page") does not document --help"

# Mentions: options in prose and examples must exist too (an option removed from the program but
# still named in a paragraph is as stale as an entry).
known=$(printf '%s\n' "$all_options" "${foreign[@]}" | grep -- '^--')
unknown=$(comm -13 <(list_sorted "$known") <(scd_mentioned_long_options "$page") | tr '\n' ' ')
[[ -z $unknown ]] || fail "$(basename "$page") mentions options that no command of $(basename "$program") has: ${unknown% }" \
	"(if one is another program's, add it to the foreign options of this test in doc/meson.build)"
finish
