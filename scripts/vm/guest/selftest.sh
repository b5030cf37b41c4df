# Runs inside the VM (scripts/vm/selftest): IPVS is there, a scheduler loads
# on demand, and a network namespace with a veth pair passes traffic.
set -u
fail=0
check() { if "$@" >/dev/null 2>&1; then echo "PASS $desc"; else echo "FAIL $desc"; fail=1; fi; }
echo "guest: kernel $(uname -r), up $(cut -d' ' -f1 /proc/uptime)s at script start"

desc="ipvsadm -Ln works (IPVS loaded)"
check ipvsadm -Ln

desc="the IPVS generic netlink family is registered"
check sh -c 'genl ctrl list 2>/dev/null | grep -q "Name: IPVS"'

desc="a service with every scheduler module present can be added and removed"
ok=1
for s in /lib/modules/$(uname -r)/kernel/net/netfilter/ipvs/ip_vs_*.ko; do
  n=$(basename "$s" .ko); n=${n#ip_vs_}
  case $n in ftp|pe_sip) continue ;; esac
  ipvsadm -A -t 10.9.9.9:80 -s "$n" || { echo "  scheduler $n failed"; ok=0; }
  echo -n "$n "
  ipvsadm -D -t 10.9.9.9:80 || ok=0
done
echo
check test $ok = 1

desc="a namespace with a veth pair passes a ping"
ip netns add ns1 && ip link add v0 type veth peer name v1 && ip link set v1 netns ns1 \
  && ip addr add 10.1.1.1/24 dev v0 && ip link set v0 up \
  && ip -n ns1 addr add 10.1.1.2/24 dev v1 && ip -n ns1 link set v1 up && ip -n ns1 link set lo up
check ping -c1 -W2 10.1.1.2

desc="TCP through the namespace (nc)"
ip netns exec ns1 nc -l -p 7000 -e echo hello-from-ns1 &
sleep 0.3
out=$(nc -w 2 10.1.1.2 7000 </dev/null)
wait
check test "$out" = hello-from-ns1

desc="nft can make a nat table"
check nft add table ip vmcheck
nft add chain ip vmcheck post '{ type nat hook postrouting priority 100; }' && nft delete table ip vmcheck

echo "guest: script done at $(cut -d' ' -f1 /proc/uptime)s"
exit $fail
