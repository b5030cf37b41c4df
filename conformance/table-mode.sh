#!/usr/bin/env bash
# shellcheck disable=SC2317,SC2153  # node_* run through "node_${router}_..."; NODE_NS comes from lab_up
# Routing-table mode with real routers: a VIP route in kernel table 198,
# protocol 248 (what kube-vip's "routing table mode" writes, and vipd's
# `mode: table`), picked up by a routing daemon on the same node and
# redistributed over BGP to the top-of-rack router.
#
#   tor (AS 65001) 10.255.0.1 <--veth--> 10.255.0.2 node (AS 65011)
#
# For each router on the node:
#   bird  BIRD 2 in the node: `protocol kernel` with `learn` and
#         `kernel table 198` imports the route; BGP exports it to FRR in tor.
#         The VIP is also on lo (`local: true`, vipd's default).
#   frr   FRR 8.4 in the node: zebra `ip import-table 198`, bgpd
#         `redistribute table 198`; BGP to BIRD in tor. With `local: false`:
#         an address on lo gives zebra a connected /32 (distance 0) that
#         beats the imported table route (distance 15), and `redistribute
#         table` then sends nothing (measured; docs/kernel-routes.md).
# Each case:
#   1. the session comes up, and the tor has no route to the VIP yet;
#   2. the VIP's route is put in table 198 protocol 248 (and the VIP on lo
#      when local): the tor gets the /32 from the node (AS path 65011, next
#      hop 10.255.0.2);
#   3. the route (and address) is taken away: the tor withdraws the /32;
#   (vipd only) 4. a reload puts the VIP back, then SIGTERM: after vipd's
#      exit no route of protocol 248 is left in table 198, nor the VIP on lo.
#
# Who writes the route:
#   VIPD_BIN=PATH  vipd, run in the node with `vips: [{address: VIP, mode: table}]`
#                  and `routing_table: {table: 198, protocol: 248}`; the route
#                  is removed by reloading a config without the VIP (SIGHUP).
#   --simulate     the lab's self-test of the routers, without vipd: the route
#                  is added and removed with `ip route ... table 198 proto 248`,
#                  exactly as kube-vip writes it (dev lo, scope global, type
#                  unicast; see docs/kernel-routes.md), and the VIP with
#                  `ip addr ... dev lo scope host` when local. Like
#                  SPEAKER=exabgp in selftest.sh, it proves the lab, not vipd.
#
# Usage: table-mode.sh [--simulate] [-r "bird frr"]
# Prints PASS or FAIL per router and exits 1 on any FAIL. Every process it
# started is stopped and every namespace deleted on exit (LAB_KEEP=1 keeps
# the state dir of the last run for reading the logs).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/peer.sh
. "$HERE/lib/peer.sh"

ROUTERS="bird frr"
SIMULATE=0
while [ $# -gt 0 ]; do
  case $1 in
    --simulate) SIMULATE=1 ;;
    -r) ROUTERS=${2:?-r needs a list}; shift ;;
    -h|--help) sed -n '3,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
    *) echo "unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

[ "$(id -u)" = 0 ] || lab_die "run as root (network namespaces)"
if [ "$SIMULATE" = 0 ]; then
  [ -n "${VIPD_BIN:-}" ] || lab_die "set VIPD_BIN to the vipd binary, or run with --simulate (the lab's self-test)"
  [ -x "$VIPD_BIN" ] || lab_die "VIPD_BIN=$VIPD_BIN is not executable"
fi
"$HERE/../scripts/install-lab-deps" >&2 || lab_die "install-lab-deps failed"

VIP=10.0.1.100
VIP_PREFIX=$VIP/32
TABLE=198 PROTO=248
TOR_AS=65001 NODE_AS=65011
SESSION_TIMEOUT=30 ROUTE_TIMEOUT=20

