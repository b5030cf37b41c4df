# shellcheck shell=bash
# shellcheck disable=SC2034  # variables set here are read by the scripts that source this
# The ingest benchmark's receivers: vipd, BIRD, FRR (bgpd + zebra), GoBGP,
# each a passive BGP listener in a namespace that accepts the injectors'
# AS, stores what it receives, exports nothing back and installs nothing in
# the kernel (vipd's fib.install is off by default; BIRD has no kernel
# protocol; bgpd runs with -n; GoBGP has no zebra). All state in one dir.
#
#   rcv_start KIND DIR NS LOCAL_ADDR LOCAL_AS PEER_AS HOLD PEER_ADDR...
#       sets RCV_PIDS (the processes whose CPU and memory count), RCV_POLL
#       (the receiver's own CLI command that poll.py runs in NS) and RCV_LOGS
#   rcv_stop KIND DIR    end it (bounded; GoBGP with 1M routes takes > 5 s)
#
# Sourced after common.sh. Needs VIPD_BIN and VIPCTL_BIN for vipd.

[ -n "${_BENCH_RECEIVERS_SH:-}" ] && return 0
_BENCH_RECEIVERS_SH=1

RECEIVER_KINDS="vipd bird frr gobgp"

rcv_start() {
  local kind=$1 dir=$2 ns=$3 local_addr=$4 las=$5 pas=$6 hold=$7; shift 7
  mkdir -p "$dir"
  RCV_PIDS='' RCV_POLL=() RCV_LOGS=''
  case $kind in
    vipd|bird|frr|gobgp) "_rcv_${kind}_start" "$dir" "$ns" "$local_addr" "$las" "$pas" "$hold" "$@" ;;
    *) bench_die "unknown receiver '$kind' (one of: $RECEIVER_KINDS)" ;;
  esac
}

rcv_stop() {
  local kind=$1 dir=$2 pids=()
  case $kind in
    vipd) pids=("$(pidfile_pid "$dir/vipd.pid")") ;;
    bird) pids=("$(pidfile_pid "$dir/bird.pid")") ;;
    frr) pids=("$(pidfile_pid "$dir/bgpd.pid")" "$(pidfile_pid "$dir/zebra.pid")") ;;
    gobgp) pids=("$(pidfile_pid "$dir/gobgpd.pid")") ;;
  esac
  stop_pids 30 "${pids[@]}"
}

# --- vipd ---------------------------------------------------------------
_rcv_vipd_start() {
  local dir=$1 ns=$2 local_addr=$3 las=$4 pas=$5 hold=$6; shift 6
  : "${VIPD_BIN:?}" "${VIPCTL_BIN:?}"
  mkdir -p "$dir/state"
  {
    echo "node_name: bench-receiver"
    echo "router_id: $local_addr"
    echo "asn: $las"
    echo "state_dir: $dir/state"
    echo "control: {socket: $dir/vipd.sock}"
    echo "listen: {address: \"$local_addr\", port: 179}"
    echo "peers:"
    local p
    for p in "$@"; do
      echo "  - address: $p"
      echo "    asn: $pas"
      echo "    passive: true"
      echo "    hold_time: $hold"
    done
    echo "vips: []"
  } >"$dir/vipd.yaml"
  ip netns exec "$ns" "$VIPD_BIN" --check-config "$dir/vipd.yaml" >"$dir/check-config.out" 2>&1 ||
    bench_die "vipd refused the config $dir/vipd.yaml: $(cat "$dir/check-config.out")"
  ip netns exec "$ns" "$VIPD_BIN" --config "$dir/vipd.yaml" >>"$dir/vipd.log" 2>&1 &
  local pid=$!
  bench_track "$pid"
  echo "$pid" >"$dir/vipd.pid"
  wait_until 15 0.05 test -S "$dir/vipd.sock" || bench_die "vipd: no control socket after 15 s; see $dir/vipd.log"
  RCV_PIDS=$pid
  RCV_POLL=("$VIPCTL_BIN" --socket "$dir/vipd.sock" --json neighbors)
  RCV_LOGS="$dir/vipd.log"
}

# --- BIRD 2 -------------------------------------------------------------
_rcv_bird_start() {
  local dir=$1 ns=$2 local_addr=$3 las=$4 pas=$5 hold=$6; shift 6
  local ka=$(( hold / 3 > 0 ? hold / 3 : 1 )) i=0 p
  {
    echo "log \"$dir/bird.log\" { info, remote, warning, error, auth, fatal, bug };"
    echo "router id $local_addr;"
    echo "protocol device { scan time 10; }"
    echo "template bgp injector {"
    echo "  local $local_addr as $las;"
    echo "  passive on;"
    echo "  hold time $hold;"
    echo "  keepalive time $ka;"
    echo "  ipv4 { import all; export none; };"
    echo "}"
    for p in "$@"; do
      echo "protocol bgp inj$i from injector { neighbor $p as $pas; }"
      i=$((i + 1))
    done
  } >"$dir/bird.conf"
  ip netns exec "$ns" bird -c "$dir/bird.conf" -s "$dir/bird.ctl" -P "$dir/bird.pid" >>"$dir/bird.out" 2>&1 ||
    bench_die "bird did not start: $(cat "$dir/bird.out")"
  wait_until 10 0.05 test -s "$dir/bird.pid" || bench_die "bird: no pid file"
  bench_track "$(pidfile_pid "$dir/bird.pid")"
  wait_until 10 0.05 test -S "$dir/bird.ctl" || bench_die "bird: no control socket"
  RCV_PIDS=$(pidfile_pid "$dir/bird.pid")
  RCV_POLL=(birdc -s "$dir/bird.ctl" show protocols all)
  RCV_LOGS="$dir/bird.log $dir/bird.out"
}

