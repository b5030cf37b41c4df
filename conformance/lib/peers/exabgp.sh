# shellcheck shell=bash
# ExaBGP (Debian's exabgp, 4.2) as the ToR peer. Its CLI is off (see
# ../exabgp-run.sh); what it received is read from its API process's JSON
# log (DIR/received.json), and routes are sent through API commands.
#
# ExaBGP keeps no RIB of received routes of its own and does not keep stale
# routes in graceful restart (a receiving-speaker GR cell is exempt for it).
# The "RIB" here is the updates replayed in order: announces, withdraws,
# and a session going down flushes everything from that neighbor.

# shellcheck source=../exabgp-run.sh
. "$LAB_LIB/exabgp-run.sh"

exabgp_start() {
  local P_ns P_dir P_local_as P_peer_as P_local_addr P_peer_addr P_router_id
  local P_password='' P_ttl_security=0 P_passive=0 P_hold=9 P_gr=1 P_restart_time=120 P_as2=0
  kv_parse P "$@"
  EXABGP_DIR=$P_dir EXABGP_PEER=$P_peer_addr
  exabgp_run_start "$@" role=peer-exabgp
}

exabgp_stop() {
  [ -n "${EXABGP_DIR:-}" ] || return 0
  exabgp_run_stop "$EXABGP_DIR"
}

exabgp_state() { exabgp_run_state "$EXABGP_DIR"; }

exabgp_rib() {
  python3 "$LAB_LIB/normalize_rib.py" exabgp "$1" "$EXABGP_PEER" <"$EXABGP_DIR/received.json"
}

exabgp_announce() { exabgp_run_send "$EXABGP_DIR" "neighbor $EXABGP_PEER announce route $1 next-hop self"; }
exabgp_withdraw() { exabgp_run_send "$EXABGP_DIR" "neighbor $EXABGP_PEER withdraw route $1 next-hop self"; }

exabgp_logs() { echo "$EXABGP_DIR/exabgp.log $EXABGP_DIR/exabgp.out $EXABGP_DIR/received.json"; }