# --- the node's router: BIRD ------------------------------------------------
node_bird_start() {
  local dir=$LAB_DIR/node-bird
  mkdir -p "$dir"
  NODE_ROUTER_DIR=$dir
  cat >"$dir/bird.conf" <<EOF
log "$dir/bird.log" all;
router id $NODE_V4;
protocol device { scan time 10; }
# Table 198 as kube-vip's documentation has it: learn the routes others put
# there (protocol 248 is "alien" to BIRD), never write to it.
protocol kernel vips {
  learn;
  kernel table $TABLE;
  scan time 2;
  ipv4 { import all; export none; };
}
protocol bgp tor {
  local $NODE_V4 as $NODE_AS;
  neighbor $TOR_V4 as $TOR_AS;
  hold time 9;
  keepalive time 3;
  connect retry time 1;
  error wait time 1, 10;
  ipv4 { import none; export where proto = "vips"; };
}
EOF
  ip netns exec "$NODE_NS" bird -c "$dir/bird.conf" -s "$dir/bird.ctl" -P "$dir/bird.pid" \
    >>"$dir/bird.out" 2>&1 || { lab_log "node bird did not start: $(cat "$dir/bird.out")"; return 1; }
  wait_until 10 0.1 test -S "$dir/bird.ctl" || { lab_log "node bird: no control socket"; return 1; }
}
node_bird_stop() { stop_pids 5 "$(pidfile_pid "$NODE_ROUTER_DIR/bird.pid")"; }
node_bird_show() { birdc -s "$NODE_ROUTER_DIR/bird.ctl" show route all 2>&1; }
node_bird_logs() { echo "$NODE_ROUTER_DIR/bird.log $NODE_ROUTER_DIR/bird.out"; }

# --- the node's router: FRR (zebra imports table 198, bgpd redistributes) ---
node_frr_start() {
  local dir=$LAB_DIR/node-frr
  mkdir -p "$dir"
  NODE_ROUTER_DIR=$dir
  cat >"$dir/zebra.conf" <<EOF
hostname node-frr
log file $dir/zebra.log informational
ip import-table $TABLE
EOF
  cat >"$dir/bgpd.conf" <<EOF
hostname node-frr
log file $dir/bgpd.log informational
router bgp $NODE_AS
 bgp router-id $NODE_V4
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 timers bgp 3 9
 neighbor $TOR_V4 remote-as $TOR_AS
 neighbor $TOR_V4 update-source $NODE_V4
 neighbor $TOR_V4 timers connect 1
 address-family ipv4 unicast
  redistribute table $TABLE
  neighbor $TOR_V4 activate
 exit-address-family
EOF
  chown -R frr:frr "$dir"
  chmod 750 "$dir"
  ip netns exec "$NODE_NS" /usr/lib/frr/zebra -d -u frr -g frr -f "$dir/zebra.conf" \
    -i "$dir/zebra.pid" -z "$dir/zserv.api" --vty_socket "$dir" -P 0 ||
    { lab_log "node frr: zebra did not start"; return 1; }
  wait_until 10 0.1 test -S "$dir/zserv.api" || { lab_log "node frr: no zserv socket"; return 1; }
  ip netns exec "$NODE_NS" /usr/lib/frr/bgpd -d -u frr -g frr -f "$dir/bgpd.conf" \
    -i "$dir/bgpd.pid" -z "$dir/zserv.api" --vty_socket "$dir" -P 0 ||
    { lab_log "node frr: bgpd did not start"; return 1; }
  wait_until 10 0.1 test -S "$dir/bgpd.vty" || { lab_log "node frr: no bgpd vty socket"; return 1; }
}
node_frr_stop() {
  stop_pids 5 "$(pidfile_pid "$NODE_ROUTER_DIR/bgpd.pid")" "$(pidfile_pid "$NODE_ROUTER_DIR/zebra.pid")"
}
node_frr_show() {
  vtysh --vty_socket "$NODE_ROUTER_DIR" -c 'show ip route table 198' -c 'show ip route' \
    -c 'show bgp ipv4 unicast' 2>&1
}
node_frr_logs() { echo "$NODE_ROUTER_DIR/zebra.log $NODE_ROUTER_DIR/bgpd.log"; }

# The tor's router for each node router (another daemon, so the pair is real).
tor_for() { case $1 in bird) echo frr ;; frr) echo bird ;; esac; }
# Whether the VIP also goes on lo (`local`) with each node router; see above.
local_for() { case $1 in bird) echo true ;; frr) echo false ;; esac; }

