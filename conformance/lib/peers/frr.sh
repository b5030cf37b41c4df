# shellcheck shell=bash
# FRR (Debian's frr, 8.4) as the ToR peer: zebra + bgpd in a namespace, all
# state in one dir, reached with `vtysh --vty_socket DIR`.
#
# Measured pitfalls handled here:
# - the daemons run as -u frr -g frr, and their dir is owned by frr;
# - `no bgp ebgp-requires-policy`, or nothing is accepted or sent;
# - no `bgpd -l ADDR`: it silently turns FIB install off (the session is
#   pinned with `update-source` instead);
# - zebra must run even without FIB checks: bgpd validates next hops through
#   it, and without it every route is "inaccessible", never best;
# - `no bgp network import-check`, so `network P` announces a prefix that is
#   not in the tor's own routing table.

# frr_start key=value...: see peer_start in ../peer.sh for the keys.
frr_start() {
  local P_ns P_dir P_local_as P_peer_as P_local_addr P_peer_addr P_router_id
  local P_password='' P_ttl_security=0 P_passive=0 P_hold=9 P_gr=1 P_restart_time=120 P_as2=0
  kv_parse P "$@"
  [ "$P_as2" = 1 ] && { lab_log "frr: cannot drop the 4-octet AS capability"; return 1; }
  local dir=$P_dir af=ipv4
  is_ipv6 "$P_peer_addr" && af=ipv6
  mkdir -p "$dir"
  FRR_DIR=$dir FRR_NS=$P_ns FRR_PEER=$P_peer_addr FRR_AS=$P_local_as FRR_AF=$af
  local keepalive=$(( P_hold / 3 )); [ "$keepalive" -ge 1 ] || keepalive=1
  {
    echo "hostname tor-frr"
    echo "log file $dir/bgpd.log informational"
    echo "router bgp $P_local_as"
    echo " bgp router-id $P_router_id"
    echo " no bgp ebgp-requires-policy"
    echo " no bgp network import-check"
    echo " no bgp default ipv4-unicast"
    if [ "$P_gr" = 1 ]; then
      echo " bgp graceful-restart"
      echo " bgp graceful-restart restart-time $P_restart_time"
    fi
    echo " timers bgp $keepalive $P_hold"
    echo " neighbor $P_peer_addr remote-as $P_peer_as"
    echo " neighbor $P_peer_addr update-source $P_local_addr"
    echo " neighbor $P_peer_addr timers $keepalive $P_hold"
    echo " neighbor $P_peer_addr timers connect 1"
    [ -n "$P_password" ] && echo " neighbor $P_peer_addr password $P_password"
    [ "$P_ttl_security" = 1 ] && echo " neighbor $P_peer_addr ttl-security hops 1"
    [ "$P_passive" = 1 ] && echo " neighbor $P_peer_addr passive"
    echo " address-family $af unicast"
    echo "  neighbor $P_peer_addr activate"
    echo " exit-address-family"
  } >"$dir/bgpd.conf"
  echo "hostname tor-frr" >"$dir/zebra.conf"
  echo "log file $dir/zebra.log informational" >>"$dir/zebra.conf"
  chown -R frr:frr "$dir"
  chmod 750 "$dir"
  ip netns exec "$P_ns" /usr/lib/frr/zebra -d -u frr -g frr -f "$dir/zebra.conf" \
    -i "$dir/zebra.pid" -z "$dir/zserv.api" --vty_socket "$dir" -P 0 ||
    { lab_log "frr: zebra did not start"; return 1; }
  wait_until 10 0.1 test -S "$dir/zserv.api" || { lab_log "frr: no zserv socket"; return 1; }
  ip netns exec "$P_ns" /usr/lib/frr/bgpd -d -u frr -g frr -f "$dir/bgpd.conf" \
    -i "$dir/bgpd.pid" -z "$dir/zserv.api" --vty_socket "$dir" -P 0 ||
    { lab_log "frr: bgpd did not start"; return 1; }
  wait_until 10 0.1 test -S "$dir/bgpd.vty" || { lab_log "frr: no bgpd vty socket"; return 1; }
}

frr_stop() {
  [ -n "${FRR_DIR:-}" ] || return 0
  stop_pids 5 "$(pidfile_pid "$FRR_DIR/bgpd.pid")" "$(pidfile_pid "$FRR_DIR/zebra.pid")"
}

frr_vtysh() { vtysh --vty_socket "$FRR_DIR" "$@"; }

# frr_state: the session state, lower case (established, active, ...).
frr_state() {
  frr_vtysh -c "show bgp neighbors $FRR_PEER json" 2>/dev/null | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
except ValueError:
    print("unknown"); sys.exit(0)
n = next(iter(d.values()), {}) if d else {}
print(str(n.get("bgpState", "unknown")).lower())'
}

# frr_rib PREFIX: the route to PREFIX learned from the node, normalized.
frr_rib() {
  local prefix=$1 af=ipv4
  is_ipv6 "$prefix" && af=ipv6
  frr_vtysh -c "show bgp $af unicast $prefix json" 2>/dev/null |
    python3 "$LAB_LIB/normalize_rib.py" frr "$prefix" "$FRR_PEER"
}

# frr_announce PREFIX / frr_withdraw PREFIX: make the tor send (or withdraw)
# PREFIX to the node, next hop self.
frr_announce() {
  local af=ipv4; is_ipv6 "$1" && af=ipv6
  frr_vtysh -c 'configure terminal' -c "router bgp $FRR_AS" \
    -c "address-family $af unicast" -c "network $1" >/dev/null
}
frr_withdraw() {
  local af=ipv4; is_ipv6 "$1" && af=ipv6
  frr_vtysh -c 'configure terminal' -c "router bgp $FRR_AS" \
    -c "address-family $af unicast" -c "no network $1" >/dev/null
}

# frr_fib PREFIX: the tor's kernel route for PREFIX (installed by zebra).
frr_fib() { lab_fib "$FRR_NS" "$1"; }

frr_logs() { echo "$FRR_DIR/bgpd.log $FRR_DIR/zebra.log"; }
