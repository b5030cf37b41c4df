#!/usr/bin/env bash
# VIP fan-out (docs/benchmarks.md, "VIP fan-out (bench/vip-fanout.sh)"):
# a node with VIPS VIPs and PEERS eBGP peers, each peer a listen-only
# collector (bench/inject.py collect, one per address) in another namespace;
# vipd, then BIRD with the same /32s from a static protocol. Per daemon: the
# time from its spawn to every collector having every VIP, and from the last
# session's Established to that; the UPDATEs each collector got (packing);
# the daemon's CPU seconds and peak RSS; then SIGTERM and the time until
# every collector has seen every VIP withdrawn (vipd withdraws before its
# Cease), or, for a daemon that sends no withdrawals, until the sessions
# close.
#
#   bench/vip-fanout.sh [--markdown]
#
# Environment (defaults in brackets):
#   DAEMONS    ["vipd bird"]
#   VIPS       VIPs, 10.77.x.y/32 [1000]
#   PEERS      eBGP peers (collectors) [10]
#   RUNS       repetitions; the table gives best and median [1]
#   HOLD       hold time configured on the node [90]
#   SETTLE     seconds between all VIPs received and SIGTERM [1]
#   TIMEOUT    seconds to wait for all VIPs, and for the withdrawals [120]
#   BIRD_CONNECT_DELAY  BIRD's `connect delay time` [1, its minimum; BIRD's
#              default is 5]; vipd connects at start
#   VIPD_BIN VIPCTL_BIN  an existing release build; otherwise built once
#              into .build-bench (swift build -c release)
#   OUT        where the table, results.jsonl and each run's logs go
#              [bench/out/vip-fanout-DATE]
#   PCAP=1     capture each run's BGP traffic on the collectors' side of the
#              veth (tcpdump, to OUT/DAEMON-RUN/bgp.pcap); off by default, as
#              the capture costs CPU
#   KEEP=1     keep the state dir under /tmp as well
#
# Needs root. Each run gets fresh namespaces (vb-ID-node, vb-ID-peer), a
# fresh daemon and fresh collectors; a trap ends every process and deletes
# every namespace the script made, on success, failure or ctrl-C.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/common.sh
. "$here/lib/common.sh"
# shellcheck source=lib/node.sh
. "$here/lib/node.sh"

bench_args "$0" "$@"

DAEMONS=${DAEMONS:-"vipd bird"}
VIPS=${VIPS:-1000}
PEERS=${PEERS:-10}
RUNS=${RUNS:-1}
HOLD=${HOLD:-90}
SETTLE=${SETTLE:-1}
TIMEOUT=${TIMEOUT:-120}
BIRD_CONNECT_DELAY=${BIRD_CONNECT_DELAY:-1}
for k in $DAEMONS; do
  case $k in vipd|bird) ;; *) bench_die "unknown daemon '$k' (vipd or bird)" ;; esac
done
[[ $VIPS =~ ^[0-9]+$ ]] && [ "$VIPS" -ge 1 ] && [ "$VIPS" -le 64000 ] || bench_die "VIPS must be 1-64000"
[[ $PEERS =~ ^[0-9]+$ ]] && [ "$PEERS" -ge 1 ] && [ "$PEERS" -le 200 ] || bench_die "PEERS must be 1-200"
[[ $RUNS =~ ^[0-9]+$ ]] && [ "$RUNS" -ge 1 ] || bench_die "RUNS must be a positive integer"
[[ $HOLD =~ ^[0-9]+$ ]] && [ "$HOLD" -ge 3 ] || bench_die "HOLD must be 3 or more"
[[ $SETTLE =~ ^[0-9]+([.][0-9]+)?$ ]] || bench_die "SETTLE must be a number of seconds"
[[ $TIMEOUT =~ ^[0-9]+([.][0-9]+)?$ ]] || bench_die "TIMEOUT must be a number of seconds"
[[ $BIRD_CONNECT_DELAY =~ ^[0-9]+$ ]] || bench_die "BIRD_CONNECT_DELAY must be a whole number of seconds"
PCAP=${PCAP:-0}
[ "$PCAP" = 0 ] || command -v tcpdump >/dev/null || bench_die "PCAP=1 needs tcpdump"

