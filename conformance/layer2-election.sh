#!/usr/bin/env bash
# Layer 2 and election (issue 6), pass/fail for CI: three vipd nodes share
# the VIP 10.77.0.100 (mode arp) on one LAN, elected through a three-member
# etcd on a separate control network (bench/lib/l2lab.sh, the failover
# bench's lab; etcd with --heartbeat-interval 20 --election-timeout 200,
# lease_ttl 2). A client on the LAN pings the VIP every 10 ms, and every node
# runs `ip -ts monitor address link`. The checks, in order:
#
#   one-leader       one node is leader, the two others followers, and only
#                    the leader holds the VIP on its lan0
#   neigh            the client's neighbour entry for the VIP is the leader's MAC
#   sigterm          SIGTERM of the leader hands over with 0 probes lost
#   neigh-moves      the client's entry moved to the new leader's MAC
#   partition        the leader's ctl link (to etcd) goes down: it drops the
#                    VIP before its lease could lapse (within lease_ttl of
#                    the cut, and before the next leader adds it), and the
#                    monitor logs show no moment with two owners
#   crash-cleanup    SIGKILL of the leader, its link left up, so the address
#                    stays behind; once another node has taken over, vipd is
#                    restarted on the crashed node: the stale address is gone
#                    and only the elected node holds the VIP
#
# Usage: VIPD_BIN=... VIPCTL_BIN=... conformance/layer2-election.sh
# Prints PASS or FAIL per check; exits 1 on any FAIL (and then keeps the
# logs under /tmp/vipd-bench-l2election-*). Bounded to about a minute.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../bench/lib/common.sh
. "$HERE/../bench/lib/common.sh"
# shellcheck source=../bench/lib/l2lab.sh
. "$HERE/../bench/lib/l2lab.sh"

: "${VIPD_BIN:?set VIPD_BIN to the vipd binary}" "${VIPCTL_BIN:?set VIPCTL_BIN to the vipctl binary}"
TTL=${LEASE_TTL:-2}
FAILED=0
pass() { printf 'PASS  %-15s %s\n' "$1" "$2"; }
fail() { printf 'FAIL  %-15s %s\n' "$1" "$2"; FAILED=1; }
check() { if [ "$2" = ok ]; then pass "$1" "$3"; else fail "$1" "$3"; fi; }
finish() {
  if [ "$FAILED" != 0 ]; then
    KEEP=1
    echo "logs: $BENCH_TMP/n*/vipd.log, monitors $BENCH_TMP/mon/, probes $BENCH_TMP/*.probe" >&2
    exit 1
  fi
  exit 0
}
leader_of() {  # the node whose vipctl says leader (one line), or nothing
  local n
  for n in "${L2_NODES[@]}"; do [ "$(l2_role "$n" 2>/dev/null)" = leader ] && echo "$n"; done
  return 0
}
neigh_is() {  # NODE: the client's entry for the VIP is NODE's MAC
  local mac
  mac=$(l2_mac "$1")
  [ "$(l2_client_neigh | cut -d' ' -f1)" = "$mac" ]
}
start_all() { local n; for n in "${L2_NODES[@]}"; do l2_vipd_start "$n" "$TTL"; done; }
deadline=$(( $(date +%s) + ${BOUND:-90} ))   # the hard bound of the whole run
in_time() { [ "$(date +%s)" -lt "$deadline" ]; }

bench_init l2election
L2_ELECTION_NAME=vipd-conformance-$$
l2_up || { fail lab "the namespaces did not come up"; finish; }
l2_etcd_start fast || { fail lab "etcd did not come up"; finish; }
start_all

# ---- one-leader
if l2_vipd_settled 20; then
  A=$(leader_of)
  pass one-leader "$A is leader and the only owner; $(for n in "${L2_NODES[@]}"; do [ "$n" != "$A" ] && printf '%s ' "$n"; done)follow"
else
  roles=$(for n in "${L2_NODES[@]}"; do printf '%s=%s ' "$n" "$(l2_role "$n" 2>/dev/null || echo '?')"; done)
  fail one-leader "not settled in 20 s: roles $roles; owners: $(l2_owners | tr '\n' ' ')"
  finish
fi

# ---- neigh
ip netns exec "$L2_NS_cl" ping -c2 -i0.2 -W1 -q "$L2_VIP" >/dev/null 2>&1
if neigh_is "$A"; then pass neigh "client's entry: $(l2_client_neigh) = $A's MAC"
else fail neigh "client's entry: '$(l2_client_neigh)', $A's MAC is $(l2_mac "$A")"; fi

