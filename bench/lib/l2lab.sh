# shellcheck shell=bash
# shellcheck disable=SC2034  # variables set here are read by the scripts that source this
# The layer-2 failover lab (issue 6): three nodes that share a VIP on a LAN,
# a three-member etcd on a separate control network, a client probing the
# VIP, and an address monitor in every node. Used by bench/failover.sh and
# conformance/layer2-election.sh.
#
#   switch  L2_NS_SW   bridges: lan (10.77.0.0/24, fd77::/64), ctl (10.78.0.0/24)
#   nodes   L2_NS_n1..n3  lan0 10.77.0.11-13 fd77::11-13, ctl0 10.78.0.11-13
#   etcd    L2_NS_e1..e3  ctl0 10.78.0.1-3 (client :2379, peer :2380)
#   client  L2_NS_cl   lan0 10.77.0.50 fd77::50
#   VIP     10.77.0.100 (and fd77::100), owned by one node's lan0
#
# Namespace names start with l2-$$ (the sourcing shell's PID), so two runs
# never collide. All state (configs, data dirs, logs) lives in BENCH_TMP.
# Cleanup is bench/lib/common.sh's trap (bench_init): every process started
# here is tracked (bench_track) and every namespace made here is deleted,
# with whatever still runs in it, on EXIT, INT and TERM. Every wait is
# bounded (wait_until).
#
#   l2_up                        the topology, and an address monitor per node
#   l2_etcd_start [fast|default] three members; fast = --heartbeat-interval 20
#                                --election-timeout 200 (the bench's)
#   l2_etcd_leader               e1|e2|e3: the raft leader member
#   l2_etcd_kill M / l2_etcd_restart M / l2_etcd_kill_leader (prints it)
#   l2_owners                    nodes whose lan0 holds the VIP (one a line)
#   l2_wait_owner TIMEOUT [NOT]  until exactly one node (other than NOT)
#                                owns the VIP; prints it
#   l2_cut N / l2_heal N         node N's ctl link down/up (cut off from etcd only)
#   l2_crash N                   SIGKILL N's daemon and set its lan0 down
#   l2_crash_keep_link N         SIGKILL N's daemon only (address left behind)
#   l2_link_up N                 lan0 up again
#   l2_probe_start LOG / l2_probe_stop   the client's prober (l2tool.py probe)
#   l2_keepalived_start N ADVERT / l2_vipd_start N [TTL] [HEALTH]
#   l2_daemon_stop N [SIG]       stop node N's daemon (SIGTERM by default)
#   l2_health_start N / l2_health_fail N / l2_health_ok N
#   l2_mac N                     the MAC of node N's lan0
#
# Sourced after bench/lib/common.sh, once bench_init has run.

[ -n "${_BENCH_L2LAB_SH:-}" ] && return 0
_BENCH_L2LAB_SH=1

L2_TOOL=${L2_TOOL:-$BENCH_DIR/l2tool.py}
L2_PFX=l2-$$
L2_NS_SW=$L2_PFX-sw
L2_NS_cl=$L2_PFX-cl
L2_NODES=(n1 n2 n3)
L2_MEMBERS=(e1 e2 e3)
L2_VIP=10.77.0.100
L2_VIP6=fd77::100
L2_IF=lan0
L2_HEALTH_PORT=18080
L2_ETCD_ENDPOINTS="http://10.78.0.1:2379,http://10.78.0.2:2379,http://10.78.0.3:2379"
declare -A L2_DPID=()      # node -> daemon PIDs (the spawned one, plus keepalived's children)
declare -A L2_DKIND=()     # node -> keepalived | vipd
declare -A L2_EPID=()      # etcd member -> PID
declare -A L2_HPID=()      # node -> health server PID
L2_ETCD_MODE=fast
L2_PROBE_PID=''

