#!/usr/bin/env bash
# ARP failover (docs/benchmarks.md; interfaces.md, "How the figures are
# measured"): three nodes share the VIP 10.77.0.100 on one LAN (a bridge in
# a switch namespace), a client pings it every 10 ms, and each case breaks
# the owner in one way. Every daemon and setting runs in ONE run, in the
# same lab (bench/lib/l2lab.sh), and one markdown table is printed: per case
# and daemon, the median and worst of the case's figure, the probes lost in
# each trial, and the longest overlap (two nodes owning the VIP at once,
# from `ip -ts monitor address link` in every node; a node whose link is
# down owns nothing).
#
#   bench/failover.sh [--markdown]
#
# Cases (what the figure is):
#   crash             SIGKILL of the owner's daemon and its lan link down:
#                     the outage, the longest gap between answered probes
#   crash-ttl1        vipd: the same with lease_ttl 1
#   sigterm           graceful stop of the owner: outage; 0 probes lost expected
#   partition         vipd: the owner's ctl link (to etcd) down: when it
#                     dropped the VIP after the cut; no overlap expected
#   etcd-leader-kill  vipd: SIGKILL of etcd's raft leader: the longest probe
#                     gap; the VIP must not move, 0 probes lost
#   health            vipd: the owner's health check (HTTP, 127.0.0.1:18080
#                     in its namespace) answers 500 from then on: outage
#   garp-latency      vipd: crash as above; takeover decision to wire: the
#                     new owner's first gratuitous ARP for the VIP (tcpdump
#                     -tt on its lan0, from its MAC) minus its log line
#                     "taking the elected VIPs" (millisecond stamps). The
#                     notes add that GARP minus the moment the old leader's
#                     key left etcd (the first DELETE seen by `etcdctl
#                     watch` after the crash) and vipd's own histogram
#                     vipd_failover_seconds from its /metrics
# keepalived runs crash and sigterm; other cases are vipd's only.
#
# Environment (defaults in brackets):
#   DAEMONS   ["vipd keepalived-1s keepalived-0.1s"]; keepalived-1s is
#             VRRPv2 with advert_int 1, keepalived-0.1s VRRPv3 with 0.1;
#             priorities 150/100/50
#   CASES     ["crash crash-ttl1 sigterm partition etcd-leader-kill health garp-latency"]
#   TRIALS    trials of the crash cases (crash, crash-ttl1, garp-latency) [5]
#   TRIALS_OTHER  trials of the other cases [2]
#   LEASE_TTL vipd's lease_ttl outside crash-ttl1 [2]
#   ETCD      fast (--heartbeat-interval 20 --election-timeout 200, the
#             bench's) or default (etcd's own timings) [fast]
#   VIPD_BIN VIPCTL_BIN  the binaries (needed when DAEMONS has vipd)
#   VIPD_LABEL  the name in the table for what VIPD_BIN runs [vipd]; the
#             lab's stand-in (bench/l2standin.py) is labelled as such
#   OUT       where the table, results.jsonl and the logs go
#             [bench/out/failover-DATE]
#   KEEP=1    keep the state dir under /tmp as well
#
# Needs root. Namespaces are l2-PID-*; a trap ends every process and
# deletes every namespace the script made, on success, failure or ctrl-C.
# Each trial starts fresh daemons on all three nodes; a trial that fails
# (no takeover within its bound) is recorded as failed and the run goes on.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/common.sh
. "$here/lib/common.sh"
# shellcheck source=lib/l2lab.sh
. "$here/lib/l2lab.sh"

bench_args "$0" "$@"

DAEMONS=${DAEMONS:-"vipd keepalived-1s keepalived-0.1s"}
CASES=${CASES:-"crash crash-ttl1 sigterm partition etcd-leader-kill health garp-latency"}
TRIALS=${TRIALS:-5}
TRIALS_OTHER=${TRIALS_OTHER:-2}
LEASE_TTL=${LEASE_TTL:-2}
ETCD=${ETCD:-fast}
VIPD_LABEL=${VIPD_LABEL:-vipd}
for d in $DAEMONS; do
  case $d in vipd|keepalived-1s|keepalived-0.1s) ;; *) bench_die "unknown daemon '$d'" ;; esac
done
for c in $CASES; do
  case $c in crash|crash-ttl1|sigterm|partition|etcd-leader-kill|health|garp-latency) ;;
    *) bench_die "unknown case '$c'" ;; esac
done
[[ $TRIALS =~ ^[1-9][0-9]*$ ]] || bench_die "TRIALS must be a positive integer"
[[ $TRIALS_OTHER =~ ^[1-9][0-9]*$ ]] || bench_die "TRIALS_OTHER must be a positive integer"
[[ $LEASE_TTL =~ ^[1-9][0-9]*$ ]] || bench_die "LEASE_TTL must be whole seconds"
case $ETCD in fast|default) ;; *) bench_die "ETCD is fast or default" ;; esac

