# Runs inside the VM (conformance/ipvs-vm.sh): vipd programs IPVS on a real
# kernel. Network namespaces hold a client, a director and three real
# servers (busybox httpd, each answering its own name). Checks, in order:
#   dr          direct routing as in the seed: requests reach all three real
#               servers; vipd owns the VIP on the director (ARP mode) and puts
#               it on each real server's lo (real_server, arp_ignore 1)
#   cross-check `ipvsadm -Sn` of vipd's table equals that of the same set made
#               by ipvsadm itself, in another namespace
#   operator    a service the operator added before vipd is left alone
#   tunnel      an ipip tunnel service reaches all three (tunl0 on the real
#               servers)
#   local       a local-node service is answered by the director itself
#   nat         NAT with real servers that have no route to the client: only
#               vipd's masquerade rule lets them answer
#   nat-ipv6    the same over IPv6 (table ip6 vipd, IPv6 forwarding)
#   fwmark      a fwmark service (the operator's nft rule marks the packets),
#               direct routing to the three real servers
#   backend-set `vipctl lb backend set --weight 0` is one netlink operation;
#               reset restores the weight
#   health      a real server's httpd is killed: its weight goes to 0 within
#               the check's timing, and back when it returns
#   reconcile   a reload that changes one weight makes exactly one change
#   exit        SIGTERM removes vipd's services and nft table, and only them
# Usage (guest): ipvs-daemon.sh VIPD VIPCTL
set -u
VIPD=$1 VIPCTL=$2
fail=0
pass() { echo "PASS  $1  $2"; }
failc() { echo "FAIL  $1  $2"; fail=1; }
now() { echo "$EPOCHREALTIME"; }
# wait_for TIMEOUT COMMAND...: bounded poll every 0.1 s.
wait_for() {
  local end; end=$(awk -v n="$(now)" -v t="$1" 'BEGIN{printf "%.3f", n+t}'); shift
  while :; do
    "$@" >/dev/null 2>&1 && return 0
    awk -v n="$(now)" -v e="$end" 'BEGIN{exit !(n>e)}' && return 1
    sleep 0.1
  done
}
W=/run/vipd-vm
mkdir -p $W
ip link set lo up

# --- topology: a bridge for the LAN 192.168.113.0/24 --------------------
ip link add lan type bridge && ip link set lan up
attach() {  # attach NS IFNAME ADDR/LEN [BRIDGE]
  local ns=$1 ifn=$2 addr=$3 br=${4:-lan}
  ip link add "$ns-$ifn" type veth peer name "$ifn" netns "$ns"
  ip link set "$ns-$ifn" master "$br" up
  ip -n "$ns" addr add "$addr" dev "$ifn"
  ip -n "$ns" link set "$ifn" up
}
for ns in client dir rs1 rs2 rs3 xchk; do ip netns add $ns; ip -n $ns link set lo up; done
attach client eth0 192.168.113.50/24
attach dir eth0 192.168.113.10/24
for i in 1 2 3; do
  attach rs$i eth0 192.168.113.2$i/24
  mkdir -p $W/rs$i && echo "rs$i" >$W/rs$i/index.html
  ip netns exec rs$i busybox httpd -f -p 8443 -h $W/rs$i & echo $! >$W/rs$i.httpd
done
mkdir -p $W/dir && echo director >$W/dir/index.html
ip netns exec dir busybox httpd -f -p 8443 -h $W/dir & echo $! >$W/dir.httpd

# NAT: a second LAN behind the director; its real servers have no route to
# the client's network.
ip link add lan2 type bridge && ip link set lan2 up
for ns in nat1 nat2 nat3; do ip netns add $ns; ip -n $ns link set lo up; done
attach dir eth1 192.168.114.1/24 lan2
for i in 1 2 3; do
  attach nat$i eth0 192.168.114.2$i/24 lan2
  ip -n nat$i addr add fd00:114::2$i/64 dev eth0 nodad
  mkdir -p $W/nat$i && echo "nat$i" >$W/nat$i/index.html
  ip netns exec nat$i busybox httpd -f -p 80 -h $W/nat$i &
