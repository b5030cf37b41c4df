# shellcheck shell=bash
# BIRD (Debian's bird2, 2.0.12) as the ToR peer, in a namespace, all state in
# one dir, reached with `birdc -s DIR/bird.ctl`.
#
# - `protocol device` is needed: without it BIRD knows no interface and a
#   directly connected eBGP neighbor is never reachable.
# - `protocol kernel` exports BGP routes to the tor's kernel table, so the FIB
#   can be checked as with FRR (learned routes only; `learn` off).
# - Routes the tor announces to the node come from a static protocol whose
#   routes live in DIR/announce.conf (included); announce/withdraw rewrite
#   that file and run `birdc configure`.

bird_start() {
  local P_ns P_dir P_local_as P_peer_as P_local_addr P_peer_addr P_router_id
  local P_password='' P_ttl_security=0 P_passive=0 P_hold=9 P_gr=1 P_restart_time=120 P_as2=0
  kv_parse P "$@"
  local dir=$P_dir af=ipv4
  is_ipv6 "$P_peer_addr" && af=ipv6
  mkdir -p "$dir"
  BIRD_DIR=$dir BIRD_NS=$P_ns BIRD_PEER=$P_peer_addr BIRD_AF=$af
  : >"$dir/announce.conf"
  cat >"$dir/bird.conf" <<EOF
log "$dir/bird.log" all;
router id $P_router_id;
protocol device { scan time 10; }
protocol kernel {
  $af { import none; export where source = RTS_BGP; };
}
protocol static announce {
  $af;
  include "$dir/announce.conf";
}
protocol bgp node {
  local $P_local_addr as $P_local_as;
  neighbor $P_peer_addr as $P_peer_as;
  hold time $P_hold;
  keepalive time $(( P_hold / 3 > 0 ? P_hold / 3 : 1 ));
  connect retry time 1;
  error wait time 1, 10;
$( [ -n "$P_password" ] && echo "  password \"$P_password\";" )
$( [ "$P_ttl_security" = 1 ] && echo "  ttl security on;" )
$( [ "$P_passive" = 1 ] && echo "  passive on;" )
$( [ "$P_as2" = 1 ] && echo "  enable as4 off;" )
$( if [ "$P_gr" = 1 ]; then echo "  graceful restart on;"; echo "  graceful restart time $P_restart_time;"; fi )
  $af {
    import all;
    export where proto = "announce";
  };
}
EOF
  ip netns exec "$P_ns" bird -c "$dir/bird.conf" -s "$dir/bird.ctl" -P "$dir/bird.pid" \
    >>"$dir/bird.out" 2>&1 || { lab_log "bird: did not start: $(cat "$dir/bird.out")"; return 1; }
  wait_until 10 0.1 test -S "$dir/bird.ctl" || { lab_log "bird: no control socket"; return 1; }
}

bird_stop() {
  [ -n "${BIRD_DIR:-}" ] || return 0
  stop_pids 5 "$(pidfile_pid "$BIRD_DIR/bird.pid")"
}

bird_birdc() { birdc -s "$BIRD_DIR/bird.ctl" "$@"; }

# bird_state: BGP state of protocol "node", lower case.
bird_state() {
  bird_birdc show protocols node 2>/dev/null |
    awk '$1 == "node" { print tolower($6); found=1 } END { if (!found) print "unknown" }'
}

# bird_rib PREFIX: exact-match route, all attributes, normalized. BIRD 2.0
# prints no per-route stale flag; during graceful restart the protocol says
# "Neighbor graceful restart active", and every route of it is stale then.
# Both outputs go to the normalizer, which derives "stale" from the second.
bird_rib() {
  { bird_birdc show route "$1" all; bird_birdc show protocols all node; } 2>/dev/null |
    python3 "$LAB_LIB/normalize_rib.py" bird "$1" "$BIRD_PEER"
}

_bird_reconfigure() {
  bird_birdc configure >/dev/null
}
bird_announce() {
  # Next hop self: BGP to an external neighbor rewrites it to the session's
  # own address, so the static route's next hop only has to be resolvable.
  echo "route $1 unreachable;" >>"$BIRD_DIR/announce.conf"
  _bird_reconfigure
}
bird_withdraw() {
  grep -vF "route $1 unreachable;" "$BIRD_DIR/announce.conf" >"$BIRD_DIR/announce.conf.new" || true
  mv "$BIRD_DIR/announce.conf.new" "$BIRD_DIR/announce.conf"
  _bird_reconfigure
}

bird_fib() { lab_fib "$BIRD_NS" "$1"; }

bird_logs() { echo "$BIRD_DIR/bird.log $BIRD_DIR/bird.out"; }
