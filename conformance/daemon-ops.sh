#!/usr/bin/env bash
# vipd's operations against a real router (FRR as the tor), in the lab's two
# namespaces: the control API and `vipctl`, runtime VIPs, import policy and
# max-prefix changed by reload without a session reset, soft and hard peer
# resets, a reload that resets only the changed peer, and a bad reload that
# changes nothing. Each step prints PASS or FAIL with its reason.
#
# Usage: VIPD_BIN=... VIPCTL_BIN=... conformance/daemon-ops.sh
# Exits 1 on any FAIL (the lab's state is then kept under /tmp/vipd-lab-ID).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/peer.sh
. "$HERE/lib/peer.sh"
# shellcheck source=lib/checks.sh
. "$HERE/lib/checks.sh"
# shellcheck source=lib/make-certs.sh
. "$HERE/lib/make-certs.sh"

: "${VIPD_BIN:?set VIPD_BIN to the vipd binary}" "${VIPCTL_BIN:?set VIPCTL_BIN to the vipctl binary}"
[ "$(id -u)" = 0 ] || lab_die "run as root (network namespaces)"
"$HERE/../scripts/install-lab-deps" >&2 || lab_die "install-lab-deps failed"

TOR_AS=65001 NODE_AS=65011
FAILED=0
pass() { printf 'PASS  %-28s %s\n' "$1" "$2"; }
fail() { printf 'FAIL  %-28s %s\n' "$1" "$2"; FAILED=1; }

lab_up
DIR=$LAB_DIR/node
mkdir -p "$DIR/state"
ctl() { ip netns exec "$NODE_NS" "$VIPCTL_BIN" --socket "$DIR/vipd.sock" "$@"; }
jq_py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
neighbor() { ctl --json neighbors | jq_py "d[0]['$1']"; }

# write_config [import] [extra peer lines...]
write_config() {
  local import=${1:-accept-all}; shift || true
  {
    cat <<EOF
node_name: ops-node
router_id: $NODE_V4
asn: $NODE_AS
state_dir: $DIR/state
control: {socket: $DIR/vipd.sock}
listen: {address: "$NODE_V4", port: 179}
fib: {install: ${FIB:-true}, table: 254, protocol: 186, metric: 20}
peers:
  - address: $TOR_V4
    asn: $TOR_AS
    hold_time: ${HOLD:-9}
    keepalive: 3
    source_address: $NODE_V4
    import: $import
EOF
    for line in "$@"; do echo "    $line"; done
    cat <<EOF
policies:
  - name: two-of-five
    rules:
      - match: {prefix_list: ["10.9.1.0/24", "10.9.2.0/24"]}
        action: {local_pref: 200, add_communities: ["65011:7"]}
vips: [10.0.1.100]
${EXTRA_TOP:-}
EOF
  } >"$DIR/vipd.yaml"
}

peer_start frr ns="$TOR_NS" dir="$LAB_DIR/tor" router_id="$TOR_V4" local_as=$TOR_AS peer_as=$NODE_AS \
  local_addr="$TOR_V4" peer_addr="$NODE_V4" hold=9 gr=0 >"$LAB_DIR/tor-start.out" 2>&1 || lab_die "FRR did not start"
for i in 1 2 3 4 5; do peer_announce frr "10.9.$i.0/24" >/dev/null; done

write_config
ip netns exec "$NODE_NS" "$VIPD_BIN" --config "$DIR/vipd.yaml" >>"$DIR/vipd.log" 2>&1 &
echo $! >"$DIR/vipd.pid"
lab_down_hook() { stop_pids 10 "$(pidfile_pid "$DIR/vipd.pid")"; peer_stop frr; }
wait_until 15 0.1 test -S "$DIR/vipd.sock" || lab_die "no control socket"

