# shellcheck shell=bash
# GoBGP (Debian's gobgpd, 3.10) as the ToR peer, in a namespace, state in one
# dir. Its gRPC API listens on 127.0.0.1:50051 *inside* the namespace (the
# namespace's own loopback, brought up by netns.sh), so the `gobgp` CLI runs
# under `ip netns exec` too. pprof is off (it would take localhost:6060).
#
# GoBGP installs nothing in the kernel (no zebra here): there is no FIB to
# check. It has no switch to turn the 4-octet AS capability off (as2 refused).

gobgp_start() {
  local P_ns P_dir P_local_as P_peer_as P_local_addr P_peer_addr P_router_id
  local P_password='' P_ttl_security=0 P_passive=0 P_hold=9 P_gr=1 P_restart_time=120 P_as2=0
  kv_parse P "$@"
  [ "$P_as2" = 1 ] && { lab_log "gobgp: cannot drop the 4-octet AS capability"; return 1; }
  local dir=$P_dir af=ipv4
  is_ipv6 "$P_peer_addr" && af=ipv6
  mkdir -p "$dir"
  GOBGP_DIR=$dir GOBGP_NS=$P_ns GOBGP_PEER=$P_peer_addr GOBGP_AF=$af
  local keepalive=$(( P_hold / 3 > 0 ? P_hold / 3 : 1 ))
  {
    echo "[global.config]"
    echo "  as = $P_local_as"
    echo "  router-id = \"$P_router_id\""
    echo "  port = 179"
    echo "  local-address-list = [\"$P_local_addr\"]"
    echo "[[neighbors]]"
    echo "  [neighbors.config]"
    echo "    neighbor-address = \"$P_peer_addr\""
    echo "    peer-as = $P_peer_as"
    [ -n "$P_password" ] && echo "    auth-password = \"$P_password\""
    echo "  [neighbors.timers.config]"
    echo "    hold-time = $P_hold"
    echo "    keepalive-interval = $keepalive"
    echo "    connect-retry = 1"
    echo "  [neighbors.transport.config]"
    echo "    local-address = \"$P_local_addr\""
    [ "$P_passive" = 1 ] && echo "    passive-mode = true"
    if [ "$P_ttl_security" = 1 ]; then
      echo "  [neighbors.ttl-security.config]"
      echo "    enabled = true"
      echo "    ttl-min = 255"
    fi
    if [ "$P_gr" = 1 ]; then
      echo "  [neighbors.graceful-restart.config]"
      echo "    enabled = true"
      echo "    restart-time = $P_restart_time"
    fi
    echo "  [[neighbors.afi-safis]]"
    echo "    [neighbors.afi-safis.config]"
    echo "      afi-safi-name = \"$af-unicast\""
    if [ "$P_gr" = 1 ]; then
      echo "    [neighbors.afi-safis.mp-graceful-restart.config]"
      echo "      enabled = true"
    fi
  } >"$dir/gobgpd.toml"
  ip netns exec "$P_ns" gobgpd -f "$dir/gobgpd.toml" -t toml -p -l info \
    --api-hosts 127.0.0.1:50051 --pprof-disable >>"$dir/gobgpd.log" 2>&1 &
  echo $! >"$dir/gobgpd.pid"
  disown $!
  wait_until 10 0.2 gobgp_cli global || { lab_log "gobgp: API did not answer; see $dir/gobgpd.log"; return 1; }
  # The config is read a moment after the API is up; wait for the neighbor.
  wait_until 10 0.2 bash -c "ip netns exec '$P_ns' gobgp -u 127.0.0.1 -p 50051 neighbor | grep -qF '$P_peer_addr'" ||
    { lab_log "gobgp: neighbor not configured; see $dir/gobgpd.log"; return 1; }
}

gobgp_stop() {
  [ -n "${GOBGP_DIR:-}" ] || return 0
  stop_pids 10 "$(pidfile_pid "$GOBGP_DIR/gobgpd.pid")"
}

gobgp_cli() { ip netns exec "$GOBGP_NS" gobgp -u 127.0.0.1 -p 50051 "$@"; }

gobgp_state() {
  gobgp_cli neighbor "$GOBGP_PEER" -j 2>/dev/null | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
except ValueError:
    print("unknown"); sys.exit(0)
s = d.get("state", {}).get("session_state", "unknown")
names = {1: "idle", 2: "connect", 3: "active", 4: "opensent", 5: "openconfirm", 6: "established"}
print(names.get(s, str(s)).lower())'
}

# gobgp_rib PREFIX: the route from the node in GoBGP's global RIB (stale
# paths stay there during graceful restart, flagged "stale").
gobgp_rib() {
  local af=ipv4; is_ipv6 "$1" && af=ipv6
  gobgp_cli global rib "$1" -a "$af" -j 2>/dev/null |
    python3 "$LAB_LIB/normalize_rib.py" gobgp "$1" "$GOBGP_PEER"
}

gobgp_announce() {
  local af=ipv4; is_ipv6 "$1" && af=ipv6
  gobgp_cli global rib add "$1" -a "$af" >/dev/null
}
gobgp_withdraw() {
  local af=ipv4; is_ipv6 "$1" && af=ipv6
  gobgp_cli global rib del "$1" -a "$af" >/dev/null
}

gobgp_logs() { echo "$GOBGP_DIR/gobgpd.log"; }