# --- FRR (zebra + bgpd) ---------------------------------------------------
_rcv_frr_start() {
  local dir=$1 ns=$2 local_addr=$3 las=$4 pas=$5 hold=$6; shift 6
  local ka=$(( hold / 3 > 0 ? hold / 3 : 1 )) p
  {
    echo "hostname bench-receiver"
    echo "log file $dir/bgpd.log notifications"
    echo "router bgp $las"
    echo " bgp router-id $local_addr"
    echo " no bgp ebgp-requires-policy"
    echo " no bgp default ipv4-unicast"
    echo " timers bgp $ka $hold"
    echo " neighbor INJ peer-group"
    echo " neighbor INJ remote-as $pas"
    echo " neighbor INJ passive"
    echo " neighbor INJ timers $ka $hold"
    for p in "$@"; do echo " neighbor $p peer-group INJ"; done
    echo " address-family ipv4 unicast"
    echo "  neighbor INJ activate"
    echo "  neighbor INJ route-map BENCH-NONE out"
    echo " exit-address-family"
    echo "route-map BENCH-NONE deny 10"
  } >"$dir/bgpd.conf"
  { echo "hostname bench-receiver"; echo "log file $dir/zebra.log notifications"; } >"$dir/zebra.conf"
  chown -R frr:frr "$dir"
  chmod 750 "$dir"
  ip netns exec "$ns" /usr/lib/frr/zebra -d -u frr -g frr -f "$dir/zebra.conf" \
    -i "$dir/zebra.pid" -z "$dir/zserv.api" --vty_socket "$dir" -P 0 >>"$dir/frr.out" 2>&1 ||
    bench_die "frr: zebra did not start: $(cat "$dir/frr.out")"
  wait_until 10 0.05 test -s "$dir/zebra.pid" && bench_track "$(pidfile_pid "$dir/zebra.pid")"
  wait_until 10 0.05 test -S "$dir/zserv.api" || bench_die "frr: no zserv socket"
  # -n: no FIB install (vipd and BIRD install nothing here either).
  ip netns exec "$ns" /usr/lib/frr/bgpd -d -n -u frr -g frr -f "$dir/bgpd.conf" \
    -i "$dir/bgpd.pid" -z "$dir/zserv.api" --vty_socket "$dir" -P 0 >>"$dir/frr.out" 2>&1 ||
    bench_die "frr: bgpd did not start: $(cat "$dir/frr.out")"
  wait_until 10 0.05 test -s "$dir/bgpd.pid" && bench_track "$(pidfile_pid "$dir/bgpd.pid")"
  wait_until 10 0.05 test -S "$dir/bgpd.vty" || bench_die "frr: no bgpd vty socket"
  RCV_PIDS="$(pidfile_pid "$dir/bgpd.pid") $(pidfile_pid "$dir/zebra.pid")"
  RCV_POLL=(vtysh --vty_socket "$dir" -c 'show bgp ipv4 unicast summary json')
  RCV_LOGS="$dir/bgpd.log $dir/zebra.log $dir/frr.out"
}

# --- GoBGP --------------------------------------------------------------
_rcv_gobgp_start() {
  local dir=$1 ns=$2 local_addr=$3 las=$4 pas=$5 hold=$6; shift 6
  local ka=$(( hold / 3 > 0 ? hold / 3 : 1 )) p
  {
    echo "[global.config]"
    echo "  as = $las"
    echo "  router-id = \"$local_addr\""
    echo "  port = 179"
    echo "  local-address-list = [\"$local_addr\"]"
    echo "[global.apply-policy.config]"
    echo "  default-export-policy = \"reject-route\""
    for p in "$@"; do
      echo "[[neighbors]]"
      echo "  [neighbors.config]"
      echo "    neighbor-address = \"$p\""
      echo "    peer-as = $pas"
      echo "  [neighbors.timers.config]"
      echo "    hold-time = $hold"
      echo "    keepalive-interval = $ka"
      echo "  [neighbors.transport.config]"
      echo "    passive-mode = true"
      echo "    local-address = \"$local_addr\""
      echo "  [[neighbors.afi-safis]]"
      echo "    [neighbors.afi-safis.config]"
      echo "      afi-safi-name = \"ipv4-unicast\""
    done
  } >"$dir/gobgpd.toml"
  ip netns exec "$ns" gobgpd -f "$dir/gobgpd.toml" -t toml -p -l warn \
    --api-hosts 127.0.0.1:50051 --pprof-disable >>"$dir/gobgpd.log" 2>&1 &
  local pid=$!
  bench_track "$pid"
  echo "$pid" >"$dir/gobgpd.pid"
  local g=(ip netns exec "$ns" gobgp -u 127.0.0.1 -p 50051)
  wait_until 15 0.1 "${g[@]}" global || bench_die "gobgp: API did not answer; see $dir/gobgpd.log"
  wait_until 15 0.1 bash -c "$(printf '%q ' "${g[@]}") neighbor | grep -F '$1' >/dev/null" ||
    bench_die "gobgp: neighbors not configured; see $dir/gobgpd.log"
  RCV_PIDS=$pid
  RCV_POLL=(gobgp -u 127.0.0.1 -p 50051 neighbor -j)
  RCV_LOGS="$dir/gobgpd.log"
}