# 1. Session and routes in both directions.
if wait_until 30 0.2 bash -c "[ \"\$(ip netns exec $NODE_NS $VIPCTL_BIN --socket $DIR/vipd.sock --json neighbors | python3 -c 'import json,sys; print(json.load(sys.stdin)[0][\"prefixes_accepted\"])')\" = 5 ]" &&
   wait_until 10 0.2 bash -c "vtysh --vty_socket $LAB_DIR/tor -c 'show bgp ipv4 unicast 10.0.1.100/32 json' | grep -q '\"paths\"'"; then
  pass session "Established; 5 prefixes received and accepted; the VIP in FRR's RIB"
else
  fail session "$(ctl neighbors 2>&1 | tail -1)"
fi
# Metrics and readiness, from inside the node's namespace.
# metric NAME{ LABEL...: the value of the one series whose line has all of them.
metric() {
  local lines; lines=$(ip netns exec "$NODE_NS" curl -s --max-time 3 http://127.0.0.1:2112/metrics)
  local f; for f in "$@"; do lines=$(grep -F -- "$f" <<<"$lines"); done
  awk '{print $2+0}' <<<"$lines" | head -1
}
readyz() { ip netns exec "$NODE_NS" curl -s -o /dev/null -w '%{http_code}' --max-time 3 http://127.0.0.1:2112/readyz; }
wait_until 5 0.5 bash -c "ip netns exec $NODE_NS curl -s http://127.0.0.1:2112/metrics | grep -q 'vipd_bgp_prefixes_accepted{.*family=\"ipv4-unicast\".*} 5'"
st=$(metric 'vipd_bgp_session_state{' "peer=\"$TOR_V4\"" 'state="Established"')
acc=$(metric 'vipd_bgp_prefixes_accepted{' 'family="ipv4-unicast"')
upd=$(metric 'vipd_bgp_messages_received_total{' "peer=\"$TOR_V4\"" 'type="update"')
if [ "$st" = 1 ] && [ "$acc" = 5 ] && [ "${upd:-0}" -ge 1 ] && [ "$(readyz)" = 200 ]; then
  pass metrics "session_state Established 1, prefixes_accepted 5, $upd UPDATEs counted; /readyz 200"
else
  fail metrics "state $st accepted $acc updates $upd readyz $(readyz)"
fi
best=$(ctl --json rib --peer "$TOR_V4" | jq_py "sum(1 for r in d if r['best'])")
[ "$best" = 5 ] && pass rib "vipctl rib: 5 best paths from the tor" || fail rib "want 5 best paths, got $best"
local_row=$(ctl --json rib --prefix 10.0.1.100/32 | jq_py "d[0]['peer']")
[ "$local_row" = local ] && pass rib-local "the VIP is our own route in the Loc-RIB" || fail rib-local "got $local_row"
out_count=$(ctl --json rib --out | jq_py "len(d)")
[ "$out_count" = 1 ] && pass rib-out "Adj-RIB-Out: the VIP only (export: vips)" || fail rib-out "got $out_count routes out"

fib_count() { ip -n "$NODE_NS" route show table 254 proto 186 | grep -c "via $TOR_V4"; }
fib_line=$(ip -n "$NODE_NS" route show table 254 proto 186 10.9.1.0/24)
if [ "$(fib_count)" = 5 ] && [[ $fib_line == *"via $TOR_V4"*"metric 20"* ]]; then
  pass fib-install "5 best routes in table 254 proto 186: $fib_line"
else
  fail fib-install "table 254 proto 186 has $(fib_count) routes via the tor: $(ip -n "$NODE_NS" route show table 254 proto 186 | head -3)"
fi
lo_vip=$(ip -n "$NODE_NS" -o addr show dev lo | grep -c '10.0.1.100/32')
[ "$lo_vip" = 1 ] && pass local-vip "the VIP is on lo while announced (local: true)" || fail local-vip "10.0.1.100/32 not on lo"

# 2. Runtime VIPs.
uptime0=$(neighbor uptime_seconds)
ctl vip add 10.0.1.200 >/dev/null
if wait_until 10 0.2 bash -c "vtysh --vty_socket $LAB_DIR/tor -c 'show bgp ipv4 unicast 10.0.1.200/32 json' | grep -q '\"paths\"'" &&
   [ "$(ctl --json vips | jq_py "[v['source'] for v in d if v['address']=='10.0.1.200'][0]")" = runtime ]; then
  pass vip-add "vipctl vip add: FRR has 10.0.1.200/32; vips says source runtime"
  grep -q "vip added at run time.*vip.address=10.0.1.200 vip.mode=bgp" "$DIR/vipd.log" &&
    pass log-metadata "log lines carry vip.address and vip.mode" || fail log-metadata "$(grep 'run time' "$DIR/vipd.log" | tail -1)"
else
  fail vip-add "$(ctl vips 2>&1)"
fi
ctl vip del 10.0.1.200 >/dev/null
if wait_until 10 0.2 bash -c "! vtysh --vty_socket $LAB_DIR/tor -c 'show bgp ipv4 unicast 10.0.1.200/32 json' | grep -q '\"paths\"'"; then
  pass vip-del "vipctl vip del: withdrawn at FRR"
else
  fail vip-del "10.0.1.200/32 still at FRR"
fi
err=$(ctl vip del 10.0.1.100 2>&1)
case $err in *"config file"*) pass vip-del-config "a config VIP is refused: $err" ;; *) fail vip-del-config "got: $err" ;; esac

