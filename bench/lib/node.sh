# shellcheck shell=bash
# shellcheck disable=SC2034  # variables set here are read by the scripts that source this
# The announcing side, for bench/announce-latency.sh and bench/idle-rss.sh:
# a "node" namespace with vipd (or BIRD) that connects to listen-only
# collectors (inject.py collect) in a "peer" namespace.
#
#   node_pair_up K             namespaces NODE_NS and PEER_NS, a veth
#                              (node0 10.255.0.1/24, peer0 10.255.0.2..K+1)
#   collector_start I DIR      collector I (address 10.255.0.(2+I)), AS 65001
#   node_vipd_start DIR HOLD PEERS VIP...   vipd, AS 65000, connecting to
#                              PEERS collectors, with the VIPs in its config
#   node_bird_start DIR HOLD PEERS PREFIX...  the same with BIRD: a static
#                              protocol with the prefixes, exported to them
#   node_established KIND DIR PEERS   true when all sessions are Established
#   collectors_listening K     true when the K collectors listen on port 179
#
# node_*_start set NODE_PID, and NODE_SPAWN_T: the wall clock
# ($EPOCHREALTIME, the clock of the collectors' logs) just before the
# daemon's process is spawned. For BIRD, optional: NODE_BIRD_FOREGROUND=1
# runs it with -f (NODE_PID is then the process spawned, and its CPU counts
# the config parsing a daemonizing BIRD does in the parent), and
# NODE_BIRD_BGP_EXTRA, lines added to the BGP template.
#
# Sourced after common.sh.

[ -n "${_BENCH_NODE_SH:-}" ] && return 0
_BENCH_NODE_SH=1

NODE_ADDR=10.255.0.1
NODE_AS=65000
PEER_AS=65001

peer_addr() { echo "10.255.0.$((2 + $1))"; }

node_pair_up() {
  local k=$1 addrs=() i
  NODE_NS=vb-$BENCH_ID-node PEER_NS=vb-$BENCH_ID-peer
  ns_new "$NODE_NS"
  ns_new "$PEER_NS"
  for i in $(seq 0 $((k - 1))); do addrs+=("$(peer_addr "$i")/24"); done
  veth_pair "$NODE_NS" node0 "$NODE_ADDR/24" "$PEER_NS" peer0 "${addrs[@]}"
  wait_until 5 0.05 ip netns exec "$PEER_NS" ping -c1 -W1 -q "$NODE_ADDR" || bench_die "no reachability peer -> node"
}

collector_start() {
  local i=$1 dir=$2
  ip netns exec "$PEER_NS" "$PYTHON" "$BENCH_DIR/inject.py" collect --local "$(peer_addr "$i")" --peer "$NODE_ADDR" \
    --asn "$PEER_AS" --hold 90 --log "$dir/collector-$i.updates.jsonl" --est "$dir/collector-$i.est.json" \
    --out "$dir/collector-$i.json" --max-seconds 900 >"$dir/collector-$i.out" 2>&1 &
  bench_track "$!"
  COLLECTOR_PIDS+=("$!")
}