# --- who writes the VIP route -------------------------------------------------
VIPD_DIR=
vip_add() {
  if [ "$SIMULATE" = 1 ]; then
    # kube-vip's route: VIP/32 dev lo, table 198, proto 248, scope global, unicast.
    if [ "$LOCAL" = true ]; then ip -n "$NODE_NS" addr add "$VIP_PREFIX" dev lo scope host || return 1; fi
    ip -n "$NODE_NS" route add unicast "$VIP_PREFIX" dev lo table "$TABLE" proto "$PROTO" scope global
    return
  fi
  VIPD_DIR=$LAB_DIR/vipd
  mkdir -p "$VIPD_DIR/state"
  vipd_config "$VIP" >"$VIPD_DIR/vipd.yaml"
  ip netns exec "$NODE_NS" "$VIPD_BIN" --check-config "$VIPD_DIR/vipd.yaml" >"$VIPD_DIR/check-config.out" 2>&1 ||
    { lab_log "vipd refused its config: $(cat "$VIPD_DIR/check-config.out")"; return 1; }
  ip netns exec "$NODE_NS" "$VIPD_BIN" --config "$VIPD_DIR/vipd.yaml" >>"$VIPD_DIR/vipd.log" 2>&1 &
  echo $! >"$VIPD_DIR/vipd.pid"
  disown $!
}
vip_remove() {
  if [ "$SIMULATE" = 1 ]; then
    ip -n "$NODE_NS" route del "$VIP_PREFIX" dev lo table "$TABLE" proto "$PROTO" || return 1
    if [ "$LOCAL" = true ]; then ip -n "$NODE_NS" addr del "$VIP_PREFIX" dev lo || return 1; fi
    return
  fi
  vipd_config >"$VIPD_DIR/vipd.yaml"
  kill -HUP "$(pidfile_pid "$VIPD_DIR/vipd.pid")"
}
vipd_stop() {
  [ -n "$VIPD_DIR" ] || return 0
  stop_pids 10 "$(pidfile_pid "$VIPD_DIR/vipd.pid")"
}
# vipd_config [VIP]: no peers (the node's router speaks BGP), the BGP listener
# off the routers' port 179, the VIP (if any) in table mode.
vipd_config() {
  echo "node_name: table-mode-node"
  echo "router_id: $NODE_V4"
  echo "state_dir: $VIPD_DIR/state"
  echo "control: {socket: $VIPD_DIR/vipd.sock}"
  echo "metrics: {address: \"127.0.0.1:2112\"}"
  echo "listen: {address: \"127.0.0.1\", port: 1179}"
  echo "interface: $NODE_IF"
  echo "routing_table: {table: $TABLE, protocol: $PROTO}"
  if [ -n "${1:-}" ]; then
    echo "vips:"
    echo "  - {address: $1, mode: table, local: $LOCAL}"
  else
    echo "vips: []"
  fi
}

# table_routes: our routes in the node's table 198, one line each.
table_routes() { ip -n "$NODE_NS" route show table "$TABLE" proto "$PROTO" 2>/dev/null; }
has_table_routes() { [ -n "$(table_routes)" ]; }
# vip_on_lo: is the VIP an address of lo in the node?
vip_on_lo() { ip -n "$NODE_NS" -4 -o addr show dev lo | grep -F " $VIP_PREFIX " >/dev/null; }
vip_not_on_lo() { ! vip_on_lo; }
no_table_routes() { [ -z "$(table_routes)" ]; }
session_up() { [ "$(peer_state "$TOR_ROUTER")" = established ]; }
tor_has_vip() {
  local json
  json=$(peer_rib "$TOR_ROUTER" "$VIP_PREFIX") || return 1
  [ "$(json_get present <<<"$json")" = true ]
}
tor_lacks_vip() {
  local json
  json=$(peer_rib "$TOR_ROUTER" "$VIP_PREFIX") || return 1
  [ "$(json_get present <<<"$json")" = false ]
}
tor_vip_json() { peer_rib "$TOR_ROUTER" "$VIP_PREFIX" 2>/dev/null; }

