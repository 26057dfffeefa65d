#!/bin/bash
# The bash completion of e4mext and e4mext-report against the programs themselves: sourced into
# this bash, its function is called as bash would call it (COMP_WORDS, COMP_CWORD) and COMPREPLY
# is checked: the commands offered are the commands --help lists; the options offered after `-`
# are exactly the options `COMMAND --help` prints; the values offered for an option that --help
# lists with a fixed set ({auto,kvm,tcg}) are that set; --set offers the sets of jobs/cases.json.
# And two plain cases: `e4mext be<TAB>` gives bench, `e4mext bench --se<TAB>` gives --set.
#
#   t_completion.sh COMPLETION-FILE E4MEXT E4MEXT-REPORT CASES.json
set -u
source "$(dirname "$0")/doclib.sh"

completion=$1 e4mext=$2 e4mext_report=$3 cases_json=$4
need_file "$completion" "the completion script"
need_file "$e4mext" "build it first (ninja -C build)"
need_file "$e4mext_report" "build it first (ninja -C build)"
need_file "$cases_json" "the checkout's jobs/cases.json"

# shellcheck source=/dev/null
source "$completion" || { echo "FAIL: sourcing $completion failed"; exit 1; }

# The function `complete -p NAME` registered for NAME.
completion_function()
{
	complete -p "$1" 2>/dev/null | sed -nE 's/.*-F ([^ ]+) .*/\1/p'
}

# COMPREPLY for the command line WORDS..., the last word being the one completed; printed one per
# line, sorted. $1: the completion function; $2: the program's path, standing for its name.
completions()
{
	local function=$1
	shift
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	"$function" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | LC_ALL=C sort -u
}

# The values CLI11's --help shows for an option with a fixed set: "--accel TEXT:{auto,kvm,tcg}=auto"
# gives "--accel auto kvm tcg", one option per line.
fixed_value_options()
{
	"$@" --help 2>&1 | sed -nE 's/^ +(--[a-z-]+) [A-Z]+:\{([^}]*)\}.*/\1 \2/p' | tr ',' ' '
}

check_program()
{
	local name=$1 program=$2 function commands command options offered
	function=$(completion_function "$name")
	if [[ -z $function ]]; then
		fail "$completion registers no completion function for $name (complete -F ... $name)"
		return
	fi
	commands=$(program_commands "$program") || return
	compare_lists "commands offered for '$name <TAB>'" "'$name --help'" "$(cut -d' ' -f1 <<<"$commands" | sort -u)" \
		"the completion" "$(completions "$function" "$program" "")"
	while IFS= read -r command; do
		# shellcheck disable=SC2086 # "vm run" is two words
		options=$(help_options "$program" $command) || { fail "$name $command --help failed"; continue; }
		# shellcheck disable=SC2086
		offered=$(completions "$function" "$program" $command -)
		compare_lists "options offered for '$name $command -<TAB>'" "its --help" "$options"$'\n'"--help" \
			"the completion" "$offered"
		# shellcheck disable=SC2086
		while read -r option values; do
			[[ -n $option ]] || continue
			compare_lists "values offered for '$name $command $option <TAB>'" "its --help" "$values" "the completion" \
				"$(completions "$function" "$program" $command "$option" "")"
		done < <(fixed_value_options "$program" $command)
		echo "checked: $name $command"
	done <<<"$commands"
	# Nested commands (vm run, vm kernels) are offered after their parent.
	for parent in $(grep ' ' <<<"$commands" | cut -d' ' -f1 | sort -u); do
		compare_lists "commands offered for '$name $parent <TAB>'" "'$name $parent --help'" \
			"$(sed -n "s/^$parent //p" <<<"$commands")" "the completion" "$(completions "$function" "$program" "$parent" "")"
	done
}

check_program e4mext "$e4mext"
check_program e4mext-report "$e4mext_report"

# The two cases a person types most.
e4mext_function=$(completion_function e4mext)
if [[ -n $e4mext_function ]]; then
	got=$(completions "$e4mext_function" "$e4mext" be)
	[[ $got == bench ]] || fail "'e4mext be<TAB>' gave '$got', not 'bench'"
	got=$(completions "$e4mext_function" "$e4mext" bench --se)
	[[ $got == --set ]] || fail "'e4mext bench --se<TAB>' gave '$got', not '--set'"
	# --set's values are the sets of jobs/cases.json (its "sets" object's keys).
	if command -v python3 >/dev/null; then
		sets=$(python3 -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))["sets"]))' "$cases_json") ||
			fail "cannot read the sets of $cases_json"
		compare_lists "values offered for 'e4mext bench --set <TAB>'" "$cases_json's sets" "$sets" "the completion" \
			"$(completions "$e4mext_function" "$e4mext" bench --set "")"
		compare_lists "values offered for 'e4mext bench --set=<TAB>'" "$cases_json's sets" "$sets" "the completion" \
			"$(completions "$e4mext_function" "$e4mext" bench --set =)"
	else
		echo "note: python3 missing: --set's values not compared with $cases_json"
	fi
	# stress --only offers the names `e4mext stress --list` prints.
	compare_lists "values offered for 'e4mext stress --only <TAB>'" "'e4mext stress --list'" "$("$e4mext" stress --list)" \
		"the completion" "$(completions "$e4mext_function" "$e4mext" stress --only "")"
fi
finish