# ---- sigterm
probe=$BENCH_TMP/sigterm.probe
l2_probe_start "$probe"
wait_until 5 0.1 l2_probe_answered "$probe" 0 || fail sigterm "the client got no answer before the stop"
sleep 0.5
T=$(l2_now)
l2_daemon_stop "$A" TERM
B=$(l2_wait_owner 10 "$A") || B=''
wait_until 5 0.05 ip netns exec "$L2_NS_cl" ping -c1 -W0.2 -q "$L2_VIP"
sleep 1.2
l2_probe_stop
out=$("$PYTHON" "$L2_TOOL" outage "$probe" --event "$T" --json)
lost=$(json_get lost <<<"$out")
if [ -z "$B" ]; then fail sigterm "no other node took the VIP within 10 s of SIGTERM to $A"
elif [ "$lost" = 0 ]; then pass sigterm "$A -> $B, 0 probes lost (longest gap $(json_get outage_s <<<"$out") s)"
else fail sigterm "$A -> $B, $lost probes lost (longest gap $(json_get outage_s <<<"$out") s)"; fi

# ---- neigh-moves
if [ -n "$B" ]; then
  if neigh_is "$B"; then pass neigh-moves "client's entry is $B's MAC $(l2_mac "$B")"
  else fail neigh-moves "client's entry '$(l2_client_neigh)', $B's MAC is $(l2_mac "$B")"; fi
else
  fail neigh-moves "no takeover"
fi
l2_vipd_start "$A" "$TTL"   # back as a follower
l2_vipd_settled 15 || fail sigterm "$A did not rejoin as a follower within 15 s: $(for n in "${L2_NODES[@]}"; do printf '%s=%s ' "$n" "$(l2_role "$n" 2>/dev/null)"; done)"

# ---- partition
in_time || { fail partition "out of time"; finish; }
B=$(leader_of)
T=$(l2_now)
l2_cut "$B"
dropped=ok
wait_until $((TTL + 5)) 0.02 eval '! l2_has_vip "$B"' || dropped=no
C=$(l2_wait_owner $((TTL * 3 + 5)) "$B") || C=''
sleep 0.3
rep=$(l2_owners_report --since "$T" --t0 "$T")
read -r drop add ov <<<"$("$PYTHON" -c '
import json, sys
r = json.load(sys.stdin); b = sys.argv[1]
d = [e[0] for e in r["events"].get(b, []) if e[1] == "addr" and e[2] is False]
a = sorted(e[0] for n, ev in r["events"].items() if n != b for e in ev if e[1] == "addr" and e[2] is True)
print(d[0] if d else "none", a[0] if a else "none", r["overlap_max_s"])' "$B" <<<"$rep")"
if [ "$dropped" != ok ]; then
  fail partition "$B still holds the VIP $((TTL + 5)) s after its ctl link went down; ${C:-no other node} took it at +$add s; two owners for $ov s"
elif [ -z "$C" ]; then
  fail partition "$B dropped the VIP at +$drop s, but no other node took it within $((TTL * 3 + 5)) s"
elif awk -v d="$drop" -v a="$add" -v t="$TTL" -v o="$ov" 'BEGIN { exit !(d != "none" && a != "none" && d + 0 <= t && d + 0 < a + 0 && o + 0 == 0) }'; then
  pass partition "$B dropped the VIP +$drop s after the cut (lease_ttl $TTL), $C added it at +$add s, no overlap"
else
  fail partition "$B dropped at +$drop s, $C added at +$add s (lease_ttl $TTL), overlap $ov s"
fi
l2_heal "$B"
l2_vipd_settled 15 || fail partition "not settled 15 s after healing $B's link"

# ---- crash-cleanup
in_time || { fail crash-cleanup "out of time"; finish; }
C=$(leader_of)
l2_crash_keep_link "$C"
wait_until $((TTL * 3 + 5)) 0.05 _l2_owner_other_than "$C" || { fail crash-cleanup "no takeover within $((TTL * 3 + 5)) s of SIGKILL to $C"; finish; }
stale=no; l2_has_vip "$C" && stale=yes
l2_vipd_start "$C" "$TTL"
if wait_until 15 0.1 _l2_roles_settled; then
  D=$(leader_of)
  if [ "$stale" = yes ]; then
    pass crash-cleanup "$C restarted: its stale address is gone; only the leader $D holds the VIP"
  else
    pass crash-cleanup "$D leads and alone holds the VIP (the kernel had not kept $C's address, so nothing stale to clean)"
  fi
else
  fail crash-cleanup "15 s after restarting $C (stale address: $stale): owners $(l2_owners | tr '\n' ' '); roles $(for n in "${L2_NODES[@]}"; do printf '%s=%s ' "$n" "$(l2_role "$n" 2>/dev/null)"; done)"
fi
l2_daemons_stop
finish
