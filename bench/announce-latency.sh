#!/usr/bin/env bash
# Announce latency (interfaces.md, "How the figures are measured"): from the
# moment a `vip add` request is written to vipd's control socket (the
# client's timestamp) to the UPDATE carrying the /32 on the wire (tcpdump's
# timestamp). vipd runs in a namespace with one Established session to a
# listen-only collector (bench/inject.py collect) in another; tcpdump
# captures the veth. The client is Python on the socket directly, so that
# vipctl's start-up is not in the figure; one `vipctl vip add` process is
# timed on its own line.
#
#   bench/announce-latency.sh
#
# Environment: TRIALS [20], HOLD [9], VIPD_BIN VIPCTL_BIN (an existing
# release build; otherwise built into .build-bench), OUT
# [bench/out/announce-DATE], KEEP=1 (keep the state dir).
# Needs root, tcpdump, and vipd's control command `vip add`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/common.sh
. "$here/lib/common.sh"
# shellcheck source=lib/node.sh
. "$here/lib/node.sh"

case ${1:-} in
  -h|--help) sed -n '2,/^set /{/^set /d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
  '') ;;
  *) bench_die "unknown argument '$1'" ;;
esac
TRIALS=${TRIALS:-20}
HOLD=${HOLD:-9}

bench_init announce
lab_deps
command -v tcpdump >/dev/null || bench_die "tcpdump is missing"
bench_bins vipd vipctl
OUT=${OUT:-$REPO_DIR/bench/out/announce-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
dir=$BENCH_TMP/run
mkdir -p "$dir"
chmod 755 "$dir"

node_pair_up 1
COLLECTOR_PIDS=()
collector_start 0 "$dir"

# The capture first, on the collector's side of the veth, packet-buffered.
ip netns exec "$PEER_NS" tcpdump -i peer0 -tt -n -U -s 0 -w "$dir/bgp.pcap" 'tcp port 179' 2>"$dir/tcpdump.err" &
tcpdump_pid=$!
bench_track "$tcpdump_pid"
wait_until 10 0.05 grep -q 'listening on' "$dir/tcpdump.err" || bench_die "tcpdump did not start: $(cat "$dir/tcpdump.err")"

node_vipd_start "$dir" "$HOLD" 1
wait_until 30 0.1 node_established vipd "$dir" 1 || bench_die "vipd's session did not come up; see $dir/vipd.log"
sleep 1   # the session's first UPDATEs (End-of-RIB) are out

rc=0
"$PYTHON" "$BENCH_DIR/announce.py" trials --socket "$dir/vipd.sock" --count "$TRIALS" \
  --vipctl "$VIPCTL_BIN" --out "$dir/trials.json" || rc=$?
sleep 0.5
stop_pids 5 "$tcpdump_pid"
cp "$dir"/*.json "$dir"/*.jsonl "$dir"/*.log "$dir/bgp.pcap" "$OUT/" 2>/dev/null || true

if [ "$rc" = 3 ]; then
  bench_log "vipd does not take 'vip add' on its control socket yet: $("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"])' "$dir/trials.json")"
  bench_log "the announce latency could not be measured (the session, the capture and the client ran; see $OUT)"
  exit 3
fi
[ "$rc" = 0 ] || bench_die "the trials failed (rc $rc); see $OUT"
"$PYTHON" "$BENCH_DIR/announce.py" analyze --pcap "$dir/bgp.pcap" --trials "$dir/trials.json" --src "$NODE_ADDR" \
  --collector-log "$dir/collector-0.updates.jsonl" --out "$OUT/latency.json" | tee "$OUT/latency.txt" || rc=$?
bench_log "results: $OUT"
exit "$rc"