# 3. Import policy by reload: no reset, routes re-evaluated in place.
write_config accept-none
reply=$(ctl --json reload)
acc=$(neighbor prefixes_accepted) rcv=$(neighbor prefixes_received)
if [ "$(jq_py "d['peers_reset']" <<<"$reply")" = "[]" ] && [ "$acc" = 0 ] && [ "$rcv" -ge 5 ] && [ "$(neighbor state)" = Established ]; then
  pass import-none "reload to accept-none: 0 accepted of $rcv received (kept in Adj-RIB-In), no reset"
  [ "$(fib_count)" = 0 ] && pass fib-withdraw "denied routes left the FIB" || fail fib-withdraw "$(fib_count) routes still in table 254"
else
  fail import-none "reply $reply; accepted $acc received $rcv"
fi
write_config two-of-five
ctl reload >/dev/null
lp=$(ctl --json rib --prefix 10.9.1.0/24 | jq_py "d[0]['local_pref']")
if [ "$(neighbor prefixes_accepted)" = 2 ] && [ "$lp" = 200 ] && [ "$(neighbor uptime_seconds)" -ge "$uptime0" ]; then
  pass import-policy "policy two-of-five: 2 accepted, local_pref 200 set, same session"
else
  fail import-policy "accepted $(neighbor prefixes_accepted), local_pref $lp, uptime $(neighbor uptime_seconds) < $uptime0?"
fi

# 4. Soft reset: a route refresh both ways, the session stays.
reply=$(ctl --json peer reset "$TOR_V4" --soft)
if [ "$(jq_py "d['route_refresh_sent']" <<<"$reply")" = True ] && [ "$(neighbor state)" = Established ] &&
   [ "$(ctl --json neighbors | jq_py "d[0]['messages_sent']['route_refresh']")" -ge 1 ]; then
  pass soft-reset "ROUTE-REFRESH sent, session kept"
else
  fail soft-reset "reply $reply"
fi

# 5. Max-prefix by reload: 5 > 3 ends the session with Cease 6/1.
write_config accept-all "max_prefix: {limit: 3, action: teardown}"
ctl reload >/dev/null
if wait_until 10 0.2 bash -c "ip netns exec $NODE_NS $VIPCTL_BIN --socket $DIR/vipd.sock --json neighbors | grep -q 'maximumPrefixesReached'"; then
  code=$(readyz)
  [ "$code" = 503 ] && pass max-prefix "Cease/Maximum Number of Prefixes Reached sent; state $(neighbor state); /readyz 503" ||
    fail max-prefix "torn down but /readyz answered $code"