l2_ns() { local v="L2_NS_$1"; echo "${!v:-$L2_PFX-$1}"; }
l2_idx() { echo "${1#?}"; }   # n2 -> 2, e3 -> 3
l2_node_addr() { echo "10.77.0.1$(l2_idx "$1")"; }
l2_node_ctl() { echo "10.78.0.1$(l2_idx "$1")"; }
l2_member_addr() { echo "10.78.0.$(l2_idx "$1")"; }
l2_dir() { mkdir -p "$BENCH_TMP/$1"; echo "$BENCH_TMP/$1"; }
l2_now() { echo "$EPOCHREALTIME"; }

_l2_sysctls() {
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
    net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
}

# _l2_port NS IF_IN_NS ADDR... BRIDGE SWPORT: a veth from NS into a bridge.
_l2_port() {
  local ns=$1 ifn=$2 br=$3 swp=$4; shift 4
  ip -n "$L2_NS_SW" link add "$swp" type veth peer name "$ifn" netns "$ns" || bench_die "veth $swp failed"
  ip -n "$L2_NS_SW" link set "$swp" master "$br"
  ip -n "$L2_NS_SW" link set "$swp" up
  local a
  for a in "$@"; do
    if [[ $a == *:* ]]; then ip -n "$ns" addr add "$a" dev "$ifn" nodad; else ip -n "$ns" addr add "$a" dev "$ifn"; fi
  done
  ip -n "$ns" link set "$ifn" up
}

l2_up() {
  command -v etcd >/dev/null || bench_die "etcd is not installed"
  ns_new "$L2_NS_SW"; _l2_sysctls "$L2_NS_SW"
  local br n m
  for br in lan ctl; do
    ip -n "$L2_NS_SW" link add "$br" type bridge stp_state 0 forward_delay 0 || bench_die "bridge $br failed"
    ip -n "$L2_NS_SW" link set "$br" up
  done
  for n in "${L2_NODES[@]}"; do
    ns_new "$(l2_ns "$n")"; _l2_sysctls "$(l2_ns "$n")"
    _l2_port "$(l2_ns "$n")" lan0 lan "$n-lan" "$(l2_node_addr "$n")/24" "fd77::1$(l2_idx "$n")/64"
    _l2_port "$(l2_ns "$n")" ctl0 ctl "$n-ctl" "$(l2_node_ctl "$n")/24"
  done
  for m in "${L2_MEMBERS[@]}"; do
    ns_new "$(l2_ns "$m")"; _l2_sysctls "$(l2_ns "$m")"
    _l2_port "$(l2_ns "$m")" ctl0 ctl "$m-ctl" "$(l2_member_addr "$m")/24"
  done
  ns_new "$L2_NS_cl"; _l2_sysctls "$L2_NS_cl"
  _l2_port "$L2_NS_cl" lan0 lan cl-lan 10.77.0.50/24 fd77::50/64
  for n in "${L2_NODES[@]}"; do
    wait_until 5 0.1 ip netns exec "$L2_NS_cl" ping -c1 -W1 -q "$(l2_node_addr "$n")" ||
      bench_die "client cannot reach $n on the lan"
    wait_until 5 0.1 ip netns exec "$(l2_ns "$n")" ping -c1 -W1 -q 10.78.0.1 ||
      bench_die "$n cannot reach e1 on ctl"
  done
  l2_monitors_start
  bench_log "l2 lab up: $L2_PFX-{sw,n1,n2,n3,e1,e2,e3,cl}, state in $BENCH_TMP"
}

# --------------------------------------------------------------- monitors
# One `ip -ts monitor address link` per node (stdbuf: line-buffered).
l2_monitors_start() {
  local n
  for n in "${L2_NODES[@]}"; do
    ip netns exec "$(l2_ns "$n")" stdbuf -oL ip -ts monitor address link >"$(l2_dir mon)/$n.mon" 2>&1 &
    bench_track $!
  done
  sleep 0.2   # let them subscribe before anything changes
}
l2_monitor_logs() { local n; for n in "${L2_NODES[@]}"; do echo "$n=$BENCH_TMP/mon/$n.mon"; done; }
# l2_owners_report [tool options]: the owner checker over all nodes' logs (JSON)
l2_owners_report() {
  # shellcheck disable=SC2046
  "$PYTHON" "$L2_TOOL" owners "$L2_VIP" $(l2_monitor_logs) --json "$@"
}

