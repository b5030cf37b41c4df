#!/usr/bin/env bash
# Idle memory: vipd with 2 peers Established and 10 VIPs announced, 5 s
# later; the same for BIRD (2 peers, the same 10 /32s from a static
# protocol) for comparison. The peers are listen-only collectors
# (bench/inject.py collect) in another namespace; each must have received
# the 10 prefixes before the reading counts.
#
#   bench/idle-rss.sh
#
# Environment: DAEMONS ["vipd bird"], SETTLE [5] seconds, HOLD [9],
# VIPD_BIN VIPCTL_BIN (an existing release build; otherwise built into
# .build-bench), KEEP=1 (keep the state dir). Needs root.
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
DAEMONS=${DAEMONS:-"vipd bird"}
SETTLE=${SETTLE:-5}
HOLD=${HOLD:-9}
PEERS=2
VIPS=()
for i in $(seq 1 10); do VIPS+=("10.77.0.$i"); done

bench_init idle-rss
lab_deps
case " $DAEMONS " in *" vipd "*) bench_bins vipd vipctl ;; esac

# collectors_have DIR COUNT: every collector got COUNT distinct prefixes.
collectors_have() {
  "$PYTHON" - "$1" "$2" "$PEERS" <<'EOF'
import json, os, sys
d, want, peers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(peers):
    p = "%s/collector-%d.updates.jsonl" % (d, i)
    got = set()
    if os.path.exists(p):
        for line in open(p):
            u = json.loads(line)
            got |= set(u["nlri"])
            got -= set(u["withdrawn"])
    if len(got) < want:
        sys.exit(1)
EOF
}

rows=()
for kind in $DAEMONS; do
  dir=$BENCH_TMP/$kind
  mkdir -p "$dir"
  chmod 755 "$dir"
  node_pair_up "$PEERS"
  COLLECTOR_PIDS=()
  for i in $(seq 0 $((PEERS - 1))); do collector_start "$i" "$dir"; done
  case $kind in
    vipd) node_vipd_start "$dir" "$HOLD" "$PEERS" "${VIPS[@]}" ;;
    bird) node_bird_start "$dir" "$HOLD" "$PEERS" "${VIPS[@]/%//32}" ;;
    *) bench_die "unknown daemon '$kind' (vipd or bird)" ;;
  esac
  wait_until 30 0.1 node_established "$kind" "$dir" "$PEERS" || bench_die "$kind: sessions not Established; see $dir"
  wait_until 10 0.1 collectors_have "$dir" "${#VIPS[@]}" || bench_die "$kind: the collectors did not get the ${#VIPS[@]} VIPs"
  sleep "$SETTLE"
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$NODE_PID/status")
  hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$NODE_PID/status")
  rows+=("$(printf '%-6s %5d %4d %9.1f %9.1f' "$kind" "$PEERS" "${#VIPS[@]}" "$(echo "$rss" | awk '{print $1/1024}')" "$(echo "$hwm" | awk '{print $1/1024}')")")
  stop_pids 10 "$NODE_PID" "${COLLECTOR_PIDS[@]}"
  ns_del "$NODE_NS" "$PEER_NS"
done

echo "Idle memory, ${SETTLE} s after $PEERS sessions Established and ${#VIPS[@]} VIPs announced:"
printf '%-6s %5s %4s %9s %9s\n' daemon peers VIPs "VmRSS MB" "VmHWM MB"
for r in "${rows[@]}"; do echo "$r"; done