else
  fail max-prefix "last_error: $(neighbor last_error)"
fi
# With action restart, the session comes back by itself after restart_after.
write_config accept-all "max_prefix: {limit: 3, action: restart, restart_after: 1}"
ctl reload >/dev/null
ctl peer reset "$TOR_V4" >/dev/null
if wait_until 30 0.2 grep -q "restart_after over, starting again" "$DIR/vipd.log"; then
  pass max-prefix-restart "action restart: torn down again, then started by itself after restart_after"
else
  fail max-prefix-restart "no restart in the log"
fi
write_config accept-all
ctl reload >/dev/null
ctl peer reset "$TOR_V4" >/dev/null
if wait_until 30 0.2 bash -c "[ \"\$(ip netns exec $NODE_NS $VIPCTL_BIN --socket $DIR/vipd.sock --json neighbors | python3 -c 'import json,sys; print(json.load(sys.stdin)[0][\"state\"])')\" = Established ]"; then
  pass hard-reset "vipctl peer reset brought the torn-down session back"
else
  fail hard-reset "state $(neighbor state)"
fi

# 6. A session setting changed by reload resets that peer.
wait_until 10 0.5 bash -c "[ \"\$(ip netns exec $NODE_NS $VIPCTL_BIN --socket $DIR/vipd.sock --json neighbors | python3 -c 'import json,sys; print(json.load(sys.stdin)[0][\"uptime_seconds\"])')\" -ge 2 ]"
HOLD=12 write_config accept-all
reply=$(ctl --json reload)
if [ "$(jq_py "d['peers_reset']" <<<"$reply")" = "['$TOR_V4']" ] &&
   wait_until 30 0.2 bash -c "ip netns exec $NODE_NS $VIPCTL_BIN --socket $DIR/vipd.sock --json neighbors | grep -q '\"Established\"'"; then
  pass reload-reset "hold_time change: only that peer reset, and it came back"
else
  fail reload-reset "reply $reply, state $(neighbor state)"
fi

# 7. A bad reload changes nothing.
cp "$DIR/vipd.yaml" "$DIR/good.yaml"
printf 'asn: banana\n' >>"$DIR/vipd.yaml"
err=$(ctl reload 2>&1)
cp "$DIR/good.yaml" "$DIR/vipd.yaml"
if [[ $err == *line* ]] && [ "$(neighbor state)" = Established ] && [ "$(ctl --json vips | jq_py "len(d)")" = 1 ]; then
  pass bad-reload "refused with the line ($(head -c 120 <<<"$err")), nothing changed"
else
  fail bad-reload "$err"
fi

# 8. Per-peer debug logging.
ctl debug peer "$TOR_V4" on >/dev/null
peer_announce frr 10.9.6.0/24 >/dev/null
if wait_until 10 0.2 grep -q "debug: UPDATE.*bgp.peer=$TOR_V4" "$DIR/vipd.log"; then
  pass debug-peer "debug peer on: UPDATEs logged for that peer (bgp.peer=$TOR_V4)"
else
  fail debug-peer "no debug line in the log"
fi

# 9a. RFC 8326 drain: GRACEFUL_SHUTDOWN on the VIP at the router, then back.
tor_communities() {
  vtysh --vty_socket "$LAB_DIR/tor" -c 'show bgp ipv4 unicast 10.0.1.100/32 json' |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(p.get("community",{}).get("string","") for p in d.get("paths",[])))'
}
drained() { [[ $(tor_communities) == *graceful-shutdown* ]]; }
ctl drain >/dev/null
if wait_until 10 0.2 drained; then
  ctl undrain >/dev/null
  if wait_until 10 0.2 eval '! drained'; then
    pass drain "vipctl drain: FRR sees graceful-shutdown (65535:0) on 10.0.1.100/32; undrain removes it"
  else
    fail drain "undrain left: $(tor_communities)"
  fi
else
  fail drain "FRR's communities after drain: '$(tor_communities)'"
fi

