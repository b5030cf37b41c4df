#!/usr/bin/env bash
# Ingest benchmark (docs/benchmarks.md, "Ingest (bench/ingest.sh)"): the
# same UPDATE stream, in one burst from a raw injector, into each receiver
# in turn; the time from Established to all N prefixes in the receiver's
# RIB (as its own CLI reports them), the receiver's CPU seconds and peak
# RSS, and the KEEPALIVEs it sent meanwhile.
#
#   bench/ingest.sh [--markdown]
#
# Environment (defaults in brackets):
#   RECEIVERS  "vipd bird" (any of: vipd bird frr gobgp)
#   N          prefixes per injector [1000000]
#   PEERS      injectors in parallel, each sending the same N prefixes from
#              its own address; the time runs until the sum reaches PEERS*N [1]
#   RUNS       repetitions; the table gives best and median [1]
#   HOLD       hold time configured on the receiver [9]; the injector offers
#              90, so HOLD sets the negotiated hold and keepalive (HOLD/3)
#   LINGER     seconds after Established the sessions stay up, so that the
#              receivers' keepalives show [7]
#   TIMEOUT    give up on a receiver after this many seconds [600]
#   NEXT_HOP   self: the injector sets each UPDATE's NEXT_HOP to its own
#              address, reachable on the link [self]; keep: the stream's
#              10.0.0.1 as generated
#   VIPD_BIN VIPCTL_BIN STREAMGEN_BIN   an existing release build; otherwise
#              built once into .build-bench (swift build -c release
#              --static-swift-stdlib, as scripts/build-release)
#   OUT        where the stream, the per-run JSON and logs go [bench/out/ingest-DATE]
#   KEEP=1     keep the receivers' state dirs (configs, logs) under /tmp
#
# Needs root. Each run gets fresh namespaces (vb-ID-rcv, vb-ID-inj), a fresh
# receiver and fresh injectors; a trap ends every process and deletes every
# namespace the script made, on success, failure or ctrl-C.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/common.sh
. "$here/lib/common.sh"
# shellcheck source=lib/receivers.sh
. "$here/lib/receivers.sh"

bench_args "$0" "$@"

RECEIVERS=${RECEIVERS:-"vipd bird"}
N=${N:-1000000}
PEERS=${PEERS:-1}
RUNS=${RUNS:-1}
HOLD=${HOLD:-9}
LINGER=${LINGER:-7}
TIMEOUT=${TIMEOUT:-600}
NEXT_HOP=${NEXT_HOP:-self}
case $NEXT_HOP in self) nh_flag=() ;; keep) nh_flag=(--keep-next-hop) ;; *) bench_die "NEXT_HOP is self or keep" ;; esac
for k in $RECEIVERS; do
  case " $RECEIVER_KINDS " in *" $k "*) ;; *) bench_die "unknown receiver '$k' (one of: $RECEIVER_KINDS)" ;; esac
done
[[ $PEERS =~ ^[0-9]+$ ]] && [ "$PEERS" -ge 1 ] && [ "$PEERS" -le 200 ] || bench_die "PEERS must be 1-200"
[[ $N =~ ^[0-9]+$ ]] && [ "$N" -ge 1 ] || bench_die "N must be a positive integer"
[[ $RUNS =~ ^[0-9]+$ ]] && [ "$RUNS" -ge 1 ] || bench_die "RUNS must be a positive integer"
[[ $TIMEOUT =~ ^[0-9]+([.][0-9]+)?$ ]] || bench_die "TIMEOUT must be a number of seconds"
[[ $LINGER =~ ^[0-9]+([.][0-9]+)?$ ]] || bench_die "LINGER must be a number of seconds"
[[ $HOLD =~ ^[0-9]+$ ]] && [ "$HOLD" -ge 3 ] || bench_die "HOLD must be 3 or more"
# how long an injector may live in any case
inj_max=$(awk -v t="$TIMEOUT" -v l="$LINGER" 'BEGIN { printf "%d", t + l + 120 }')

RCV_ADDR=10.255.0.1
RCV_AS=65000
INJ_AS=65001   # the stream's AS paths start with 65001

bench_init ingest
lab_deps
case " $RECEIVERS " in
  *" vipd "*) bench_bins vipd vipctl bgp-streamgen ;;
  *) bench_bins bgp-streamgen ;;