bench_init vip-fanout
lab_deps
case " $DAEMONS " in *" vipd "*) bench_bins vipd vipctl ;; esac
OUT=${OUT:-$REPO_DIR/bench/out/vip-fanout-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
results=$OUT/results.jsonl
: >"$results"

# The VIPs: 10.77.0.1-250, 10.77.1.1-250, ... (private, only in the namespaces).
vip_list=()
for a in $(seq 0 $((VIPS - 1))); do vip_list+=("10.77.$((a / 250)).$((a % 250 + 1))"); done
printf '%s/32\n' "${vip_list[@]}" >"$OUT/vips.txt"
bench_log "$VIPS VIPs to $PEERS peers; daemons: $DAEMONS; $RUNS run(s), hold $HOLD"

# bg_wait CMD...: run it in the background and wait, so that a signal to this
# script runs the trap at once (bash defers it while a foreground child runs).
bg_wait() { "$@" & local p=$!; bench_track "$p"; wait "$p"; }

one_run() {
  local kind=$1 run=$2
  local dir=$BENCH_TMP/$kind-$run
  mkdir -p "$dir"
  chmod 755 "$dir"
  cp "$OUT/vips.txt" "$dir/vips.txt"
  node_pair_up "$PEERS"
  local tcpdump_pid=''
  if [ "$PCAP" != 0 ]; then
    ip netns exec "$PEER_NS" tcpdump -i peer0 -n -U -s 0 -w "$dir/bgp.pcap" 'tcp port 179' 2>"$dir/tcpdump.err" &
    tcpdump_pid=$!
    bench_track "$tcpdump_pid"
    wait_until 10 0.05 grep -q 'listening on' "$dir/tcpdump.err" || bench_die "tcpdump did not start: $(cat "$dir/tcpdump.err")"
  fi
  COLLECTOR_PIDS=()
  local i
  for i in $(seq 0 $((PEERS - 1))); do collector_start "$i" "$dir"; done
  # every collector listens before the daemon starts, so that its first connect succeeds
  wait_until 20 0.05 collectors_listening "$PEERS" || bench_die "the $PEERS collectors are not listening; see $dir/collector-*.out"
  case $kind in
    vipd) node_vipd_start "$dir" "$HOLD" "$PEERS" "${vip_list[@]}" ;;
    bird) NODE_BIRD_FOREGROUND=1 NODE_BIRD_BGP_EXTRA="connect delay time $BIRD_CONNECT_DELAY;" \
            node_bird_start "$dir" "$HOLD" "$PEERS" "${vip_list[@]/%//32}" ;;
  esac
  local spawn=$NODE_SPAWN_T fan=("$PYTHON" "$BENCH_LIB/fanout.py")
  if bg_wait "${fan[@]}" announce --dir "$dir" --peers "$PEERS" --vips "$dir/vips.txt" --pid "$NODE_PID" \
       --timeout "$TIMEOUT" --out "$dir/announce.json"; then
    bg_wait sleep "$SETTLE"
    bg_wait "${fan[@]}" withdraw --dir "$dir" --peers "$PEERS" --vips "$dir/vips.txt" --pid "$NODE_PID" \
      --timeout "$TIMEOUT" --out "$dir/withdraw.json" || true
  else
    bench_log "$kind run $run: not every collector got every VIP; no withdraw measured (see $OUT/$kind-$run)"
  fi
  stop_pids 10 "$NODE_PID"
  stop_pids 10 "${COLLECTOR_PIDS[@]}"   # those whose session is still up: Cease, report
  [ -z "$tcpdump_pid" ] || { sleep 0.2; stop_pids 5 "$tcpdump_pid"; }
  ns_del "$NODE_NS" "$PEER_NS"

  "${fan[@]}" row --kind "$kind" --run "$run" --dir "$dir" --peers "$PEERS" --vips "$dir/vips.txt" \
    --spawn "$spawn" --announce "$dir/announce.json" --withdraw "$dir/withdraw.json" >>"$results" ||
    bench_log "$kind run $run: no result (see $OUT/$kind-$run)"
  mkdir -p "$OUT/$kind-$run"
  cp "$dir"/*.json "$dir"/*.jsonl "$dir"/*.out "$dir"/*.log "$dir"/*.conf "$dir"/*.yaml "$dir"/*.pcap "$OUT/$kind-$run/" 2>/dev/null || true
  tail -n 1 "$results" | "$PYTHON" -c '
import json, sys
r = json.loads(sys.stdin.read())
f = lambda k, m=1, d=3: "-" if r.get(k) is None else "%.*f" % (d, r[k] * m)
if not r["ok"]:
    print("%s run %d: PROBLEM: %s" % (r["daemon"], r["run"], "; ".join(r["problems"]) or "no result"))
    sys.exit(0)
print("%s run %d: all %d VIPs at %d peers %s s after start, %s s after the last Established (%s s after start; "
      "per session, Established to its last VIP: median %s s, max %s s); "
      "UPDATEs with NLRI per peer %s-%s; CPU %s s, peak RSS %s MB; SIGTERM: all withdrawn %s s (%s withdraw UPDATEs/peer), "
      "sessions closed %s s (%s), exit %s s%s" % (
    r["daemon"], r["run"], r["vips"], r["peers"], f("start_to_all_s"), f("est_to_all_s"), f("last_est_s"),
    f("session_est_to_all_median_s"), f("session_est_to_all_max_s"),
    r.get("updates_nlri_min", "-"), r.get("updates_nlri_max", "-"), f("cpu_s"), f("peak_rss_mb", 1, 1),
    f("withdraw_all_s"), r.get("withdraw_updates_max", "-"), f("term_to_closed_s"), r.get("close", "-"), f("term_to_exit_s"),
    "".join("; note: " + n for n in r["notes"])))' >&2 || true
}

for run in $(seq 1 "$RUNS"); do
  for kind in $DAEMONS; do
    one_run "$kind" "$run"
  done
done

rc=0
"$PYTHON" "$BENCH_LIB/fanout.py" table "${markdown[@]}" "$results" | tee "$OUT/table.txt" || rc=1
bench_log "results: $OUT"
exit $rc
