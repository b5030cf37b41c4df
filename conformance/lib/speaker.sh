# shellcheck shell=bash
# "The node's speaker": the BGP speaker under test, in the node namespace.
# Today a stand-in (ExaBGP) so the lab can prove itself without vipd; set
# SPEAKER=vipd (and VIPD_BIN, VIPCTL_BIN) to run the real thing. That is the
# one change: the peers (peers/*.sh) and the checks don't know which runs.
#
#   speaker_start key=value...   start it, peering with the tor
#   speaker_stop [graceful]      stop it; "graceful" leaves the peer's routes
#                                as stale (graceful restart): vipd through
#                                `vipctl stop --graceful-restart`, ExaBGP by
#                                SIGKILL (the TCP session ends without a
#                                NOTIFICATION, which starts the peer's GR)
#   speaker_state                the session state (established, ...)
#   speaker_rib_in PREFIX        the route the peer sent, normalized JSON
#                                (see normalize_rib.py)
#   speaker_withdraw_vip PREFIX  stop announcing one VIP: vipd by a config
#                                without it and SIGHUP (a reload), ExaBGP by
#                                an API "withdraw route"
#
# Keys of speaker_start:
#   ns dir router_id local_as local_addr peer_addr peer_as
#   password= ttl_security=0 passive=0 listen=0 hold=9 gr=1 restart_time=120
#   (passive=1: only listen; listen=1: connect and listen, so that both
#   sides may connect at once, a collision)
#   vips="SPEC SPEC..."  SPEC = PREFIX[,community=A:B[+A:B]][,large=A:B:C[+...]][,med=N]
#   e.g. vips="10.0.1.100/32,community=65011:100,large=65011:1:1,med=10"

[ -n "${_LAB_SPEAKER_SH:-}" ] && return 0
_LAB_SPEAKER_SH=1
# shellcheck source=common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"
# shellcheck source=exabgp-run.sh
. "$LAB_LIB/exabgp-run.sh"

SPEAKER=${SPEAKER:-exabgp}

speaker_start() {
  local S_ns S_dir S_router_id S_local_as S_local_addr S_peer_addr S_peer_as
  local S_password='' S_ttl_security=0 S_passive=0 S_listen=0 S_hold=9 S_gr=1 S_restart_time=120 S_vips='' S_as2=0
  kv_parse S "$@"
  SPEAKER_DIR=$S_dir SPEAKER_NS=$S_ns SPEAKER_PEER=$S_peer_addr
  SPEAKER_ARGS=("$@")
  mkdir -p "$S_dir"
  case $SPEAKER in
    exabgp) _speaker_exabgp_start "$@" ;;
    vipd) _speaker_vipd_start ;;
    *) lab_die "unknown SPEAKER '$SPEAKER' (exabgp | vipd)" ;;
  esac
}

speaker_stop() {
  [ -n "${SPEAKER_DIR:-}" ] || return 0
  case $SPEAKER in
    exabgp)
      if [ "${1:-}" = graceful ]; then
        local p; p=$(pidfile_pid "$SPEAKER_DIR/exabgp.pid")
        [ -n "$p" ] && kill -KILL "$p" 2>/dev/null
      fi
      exabgp_run_stop "$SPEAKER_DIR" ;;
    vipd)
      if [ "${1:-}" = graceful ]; then
        ip netns exec "$SPEAKER_NS" "$VIPCTL_BIN" --socket "$SPEAKER_DIR/vipd.sock" stop --graceful-restart || true
        wait_until 10 0.1 bash -c "! kill -0 $(pidfile_pid "$SPEAKER_DIR/vipd.pid") 2>/dev/null"
      fi
      stop_pids 10 "$(pidfile_pid "$SPEAKER_DIR/vipd.pid")" ;;
  esac
}

speaker_state() {
  case $SPEAKER in
    exabgp) exabgp_run_state "$SPEAKER_DIR" ;;
    vipd) ip netns exec "$SPEAKER_NS" "$VIPCTL_BIN" --socket "$SPEAKER_DIR/vipd.sock" --json neighbors 2>/dev/null |
            python3 -c 'import json,sys; d=json.load(sys.stdin); print(str(d[0]["state"]).lower() if d else "idle")' ;;
  esac
}

speaker_rib_in() {
  case $SPEAKER in
    exabgp) python3 "$LAB_LIB/normalize_rib.py" exabgp "$1" "$SPEAKER_PEER" <"$SPEAKER_DIR/received.json" ;;
    vipd) ip netns exec "$SPEAKER_NS" "$VIPCTL_BIN" --socket "$SPEAKER_DIR/vipd.sock" --json rib --in --prefix "$1" 2>/dev/null |
            python3 "$LAB_LIB/normalize_rib.py" vipctl "$1" "$SPEAKER_PEER" ;;
  esac
}