# --------------------------------------------------------------- etcd
l2_etcd_member_start() {
  local m=$1 a d flags=()
  a=$(l2_member_addr "$m")
  d=$(l2_dir "etcd/$m")
  [ "$L2_ETCD_MODE" = fast ] && flags=(--heartbeat-interval 20 --election-timeout 200)
  ip netns exec "$(l2_ns "$m")" etcd --name "$m" --data-dir "$d/data" \
    --listen-client-urls "http://$a:2379" --advertise-client-urls "http://$a:2379" \
    --listen-peer-urls "http://$a:2380" --initial-advertise-peer-urls "http://$a:2380" \
    --initial-cluster "e1=http://10.78.0.1:2380,e2=http://10.78.0.2:2380,e3=http://10.78.0.3:2380" \
    --initial-cluster-token "$L2_PFX" --initial-cluster-state new "${flags[@]}" \
    >>"$d/etcd.log" 2>&1 &
  L2_EPID[$m]=$!
  bench_track $!
}
l2_etcdctl() { ip netns exec "$(l2_ns e1)" env ETCDCTL_API=3 etcdctl --endpoints="$L2_ETCD_ENDPOINTS" --dial-timeout=1s --command-timeout=2s "$@"; }
# from a given member's namespace (for when e1 is down)
l2_etcdctl_from() { local m=$1; shift; ip netns exec "$(l2_ns "$m")" env ETCDCTL_API=3 etcdctl --endpoints="$L2_ETCD_ENDPOINTS" --dial-timeout=1s --command-timeout=2s "$@"; }
_l2_etcd_healthy() {
  local m out
  for m in "${L2_MEMBERS[@]}"; do
    out=$(ip netns exec "$(l2_ns "$m")" env ETCDCTL_API=3 etcdctl --endpoints="http://$(l2_member_addr "$m"):2379" \
      --dial-timeout=1s --command-timeout=1s endpoint health 2>&1) || return 1
    [[ $out == *"is healthy"* ]] || return 1
  done
}
l2_etcd_start() {
  L2_ETCD_MODE=${1:-fast}
  local m
  for m in "${L2_MEMBERS[@]}"; do l2_etcd_member_start "$m"; done
  wait_until 30 0.2 _l2_etcd_healthy || bench_die "etcd not healthy after 30 s (logs in $BENCH_TMP/etcd)"
  bench_log "etcd up ($L2_ETCD_MODE timings): $L2_ETCD_ENDPOINTS"
}
# l2_etcd_leader: the member (e1..e3) whose leader is its own member id
l2_etcd_leader() {
  local m ep
  for m in "${L2_MEMBERS[@]}"; do
    pids_alive "${L2_EPID[$m]:-0}" || continue
    ep=$(l2_etcdctl_from "$m" endpoint status -w json 2>/dev/null | "$PYTHON" "$L2_TOOL" etcd-leader) || continue
    case $ep in *//10.78.0.1:*) echo e1 ;; *//10.78.0.2:*) echo e2 ;; *//10.78.0.3:*) echo e3 ;; *) continue ;; esac
    return 0
  done
  return 1
}
# l2_etcd_kill_leader: SIGKILL the raft leader member; prints its name
l2_etcd_kill_leader() { local m; m=$(l2_etcd_leader) || return 1; l2_etcd_kill "$m"; echo "$m"; }
l2_etcd_kill() { kill -KILL "${L2_EPID[$1]}" 2>/dev/null; wait "${L2_EPID[$1]}" 2>/dev/null || true; }
l2_etcd_restart() {
  l2_etcd_member_start "$1"
  wait_until 20 0.2 _l2_etcd_healthy || bench_log "warning: etcd not healthy 20 s after restarting $1"
}

