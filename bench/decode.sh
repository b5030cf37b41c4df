#!/usr/bin/env bash
# Decode benchmark (docs/benchmarks.md): `vipctl decode --raw --summary` on
# 1M prefixes packed about 1000 per UPDATE in 4 attribute sets, IPv4 and an
# IPv6 MP_REACH variant. The stream is read into memory first; only framing
# and decoding are timed. Best of RUNS (default 3). Run it on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
runs=${RUNS:-3}
prefixes=${PREFIXES:-1000000}
out=bench/out
mkdir -p "$out"
swift build -c release --product vipctl >/dev/null
swift build -c release --product bgp-streamgen >/dev/null
bin=$(swift build -c release --show-bin-path)
"$bin/bgp-streamgen" --prefixes "$prefixes" --family ipv4 > "$out/ipv4.bin"
"$bin/bgp-streamgen" --prefixes "$prefixes" --family ipv6 > "$out/ipv6.bin"
"$bin/bgp-streamgen" --prefixes "$prefixes" --family ipv4 --extended-message > "$out/ipv4-ext.bin"
for s in ipv4 ipv6 ipv4-ext; do
  flags=(--raw --summary)
  [ "$s" = ipv4-ext ] && flags+=(--extended-message)
  best=""
  for _ in $(seq "$runs"); do
    line=$("$bin/vipctl" decode "${flags[@]}" < "$out/$s.bin")
    ns=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["ns_per_prefix"])' "$line")
    if [ -z "$best" ] || python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)' "$ns" "$best"; then
      best=$ns; bestline=$line
    fi
  done
  printf '%-9s %s bytes  best of %s: %s\n' "$s" "$(stat -c %s "$out/$s.bin")" "$runs" "$bestline"
done