speaker_withdraw_vip() {
  case $SPEAKER in
    exabgp) exabgp_run_send "$SPEAKER_DIR" "withdraw route $1 next-hop self" ;;
    vipd)
      local S_ns S_dir S_router_id S_local_as S_local_addr S_peer_addr S_peer_as
      local S_password='' S_ttl_security=0 S_passive=0 S_listen=0 S_hold=9 S_gr=1 S_restart_time=120 S_vips='' S_as2=0
      kv_parse S "${SPEAKER_ARGS[@]}"
      local spec kept=
      for spec in $S_vips; do [ "${spec%%,*}" = "$1" ] || kept+="${kept:+ }$spec"; done
      S_vips=$kept
      SPEAKER_ARGS+=("vips=$kept")
      _speaker_vipd_config >"$S_dir/vipd.yaml"
      kill -HUP "$(pidfile_pid "$S_dir/vipd.pid")" ;;
  esac
}

speaker_logs() {
  case $SPEAKER in
    exabgp) echo "$SPEAKER_DIR/exabgp.log $SPEAKER_DIR/exabgp.out" ;;
    vipd) echo "$SPEAKER_DIR/vipd.log" ;;
  esac
}

# --- the stand-in: ExaBGP with static routes -------------------------------
_speaker_exabgp_start() {
  local routes='' spec prefix attrs item
  for spec in $S_vips; do
    prefix=${spec%%,*}; attrs=''
    IFS=',' read -r -a items <<<"${spec#"$prefix"}"
    for item in "${items[@]}"; do
      case $item in
        '') ;;
        community=*) attrs+=" community [${item#community=}]" ;;
        large=*) attrs+=" large-community [${item#large=}]" ;;
        med=*) attrs+=" med ${item#med=}" ;;
        *) lab_die "speaker: unknown VIP attribute '$item'" ;;
      esac
    done
    attrs=${attrs//+/ }
    routes+="${routes:+;}$prefix next-hop self$attrs"
  done
  exabgp_run_start "$@" role=speaker routes="$routes"
}

# --- the real thing: vipd --config FILE -----------------------------------
# Writes the config with the keys of ../../../shared/design/interfaces.md and
# issue 3 §4. Not runnable until vipd exists; kept here so that switching is
# SPEAKER=vipd alone.
_speaker_vipd_start() {
  : "${VIPD_BIN:?set VIPD_BIN to the vipd binary}" "${VIPCTL_BIN:?set VIPCTL_BIN to the vipctl binary}"
  local dir=$S_dir
  mkdir -p "$dir/state"
  _speaker_vipd_config >"$dir/vipd.yaml"
  ip netns exec "$S_ns" "$VIPD_BIN" --check-config "$dir/vipd.yaml" >"$dir/check-config.out" 2>&1 ||
    { lab_log "speaker: vipd refused its config: $(cat "$dir/check-config.out")"; return 1; }
  ip netns exec "$S_ns" "$VIPD_BIN" --config "$dir/vipd.yaml" >>"$dir/vipd.log" 2>&1 &
  echo $! >"$dir/vipd.pid"
  disown $!
  wait_until 15 0.1 test -S "$dir/vipd.sock" || { lab_log "speaker: vipd's control socket did not appear"; return 1; }
}

# _speaker_vipd_config: the YAML for the S_* settings, on stdout.
_speaker_vipd_config() {
  local dir=$S_dir fam=ipv4-unicast spec prefix item
  is_ipv6 "$S_peer_addr" && fam=ipv6-unicast
  local keepalive=$(( S_hold / 3 ))
  {
    echo "node_name: lab-node"
    echo "router_id: $S_router_id"
    echo "asn: $S_local_as"
    echo "state_dir: $dir/state"
    echo "control: {socket: $dir/vipd.sock}"
    echo "metrics: {address: \"127.0.0.1:2112\"}"
    echo "interface: ${NODE_IF:-to-tor}"
    [ "$S_passive" = 1 ] || [ "$S_listen" = 1 ] && echo "listen: {address: \"$S_local_addr\", port: 179}"
    echo "peers:"
    echo "  - address: $S_peer_addr"
    echo "    asn: $S_peer_as"
    echo "    passive: $([ "$S_passive" = 1 ] && echo true || echo false)"
    [ -n "$S_password" ] && echo "    password: \"$S_password\""
    echo "    ttl_security: $([ "$S_ttl_security" = 1 ] && echo true || echo false)"
    echo "    hold_time: $S_hold"
    echo "    keepalive: $keepalive"
    echo "    families: [$fam]"
    echo "    graceful_restart: {enabled: $([ "$S_gr" = 1 ] && echo true || echo false), restart_time: $S_restart_time}"
    echo "    source_address: $S_local_addr"
    if [ -z "$S_vips" ]; then echo "vips: []"; else echo "vips:"; fi
    for spec in $S_vips; do
      prefix=${spec%%,*}
      echo "  - address: ${prefix%/*}"
      IFS=',' read -r -a items <<<"${spec#"$prefix"}"
      for item in "${items[@]}"; do
        case $item in
          '') ;;
          community=*) echo "    communities: [\"$(sed 's/+/", "/g' <<<"${item#community=}")\"]" ;;
          large=*) echo "    large_communities: [\"$(sed 's/+/", "/g' <<<"${item#large=}")\"]" ;;
          med=*) echo "    med: ${item#med=}" ;;
        esac
      done
    done
  }
}
