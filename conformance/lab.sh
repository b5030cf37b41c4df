#!/usr/bin/env bash
# The main-job lab, left running: a "tor" namespace running FRR (zebra +
# bgpd, FIB install on) and a "node" namespace running the node's speaker
# (SPEAKER=vipd with VIPD_BIN/VIPCTL_BIN for vipd; the ExaBGP stand-in
# otherwise), peering over IPv4 and announcing VIPS. It waits until the VIPs
# are in FRR's RIB and the tor's kernel table, shows both, and exits, leaving
# the lab up.
#
#   lab.sh up [VIP...]    default VIPs: 10.0.1.100/32
#   lab.sh show ID        FRR's RIB and the tor's FIB again
#   lab.sh down ID        end every process in the lab, delete it
#   lab.sh down-all       the same for every lab of this machine
#   lab.sh list           IDs of labs that are up
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/peer.sh
. "$HERE/lib/peer.sh"
# shellcheck source=lib/speaker.sh
. "$HERE/lib/speaker.sh"

TOR_AS=65001 NODE_AS=65011
VIP_ATTRS="community=65011:100,large=65011:1:1,med=10"

show() {
  local id=$1
  _lab_names "$id"
  [ -d "$LAB_DIR/frr" ] || lab_die "no lab $id (see: $0 list)"
  echo "== FRR's BGP table (vtysh --vty_socket $LAB_DIR/frr -c 'show bgp ipv4 unicast')"
  vtysh --vty_socket "$LAB_DIR/frr" -c 'show bgp ipv4 unicast'
  echo "== the tor's kernel routes from BGP (ip -n $TOR_NS route show proto bgp)"
  ip -n "$TOR_NS" route show proto bgp
}

up() {
  local vips=("$@") spec v
  [ ${#vips[@]} -gt 0 ] || vips=(10.0.1.100/32)
  [ "$(id -u)" = 0 ] || lab_die "run as root"
  "$HERE/../scripts/install-lab-deps" >&2
  LAB_NO_TRAP=1 lab_up
  trap 'lab_log "failed; tearing the lab down"; lab_down "$LAB_ID"' ERR
  peer_start frr ns="$TOR_NS" dir="$LAB_DIR/frr" router_id="$TOR_V4" local_as=$TOR_AS \
    peer_as=$NODE_AS local_addr="$TOR_V4" peer_addr="$NODE_V4" passive=1
  spec=''
  for v in "${vips[@]}"; do
    is_ipv6 "$v" && lab_die "lab.sh peers over IPv4: give IPv4 VIPs"
    [[ $v == */* ]] || v=$v/32
    spec+="${spec:+ }$v,$VIP_ATTRS"
  done
  speaker_start ns="$NODE_NS" dir="$LAB_DIR/node" router_id="$NODE_V4" local_as=$NODE_AS \
    peer_as=$TOR_AS local_addr="$NODE_V4" peer_addr="$TOR_V4" vips="$spec"
  wait_until 30 0.3 bash -c "[ \"\$(vtysh --vty_socket '$LAB_DIR/frr' -c 'show bgp neighbors $NODE_V4 json' | grep -o '\"bgpState\":\"[A-Za-z]*\"')\" = '\"bgpState\":\"Established\"' ]" ||
    { lab_log "no session in 30 s; logs: $(peer_logs frr) $(speaker_logs)"; false; }
  for v in "${vips[@]}"; do
    [[ $v == */* ]] || v=$v/32
    wait_until 15 0.3 bash -c "ip -n '$TOR_NS' route show exact '$v' proto bgp | grep -q ." ||
      { lab_log "$v not in the tor's FIB in 15 s"; false; }
  done
  trap - ERR
  show "$LAB_ID"
  echo
  echo "lab $LAB_ID is up (speaker: $SPEAKER). Tear it down with:"
  echo "  $0 down $LAB_ID"
}

case ${1:-} in
  up) shift; up "$@" ;;
  show) [ -n "${2:-}" ] || lab_die "usage: $0 show ID"; show "$2" ;;
  down) [ -n "${2:-}" ] || lab_die "usage: $0 down ID"; lab_down "$2" ;;
  down-all) for id in $(lab_list); do lab_down "$id"; done ;;
  list) lab_list ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
esac