done

# IPv6 beside IPv4 (nodad: no waiting out duplicate address detection)
ip -n client addr add fd00:113::50/64 dev eth0 nodad
ip -n dir addr add fd00:113::10/64 dev eth0 nodad
ip -n dir addr add fd00:114::1/64 dev eth1 nodad

get() {  # get NS ADDR PORT: the body's first line
  printf 'GET / HTTP/1.0\r\n\r\n' | ip netns exec "$1" timeout 3 nc -w 2 "$2" "$3" 2>/dev/null | tail -1
}
spread() {  # spread NS ADDR PORT N: the distinct answers of N requests, sorted
  local i; for i in $(seq "$4"); do get "$1" "$2" "$3"; done | sort -u | tr '\n' ' '
}

# --- real servers: vipd with real_server only ----------------------------
for i in 1 2 3; do
  mkdir -p $W/rs$i/state
  cat >$W/rs$i/vipd.yaml <<EOF
node_name: rs$i
state_dir: $W/rs$i/state
control: {socket: $W/rs$i/vipd.sock}
metrics: {address: "127.0.0.1:2112"}
real_server: {addresses: [192.168.113.200, 192.168.113.201, 192.168.113.203]}
EOF
  ip netns exec rs$i "$VIPD" --config $W/rs$i/vipd.yaml >$W/rs$i/vipd.log 2>&1 &
done

# --- the operator's own service, there before vipd -----------------------
ip netns exec dir ipvsadm -A -t 192.168.113.10:9999 -s rr

# --- the director ---------------------------------------------------------
director_config() {  # director_config WEIGHT_OF_RS2
  cat >$W/dir/vipd.yaml <<EOF
node_name: director
interface: eth0
state_dir: $W/dir/state
control: {socket: $W/dir/vipd.sock}
metrics: {address: "127.0.0.1:2112"}
vips:
  - {address: 192.168.113.200, mode: arp}
  - {address: 192.168.113.201, mode: arp}
  - {address: 192.168.113.202, mode: arp}
  - {address: 192.168.114.100, mode: arp}
  - {address: 192.168.113.203, mode: arp}
  - {address: "fd00:114::100", mode: arp}
services:
  - vip: 192.168.113.200
    port: 8443
    scheduler: rr
    forwarding: direct
    backends:
      - {address: 192.168.113.21}
      - {address: 192.168.113.22, weight: $1}
      - {address: 192.168.113.23}
    health: {type: tcp, interval: 0.5, timeout: 0.3, rise: 2, fall: 2}
  - vip: 192.168.113.201
    port: 8443
    scheduler: rr
    forwarding: tunnel
    backends: [{address: 192.168.113.21}, {address: 192.168.113.22}, {address: 192.168.113.23}]
    health: {type: none}
  - vip: 192.168.113.202
    port: 8443
    forwarding: local
    backends: [{address: 192.168.113.10}]
    health: {type: none}
  - vip: 192.168.114.100
    port: 8080
    scheduler: rr
    forwarding: nat
    backends: [{address: 192.168.114.21, port: 80}, {address: 192.168.114.22, port: 80}, {address: 192.168.114.23, port: 80}]
    health: {type: http, path: /, interval: 0.5, timeout: 0.3, rise: 2, fall: 2}
  - vip: "fd00:114::100"
    port: 8080
    scheduler: rr
    forwarding: nat
    backends: [{address: "fd00:114::21", port: 80}, {address: "fd00:114::22", port: 80}, {address: "fd00:114::23", port: 80}]
    health: {type: tcp, interval: 0.5, timeout: 0.3, rise: 2, fall: 2}
  - fwmark: 7
    scheduler: rr
    forwarding: direct
    backends: [{address: 192.168.113.21}, {address: 192.168.113.22}, {address: 192.168.113.23}]
    health: {type: none}
EOF
}
# the operator marks what the fwmark service takes
ip netns exec dir nft -f - <<'EOF' || failc fwmark "the operator's nft rule was refused"
table ip operator {
  chain pre {
    type filter hook prerouting priority mangle;
    ip daddr 192.168.113.203 tcp dport 8443 meta mark set 7
  }
}
EOF
director_config 1
ip netns exec dir "$VIPD" --config $W/dir/vipd.yaml >$W/dir/vipd.log 2>&1 & echo $! >$W/dir.pid
ctl() { ip netns exec dir "$VIPCTL" --socket $W/dir/vipd.sock "$@"; }
wait_for 30 grep -q "ipvs table programmed" $W/dir/vipd.log || { failc start "no 'ipvs table programmed'"; cat $W/dir/vipd.log; exit 1; }
# bash, not sh: the guest's sh is busybox, whose `ip` applet has no netns
# (this wait always ran its full 10 s).
wait_for 10 bash -c "ip netns exec rs3 ip -o addr show dev lo | grep -q 192.168.113.201"

