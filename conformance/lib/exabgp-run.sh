# shellcheck shell=bash
# ExaBGP (Debian's exabgp, 4.2) with one neighbor, in a namespace, all state
# in one dir. Used twice: as the node's stand-in speaker (speaker.sh) and as
# a ToR peer (peers/exabgp.sh).
#
# Measured pitfalls handled here: exabgp.daemon.user=root (it refuses to run
# as root otherwise, and the packaged "exabgp" user cannot bind port 179),
# exabgp.api.ack=false (otherwise our API process would have to read the
# "done" acknowledgements), exabgp.api.cli=false (the CLI's named pipes live
# in a fixed, shared path). Listening is per neighbor (`listen 179`), so the
# MD5 key is set on the listening socket too; exabgp.tcp.bind stays empty.
#
# GTSM: ExaBGP's `incoming-ttl` is a silent no-op under Debian 12's Python
# 3.11 (no socket.IP_MINTTL); exabgp-launch.py supplies the constant.
#
# What ExaBGP receives goes, as JSON lines, to DIR/received.json through
# exabgp-api.sh; commands appended to DIR/commands are sent to ExaBGP.

# exabgp_run_start key=value...: keys as peer_start (../peer.sh), plus
#   routes="LINE;LINE"  static routes, ExaBGP syntax after "route", e.g.
#                       "10.0.1.100/32 next-hop self med 10"
#   role=               a label for logs
#   listen=1            also listen when not passive (connection collisions)
exabgp_run_start() {
  local E_ns E_dir E_local_as E_peer_as E_local_addr E_peer_addr E_router_id
  local E_password='' E_ttl_security=0 E_passive=0 E_hold=9 E_gr=1 E_restart_time=120 E_as2=0
  local E_routes='' E_role=exabgp E_listen=0
  kv_parse E "$@"
  local dir=$E_dir af=ipv4
  is_ipv6 "$E_peer_addr" && af=ipv6
  mkdir -p "$dir"
  : >"$dir/commands"; : >"$dir/received.json"
  local r
  {
    echo "process api {"
    echo "  run $LAB_LIB/exabgp-api.sh $dir/commands $dir/received.json;"
    echo "  encoder json;"
    echo "}"
    echo "neighbor $E_peer_addr {"
    echo "  router-id $E_router_id;"
    echo "  local-address $E_local_addr;"
    echo "  local-as $E_local_as;"
    echo "  peer-as $E_peer_as;"
    echo "  hold-time $E_hold;"
    [ -n "$E_password" ] && echo "  md5-password \"$E_password\";"
    if [ "$E_ttl_security" = 1 ]; then
      echo "  outgoing-ttl 255;"
      echo "  incoming-ttl 255;"
    fi
    [ "$E_passive" = 1 ] && echo "  passive true;"
    [ "$E_passive" = 1 ] || [ "$E_listen" = 1 ] && echo "  listen 179;"
    echo "  family { $af unicast; }"
    echo "  capability {"
    if [ "$E_gr" = 1 ]; then echo "    graceful-restart $E_restart_time;"; fi
    [ "$E_as2" = 1 ] && echo "    asn4 disable;"
    echo "    route-refresh enable;"
    echo "  }"
    echo "  api {"
    echo "    processes [ api ];"
    echo "    neighbor-changes;"
    echo "    receive { parsed; update; notification; }"
    echo "  }"
    if [ -n "$E_routes" ]; then
      echo "  static {"
      local IFS=';'
      for r in $E_routes; do echo "    route $r;"; done
      echo "  }"
    fi
    echo "}"
  } >"$dir/exabgp.conf"
  env exabgp_daemon_user=root exabgp_daemon_daemonize=false \
      exabgp_daemon_pid="$dir/exabgp.pid" \
      exabgp_api_ack=false exabgp_api_cli=false \
      exabgp_log_destination="$dir/exabgp.log" exabgp_log_level=INFO \
      exabgp_tcp_bind='' exabgp_tcp_port=179 \
    ip netns exec "$E_ns" /usr/bin/python3 "$LAB_LIB/exabgp-launch.py" "$dir/exabgp.conf" >>"$dir/exabgp.out" 2>&1 &
  echo $! >"$dir/launcher.pid"
  disown $!   # no "Killed" job report when it is stopped
  if ! wait_until 15 0.1 test -s "$dir/exabgp.pid"; then
    lab_log "$E_role: exabgp wrote no pid file; see $dir/exabgp.log $dir/exabgp.out"
    return 1
  fi
  if [ "$E_passive" = 1 ] || [ "$E_listen" = 1 ]; then
    local port_re=':179\b'
    wait_until 10 0.1 bash -c "ip netns exec '$E_ns' ss -Hltn | grep -q '$port_re'" ||
      { lab_log "$E_role: exabgp is not listening"; return 1; }
  fi
}

exabgp_run_stop() {
  local dir=$1
  [ -d "$dir" ] || return 0
  stop_pids 5 "$(pidfile_pid "$dir/exabgp.pid")" "$(pidfile_pid "$dir/launcher.pid")"
  # its API process (and the API process's tail) end on EOF; make sure
  stop_pids 2 "$(pidfile_pid "$dir/api.pid")" "$(pidfile_pid "$dir/api-tail.pid")"
}

# exabgp_run_state DIR: "established" once the last neighbor event says "up".
exabgp_run_state() {
  python3 - "$1/received.json" <<'EOF'
import json, sys
state = "idle"
for line in open(sys.argv[1], errors="replace"):
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("type") == "state":
        s = m.get("neighbor", {}).get("state")
        state = "established" if s == "up" else (s or state)
print(state)
EOF
}

# exabgp_run_send DIR COMMAND: send an API command (announce/withdraw ...).
exabgp_run_send() { echo "$2" >>"$1/commands"; }
