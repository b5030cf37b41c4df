# shellcheck shell=bash
# The lab's topology: a "tor" namespace (the top-of-rack router, where the
# real BGP daemons run) and a "node" namespace (where the speaker under test
# runs: vipd, or the stand-in), joined by one veth pair. Every address exists
# only inside the two namespaces.
#
#   tor  (vl-ID-tor)  to-node  10.255.0.1/30  fd00:255::1/64
#   node (vl-ID-node) to-tor   10.255.0.2/30  fd00:255::2/64
#
# Each run gets a random ID, so parallel runs and leftovers of an aborted run
# never clash. All state of a run (daemon configs, sockets, pid files, logs)
# lives in LAB_DIR=/tmp/vipd-lab-ID.
#
# Sourced:  lab_up  (sets the variables below and a trap on EXIT that calls
#           lab_down; set LAB_NO_TRAP=1 to manage the lifetime yourself)
# Run:      netns.sh up | down ID | down-all | list

[ -n "${_LAB_NETNS_SH:-}" ] && return 0 2>/dev/null
_LAB_NETNS_SH=1
# shellcheck source=common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

LAB_NS_PREFIX=${LAB_NS_PREFIX:-vl}
TOR_V4=10.255.0.1  NODE_V4=10.255.0.2  LAB_V4_LEN=30
TOR_V6=fd00:255::1 NODE_V6=fd00:255::2 LAB_V6_LEN=64
TOR_IF=to-node     NODE_IF=to-tor

_lab_names() {  # ID -> LAB_ID TOR_NS NODE_NS LAB_DIR
  LAB_ID=$1
  TOR_NS=$LAB_NS_PREFIX-$LAB_ID-tor
  NODE_NS=$LAB_NS_PREFIX-$LAB_ID-node
  LAB_DIR=/tmp/vipd-lab-$LAB_ID
}

# link_local NS IFACE: the fe80:: address of IFACE in NS (no prefix length).
link_local() {
  ip -n "$1" -6 -o addr show dev "$2" scope link 2>/dev/null |
    awk '{ split($4, a, "/"); print a[1]; exit }'
}

_lab_no_tentative() {
  # (grep without -q: under pipefail, -q's early exit can fail the pipe)
  ! ip -n "$TOR_NS" -6 addr show tentative | grep inet6 >/dev/null &&
  ! ip -n "$NODE_NS" -6 addr show tentative | grep inet6 >/dev/null &&
  [ -n "$(link_local "$TOR_NS" "$TOR_IF")" ] && [ -n "$(link_local "$NODE_NS" "$NODE_IF")" ]
}

lab_up() {
  _lab_names "$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
  if [ "${LAB_NO_TRAP:-0}" != 1 ]; then
    trap lab_down EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
  fi
  mkdir -p "$LAB_DIR"
  chmod 755 "$LAB_DIR"
  echo "$LAB_ID" >"$LAB_DIR/id"
  local ns
  for ns in "$TOR_NS" "$NODE_NS"; do
    ip netns add "$ns" || lab_die "ip netns add $ns failed"
    ip -n "$ns" link set lo up
    # No duplicate address detection: addresses, link-local included, are
    # usable at once. Set before the veth exists so it inherits it.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
      net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.disable_ipv6=0 \
      net.ipv6.conf.default.disable_ipv6=0
  done
  ip -n "$TOR_NS" link add "$TOR_IF" type veth peer name "$NODE_IF" netns "$NODE_NS" ||
    lab_die "veth creation failed"
  ip -n "$TOR_NS" addr add "$TOR_V4/$LAB_V4_LEN" dev "$TOR_IF"
  ip -n "$TOR_NS" addr add "$TOR_V6/$LAB_V6_LEN" dev "$TOR_IF" nodad
  ip -n "$NODE_NS" addr add "$NODE_V4/$LAB_V4_LEN" dev "$NODE_IF"
  ip -n "$NODE_NS" addr add "$NODE_V6/$LAB_V6_LEN" dev "$NODE_IF" nodad
  ip -n "$TOR_NS" link set "$TOR_IF" up
  ip -n "$NODE_NS" link set "$NODE_IF" up
  wait_until 5 0.05 _lab_no_tentative || lab_die "IPv6 addresses still tentative after 5 s"
  TOR_LL=$(link_local "$TOR_NS" "$TOR_IF")
  NODE_LL=$(link_local "$NODE_NS" "$NODE_IF")
  wait_until 5 0.1 ip netns exec "$NODE_NS" ping -c1 -W1 -q "$TOR_V4" || lab_die "no IPv4 reachability tor<->node"
  wait_until 5 0.1 ip netns exec "$NODE_NS" ping -6 -c1 -W1 -q "$TOR_V6" || lab_die "no IPv6 reachability tor<->node"
  export LAB_ID LAB_DIR TOR_NS NODE_NS TOR_IF NODE_IF TOR_V4 NODE_V4 TOR_V6 NODE_V6 TOR_LL NODE_LL
  lab_log "lab $LAB_ID up: $TOR_NS ($TOR_V4 $TOR_V6 $TOR_LL) <-> $NODE_NS ($NODE_V4 $NODE_V6 $NODE_LL), state in $LAB_DIR"
}

