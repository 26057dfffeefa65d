#!/bin/sh
# The built executable on every malformed input: exit 2, exactly one line on stderr naming the
# file, nothing on stdout (no exception escapes main, no crash).
# usage: cli-binary.sh PROGRAM DATA_DIR (build/e4mext, or its alias e4mext-report: the same dispatcher)
exe=$1 data=$2
prog=$(basename "$exe")
failures=0
check() { # description, expected status, path that must be named, args...
    what=$1 want=$2 name=$3; shift 3
    out=$("$exe" "$@" 2>"$tmp/err"); status=$?
    lines=$(wc -l <"$tmp/err")
    if [ "$status" != "$want" ] || [ "$lines" != 1 ] || ! grep -qF -- "$name" "$tmp/err" || [ -n "$out" ]; then
        echo "FAIL: $what: exit $status (want $want), $lines stderr line(s): $(cat "$tmp/err")"
        failures=$((failures + 1))
    else
        echo "ok: $what: $(cat "$tmp/err")"
    fi
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/e4mext-cli.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
for f in "$data"/malformed/*; do
    check "table $(basename "$f")" 2 "$f" table "$f"
    check "gate $(basename "$f")" 2 "$f" gate "$data/gate/base" "$f"
done
check "missing path" 2 "$data/none.json" table "$data/none.json"
check "bad side file" 2 "run.stats.jsonl" table "$data/sidefile-bad"
check "no command" 2 "$prog"
# The program's own help and version (the one dispatcher's): every command listed, and what they share.
out=$("$exe" --help 2>"$tmp/err"); s=$?
wants="exit status: 0|table|compare|plot|gate|report"
[ "$prog" = e4mext-report ] && wants="$wants|Boost.Math students_t" # the report's overview
saved_ifs=$IFS; IFS='|'
for want in $wants; do
    case $out in *"$want"*) ;; *) echo "FAIL: --help (exit $s) lacks '$want'"; failures=$((failures + 1)) ;; esac
done
IFS=$saved_ifs
case $("$exe" --version) in "$prog "[0-9]*) ;; *) echo "FAIL: --version: $("$exe" --version)"; failures=$((failures + 1)) ;; esac
check "unknown option" 2 "--frobnicate" table "$data/gate/base" --frobnicate
check "bad percentage" 2 "--max-regression 0.05" gate "$data/gate/base" "$data/gate/noise" --max-regression 0.05
check "bad count" 2 "--min-samples x" gate "$data/gate/base" "$data/gate/noise" --min-samples x
for command in table compare plot gate report; do
    out=$("$exe" "$command" --help 2>"$tmp/err"); s=$?
    case $out in
    "usage: $prog $command"*) [ $s = 0 ] && [ ! -s "$tmp/err" ] && continue ;;
    esac
    echo "FAIL: $command --help: exit $s, stderr: $(cat "$tmp/err")"
    failures=$((failures + 1))
done
"$exe" gate "$data/gate/base" "$data/gate/regressed" >/dev/null; s=$?
[ $s = 1 ] || { echo "FAIL: gate on a 10% regression exited $s, want 1"; failures=$((failures + 1)); }
"$exe" gate "$data/gate/base" "$data/gate/noise" >/dev/null; s=$?
[ $s = 0 ] || { echo "FAIL: gate on noise exited $s, want 0"; failures=$((failures + 1)); }
# A set that did not finish (PARTIAL, or STATUS: running): the gate refuses it unless told; the
# other commands show it with a warning.
cp -r "$data/gate/noise" "$tmp/partial"
echo "partial: interrupted by SIGINT after 2 of 6 runs" >"$tmp/partial/PARTIAL"
check "gate on a PARTIAL set" 2 "$tmp/partial" gate "$data/gate/base" "$tmp/partial"
"$exe" gate "$data/gate/base" "$tmp/partial" --allow-partial >/dev/null 2>"$tmp/err"; s=$?
{ [ $s = 0 ] && grep -q "warning: set .* is not a finished bench's: marked PARTIAL" "$tmp/err"; } ||
    { echo "FAIL: gate --allow-partial: exit $s, stderr: $(cat "$tmp/err")"; failures=$((failures + 1)); }
rm "$tmp/partial/PARTIAL"; echo running >"$tmp/partial/STATUS"
out=$("$exe" table "$tmp/partial" 2>"$tmp/err"); s=$?
{ [ $s = 0 ] && [ -n "$out" ] && grep -q "is not a finished bench's: STATUS: running" "$tmp/err"; } ||
    { echo "FAIL: table of a running set: exit $s, stderr: $(cat "$tmp/err")"; failures=$((failures + 1)); }
# Inputs and outputs that are not what they look like.
check "table /dev/zero" 2 "/dev/zero" table /dev/zero
check "plot -o into a missing directory" 2 "$tmp/missing" plot "$data/gate/base" -o "$tmp/missing/plot.png"
mkdir "$tmp/empty-dir.png"
check "plot -o onto a directory" 2 "$tmp/empty-dir.png" plot "$data/gate/base" -o "$tmp/empty-dir.png"
[ -d "$tmp/empty-dir.png" ] || { echo "FAIL: plot -o replaced the directory $tmp/empty-dir.png"; failures=$((failures + 1)); }
# Output that cannot be written (a full disk) is an error, not a silent success.
for command in "table $data/gate/base" "compare $data/gate/base $data/gate/noise" "gate $data/gate/base $data/gate/noise"; do
    # shellcheck disable=SC2086 # the command's words
    "$exe" $command >/dev/full 2>"$tmp/err"; s=$?
    if [ $s = 2 ] && grep -q "cannot write the output" "$tmp/err"; then echo "ok: $command > /dev/full: $(cat "$tmp/err")"
    else echo "FAIL: $command > /dev/full: exit $s, stderr: $(cat "$tmp/err")"; failures=$((failures + 1)); fi
done
[ $failures = 0 ] && echo "all checks passed"
[ $failures = 0 ]
