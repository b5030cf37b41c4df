#!/usr/bin/env bash
# The lab's self-test: proves the tooling (namespaces, the five real peers,
# their RIB queries, announcements to the node) works, without vipd. The
# node's speaker is the stand-in of lib/speaker.sh (ExaBGP) unless SPEAKER is
# set; with SPEAKER=vipd the same matrix runs against vipd.
#
# The node announces 10.0.1.100/32 (community 65011:100, large community
# 65011:1:1, MED 10) over an IPv4 session and fd00:1::100/128 with the same
# attributes over an IPv6 session (MP-BGP). For each daemon as the tor:
#
#   ipv4      IPv4 session: the /32 in the peer's RIB, next hop 10.255.0.2,
#             AS path 65011, MED, community, large community, origin IGP
#   ipv6      IPv6 session: the /128, next hop fd00:255::2, same attributes
#   to-node   the peer announces 10.9.9.0/24 and fd00:9::/64 to the node,
#             and the node's speaker receives them (next hop = the tor)
#   fib       the VIPs in the tor's kernel table (FRR, BIRD; others have none)
#   active    the tor connects, the node's speaker only listens
#   collision both connect and both listen: one session comes up and stays
#   md5       TCP MD5 on both sides: the route arrives
#   md5-bad   a wrong MD5 key: no session within 4 s
#   gtsm      GTSM on both sides: the route arrives
#   gtsm-bad  GTSM on the tor only (node sends TTL 64): no session within 4 s
#   gr        the node dies without a NOTIFICATION: the peer keeps the route
#             as stale, then the node comes back and the route is fresh
#             again (ExaBGP is no GR helper: exempt)
#   as2       the peer does not offer 4-octet AS (BIRD, OpenBGPD, ExaBGP)
#   withdraw  the node stops announcing the /32: gone from the peer's RIB
#
# Usage: selftest.sh [-d "frr bird ..."] [-c "ipv4 md5 ..."]
# Prints the matrix; exits 1 on any FAIL. State of a failed run is kept
# (its path is printed); a passing run leaves nothing behind.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/peer.sh
. "$HERE/lib/peer.sh"
# shellcheck source=lib/speaker.sh
. "$HERE/lib/speaker.sh"
# shellcheck source=lib/checks.sh
. "$HERE/lib/checks.sh"

DAEMONS="frr bird gobgp openbgpd exabgp"
CASES="ipv4 ipv6 to-node fib active collision md5 md5-bad gtsm gtsm-bad gr as2 withdraw"
while getopts d:c:h o; do
  case $o in
    d) DAEMONS=$OPTARG ;;
    c) CASES=$OPTARG ;;
    *) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
  esac
done

[ "$(id -u)" = 0 ] || lab_die "run as root (network namespaces)"
"$HERE/../scripts/install-lab-deps" >&2 || lab_die "install-lab-deps failed"

TOR_AS=65001 NODE_AS=65011
VIP4=10.0.1.100/32 VIP6=fd00:1::100/128
TO_NODE4=10.9.9.0/24 TO_NODE6=fd00:9::/64
VIP_ATTRS="community=65011:100,large=65011:1:1,med=10"
EXPECT_ATTRS=(as_path='[65011]' med=10 communities='["65011:100"]'
              large_communities='["65011:1:1"]' origin=igp)
SESSION_TIMEOUT=20 ROUTE_TIMEOUT=10 NEGATIVE_WAIT=4

declare -A RESULT
set_result() { RESULT["$1,$2"]=$3; }

# --- one cell: a peer and the node's speaker, then both stopped -------------
CELL_DAEMON='' CELL_DIR=''
cell_begin() {
  CELL_DAEMON=$1 CELL_DIR=$LAB_DIR/$1-$2
  mkdir -p "$CELL_DIR"
  chmod 755 "$CELL_DIR"
}

# cell_end: stop both, then make sure nothing is left in the namespaces
# (what was, is named in LEAK and killed).
LEAK=''
cell_end() {
  local leak=''
  LEAK=''
  peer_stop "$CELL_DAEMON" >/dev/null 2>&1
  speaker_stop >/dev/null 2>&1
  local ns
  for ns in "$TOR_NS" "$NODE_NS"; do
    if [ -n "$(ip netns pids "$ns")" ]; then
      leak+="$(ip netns pids "$ns" | xargs -r ps -o comm= -p | tr '\n' ' ')"
      ns_kill_all "$ns"
    fi
  done
  SPEAKER_DIR='' ; eval "${CELL_DAEMON^^}_DIR="
  [ -z "$leak" ] || { LEAK="processes left after stop: $leak"; return 1; }
}