# ns_kill_all NS: end every process in NS (SIGTERM, bounded wait, SIGKILL).
ns_kill_all() {
  local ns=$1 pids
  [ -e "/run/netns/$ns" ] || return 0
  pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
  [ -n "$pids" ] || return 0
  # shellcheck disable=SC2086
  stop_pids 5 $pids
  pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
  # shellcheck disable=SC2086
  [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
  # until the kernel has let go of them (bounded)
  wait_until 3 0.1 test -z "$(ip netns pids "$ns" 2>/dev/null)" ||
    lab_log "processes still in $ns: $(ip netns pids "$ns" | tr '\n' ' ')"
}

# lab_down [ID]: kill every process in the lab's namespaces, delete them and
# the state dir (kept when LAB_KEEP=1). Safe to call twice.
lab_down() {
  local rc=$?
  [ -n "${1:-}" ] && _lab_names "$1"
  [ -n "${LAB_ID:-}" ] || return $rc
  # Hooks (peer/speaker stop functions) run first, best effort.
  if declare -F lab_down_hook >/dev/null; then lab_down_hook || true; fi
  local ns
  for ns in "$TOR_NS" "$NODE_NS"; do ns_kill_all "$ns"; done
  for ns in "$TOR_NS" "$NODE_NS"; do
    [ -e "/run/netns/$ns" ] && ip netns del "$ns" 2>/dev/null
  done
  if [ -d "$LAB_DIR" ]; then
    if [ "${LAB_KEEP:-0}" = 1 ]; then
      lab_log "lab $LAB_ID down; state kept in $LAB_DIR"
    else
      rm -rf "$LAB_DIR"
    fi
  fi
  LAB_ID=''
  return $rc
}

# lab_list: IDs of labs whose namespaces exist.
lab_list() {
  ip netns list 2>/dev/null | awk '{print $1}' |
    sed -n "s/^$LAB_NS_PREFIX-\([0-9a-f]\{6\}\)-\(tor\|node\)$/\1/p" | sort -u
}

lab_exec_tor()  { ip netns exec "$TOR_NS" "$@"; }
lab_exec_node() { ip netns exec "$NODE_NS" "$@"; }

# lab_fib NS PREFIX: the kernel's route for exactly PREFIX in NS, one line, or nothing.
lab_fib() {
  local fam=-4; is_ipv6 "$2" && fam=-6
  ip -n "$1" $fam route show exact "$2" 2>/dev/null
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case ${1:-} in
    up) LAB_NO_TRAP=1 lab_up
        printf 'LAB_ID=%s\nTOR_NS=%s\nNODE_NS=%s\nLAB_DIR=%s\n' "$LAB_ID" "$TOR_NS" "$NODE_NS" "$LAB_DIR" ;;
    down) [ -n "${2:-}" ] || lab_die "usage: $0 down ID"; lab_down "$2" ;;
    down-all) for id in $(lab_list); do lab_down "$id"; done ;;
    list) lab_list ;;
    *) echo "usage: $0 up | down ID | down-all | list" >&2; exit 2 ;;
  esac
fi
