# shellcheck shell=bash
# The ToR peer: one real BGP daemon in the tor namespace, peering with the
# node. One interface for all five daemons; each lives in peers/NAME.sh.
#
#   peer_start NAME key=value...  start NAME as a peer of the node
#   peer_stop NAME                stop it (bounded; SIGKILL after 5 s)
#   peer_state NAME               session state, lower case ("established")
#   peer_rib NAME PREFIX          is PREFIX in NAME's RIB from the node? one
#                                 JSON object (see normalize_rib.py)
#   peer_announce NAME PREFIX     make NAME send PREFIX to the node (next hop self)
#   peer_withdraw NAME PREFIX     ...and withdraw it
#   peer_fib NAME PREFIX          the tor's kernel route for PREFIX (FRR and
#                                 BIRD install theirs; the others don't)
#   peer_logs NAME                the daemon's log files
#
# Keys of peer_start (all but the first seven have defaults):
#   ns dir router_id local_as local_addr peer_addr peer_as
#   password=        TCP MD5 (RFC 2385) key, empty for none
#   ttl_security=0   GTSM (RFC 5082): send with TTL 255, accept only 255
#   passive=0        1: never connect, only accept
#   hold=9           hold time (s); keepalive is a third of it
#   gr=1             graceful restart (RFC 4724) capability, receiving side
#   restart_time=120
#   as2=0            1: don't offer the 4-octet AS capability (BIRD,
#                    OpenBGPD, ExaBGP; FRR and GoBGP can't and refuse)
#
# NAME is one of: frr bird gobgp openbgpd exabgp.

[ -n "${_LAB_PEER_SH:-}" ] && return 0
_LAB_PEER_SH=1
# shellcheck source=common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"
# shellcheck source=netns.sh
. "$LAB_LIB/netns.sh"

PEER_NAMES="frr bird gobgp openbgpd exabgp"

_peer_load() {
  case " $PEER_NAMES " in *" $1 "*) ;; *) lab_die "unknown peer '$1' (one of: $PEER_NAMES)" ;; esac
  declare -F "${1}_start" >/dev/null || . "$LAB_LIB/peers/$1.sh"
}

peer_start()    { _peer_load "$1"; local n=$1; shift; "${n}_start" "$@"; }
peer_stop()     { _peer_load "$1"; "${1}_stop"; }
peer_state()    { _peer_load "$1"; "${1}_state"; }
peer_rib()      { _peer_load "$1"; "${1}_rib" "$2"; }
peer_announce() { _peer_load "$1"; "${1}_announce" "$2"; }
peer_withdraw() { _peer_load "$1"; "${1}_withdraw" "$2"; }
peer_logs()     { _peer_load "$1"; "${1}_logs"; }
peer_fib() {
  _peer_load "$1"
  if declare -F "${1}_fib" >/dev/null; then "${1}_fib" "$2"; else lab_fib "$TOR_NS" "$2"; fi
}