# addresses for a family
addrs() {
  if [ "$1" = ipv6 ]; then TA=$TOR_V6 NA=$NODE_V6 VIP=$VIP6 TO_NODE=$TO_NODE6
  else TA=$TOR_V4 NA=$NODE_V4 VIP=$VIP4 TO_NODE=$TO_NODE4; fi
}

# start_peer DAEMON FAMILY [key=value...]  /  start_speaker FAMILY [key=value...]
start_peer() {
  local d=$1 fam=$2; shift 2; addrs "$fam"
  peer_start "$d" ns="$TOR_NS" dir="$CELL_DIR/peer" router_id="$TOR_V4" \
    local_as=$TOR_AS peer_as=$NODE_AS local_addr="$TA" peer_addr="$NA" \
    passive=1 hold=9 gr=1 restart_time=30 "$@" >"$CELL_DIR/peer-start.out" 2>&1
}
start_speaker() {
  local fam=$1 sub=${SPEAKER_SUB:-speaker}; shift; addrs "$fam"
  speaker_start ns="$NODE_NS" dir="$CELL_DIR/$sub" router_id="$NODE_V4" \
    local_as=$NODE_AS peer_as=$TOR_AS local_addr="$NA" peer_addr="$TA" \
    hold=9 gr=1 restart_time=30 vips="$VIP,$VIP_ATTRS" "$@" >"$CELL_DIR/$sub-start.out" 2>&1
}

established() { [ "$(peer_state "$1")" = established ]; }
rib_present() { route_present "$(peer_rib "$1" "$2")"; }
rib_stale() { route_matches "$(peer_rib "$1" "$2")" present=true stale="$3" >/dev/null; }
speaker_has() { route_present "$(speaker_rib_in "$1")"; }

# wait_route DAEMON PREFIX: bounded wait for the session, then the route.
# Prints the reason on failure.
wait_route() {
  wait_until $SESSION_TIMEOUT 0.3 established "$1" ||
    { echo "no session after ${SESSION_TIMEOUT}s (peer state: $(peer_state "$1"))"; return 1; }
  wait_until $ROUTE_TIMEOUT 0.3 rib_present "$1" "$2" ||
    { echo "session up but $2 not in the peer's RIB after ${ROUTE_TIMEOUT}s"; return 1; }
}

# check_vip DAEMON FAMILY: the VIP is there with every expected attribute.
check_vip() {
  addrs "$2"
  wait_route "$1" "$VIP" || return 1
  route_matches "$(peer_rib "$1" "$VIP")" present=true next_hop="$NA" "${EXPECT_ATTRS[@]}"
}

# --- the cases --------------------------------------------------------------
# Each runs in this shell (the peer's and speaker's stop functions need the
# state it sets), leaves its reason in REASON and returns 0 (PASS), 1 (FAIL)
# or 2 (n/a). Queries that only print run in $(...).
REASON=''
fail() { REASON=$1; return 1; }

peer_up() {
  start_peer "$@" || fail "peer did not start: $(tail -3 "$CELL_DIR/peer-start.out" | tr '\n' ' ')"
}
speaker_up() {
  start_speaker "$@" || fail "speaker did not start: $(tail -3 "$CELL_DIR/${SPEAKER_SUB:-speaker}-start.out" | tr '\n' ' ')"
}
vip_ok() {
  local r
  r=$(check_vip "$1" "$2") || fail "$r"
}