# --------------------------------------------------------------- VIP state
l2_has_vip() {   # NODE: true when its lan0 holds the VIP
  ip -n "$(l2_ns "$1")" -j addr show dev "$L2_IF" 2>/dev/null |
    "$PYTHON" -c 'import json,sys; v=sys.argv[1]; sys.exit(0 if any(a.get("local")==v for i in json.load(sys.stdin) for a in i.get("addr_info",[])) else 1)' "$L2_VIP"
}
# l2_owners: the nodes that hold the VIP on an up lan0 (a node whose link is
# down, after l2_crash, answers nobody, so it owns nothing)
l2_owners() { local n; for n in "${L2_NODES[@]}"; do l2_has_vip "$n" && l2_link_is_up "$n" && echo "$n"; done; return 0; }
l2_link_is_up() { local l re='[<,]UP[,>]'; l=$(ip -n "$(l2_ns "$1")" -o link show dev "$L2_IF" 2>/dev/null); [[ $l =~ $re ]]; }
_l2_one_owner() {  # [NOT]: exactly one owner, not NOT, its link up
  local o
  o=$(l2_owners)
  [ -n "$o" ] && [ "$(echo "$o" | wc -l)" = 1 ] && [ "$o" != "${1:-}" ]
}
# l2_wait_owner TIMEOUT [NOT]: prints the one owner
l2_wait_owner() {
  wait_until "$1" 0.02 _l2_one_owner "${2:-}" || return 1
  l2_owners
}
# _l2_owner_other_than N: some node other than N holds the VIP (N may still hold it)
# (no pipe into grep -q: under pipefail its early exit can fail the pipe)
_l2_owner_other_than() { local o; o=$(l2_owners); grep -qvx "$1" <<<"$o"; }
l2_mac() { ip -n "$(l2_ns "$1")" -j link show dev "$L2_IF" | json_list_get address; }
json_list_get() { "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)[0].get(sys.argv[1],""))' "$1"; }
# l2_client_neigh: the client's neighbour entry for the VIP: "MAC STATE"
l2_client_neigh() {
  ip -n "$L2_NS_cl" -j neigh show "$L2_VIP" dev lan0 |
    "$PYTHON" -c 'import json,sys; l=json.load(sys.stdin); print("%s %s" % (l[0].get("lladdr","-"), ",".join(l[0].get("state",[]))) if l else "")'
}
l2_vip_clear() {   # remove the VIP from every node (lab reset between trials)
  local n
  for n in "${L2_NODES[@]}"; do
    ip -n "$(l2_ns "$n")" addr show dev "$L2_IF" | awk -v v="$L2_VIP" '$1=="inet" && $2 ~ "^"v"/" {print $2}' |
      while read -r a; do ip -n "$(l2_ns "$n")" addr del "$a" dev "$L2_IF"; done
  done
}

# --------------------------------------------------------------- faults
l2_cut()  { ip -n "$(l2_ns "$1")" link set ctl0 down; }
l2_heal() { ip -n "$(l2_ns "$1")" link set ctl0 up; }
l2_link_up() { ip -n "$(l2_ns "$1")" link set "$L2_IF" up; }
_l2_kill_daemon() {
  # Children first, in one kill(1): keepalived's VRRP child would otherwise
  # see its parent die and resign (priority 0, address removed), which is
  # a graceful stop, not a crash.
  local n=$1 pids
  # shellcheck disable=SC2206
  pids=($(_l2_pidfiles "$n" | tac) ${L2_DPID[$n]:-})
  [ ${#pids[@]} -gt 0 ] && kill -KILL "${pids[@]}" 2>/dev/null
  return 0
}
# l2_crash N: SIGKILL the daemon and take its lan link down, at once
l2_crash() {
  _l2_kill_daemon "$1"
  ip -n "$(l2_ns "$1")" link set "$L2_IF" down
  _l2_reap "$1"
}
l2_crash_keep_link() { _l2_kill_daemon "$1"; _l2_reap "$1"; }
_l2_reap() {
  local p
  # shellcheck disable=SC2086
  for p in ${L2_DPID[$1]:-}; do wait "$p" 2>/dev/null || true; done
  L2_DPID[$1]=''
}
_l2_pidfiles() {  # keepalived's own pid files (parent and VRRP child)
  local d=$BENCH_TMP/$1 f
  for f in "$d/keepalived.pid" "$d/vrrp.pid"; do [ -s "$f" ] && echo "$(pidfile_pid "$f")"; done
  return 0
}
# l2_daemon_stop N [SIGNAL]: stop node N's daemon, bounded (then SIGKILL)
l2_daemon_stop() {
  local n=$1 sig=${2:-TERM} pids p
  # shellcheck disable=SC2206
  pids=(${L2_DPID[$n]:-} $(_l2_pidfiles "$n"))
  [ ${#pids[@]} -gt 0 ] || return 0
  kill "-$sig" "${pids[0]}" 2>/dev/null || true
  wait_until 10 0.05 eval '! pids_alive "${pids[@]}"' || {
    bench_log "warning: $n's ${L2_DKIND[$n]:-daemon} still runs 10 s after SIG$sig; SIGKILL"
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  }
  _l2_reap "$n"
}
l2_daemons_stop() { local n; for n in "${L2_NODES[@]}"; do l2_daemon_stop "$n"; done; }

# --------------------------------------------------------------- client
l2_probe_start() {  # LOG [TARGET]
  ip netns exec "$L2_NS_cl" "$PYTHON" "$L2_TOOL" probe "${2:-$L2_VIP}" "$1" --interval 0.01 --timeout 1 &
  L2_PROBE_PID=$!
  bench_track "$L2_PROBE_PID"
}
l2_probe_stop() {
  [ -n "$L2_PROBE_PID" ] || return 0
  kill -TERM "$L2_PROBE_PID" 2>/dev/null || true
  wait_until 5 0.05 eval '! pids_alive "$L2_PROBE_PID"' || kill -KILL "$L2_PROBE_PID" 2>/dev/null
  wait "$L2_PROBE_PID" 2>/dev/null || true
  L2_PROBE_PID=''
}
# l2_probe_answered LOG SINCE: a probe sent after SINCE was answered (log flushes every 0.5 s)
l2_probe_answered() {
  awk -v s="$2" '$1=="S"{t[$2]=$3} $1=="R" && ($2 in t) && t[$2]>s {f=1} END{exit !f}' "$1" 2>/dev/null
}

# --------------------------------------------------------------- keepalived
# l2_keepalived_start N ADVERT: VRRP on lan0, priorities 150/100/50; ADVERT
# 1 uses VRRPv2 (the default), anything else VRRPv3.
l2_keepalived_start() {
  local n=$1 adv=$2 d prio ver=''
  d=$(l2_dir "$n")
  case $n in n1) prio=150 ;; n2) prio=100 ;; n3) prio=50 ;; esac
  [ "$adv" = 1 ] || ver='vrrp_version 3'
  cat >"$d/keepalived.conf" <<EOF
global_defs {
  router_id $n
  $ver
  vrrp_garp_master_delay 5
  vrrp_garp_master_repeat 5
}
vrrp_instance VI_L2 {
  state BACKUP
  interface $L2_IF
  virtual_router_id 77
  priority $prio
  advert_int $adv
  virtual_ipaddress {
    $L2_VIP/24 dev $L2_IF
  }
}
EOF
  rm -f "$d/keepalived.pid" "$d/vrrp.pid"
  ip netns exec "$(l2_ns "$n")" keepalived --dont-fork --log-console --log-detail --vrrp --no_bfd \
    --use-file "$d/keepalived.conf" --pid "$d/keepalived.pid" --vrrp_pid "$d/vrrp.pid" \
    >>"$d/keepalived.log" 2>&1 &
  L2_DPID[$n]=$!
  L2_DKIND[$n]=keepalived
  bench_track $!
}

# --------------------------------------------------------------- vipd
# l2_vipd_conf N [TTL] [HEALTH=0|1]: node N's config (interfaces.md's schema)
l2_vipd_conf() {
  local n=$1 ttl=${2:-2} health=${3:-0} d
  d=$(l2_dir "$n")
  mkdir -p "$d/state"
  {
    echo "node_name: $n"
    echo "interface: $L2_IF"
    echo "state_dir: $d/state"
    echo "control: {socket: $d/vipd.sock}"
    echo 'metrics: {address: "127.0.0.1:2112"}'
    echo 'layer2: {garp: {count: 3, interval_ms: 100}}'
    echo "election: {backend: etcd, endpoints: [\"http://10.78.0.1:2379\",\"http://10.78.0.2:2379\",\"http://10.78.0.3:2379\"], name: ${L2_ELECTION_NAME:-vipd-bench}, lease_ttl: $ttl}"
    [ "$health" = 1 ] &&
      echo "health: {type: http, url: \"http://127.0.0.1:$L2_HEALTH_PORT/readyz\", interval: 0.2, timeout: 0.1, rise: 2, fall: 3}"
    echo 'vips:'
    echo "  - {address: $L2_VIP, mode: arp}"
  } >"$d/vipd.yaml"
  echo "$d/vipd.yaml"
}
l2_vipd_start() {  # N [TTL] [HEALTH]
  local n=$1 conf
  conf=$(l2_vipd_conf "$@")
  [ -n "${VIPD_BIN:-}" ] || bench_die "VIPD_BIN is not set"
  echo "=== start $(date +%T.%N) ttl=${2:-2} health=${3:-0}" >>"$BENCH_TMP/$n/vipd.log"
  ip netns exec "$(l2_ns "$n")" "$VIPD_BIN" --config "$conf" >>"$BENCH_TMP/$n/vipd.log" 2>&1 &
  L2_DPID[$n]=$!
  L2_DKIND[$n]=vipd
  bench_track $!
}
l2_vipctl() {  # N ARGS...
  local n=$1; shift
  ip netns exec "$(l2_ns "$n")" "$VIPCTL_BIN" --socket "$BENCH_TMP/$n/vipd.sock" "$@"
}
l2_role() { l2_vipctl "$1" --json election 2>/dev/null | json_get role; }
_l2_roles_settled() {  # one leader, the others followers, and that leader owns the VIP
  local n r leaders=0 lead=''
  for n in "${L2_NODES[@]}"; do
    r=$(l2_role "$n") || return 1
    case $r in leader) leaders=$((leaders + 1)); lead=$n ;; follower) ;; *) return 1 ;; esac
  done
  [ "$leaders" = 1 ] && _l2_one_owner && [ "$(l2_owners)" = "$lead" ]
}
l2_vipd_settled() { wait_until "${1:-20}" 0.1 _l2_roles_settled; }