bench_init failover
case " $DAEMONS " in
  *" vipd "*)
    for v in VIPD_BIN VIPCTL_BIN; do
      [ -n "${!v:-}" ] && [ -x "${!v}" ] || bench_die "$v must name the $([ $v = VIPD_BIN ] && echo vipd || echo vipctl) binary"
      printf -v "$v" '%s' "$(readlink -f "${!v}")"
    done ;;
esac
OUT=${OUT:-$REPO_DIR/bench/out/failover-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
results=$OUT/results.jsonl
: >"$results"

supported() {  # DAEMON CASE
  case $1 in
    vipd) return 0 ;;
    keepalived-*) case $2 in crash|sigterm) return 0 ;; *) return 1 ;; esac ;;
  esac
}
trials_of() { case $1 in crash|crash-ttl1|garp-latency) echo "$TRIALS" ;; *) echo "$TRIALS_OTHER" ;; esac; }

# daemons_up DAEMON TTL HEALTH: fresh daemons on the three nodes; true once
# the lab is settled (bounded). Runs in this shell (it records the PIDs).
daemons_up() {
  local d=$1 ttl=$2 health=$3 n adv
  case $d in
    keepalived-*)
      adv=${d#keepalived-}; adv=${adv%s}
      for n in "${L2_NODES[@]}"; do l2_keepalived_start "$n" "$adv"; done
      # all start as BACKUP; n1 (150) wins after 3 adverts plus skew, and
      # preempts anyone who got there first: wait for n1 itself
      wait_until 20 0.05 eval '[ "$(l2_owners)" = n1 ]' || return 1
      sleep "$(awk -v a="$adv" 'BEGIN { print 4 * a }')"
      [ "$(l2_owners)" = n1 ] || return 1 ;;
    vipd)
      [ "$health" = 1 ] && for n in "${L2_NODES[@]}"; do l2_health_start "$n"; done
      for n in "${L2_NODES[@]}"; do l2_vipd_start "$n" "$ttl" "$health"; done
      l2_vipd_settled 30 || return 1 ;;
  esac
}

# lab_reset: stop every daemon (SIGTERM), links and health back, VIP gone.
# Reports a VIP that a gracefully stopped vipd left behind.
lab_reset() {  # CRASHED_NODE (its address is expected to be left)
  local crashed=${1:-} n left
  l2_daemons_stop
  l2_health_stop
  for n in "${L2_NODES[@]}"; do l2_heal "$n"; l2_link_up "$n"; done
  for n in "${L2_NODES[@]}"; do
    if l2_has_vip "$n" && [ "$n" != "$crashed" ]; then
      left+="$n "
    fi
  done
  [ -n "${left:-}" ] && bench_log "note: VIP still on ${left}after SIGTERM of every daemon (removed by the lab)"
  l2_vip_clear
  RESET_NOTE=${left:+VIP left on ${left% } after SIGTERM}
}