echo "--- vipctl lb show (director)"; ctl lb show
echo "--- ipvsadm -Ln (director)"; ip netns exec dir ipvsadm -Ln

# dr
got=$(spread client 192.168.113.200 8443 9)
on_lo=$(ip netns exec rs1 ip -o addr show dev lo | grep -c 192.168.113.200)
arp_ignore=$(ip netns exec rs1 cat /proc/sys/net/ipv4/conf/all/arp_ignore)
owned=$(ip -n dir -o addr show dev eth0 | grep -c '192.168.113.200/32')
[ "$got" = "rs1 rs2 rs3 " ] && [ "$on_lo" = 1 ] && [ "$arp_ignore" = 1 ] && [ "$owned" = 1 ] \
  && pass dr "answers: $got; VIP on the director's eth0 and on rs1's lo; arp_ignore 1" \
  || failc dr "answers '$got', on lo $on_lo, arp_ignore $arp_ignore, owned $owned"

# cross-check: the same set made by ipvsadm itself. Every real server is
# healthy, but a probe that times out while the VM is busy (timeout 0.3 s
# under emulation) quiesces one until `rise` probes pass: let the checks
# settle first (bounded; a backend that stays at weight 0 still fails here).
no_weight_0() { ! ip netns exec dir ipvsadm -Sn | grep -qE -- '-w 0( |$)'; }
wait_for 10 no_weight_0 || echo "note: a backend is still at weight 0 after 10 s"
ip netns exec xchk ipvsadm -R <<'EOF'
-A -t 192.168.113.200:8443 -s rr
-a -t 192.168.113.200:8443 -r 192.168.113.21:8443 -g -w 1
-a -t 192.168.113.200:8443 -r 192.168.113.22:8443 -g -w 1
-a -t 192.168.113.200:8443 -r 192.168.113.23:8443 -g -w 1
-A -t 192.168.113.201:8443 -s rr
-a -t 192.168.113.201:8443 -r 192.168.113.21:8443 -i -w 1
-a -t 192.168.113.201:8443 -r 192.168.113.22:8443 -i -w 1
-a -t 192.168.113.201:8443 -r 192.168.113.23:8443 -i -w 1
-A -t 192.168.113.202:8443 -s wlc
-a -t 192.168.113.202:8443 -r 192.168.113.10:8443 -g -w 1
-A -t 192.168.114.100:8080 -s rr
-a -t 192.168.114.100:8080 -r 192.168.114.21:80 -m -w 1
-a -t 192.168.114.100:8080 -r 192.168.114.22:80 -m -w 1
-a -t 192.168.114.100:8080 -r 192.168.114.23:80 -m -w 1
-A -t [fd00:114::100]:8080 -s rr
-a -t [fd00:114::100]:8080 -r [fd00:114::21]:80 -m -w 1
-a -t [fd00:114::100]:8080 -r [fd00:114::22]:80 -m -w 1
-a -t [fd00:114::100]:8080 -r [fd00:114::23]:80 -m -w 1
-A -f 7 -s rr
-a -f 7 -r 192.168.113.21:0 -g -w 1
-a -f 7 -r 192.168.113.22:0 -g -w 1
-a -f 7 -r 192.168.113.23:0 -g -w 1
-A -t 192.168.113.10:9999 -s rr
EOF
ip netns exec dir ipvsadm -Sn | sort >$W/vipd.save
ip netns exec xchk ipvsadm -Sn | sort >$W/ipvsadm.save
if cmp -s $W/vipd.save $W/ipvsadm.save; then
  pass cross-check "ipvsadm -Sn of vipd's table equals ipvsadm's own ($(wc -l <$W/vipd.save) lines)"
