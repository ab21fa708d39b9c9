#!/usr/bin/env bash
# run_fuzzer.sh BINARY FUZZ_SRC_DIR WORK_DIR SECONDS
# Replays the target's regression inputs (crashes found earlier), then fuzzes from its seed corpus for
# SECONDS. New corpus entries and crash artifacts go to WORK_DIR, never into the source tree. Fails on any
# crash, leak, sanitizer report or timeout.
set -euo pipefail
bin=$1 src=$2 work=$3 seconds=$4
name=$(basename "$bin")
if [ ! -x "$bin" ]; then
  echo "fuzz target $bin is not built (make build-test)" >&2
  exit 1
fi
rm -rf "$work" && mkdir -p "$work/corpus" "$work/artifacts"
regressions="$src/regressions/$name"
if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
  echo "== $name: replaying $(ls "$regressions" | wc -l) regression inputs"
  "$bin" -runs=1 "$regressions"/*
fi
echo "== $name: fuzzing for ${seconds}s from $src/corpus/$name"
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$work/corpus" "$src/corpus/$name"