# --- one case ------------------------------------------------------------------
run_case() {
  local router=$1
  TOR_ROUTER=$(tor_for "$router") LOCAL=$(local_for "$router")
  REASON=
  lab_up
  local tordir=$LAB_DIR/tor-$TOR_ROUTER
  peer_start "$TOR_ROUTER" ns="$TOR_NS" dir="$tordir" router_id="$TOR_V4" local_as=$TOR_AS \
    local_addr="$TOR_V4" peer_addr="$NODE_V4" peer_as=$NODE_AS ||
    { REASON="the tor's $TOR_ROUTER did not start"; return 1; }
  "node_${router}_start" || { REASON="the node's $router did not start"; return 1; }
  wait_until "$SESSION_TIMEOUT" 0.5 session_up ||
    { REASON="no BGP session within ${SESSION_TIMEOUT}s (tor says $(peer_state "$TOR_ROUTER"))"; return 1; }
  # Negative control: nothing in table 198 yet, so nothing at the tor.
  sleep 3
  if tor_has_vip; then REASON="the tor has $VIP_PREFIX before any route was written"; return 1; fi

  vip_add || { REASON="could not write the VIP route"; return 1; }
  wait_until 10 0.2 has_table_routes ||
    { REASON="no route of protocol $PROTO in the node's table $TABLE within 10s"; return 1; }
  lab_log "$router: node table $TABLE: $(table_routes | tr '\n' ';')"
  if [ "$LOCAL" = true ]; then
    wait_until 10 0.2 vip_on_lo || { REASON="local: true, but $VIP_PREFIX is not on lo"; return 1; }
  elif vip_on_lo; then
    REASON="local: false, but $VIP_PREFIX is on lo"; return 1
  fi
  wait_until "$ROUTE_TIMEOUT" 0.5 tor_has_vip ||
    { REASON="the tor did not receive $VIP_PREFIX within ${ROUTE_TIMEOUT}s: $(tor_vip_json)"; return 1; }
  local json as_path next_hop
  json=$(tor_vip_json)
  as_path=$(json_get as_path <<<"$json") next_hop=$(json_get next_hop <<<"$json")
  [ "$as_path" = "[$NODE_AS]" ] || { REASON="AS path $as_path, expected [$NODE_AS]"; return 1; }
  [ "$next_hop" = "$NODE_V4" ] || { REASON="next hop $next_hop, expected $NODE_V4"; return 1; }
  lab_log "$router: the tor's $TOR_ROUTER has $VIP_PREFIX: $json"

  vip_remove || { REASON="could not remove the VIP route"; return 1; }
  wait_until 10 0.2 no_table_routes ||
    { REASON="the route stayed in the node's table $TABLE: $(table_routes)"; return 1; }
  wait_until 10 0.2 vip_not_on_lo || { REASON="$VIP_PREFIX stayed on lo"; return 1; }
  wait_until "$ROUTE_TIMEOUT" 0.5 tor_lacks_vip ||
    { REASON="the tor kept $VIP_PREFIX for ${ROUTE_TIMEOUT}s after the route was removed: $(tor_vip_json)"; return 1; }
  lab_log "$router: withdrawn at the tor"

  if [ "$SIMULATE" = 0 ]; then
    # vipd at exit: nothing of protocol 248 left (it is what it removes).
    vip_add_again_and_stop || return 1
  fi
  return 0
}

# vipd only: the VIP back, then SIGTERM: table 198 must be empty after exit.
vip_add_again_and_stop() {
  vipd_config "$VIP" >"$VIPD_DIR/vipd.yaml"
  kill -HUP "$(pidfile_pid "$VIPD_DIR/vipd.pid")"
  wait_until 10 0.2 has_table_routes ||
    { REASON="after a reload with the VIP again, no route in table $TABLE"; return 1; }
  vipd_stop
  [ -z "$(table_routes)" ] || { REASON="vipd left its route at exit: $(table_routes)"; return 1; }
  vip_not_on_lo || { REASON="vipd left $VIP_PREFIX on lo at exit"; return 1; }
}

finish_case() {
  local router=$1
  vipd_stop
  if [ -n "${NODE_ROUTER_DIR:-}" ]; then "node_${router}_stop"; fi
  [ -n "${TOR_ROUTER:-}" ] && peer_stop "$TOR_ROUTER"
  NODE_ROUTER_DIR='' VIPD_DIR=''
  lab_down
}

declare -A RESULT REASONS
rc=0
for router in $ROUTERS; do
  case $router in bird|frr) ;; *) lab_die "unknown router '$router' (bird | frr)" ;; esac
  NODE_ROUTER_DIR=''
  lab_log "== $router in the node (local: $(local_for "$router")), $(tor_for "$router") in the tor$([ "$SIMULATE" = 1 ] && echo ' (--simulate: ip route, not vipd)')"
  if run_case "$router"; then
    RESULT[$router]=PASS
  else
    RESULT[$router]=FAIL REASONS[$router]=$REASON rc=1
    lab_log "$router: FAIL: $REASON"
    [ -n "${NODE_ROUTER_DIR:-}" ] && { lab_log "node $router:"; "node_${router}_show" >&2; }
    for f in $( [ -n "${NODE_ROUTER_DIR:-}" ] && "node_${router}_logs"; [ -n "${VIPD_DIR:-}" ] && echo "$VIPD_DIR/vipd.log"); do
      [ -f "$f" ] && { lab_log "--- $f (last 20 lines)"; tail -n 20 "$f" >&2; }
    done
  fi
  finish_case "$router"
done

mode=vipd; [ "$SIMULATE" = 1 ] && mode="simulate (lab self-test, no vipd)"
echo "table mode, route writer: $mode"
for router in $ROUTERS; do
  printf '%-5s %s%s\n' "$router" "${RESULT[$router]}" "${REASONS[$router]:+: ${REASONS[$router]}}"
done
exit $rc