else
  failc cross-check "they differ:"; diff $W/vipd.save $W/ipvsadm.save
fi

# operator
ctl --json lb show | grep -Eq '"managed" ?: ?false' && ip netns exec dir ipvsadm -Ln | grep -q '192.168.113.10:9999' \
  && pass operator "the operator's 192.168.113.10:9999 is listed unmanaged and untouched" \
  || failc operator "$(ctl --json lb show | head -20)"

# tunnel
got=$(spread client 192.168.113.201 8443 9)
[ "$got" = "rs1 rs2 rs3 " ] && pass tunnel "ipip answers: $got" || failc tunnel "answers '$got'; $(grep real_server $W/rs1/vipd.log | tail -2)"

# local
got=$(spread client 192.168.113.202 8443 3)
[ "$got" = "director " ] && pass local "answered by the director: $got" || failc local "answers '$got'"

# nat: the client reaches the VIP on the director's LAN side through a route
ip -n client route add 192.168.114.0/24 via 192.168.113.10
ip netns exec dir sysctl -qw net.ipv4.ip_forward=1
got=$(spread client 192.168.114.100 8080 9)
rules=$(ip netns exec dir nft list table ip vipd 2>/dev/null | grep -c masquerade)
routes=$(ip -n nat1 route | grep -c 192.168.113)
[ "$got" = "nat1 nat2 nat3 " ] && [ "$rules" = 3 ] && [ "$routes" = 0 ] \
  && pass nat "answers: $got through $rules masquerade rules in table ip vipd (real servers have no route to the client)" \
  || failc nat "answers '$got', masquerade rules $rules, routes $routes; $(grep NAT $W/dir/vipd.log | tail -2)"

# nat-ipv6
ip -n client -6 route add fd00:114::/64 via fd00:113::10
got=$(spread client fd00:114::100 8080 9)
rules6=$(ip netns exec dir nft list table ip6 vipd 2>/dev/null | grep -c masquerade)
fwd6=$(ip netns exec dir cat /proc/sys/net/ipv6/conf/all/forwarding)
routes6=$(ip -n nat1 -6 route | grep -c fd00:113)
[ "$got" = "nat1 nat2 nat3 " ] && [ "$rules6" = 3 ] && [ "$fwd6" = 1 ] && [ "$routes6" = 0 ] \
  && pass nat-ipv6 "answers: $got through $rules6 masquerade rules in table ip6 vipd; IPv6 forwarding $fwd6 (set by vipd)" \
  || failc nat-ipv6 "answers '$got', ip6 masquerade rules $rules6, forwarding $fwd6, routes $routes6; $(grep NAT $W/dir/vipd.log | tail -2)"