run_trial() {  # DAEMON CASE TRIAL
  local d=$1 c=$2 i=$3 ttl=$LEASE_TTL health=0 owner new='' err='' note='' T since until
  local tdir=$OUT/$d-$c-$i probe watch_pid='' garp='' garp_mac='' newlog='' metrics='' watch='' dumps=() n m f
  mkdir -p "$tdir"
  [ "$c" = crash-ttl1 ] && ttl=1
  [ "$c" = health ] && health=1
  L2_ELECTION_NAME=vipd-bench-$c-$i
  probe=$tdir/probe.log
  bench_log "== $d $c trial $i"
  if ! daemons_up "$d" "$ttl" "$health" || ! owner=$(l2_wait_owner 1); then
    err="daemons did not settle (one leader owning the VIP) within the bound"
    T=$(l2_now); since=$T
  else
    l2_probe_start "$probe"
    wait_until 5 0.1 l2_probe_answered "$probe" 0 || err="the client got no answer from the VIP"
    sleep 1
    since=$(l2_now)
    if [ "$c" = garp-latency ]; then
      "$PYTHON" -u "$L2_TOOL" stamp ip netns exec "$(l2_ns e2)" env ETCDCTL_API=3 etcdctl \
        --endpoints="$L2_ETCD_ENDPOINTS" watch --prefix "" -w json >"$tdir/watch.log" 2>"$tdir/watch.err" &
      watch_pid=$!; bench_track "$watch_pid"
      for n in "${L2_NODES[@]}"; do
        [ "$n" = "$owner" ] && continue
        l2_tcpdump_start "$n" "$tdir/arp-$n.txt"
        dumps+=("$L2_TCPDUMP_PID")
      done
      for n in "${L2_NODES[@]}"; do
        [ "$n" = "$owner" ] && continue
        wait_until 5 0.05 grep -q 'listening on' "$tdir/arp-$n.txt.err" || bench_log "tcpdump on $n not ready"
      done
      sleep 0.5
    fi
    T=$(l2_now)
    case $c in
      crash|crash-ttl1|garp-latency)
        l2_crash "$owner"
        new=$(l2_wait_owner 30 "$owner") || err="no takeover within 30 s" ;;
      sigterm)
        l2_daemon_stop "$owner" TERM
        new=$(l2_wait_owner 30 "$owner") || err="no takeover within 30 s" ;;
      health)
        l2_health_fail "$owner"
        new=$(l2_wait_owner 30 "$owner") || err="no takeover within 30 s" ;;
      partition)
        l2_cut "$owner"
        wait_until $((ttl * 3 + 10)) 0.02 eval '! l2_has_vip "$owner"' ||
          err="the partitioned owner still had the VIP $((ttl * 3 + 10)) s after the cut"
        new=$(l2_wait_owner 30 "$owner") || err=${err:-"no takeover within 30 s"} ;;
      etcd-leader-kill)
        m=$(l2_etcd_leader) || { err="no raft leader found"; m=''; }
        if [ -n "$m" ]; then
          note="killed raft leader $m"
          l2_etcd_kill "$m"
          # watch the VIP for long enough that a lost lease would show:
          # TTL plus the raft failover plus a margin
          sleep $((ttl + 3))
          new=$(l2_owners | tr '\n' ' ')
          l2_etcd_restart "$m"
        fi ;;
    esac
    # recovery: the client answered again (bounded), then one more second
    wait_until 10 0.05 ip netns exec "$L2_NS_cl" ping -c1 -W0.2 -q "$L2_VIP" || err=${err:-"VIP unreachable after the event"}
    sleep 1.5
    l2_probe_stop
  fi
  until=$(l2_now)
  if [ -n "$watch_pid" ]; then
    stop_pids 3 "${dumps[@]}"
    stop_pids 3 "$watch_pid"   # the stamper ends its etcdctl
    watch=$tdir/watch.log
    if [ -n "$new" ]; then
      garp=$tdir/arp-${new%% *}.txt garp_mac=$(l2_mac "${new%% *}")
      # vipd's own figure (a histogram: decision to first GARP); one takeover per fresh daemon
      ip netns exec "$(l2_ns "${new%% *}")" "$PYTHON" -c 'import urllib.request,sys; sys.stdout.write(urllib.request.urlopen("http://127.0.0.1:2112/metrics", timeout=2).read().decode())' \
        >"$tdir/metrics-${new%% *}.txt" 2>/dev/null || true
      newlog=$tdir/${new%% *}-vipd.log metrics=$tdir/metrics-${new%% *}.txt
    fi
  fi
  case $c in crash|crash-ttl1|garp-latency) lab_reset "${owner:-}" ;; *) lab_reset ;; esac
  # keep the daemons' logs of this trial (their stop included)
  for n in "${L2_NODES[@]}"; do
    for f in vipd.log keepalived.log; do
      [ -f "$BENCH_TMP/$n/$f" ] && { cp "$BENCH_TMP/$n/$f" "$tdir/$n-$f"; : >"$BENCH_TMP/$n/$f"; }
    done
  done
  [ -n "${RESET_NOTE:-}" ] && note=${note:+$note; }$RESET_NOTE
  # shellcheck disable=SC2046
  "$PYTHON" "$L2_TOOL" trial --case "$c" --daemon "$(label "$d" "$ttl")" --trial "$i" --vip "$L2_VIP" --out "$results" \
    --old "${owner:-}" --new "${new:-}" --event "$T" --since "$since" --until "$until" \
    --probe "$probe" --mon $(l2_monitor_logs) ${watch:+--watch "$watch"} ${garp:+--garp "$garp" --garp-mac "$garp_mac"} ${newlog:+--newlog "$newlog" --metrics "$metrics"} \
    --error "$err" --note "$note" || bench_log "warning: trial analysis failed"
}

label() {
  case $1 in
    vipd) echo "$VIPD_LABEL (lease_ttl ${2:-$LEASE_TTL}, etcd $ETCD)" ;;
    keepalived-1s) echo "keepalived advert 1 s (VRRPv2)" ;;
    keepalived-0.1s) echo "keepalived advert 0.1 s (VRRPv3)" ;;
  esac
}

l2_up
case " $DAEMONS " in *" vipd "*) l2_etcd_start "$ETCD" ;; esac
bench_log "daemons: $DAEMONS; cases: $CASES; trials: $TRIALS (crash cases), $TRIALS_OTHER (others)"
for d in $DAEMONS; do
  for c in $CASES; do
    supported "$d" "$c" || continue
    for i in $(seq 1 "$(trials_of "$c")"); do
      run_trial "$d" "$c" "$i"
    done
  done
done
{
  echo "ARP failover, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); etcd $ETCD timings"
  echo
  "$PYTHON" "$L2_TOOL" summary "$results"
} | tee "$OUT/table.md"
bench_log "results in $OUT"
