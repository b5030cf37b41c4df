#!/usr/bin/env bash
# Builds every fuzz target with coverage and runs each for SECONDS (default
# 600). New corpus entries go to .build-fuzz/corpus/<target> (not committed);
# any crash lands in crashers/<target>/ and must then be replayed as a test.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
targets=${TARGETS:-"FuzzFraming FuzzOpen FuzzUpdate FuzzNotification FuzzRouteRefresh FuzzConfig"}
for t in $targets; do
  swift build --product "$t" --sanitize=fuzzer --sanitize=address \
    -Xswiftc -sanitize=fuzzer,address --scratch-path .build-fuzz
done
bin=$(swift build --show-bin-path --scratch-path .build-fuzz --sanitize=fuzzer --sanitize=address)
for t in $targets; do
  mkdir -p ".build-fuzz/corpus/$t" "crashers/$t"
  echo "== $t: ${seconds}s"
  "$bin/$t" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="crashers/$t/" \
    -max_len=4096 ".build-fuzz/corpus/$t" "corpus/$t" 2>&1 | grep -E '^#[0-9]+.*(DONE|pulse)|stat::|ERROR|SUMMARY|cov:' | tail -n 4 || true
done
