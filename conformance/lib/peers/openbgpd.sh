# shellcheck shell=bash
# OpenBGPD (Debian's openbgpd, 7.7 portable) as the ToR peer, in a namespace,
# reached with `bgpctl -s DIR/bgpd.sock`.
#
# Measured pitfalls handled here:
# - its filter denies everything by default: `allow from any`, `allow to any`;
# - it chroots to /run/openbgpd (the _openbgpd user's home), which Debian
#   does not create: created here, empty, root-owned (shared by every run);
# - `socket "PATH"` in the config puts the control socket in the run's dir,
#   so `bgpctl -s PATH` reaches this instance and no other;
# - `fib-update no`: the portable kroute on Linux is not the lab's concern,
#   there is no FIB to check;
# - no `local-address` in the neighbor, or TCP MD5 never works when passive
#   (see below);
# - bgpd -d stays in the foreground (no pid file otherwise); it has a parent,
#   a session engine and a route decision engine: the parent's SIGTERM ends all.

OPENBGPD_CHROOT=/run/openbgpd

openbgpd_start() {
  local P_ns P_dir P_local_as P_peer_as P_local_addr P_peer_addr P_router_id
  local P_password='' P_ttl_security=0 P_passive=0 P_hold=9 P_gr=1 P_restart_time=120 P_as2=0
  kv_parse P "$@"
  local dir=$P_dir af=IPv4
  is_ipv6 "$P_peer_addr" && af=IPv6
  mkdir -p "$dir" "$OPENBGPD_CHROOT"
  OPENBGPD_DIR=$dir OPENBGPD_NS=$P_ns OPENBGPD_PEER=$P_peer_addr
  : >"$dir/networks.conf"
  {
    echo "AS $P_local_as"
    echo "router-id $P_router_id"
    echo "listen on $P_local_addr"
    echo "socket \"$dir/bgpd.sock\""
    echo "fib-update no"
    echo "holdtime $P_hold"
    echo "holdtime min 3"
    echo "neighbor $P_peer_addr {"
    echo "  remote-as $P_peer_as"
    echo "  descr \"node\""
    # No `local-address`: with one, 7.7 portable never puts the MD5 key on
    # the listening socket (its listener-to-peer match compares BSD sa_len,
    # which Linux lacks; the log says "listening on (unknown)"), and a
    # signed SYN is dropped. The kernel picks the same source anyway.
    echo "  holdtime $P_hold"
    [ -n "$P_password" ] && echo "  tcp md5sig password \"$P_password\""
    [ "$P_ttl_security" = 1 ] && echo "  ttl-security yes"
    [ "$P_passive" = 1 ] && echo "  passive"
    [ "$P_as2" = 1 ] && echo "  announce as-4byte no"
    # GR: OpenBGPD has no restart-time setting (restart_time is ignored);
    # it keeps stale routes for the restart time the node announces.
    if [ "$P_gr" = 1 ]; then echo "  announce restart yes"; else echo "  announce restart no"; fi
    if [ "$af" = IPv6 ]; then
      echo "  announce IPv4 none"
      echo "  announce IPv6 unicast"
    else
      echo "  announce IPv4 unicast"
      echo "  announce IPv6 none"
    fi
    echo "}"
    echo "allow from any"
    echo "allow to any"
  } >"$dir/bgpd.conf"
  chmod 600 "$dir/bgpd.conf"
  ip netns exec "$P_ns" bgpd -n -f "$dir/bgpd.conf" >"$dir/configcheck.out" 2>&1 ||
    { lab_log "openbgpd: config refused: $(cat "$dir/configcheck.out")"; return 1; }
  ip netns exec "$P_ns" bgpd -d ${OPENBGPD_VERBOSE:+-v} -f "$dir/bgpd.conf" >>"$dir/bgpd.log" 2>&1 &
  echo $! >"$dir/bgpd.pid"
  disown $!
  wait_until 10 0.1 test -S "$dir/bgpd.sock" || { lab_log "openbgpd: no control socket; see $dir/bgpd.log"; return 1; }
}

openbgpd_stop() {
  [ -n "${OPENBGPD_DIR:-}" ] || return 0
  stop_pids 5 "$(pidfile_pid "$OPENBGPD_DIR/bgpd.pid")"
}

openbgpd_bgpctl() { bgpctl -s "$OPENBGPD_DIR/bgpd.sock" "$@"; }

openbgpd_state() {
  openbgpd_bgpctl -j show neighbor "$OPENBGPD_PEER" 2>/dev/null | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
except ValueError:
    print("unknown"); sys.exit(0)
n = d.get("neighbors", [{}])
print(str(n[0].get("state", "unknown")).lower() if n else "unknown")'
}

# openbgpd_rib PREFIX: the Adj-RIB-In... no: the Loc-RIB ("show rib"), all
# paths, with details, filtered to those from the node.
openbgpd_rib() {
  openbgpd_bgpctl -j show rib detail "$1" 2>/dev/null |
    python3 "$LAB_LIB/normalize_rib.py" openbgpd "$1" "$OPENBGPD_PEER"
}

openbgpd_announce() { openbgpd_bgpctl network add "$1" >/dev/null; }
openbgpd_withdraw() { openbgpd_bgpctl network delete "$1" >/dev/null; }

openbgpd_logs() { echo "$OPENBGPD_DIR/bgpd.log"; }