# The family cells (ipv4, ipv6) also check to-node and fib on the same
# session, and add to TO_NODE_RESULT / FIB_RESULT.
case_family() {
  local d=$1 fam=$2 r
  peer_up "$d" "$fam" || return 1
  speaker_up "$fam" || return 1
  vip_ok "$d" "$fam" || return 1
  REASON="VIP with all attributes, next hop $NA"
  addrs "$fam"
  # to-node: the peer announces a prefix; the node's speaker receives it.
  if peer_announce "$d" "$TO_NODE" >/dev/null 2>&1 &&
     wait_until $ROUTE_TIMEOUT 0.3 speaker_has "$TO_NODE"; then
    if r=$(route_matches "$(speaker_rib_in "$TO_NODE")" present=true next_hop="$TA" as_path="[$TOR_AS]"); then
      local ll; ll=$(speaker_rib_in "$TO_NODE" | json_get next_hop_link_local)
      TO_NODE_RESULT+="$fam ok (next hop $TA${ll:+ + $ll}); "
    else
      TO_NODE_RESULT+="FAIL $fam: $r; "
    fi
  else
    TO_NODE_RESULT+="FAIL $fam: $TO_NODE not received by the node within ${ROUTE_TIMEOUT}s; "
  fi
  # fib: FRR's zebra and BIRD's kernel protocol install the VIP.
  case $d in
    frr|bird)
      if wait_until 5 0.2 fib_via "$VIP" "$NA"; then
        FIB_RESULT+="$fam ok ($(lab_fib "$TOR_NS" "$VIP" | awk '{$1=$1};1')); "
      else
        FIB_RESULT+="FAIL $fam: not in the tor's kernel table ($(lab_fib "$TOR_NS" "$VIP")); "
      fi ;;
    *) FIB_RESULT="n/a: $d installs nothing in the kernel here; " ;;
  esac
  return 0
}
# fib_via PREFIX ADDR: the tor's kernel routes PREFIX via ADDR or via the
# node's link-local address.
fib_via() {
  local ll; ll=$(link_local "$NODE_NS" "$NODE_IF")
  lab_fib "$TOR_NS" "$1" | grep -E "via ($2|$ll) " >/dev/null
}

# The listening side starts first: OpenBGPD retries a refused connect only
# after its ConnectRetry timer (120 s).
case_active() {
  speaker_up ipv4 passive=1 || return 1
  peer_up "$1" ipv4 passive=0 || return 1
  vip_ok "$1" ipv4 || return 1
  REASON="the tor connected to the listening node"
}

case_md5() {
  peer_up "$1" ipv4 password=vipd-lab-md5 || return 1
  speaker_up ipv4 password=vipd-lab-md5 || return 1
  vip_ok "$1" ipv4 || return 1
  REASON="session and VIP with TCP MD5"
}

# A negative cell passes when no session comes up in NEGATIVE_WAIT seconds.
# (Positive cells come up in well under a second here.)
no_session() {
  local d=$1
  if wait_until $NEGATIVE_WAIT 0.3 established "$d"; then
    fail "session came up though it must not"; return 1
  fi
  if rib_present "$d" "$VIP4"; then fail "route arrived though it must not"; return 1; fi
  REASON="no session in ${NEGATIVE_WAIT}s, as expected (peer: $(peer_state "$d"))"
}

case_md5_bad() {
  peer_up "$1" ipv4 password=vipd-lab-md5 || return 1
  speaker_up ipv4 password=wrong-key || return 1
  no_session "$1"
}

case_gtsm() {
  peer_up "$1" ipv4 ttl_security=1 || return 1
  speaker_up ipv4 ttl_security=1 || return 1
  vip_ok "$1" ipv4 || return 1
  REASON="session and VIP with TTL 255 / min TTL"
}

case_gtsm_bad() {
  peer_up "$1" ipv4 ttl_security=1 || return 1
  speaker_up ipv4 ttl_security=0 || return 1
  no_session "$1"
}

_not_established() { ! established "$1"; }
case_gr() {
  local d=$1 r
  if [ "$d" = exabgp ]; then
    REASON="exempt: ExaBGP keeps no stale routes (no GR receiving speaker)"; return 2
  fi
  peer_up "$d" ipv4 || return 1
  speaker_up ipv4 || return 1
  r=$(check_vip "$d" ipv4) || { fail "before the restart: $r"; return 1; }
  speaker_stop graceful
  wait_until 10 0.2 _not_established "$d" ||
    { fail "the peer did not notice the node going away in 10s"; return 1; }
  wait_until 5 0.2 rib_stale "$d" "$VIP4" true ||
    { fail "after the node died: want the route kept as stale, got $(peer_rib "$d" "$VIP4")"; return 1; }
  SPEAKER_SUB=speaker2 speaker_up ipv4 || return 1
  wait_until $SESSION_TIMEOUT 0.3 established "$d" || { fail "no session after the restart"; return 1; }
  wait_until $ROUTE_TIMEOUT 0.3 rib_stale "$d" "$VIP4" false ||
    { fail "after the restart: want the route fresh (not stale), got $(peer_rib "$d" "$VIP4")"; return 1; }
  r=$(route_matches "$(peer_rib "$d" "$VIP4")" present=true next_hop="$NODE_V4" "${EXPECT_ATTRS[@]}") ||
    { fail "after the restart: $r"; return 1; }
  REASON="kept as stale while the node was down, fresh after it came back"
}

