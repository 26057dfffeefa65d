#!/bin/sh
# The HTML report in a real browser: `e4mext-report report` of three bench-style sets, rendered by
# headless Chromium (Debian's chromium, installed by scripts/setup). Passes when Chromium exits 0,
# the DOM it dumps reaches the page's last element, holds both charts and every set's kernel, the
# console shows no error and the screenshot is a PNG; a second report (sets with fio's latency
# percentiles and the in-use set) shows the latency tables p50/p99/p99.9 with their verdicts, the
# thin runs flagged and the foreground's columns. Exit 77 (skipped) when Chromium is missing.
# usage: html-in-browser.sh E4MEXT_REPORT DATA_DIR
# E4MEXT_SCREENSHOT=/path/shot.png keeps the screenshot for a person to look at.
exe=$1 data=$2
browser=$(command -v chromium || command -v chromium-browser) || {
    echo "skipped: chromium not found (install Debian's chromium package; scripts/setup does)"
    exit 77
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/e4mext-browser.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$exe" report "$data/sets" -o "$tmp/out" >/dev/null || { echo "FAIL: e4mext-report report exited $?"; exit 1; }
page="file://$tmp/out/report.html"
run_browser() { # what, extra flags...
    what=$1; shift
    mkdir "$tmp/profile-$what" || exit 1 # a new, empty profile per run
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$tmp/profile-$what" --enable-logging=stderr --v=0 "$@" "$page" \
        >"$tmp/$what.out" 2>"$tmp/$what.log"
}

run_browser dom --dump-dom || fail "chromium --dump-dom exited $?: $(tail -3 "$tmp/dom.log")"
grep -q 'id="generated"' "$tmp/dom.out" || fail "the dumped DOM does not reach the page's last paragraph"
charts=$(grep -o '<svg' "$tmp/dom.out" | wc -l)
[ "$charts" -ge 2 ] || fail "the DOM holds $charts chart(s), want the IOPS and the BW chart"
for kernel in 6.1.0-test 6.2.0-test 6.3.0-test; do
    grep -q "<td>$kernel (#1 SMP PREEMPT_DYNAMIC)</td>" "$tmp/dom.out" || fail "kernel $kernel is not shown"
done
if grep -E 'CONSOLE|Uncaught|Failed to load resource|net::ERR_' "$tmp/dom.log" >"$tmp/errors"; then
    fail "the console reported: $(head -3 "$tmp/errors")"
fi

# The latency of a move and the in-use set's foreground: bench-style sets with fio's percentiles
# (exact/: two kernels, one with thin runs) beside the in-use fixture (a writer beside the moves).
"$exe" report "$data/exact" "$data/in-use" -o "$tmp/latency" >/dev/null ||
    { echo "FAIL: e4mext-report report of the latency sets exited $?"; exit 1; }
page="file://$tmp/latency/report.html"
run_browser latency --dump-dom || fail "chromium --dump-dom of the latency page exited $?: $(tail -3 "$tmp/latency.log")"
for table in latency-p50 latency-p99 latency-p99.9 foreground-p99 foreground; do
    grep -q "<table class=\"cmp\" id=\"$table\">" "$tmp/latency.out" || fail "no table $table in the rendered page"
done
# U 128k's p99 against 6.18-old (exact/: 205 ms -> 14.0 ms), judged, with the thin runs flagged.
grep -q '<td>-93.2%\* (0.0684x, interval [^<]*, changed)</td>' "$tmp/latency.out" ||
    fail "U 128k's p99 change and verdict are not shown"
grep -q 'THIN (&lt; 400 moves in a run)' "$tmp/latency.out" || fail "the thin runs are not flagged"
for column in '<th>p99.9</th>' '<th>alone p99</th>' '<th>p99 ratio (beside / alone)</th>'; do
    grep -qF "$column" "$tmp/latency.out" || fail "the foreground table lacks the column $column"
done
grep -q '<td>M 4k [^<]*</td><td>try1</td><td>write</td><td>50.4us</td><td>42.2ms</td>' "$tmp/latency.out" ||
    fail "the in-use case's foreground row is not shown"
page="file://$tmp/out/report.html"

run_browser shot --screenshot="$tmp/shot.png" --window-size=1400,2600 ||
    fail "chromium --screenshot exited $?: $(tail -3 "$tmp/shot.log")"
[ "$(head -c 4 "$tmp/shot.png" 2>/dev/null | tail -c 3)" = PNG ] || fail "no PNG screenshot written"
[ -z "${E4MEXT_SCREENSHOT:-}" ] || cp "$tmp/shot.png" "$E4MEXT_SCREENSHOT"

[ $failures = 0 ] && echo "ok: the report renders in $("$browser" --version 2>/dev/null) with every set's kernel"
[ $failures = 0 ]
