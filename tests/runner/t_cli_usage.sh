#!/usr/bin/env bash
# A mistyped command is a usage error (exit 2) whose message names the word and the nearest
# command, in e4mext and its aliases and one level down (e4mext vm); CLI11 alone says only "A
# subcommand is required". No root needed.
#   t_cli_usage.sh BUILD/e4mext BUILD/runner/e4mext-report BUILD/runner/e4mext-vm
set -uo pipefail
e4mext=${1:?usage: t_cli_usage.sh E4MEXT E4MEXT_REPORT E4MEXT_VM} report=${2:?} vm=${3:?}
failed=0
fail() { echo "FAIL: $*"; failed=1; }

# expect_unknown WORD NEAREST PROGRAM ARGS...: exit 2, one line naming WORD and NEAREST.
expect_unknown() {
	local word=$1 nearest=$2 out status
	shift 2
	out=$("$@" 2>&1 >/dev/null)
	status=$?
	[ "$status" = 2 ] || fail "$*: exit $status, expected 2; said: $out"
	case $out in
	*"unknown command '$word'"*"did you mean '$nearest'?"*) echo "ok: $* -> $out" ;;
	*) fail "$*: the message does not name '$word' and '$nearest': $out" ;;
	esac
}

expect_unknown tabel table "$e4mext" tabel
expect_unknown tabel table "$e4mext" tabel results/x --format md
expect_unknown bnech bench "$e4mext" bnech --dry-run
expect_unknown rnu run "$e4mext" vm rnu --kernel 6.19.13 -- true
expect_unknown compre compare "$report" compre a b
expect_unknown kernls kernels "$vm" kernls

# A word far from every command names the commands instead of guessing.
out=$("$e4mext" frobnicate 2>&1 >/dev/null)
status=$?
[ "$status" = 2 ] || fail "e4mext frobnicate: exit $status, expected 2"
case $out in
*"unknown command 'frobnicate'; the commands are bench, "*) echo "ok: e4mext frobnicate -> $out" ;;
*) fail "e4mext frobnicate: expected the list of commands and no guess: $out" ;;
esac
case $out in *"did you mean"*) fail "e4mext frobnicate guessed a command: $out" ;; esac

# Not a command word: CLI11's own message stays (an option, an argument of a command).
out=$("$e4mext" table --no-such-option 2>&1 >/dev/null)
[ $? = 2 ] || fail "e4mext table --no-such-option: expected exit 2"
case $out in *"unknown command"*) fail "an option of a command was taken for a command: $out" ;; esac

exit $failed