# fwmark
got=$(spread client 192.168.113.203 8443 9)
listed=$(ctl --json lb show | grep -o '"fwmark": 7' | head -1)
[ "$got" = "rs1 rs2 rs3 " ] && [ -n "$listed" ] \
  && pass fwmark "packets marked 7 by the operator's rule reach: $got; listed as $listed" \
  || failc fwmark "answers '$got', listed '$listed'; $(ip netns exec dir ipvsadm -Ln | grep -A3 FWM)"

# backend-set
out=$(ctl --json lb backend set 192.168.113.200:8443 192.168.113.22:8443 --weight 0)
w=$(ip netns exec dir ipvsadm -Ln -t 192.168.113.200:8443 | awk '/192.168.113.22:8443/ {print $4}')
ops=$(echo "$out" | awk -F': ' '/netlink_operations/ {gsub(/[ ,]/,"",$2); print $2}')
us=$(echo "$out" | awk -F': ' '/microseconds/ {gsub(/[ ,]/,"",$2); print $2}')
ctl lb backend reset 192.168.113.200:8443 192.168.113.22:8443 >/dev/null
w2=$(ip netns exec dir ipvsadm -Ln -t 192.168.113.200:8443 | awk '/192.168.113.22:8443/ {print $4}')
[ "$w" = 0 ] && [ "$ops" = 1 ] && [ "$w2" = 1 ] \
  && pass backend-set "weight 0 in one netlink operation (${us} us from request to ack), reset back to $w2" \
  || failc backend-set "weight after set '$w', ops '$ops', after reset '$w2': $out"

# health
weight_of() { ip netns exec dir ipvsadm -Ln -t 192.168.113.200:8443 | awk -v b="$1" '$2 == b {print $4}'; }
rs1_weight_is() { [ "$(weight_of 192.168.113.21:8443)" = "$1" ]; }
kill "$(cat $W/rs1.httpd)"
t0=$(now)
if wait_for 10 rs1_weight_is 0; then
  t1=$(now)
  ip netns exec rs1 busybox httpd -f -p 8443 -h $W/rs1 & echo $! >$W/rs1.httpd
  if wait_for 10 rs1_weight_is 1; then
    t2=$(now)
    pass health "rs1 down: weight 0 after $(awk -v a=$t0 -v b=$t1 'BEGIN{printf "%.2f", b-a}') s (interval 0.5, fall 2); back: weight 1 after $(awk -v a=$t1 -v b=$t2 'BEGIN{printf "%.2f", b-a}') s (rise 2)"
  else
    failc health "rs1 did not come back: weight $(weight_of 192.168.113.21:8443)"
  fi
else
  failc health "rs1 still has weight $(weight_of 192.168.113.21:8443)"
fi

# reconcile
director_config 3
before=$(grep -c "ipvs table programmed" $W/dir/vipd.log)
kill -HUP "$(cat $W/dir.pid)"
if wait_for 5 sh -c "[ \$(grep -c 'ipvs table programmed' $W/dir/vipd.log) -gt $before ]"; then
  line=$(grep "ipvs table programmed" $W/dir/vipd.log | tail -1)
  w=$(weight_of 192.168.113.22:8443)
  [[ $line == *"ipvs.changes=1 "* ]] && [ "$w" = 3 ] && pass reconcile "one weight changed by reload: one change ($line)" \
    || failc reconcile "weight $w; $line"
else
  failc reconcile "no reconcile after SIGHUP"
fi

# exit
kill -TERM "$(cat $W/dir.pid)"
wait_for 10 sh -c "! kill -0 $(cat $W/dir.pid)"
left=$(ip netns exec dir ipvsadm -Sn)
nft_left=$(ip netns exec dir nft list tables 2>/dev/null | grep -c vipd)
[ "$left" = "-A -t 192.168.113.10:9999 -s rr" ] && [ "$nft_left" = 0 ] \
  && pass exit "SIGTERM: vipd's services and nft table gone, the operator's service stays" \
  || failc exit "left: $left; nft tables $nft_left"

for p in $(jobs -p); do kill "$p" 2>/dev/null; done
exit $fail
