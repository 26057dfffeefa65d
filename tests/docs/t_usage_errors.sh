#!/bin/bash
# Bad command lines get exit status 2 and a message that names what was wrong, before anything runs.
#
#   t_usage_errors.sh PROGRAM 'ARGS|EXPECTED TEXT'...
# ARGS are split at spaces; EXPECTED TEXT must appear in the program's stderr.
set -u
program=$1
shift
failed=0
for check in "$@"; do
	args=${check%%|*} want=${check#*|}
	# shellcheck disable=SC2086 # ARGS are meant to be split
	err=$(timeout 20 "$program" $args 2>&1 >/dev/null)
	status=$?
	if [[ $status != 2 || $err != *"$want"* ]]; then
		echo "FAIL: $(basename "$program") $args: exit $status, stderr: $err (want exit 2 and '$want')"
		failed=1
	else
		echo "ok: $(basename "$program") $args: $err"
	fi
done
exit $failed