# --------------------------------------------------------------- health
l2_health_start() {
  local n=$1 d
  d=$(l2_dir "$n")
  rm -f "$d/health.fail"
  ip netns exec "$(l2_ns "$n")" "$PYTHON" "$L2_TOOL" health "$L2_HEALTH_PORT" "$d/health.fail" >>"$d/health.log" 2>&1 &
  L2_HPID[$n]=$!
  bench_track $!
  wait_until 5 0.05 ip netns exec "$(l2_ns "$n")" "$PYTHON" -c \
    "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$L2_HEALTH_PORT/readyz', timeout=0.5)" ||
    bench_die "$n's health server did not answer"
}
l2_health_fail() { touch "$BENCH_TMP/$1/health.fail"; }
l2_health_ok() { rm -f "$BENCH_TMP/$1/health.fail"; }
l2_health_stop() {
  local n
  for n in "${!L2_HPID[@]}"; do stop_pids 3 "${L2_HPID[$n]}"; done
  L2_HPID=()
}

# --------------------------------------------------------------- capture
# l2_tcpdump_start N FILE: ARP on N's lan0, -tt (wall clock), line-buffered
# text; sets L2_TCPDUMP_PID
l2_tcpdump_start() {
  ip netns exec "$(l2_ns "$1")" tcpdump -i "$L2_IF" -tt -n -l -e arp >"$2" 2>"$2.err" &
  L2_TCPDUMP_PID=$!
  bench_track $!
}