case_as2() {
  local d=$1
  case $d in frr|gobgp) REASON="$d cannot turn the 4-octet AS capability off"; return 2 ;; esac
  peer_up "$d" ipv4 as2=1 || return 1
  speaker_up ipv4 || return 1
  vip_ok "$d" ipv4 || return 1
  REASON="session without the 4-octet AS capability, 2-octet ASNs"
}

case_withdraw() {
  local d=$1
  peer_up "$d" ipv4 || return 1
  speaker_up ipv4 || return 1
  vip_ok "$d" ipv4 || return 1
  speaker_withdraw_vip "$VIP4"
  wait_until $ROUTE_TIMEOUT 0.3 _rib_absent "$d" "$VIP4" ||
    { fail "still in the peer's RIB ${ROUTE_TIMEOUT}s after the withdrawal: $(peer_rib "$d" "$VIP4")"; return 1; }
  established "$d" || { fail "the session went down with the withdrawal"; return 1; }
  REASON="gone from the peer's RIB, session still up"
}
_rib_absent() { route_matches "$(peer_rib "$1" "$2")" present=false >/dev/null; }

# Both sides connect and listen. Whichever connection wins, one session
# must come up and stay up.
case_collision() {
  local d=$1
  speaker_up ipv4 listen=1 || return 1
  peer_up "$d" ipv4 passive=0 || return 1
  vip_ok "$d" ipv4 || return 1
  sleep 3
  established "$d" && rib_present "$d" "$VIP4" ||
    { fail "the session or the route did not last 3 s after coming up"; return 1; }
  REASON="both sides active and listening: one session, stable for 3 s"
}

# --- the run ----------------------------------------------------------------
t_start=$(date +%s)
lab_up

for d in $DAEMONS; do
  TO_NODE_RESULT='' FIB_RESULT=''
  for c in $CASES; do
    case $c in
      to-node|fib) continue ;;   # filled in by the ipv4 and ipv6 cells
      ipv4|ipv6) fn=case_family; args=("$d" "$c") ;;
      *) fn=case_${c//-/_}; args=("$d")
         declare -F "$fn" >/dev/null || lab_die "unknown case $c" ;;
    esac
    cell_begin "$d" "$c"
    REASON=''
    "$fn" "${args[@]}"; rc=$?
    if ! cell_end; then rc=1; REASON+="; $LEAK"; fi
    case $rc in
      0) set_result "$d" "$c" "PASS|$REASON" ;;
      2) set_result "$d" "$c" "n/a|$REASON" ;;
      *) set_result "$d" "$c" "FAIL|$REASON" ;;
    esac
    lab_log "$d $c: ${RESULT[$d,$c]%%|*} - $REASON"
  done
  for c in to-node fib; do
    case " $CASES " in *" $c "*) ;; *) continue ;; esac
    v=$([ $c = fib ] && echo "$FIB_RESULT" || echo "$TO_NODE_RESULT"); v=${v%; }
    if [ -z "$v" ]; then set_result "$d" "$c" "FAIL|not run: needs the ipv4/ipv6 cells"
    elif [[ $v == n/a* ]]; then set_result "$d" "$c" "n/a|${v#n/a: }"
    elif [[ $v == *FAIL* ]]; then set_result "$d" "$c" "FAIL|$v"
    else set_result "$d" "$c" "PASS|$v"; fi
    lab_log "$d $c: ${RESULT[$d,$c]%%|*} - ${RESULT[$d,$c]#*|}"
  done
done

# --- the matrix ---------------------------------------------------------------
failed=0
{
  echo
  echo "Interop self-test: speaker=$SPEAKER, lab $LAB_ID, $(( $(date +%s) - t_start )) s"
  printf '%-9s' "peer"; for c in $CASES; do printf ' %-9s' "$c"; done; echo
  for d in $DAEMONS; do
    printf '%-9s' "$d"
    for c in $CASES; do
      v=${RESULT[$d,$c]:-FAIL|not run}; printf ' %-9s' "${v%%|*}"
      [ "${v%%|*}" = FAIL ] && failed=$((failed + 1))
    done
    echo
  done
  echo
  echo "Reasons:"
  for d in $DAEMONS; do
    for c in $CASES; do
      v=${RESULT[$d,$c]:-FAIL|not run}
      printf '  %-9s %-9s %-4s %s\n' "$d" "$c" "${v%%|*}" "${v#*|}"
    done
  done
}
if [ "$failed" -gt 0 ]; then
  LAB_KEEP=1
  echo
  echo "$failed cell(s) failed; daemon logs are kept under $LAB_DIR/<peer>-<case>/"
  exit 1
fi
echo
echo "all cells passed"