esac
OUT=${OUT:-$REPO_DIR/bench/out/ingest-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
results=$OUT/results.jsonl
: >"$results"

stream=$OUT/stream.bin
"$STREAMGEN_BIN" --prefixes "$N" >"$stream"
stream_bytes=$(stat -c %s "$stream")
bench_log "stream: $N prefixes, $stream_bytes bytes ($stream); receivers: $RECEIVERS; $PEERS peer(s), $RUNS run(s), hold $HOLD"

inj_addrs=()
for i in $(seq 0 $((PEERS - 1))); do inj_addrs+=("10.255.0.$((2 + i))"); done

one_run() {
  local kind=$1 run=$2
  local dir=$BENCH_TMP/$kind-$run
  local ns_r=vb-$BENCH_ID-rcv ns_i=vb-$BENCH_ID-inj
  mkdir -p "$dir"
  chmod 755 "$dir"
  ns_new "$ns_r"
  ns_new "$ns_i"
  local a addrs=()
  for a in "${inj_addrs[@]}"; do addrs+=("$a/24"); done
  veth_pair "$ns_r" rcv0 "$RCV_ADDR/24" "$ns_i" inj0 "${addrs[@]}"
  wait_until 5 0.05 ip netns exec "$ns_i" ping -c1 -W1 -q "$RCV_ADDR" || bench_die "no reachability inj -> rcv"

  rcv_start "$kind" "$dir" "$ns_r" "$RCV_ADDR" "$RCV_AS" "$INJ_AS" "$HOLD" "${inj_addrs[@]}"
  sleep 0.5   # let its start-up finish before the CPU baseline
  # shellcheck disable=SC2086
  local pids_csv; pids_csv=$(echo $RCV_PIDS | tr ' ' ',')

  local est=() go=() injs=() i
  for i in $(seq 0 $((PEERS - 1))); do
    est+=(--est "$dir/est-$i.json" --abort-if "$dir/inj-$i.json")
    injs+=("$dir/inj-$i.json")
  done
  [ "$PEERS" -gt 1 ] && go=(--go)
  # The poller first (its CPU baseline precedes every injector), then the injectors.
  ip netns exec "$ns_r" "$PYTHON" "$BENCH_DIR/poll.py" --kind "$kind" --target $((N * PEERS)) \
    "${est[@]}" "${go[@]}" --pids "$pids_csv" --linger "$LINGER" --timeout "$TIMEOUT" \
    --out "$dir/poll.json" --ready "$dir/poll.ready" -- "${RCV_POLL[@]}" >"$dir/poll.out" 2>&1 &
  local poller=$!
  bench_track "$poller"
  wait_until 10 0.01 test -e "$dir/poll.ready" || bench_die "poll.py did not start: $(cat "$dir/poll.out")"
  local inj_pids=() wait_go=()
  [ "$PEERS" -gt 1 ] && wait_go=(--wait-go)
  for i in $(seq 0 $((PEERS - 1))); do
    ip netns exec "$ns_i" "$PYTHON" "$BENCH_DIR/inject.py" inject --local "${inj_addrs[$i]}" --peer "$RCV_ADDR" \
      --asn "$INJ_AS" --hold 90 --stream "$stream" "${nh_flag[@]}" "${wait_go[@]}" --est "$dir/est-$i.json" --out "$dir/inj-$i.json" \
      --max-seconds "$inj_max" >"$dir/inj-$i.out" 2>&1 &
    inj_pids+=($!)
    bench_track "$!"
  done
  # The poller ends by itself: all N seen and the linger over, or its timeouts.
  wait "$poller" || bench_log "$kind run $run: poller: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("error"))' "$dir/poll.json" 2>/dev/null || cat "$dir/poll.out")"
  stop_pids 10 "${inj_pids[@]}"   # SIGTERM: NOTIFICATION Cease, close, report
  rcv_stop "$kind" "$dir"
  ns_del "$ns_r" "$ns_i"

  "$PYTHON" "$BENCH_LIB/ingest_report.py" row --kind "$kind" --run "$run" --n "$N" --peers "$PEERS" \
    --stream-bytes "$stream_bytes" --poll "$dir/poll.json" --inj "${injs[@]}" >>"$results" ||
    bench_log "$kind run $run: no result (see $dir)"
  mkdir -p "$OUT/$kind-$run"
  cp "$dir"/*.json "$dir"/*.out "$OUT/$kind-$run/" 2>/dev/null || true
  local l; for l in $RCV_LOGS; do [ -f "$l" ] && cp "$l" "$OUT/$kind-$run/"; done
  [ -s "$results" ] || return 0
  tail -n 1 "$results" | "$PYTHON" -c '
import json, sys
r = json.loads(sys.stdin.read())
f = lambda k, m=1, d=3: "-" if r.get(k) is None else "%.*f" % (d, r[k] * m)
prev = "first poll" if r.get("polls") == 1 else "the poll before saw fewer at %s s" % f("wall_lower_bound_s")
print("%s run %d: %s prefixes in %s s (%s), CPU %s s, peak RSS %s MB, keepalives %s (%s during ingest), slowest CLI reply %s ms%s" % (
    r["receiver"], r["run"], r["target"], f("wall_s"), prev, f("cpu_s"), f("peak_rss_mb", 1, 1),
    r.get("keepalives_min_per_session"), r.get("keepalives_during_ingest_min"), f("slowest_reply_s", 1000, 1),
    "" if r["ok"] else "  PROBLEM: " + "; ".join(r["problems"])))' >&2
}

for run in $(seq 1 "$RUNS"); do
  for kind in $RECEIVERS; do
    one_run "$kind" "$run"
  done
done

rc=0
"$PYTHON" "$BENCH_LIB/ingest_report.py" table "${markdown[@]}" "$results" | tee "$OUT/table.txt" || rc=1
bench_log "results: $OUT"
exit $rc
