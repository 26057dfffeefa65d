#!/bin/sh
# Bounded libFuzzer run of the fio JSON parser, seeded with the fixtures.
# usage: run-fuzz.sh FUZZER SEED_DIR SECONDS [REASON_IF_UNAVAILABLE]
# Exit 77 (meson: skipped) with the reason when the fuzzer could not be built.
fuzzer=$1 seeds=$2 seconds=$3 reason=$4
if [ -z "$fuzzer" ] || [ ! -x "$fuzzer" ]; then
    echo "SKIP: parser fuzz target not built: ${reason:-unknown reason}"
    exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/e4mext-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus" "$work/artifacts"
find "$seeds" -type f \( -name '*.json' -o -name '*.jsonl' \) -size -64k -exec cp {} "$work/corpus/" \;
# several fixtures share a name; cp keeps the last, which is fine for seeding
# libFuzzer's default error exit code is 77, which meson would report as "skipped": use 1.
"$fuzzer" -max_total_time="$seconds" -error_exitcode=1 -timeout_exitcode=1 -timeout=10 -rss_limit_mb=1024 -max_len=65536 \
    -artifact_prefix="$work/artifacts/" -print_final_stats=1 "$work/corpus"
status=$?
if [ $status -ne 0 ]; then
    mkdir -p fuzz-artifacts
    cp "$work"/artifacts/* fuzz-artifacts/ 2>/dev/null
    echo "FAIL: the fuzzer found a crash (exit $status); inputs kept in $(pwd)/fuzz-artifacts/"
fi
exit $status