node_vipd_start() {
  local dir=$1 hold=$2 peers=$3; shift 3
  : "${VIPD_BIN:?}" "${VIPCTL_BIN:?}"
  mkdir -p "$dir/state"
  {
    echo "node_name: bench-node"
    echo "router_id: $NODE_ADDR"
    echo "asn: $NODE_AS"
    echo "state_dir: $dir/state"
    echo "control: {socket: $dir/vipd.sock}"
    echo "peers:"
    local i v
    for i in $(seq 0 $((peers - 1))); do
      echo "  - address: $(peer_addr "$i")"
      echo "    asn: $PEER_AS"
      echo "    hold_time: $hold"
      echo "    source_address: $NODE_ADDR"
    done
    if [ $# -eq 0 ]; then echo "vips: []"; else echo "vips:"; fi
    for v in "$@"; do echo "  - $v"; done
  } >"$dir/vipd.yaml"
  ip netns exec "$NODE_NS" "$VIPD_BIN" --check-config "$dir/vipd.yaml" >"$dir/check-config.out" 2>&1 ||
    bench_die "vipd refused the config $dir/vipd.yaml: $(cat "$dir/check-config.out")"
  NODE_SPAWN_T=$EPOCHREALTIME
  ip netns exec "$NODE_NS" "$VIPD_BIN" --config "$dir/vipd.yaml" >>"$dir/vipd.log" 2>&1 &
  NODE_PID=$!
  bench_track "$NODE_PID"
  wait_until 15 0.05 test -S "$dir/vipd.sock" || bench_die "vipd: no control socket; see $dir/vipd.log"
}

node_bird_start() {
  local dir=$1 hold=$2 peers=$3; shift 3
  local ka=$(( hold / 3 > 0 ? hold / 3 : 1 )) i p
  {
    echo "log \"$dir/bird.log\" { info, remote, warning, error, auth, fatal, bug };"
    echo "router id $NODE_ADDR;"
    echo "protocol device { scan time 10; }"
    echo "protocol static vips {"
    echo "  ipv4;"
    for p in "$@"; do echo "  route $p unreachable;"; done
    echo "}"
    echo "template bgp collector {"
    echo "  local $NODE_ADDR as $NODE_AS;"
    echo "  hold time $hold;"
    echo "  keepalive time $ka;"
    echo "  connect retry time 1;"
    echo "  ipv4 { import all; export where proto = \"vips\"; };"
    [ -z "${NODE_BIRD_BGP_EXTRA:-}" ] || echo "  $NODE_BIRD_BGP_EXTRA"
    echo "}"
    for i in $(seq 0 $((peers - 1))); do echo "protocol bgp c$i from collector { neighbor $(peer_addr "$i") as $PEER_AS; }"; done
  } >"$dir/bird.conf"
  if [ "${NODE_BIRD_FOREGROUND:-0}" = 1 ]; then
    bird -p -c "$dir/bird.conf" >"$dir/bird.out" 2>&1 || bench_die "bird refused $dir/bird.conf: $(cat "$dir/bird.out")"
    NODE_SPAWN_T=$EPOCHREALTIME
    ip netns exec "$NODE_NS" bird -f -c "$dir/bird.conf" -s "$dir/bird.ctl" -P "$dir/bird.pid" >>"$dir/bird.out" 2>&1 &
    NODE_PID=$!
    bench_track "$NODE_PID"
    wait_until 10 0.05 test -s "$dir/bird.pid" || bench_die "bird: no pid file; see $dir/bird.out"
  else
    NODE_SPAWN_T=$EPOCHREALTIME
    ip netns exec "$NODE_NS" bird -c "$dir/bird.conf" -s "$dir/bird.ctl" -P "$dir/bird.pid" >>"$dir/bird.out" 2>&1 ||
      bench_die "bird did not start: $(cat "$dir/bird.out")"
    wait_until 10 0.05 test -s "$dir/bird.pid" || bench_die "bird: no pid file"
    NODE_PID=$(pidfile_pid "$dir/bird.pid")
    bench_track "$NODE_PID"
  fi
  wait_until 10 0.05 test -S "$dir/bird.ctl" || bench_die "bird: no control socket"
}

node_established() {
  local kind=$1 dir=$2 peers=$3
  case $kind in
    vipd) "$VIPCTL_BIN" --socket "$dir/vipd.sock" --json neighbors 2>/dev/null |
            "$PYTHON" -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if sum(1 for n in d if str(n.get("state")).lower()=="established") >= int(sys.argv[1]) else 1)' "$peers" ;;
    bird) [ "$(birdc -s "$dir/bird.ctl" show protocols 2>/dev/null | awk '$2 == "BGP" && $6 == "Established"' | wc -l)" -ge "$peers" ] ;;
  esac
}

collectors_listening() {
  local k=$1 i n=0 ls
  ls=$(ip netns exec "$PEER_NS" ss -Hltn 'sport = :179' 2>/dev/null) || return 1
  for i in $(seq 0 $((k - 1))); do
    grep -qF "$(peer_addr "$i"):179 " <<<"$ls" && n=$((n + 1))
  done
  [ "$n" -ge "$k" ]
}
