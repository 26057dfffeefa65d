# shellcheck shell=bash
# Helpers of the docs tests (sourced): what a program's --help lists, what an scdoc page documents,
# and set comparisons that name what is missing and what is extra.

fail_count=0

fail()
{
	echo "FAIL: $*"
	fail_count=$((fail_count + 1))
}

# Exit 0 when nothing failed, 1 otherwise, with a last line saying so.
finish()
{
	if ((fail_count > 0)); then
		echo "$fail_count check(s) failed"
		exit 1
	fi
	echo "all checks passed"
	exit 0
}

# An argument that must name a file; a missing one is a broken test setup (exit 1 at once).
need_file()
{
	if [[ ! -f $1 ]]; then
		echo "FAIL: $1 not found: $2"
		exit 1
	fi
}

# The options PROGRAM ARGS... --help lists, one per line, sorted, without -h/--help: the lines of
# its "Options:" block (CLI11's and e4mext-report's format), or, when there is none, every indented
# line that starts with a dash (move-ext-regression's). "-o,--output FILE" gives -o and --output.
help_options()
{
	local text
	text=$("$@" --help 2>&1) || {
		echo "FAIL: '$* --help' exited non-zero" >&2
		return 1
	}
	awk -v has_block="$(grep -c '^Options:' <<<"$text")" '
		/^Options:/ { inblock = 1; next }
		inblock && /^$/ { inblock = 0 }
		(has_block == 0 || inblock) && /^[ \t]+-/ {
			n = split($1, names, ",")
			for (i = 1; i <= n; i++)
				if (names[i] ~ /^-/ && names[i] != "-h" && names[i] != "--help")
					print names[i]
		}' <<<"$text" | LC_ALL=C sort -u
}

# The option entries of a section of an scdoc page: lines starting with "*-" (at column 0), every
# *-x* / *--name* on them. Section: the exact header line, e.g. "## e4mext bench"; it ends at the
# next header of any level.
scd_section_options()
{
	local page=$1 header=$2
	awk -v header="$header" '
		/^#/ { insec = ($0 == header); next }
		insec && /^\*-/ {
			line = $0
			while (match(line, /\*--?[A-Za-z0-9][A-Za-z0-9-]*\*/)) {
				print substr(line, RSTART + 1, RLENGTH - 2)
				line = substr(line, RSTART + RLENGTH)
			}
		}' "$page" | LC_ALL=C sort -u
}

# The headers "## PREFIX NAME" of an scdoc page: NAME, one per line, in page order.
scd_subsections()
{
	local page=$1 prefix=$2
	sed -n "s/^## $prefix //p" "$page"
}

# Every --word mentioned anywhere in an scdoc page outside comments, sorted.
scd_mentioned_long_options()
{
	grep -v '^; ' "$1" | grep -oE -- '--[a-z][a-z0-9-]*' | LC_ALL=C sort -u
}

# Compares two lists (strings, one item per line); prints nothing when they hold the same items,
# else a FAIL line for what the actual side lacks and one for what it has in excess.
# $1: the check, $2: name of the expected side, $3: its list, $4: name of the actual side, $5: its list.
compare_lists()
{
	local what=$1 expected_name=$2 expected=$3 actual_name=$4 actual=$5
	local missing extra
	missing=$(comm -23 <(list_sorted "$expected") <(list_sorted "$actual") | tr '\n' ' ')
	extra=$(comm -13 <(list_sorted "$expected") <(list_sorted "$actual") | tr '\n' ' ')
	[[ -n $missing ]] && fail "$what: in $expected_name but not in $actual_name: ${missing% }"
	[[ -n $extra ]] && fail "$what: in $actual_name but not in $expected_name: ${extra% }"
	return 0
}

# A list (one item per line, or separated by blanks) sorted, without empty items.
list_sorted()
{
	tr -s ' \t' '\n' <<<"$1" | sed '/^$/d' | LC_ALL=C sort -u
}

# The commands PROGRAM --help lists, one per line, nested ones as "vm run": the "Subcommands:"
# block and the "report commands: a, b, ... (" line of CLI11's help (e4mext), or the "commands:"
# block of e4mext-report's. A command whose own --help has a "Subcommands:" block is replaced by
# those subcommands.
program_commands()
{
	local program=$1 text command sub subcommands
	text=$("$program" --help 2>&1) || {
		echo "FAIL: '$program --help' exited non-zero" >&2
		return 1
	}
	for command in $(commands_in_help "$text" all); do
		subcommands=$(commands_in_help "$("$program" "$command" --help 2>&1)" blocks)
		if [[ -n $subcommands ]]; then
			for sub in $subcommands; do echo "$command $sub"; done
		else
			echo "$command"
		fi
	done
}

# The command names in one --help text: its command blocks, and with $2 = all also the
# "report commands:" line.
commands_in_help()
{
	awk -v all="$([[ $2 == all ]] && echo 1)" '
		/^(Subcommands|commands):/ { inblock = 1; next }
		inblock && /^$/ { inblock = 0 }
		inblock && /^  [a-z]/ { print $1 }
		all && /^report commands: / {
			sub(/^report commands: /, ""); sub(/ \(.*/, "")
			n = split($0, names, /, */)
			for (i = 1; i <= n; i++) print names[i]
		}' <<<"$1"
}