# 9b. The health gate against an HTTPS /readyz stand-in: failing withdraws
#     the VIP at the router, passing brings it back.
make_certs "$DIR/pki" || lab_die "openssl could not make the lab's certificates"
ip netns exec "$NODE_NS" python3 "$HERE/lib/readyz-server.py" --port 16443 --cert "$DIR/pki/server.crt" \
  --key "$DIR/pki/server.key" --fail-file "$DIR/readyz-fail" >"$DIR/readyz.log" 2>&1 &
echo $! >"$DIR/readyz.pid"
lab_down_hook() { stop_pids 10 "$(pidfile_pid "$DIR/vipd.pid")" "$(pidfile_pid "$DIR/readyz.pid")"; peer_stop frr; }
EXTRA_TOP="health: {type: https, url: \"https://127.0.0.1:16443/readyz\", interval: 0.2, timeout: 0.15, rise: 2, fall: 2, ca_file: $DIR/pki/ca.crt}" \
  write_config accept-all
ctl reload >/dev/null
tor_has_vip() { vtysh --vty_socket "$LAB_DIR/tor" -c 'show bgp ipv4 unicast 10.0.1.100/32 json' | grep -q '"paths"'; }
if wait_until 10 0.2 grep -q "health check passing" "$DIR/vipd.log" && wait_until 10 0.2 tor_has_vip; then
  touch "$DIR/readyz-fail"
  if wait_until 10 0.1 eval '! tor_has_vip'; then
    rm -f "$DIR/readyz-fail"
    if wait_until 10 0.1 tor_has_vip; then
      pass health-gate "HTTPS /readyz with ca_file: 500 withdrew 10.0.1.100/32 at FRR, 200 brought it back"
    else
      fail health-gate "not back after /readyz recovered: $(tail -2 "$DIR/vipd.log")"
    fi
  else
    fail health-gate "still at FRR while /readyz fails: $(grep -i health "$DIR/vipd.log" | tail -2)"
  fi
else
  fail health-gate "no passing health check: $(grep -i health "$DIR/vipd.log" | tail -3)"
fi
rm -f "$DIR/readyz-fail"

# 9. SIGTERM removes what vipd put in the kernel; then kube-vip's variables
#    alone (plus a file with the socket and state dir).
stop_pids 10 "$(pidfile_pid "$DIR/vipd.pid")"
left=$(( $(ip -n "$NODE_NS" route show table 254 proto 186 | wc -l) + $(ip -n "$NODE_NS" -o addr show dev lo | grep -c '10.0.1.100/32') ))
[ "$left" = 0 ] && pass exit-cleanup "after SIGTERM: no proto 186 route, no VIP on lo" || fail exit-cleanup "$left kernel entries left"
printf 'state_dir: %s\ncontrol: {socket: %s}\n' "$DIR/state" "$DIR/vipd.sock" >"$DIR/kubevip.yaml"
ip netns exec "$NODE_NS" env bgp_enable=true bgp_as=$NODE_AS bgp_routerid=$NODE_V4 bgp_peers="$TOR_V4:$TOR_AS::false" \
  bgp_hold_time=9 bgp_sourceip=$NODE_V4 vip_address=10.0.1.150 \
  "$VIPD_BIN" --config "$DIR/kubevip.yaml" >>"$DIR/vipd.log" 2>&1 &
echo $! >"$DIR/vipd.pid"
if wait_until 30 0.2 bash -c "vtysh --vty_socket $LAB_DIR/tor -c 'show bgp ipv4 unicast 10.0.1.150/32 json' | grep -q '\"paths\"'"; then
  pass kube-vip-env "vipd from kube-vip's variables: FRR has 10.0.1.150/32"
else
  fail kube-vip-env "no 10.0.1.150/32 at FRR; $(tail -3 "$DIR/vipd.log")"
fi

[ "$FAILED" = 0 ] || { LAB_KEEP=1; echo "logs: $DIR/vipd.log"; exit 1; }
echo "all daemon operations passed"
