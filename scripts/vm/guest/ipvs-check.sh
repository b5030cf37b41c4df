# Runs inside the VM (scripts/vm/ipvs-check): NetlinkIPVS (through
# ipvs-vmcheck) against the real kernel, cross-checked with ipvsadm, then the
# timings. Argument: the path of ipvs-vmcheck.
set -u
vmcheck=$1
fail=0
pass() { echo "PASS $*"; }
failed() { echo "FAIL $*"; fail=1; }
# runs a command; its output only when it fails
quiet() { local out; out=$("$@" 2>&1) || { echo "$out" | sed 's/^/    /'; return 1; }; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f ms", (b - a) * 1000 }'; }
sn() { ipvsadm -Sn | sort; }

# the schedulers this kernel has, as modules
schedulers=$(ls /lib/modules/$(uname -r)/kernel/net/netfilter/ipvs/ | sed -n 's/^ip_vs_\(.*\)\.ko.*/\1/p' \
  | grep -v -x -e ftp -e pe_sip | paste -sd, -)
echo "schedulers in this kernel: $schedulers"
sets="--schedulers $schedulers"
for s in rr wrr lc wlc lblc lblcr dh sh sed nq mh fo ovf twos; do
  case ",$schedulers," in *",$s,"*) ;; *) echo "NOTE scheduler $s is not in kernel $(uname -r); not tested" ;; esac
done

# the "local" real server's address is one of the guest's own
# (the dummy module makes a dummy0 of its own, so a name of ours)
ip link add vlocal0 type dummy && ip addr add 10.200.0.1/24 dev vlocal0 && ip link set vlocal0 up \
  || failed "setting up the local address"
ipvsadm -C

# 1. the feature set: made by ipvsadm -R, and by NetlinkIPVS
"$vmcheck" rules features $sets > /tmp/features.rules
if quiet ipvsadm -R < /tmp/features.rules; then pass "ipvsadm -R takes the feature set ($(wc -l < /tmp/features.rules) lines)"; else failed "ipvsadm -R of the feature set"; fi
sn > /tmp/features.ipvsadm
if quiet "$vmcheck" verify features --made-by-ipvsadm $sets; then pass "NetlinkIPVS reads ipvsadm's table field by field"; else failed "NetlinkIPVS's read of ipvsadm's table"; fi
ipvsadm -C
if quiet "$vmcheck" program features $sets; then pass "NetlinkIPVS programs the feature set, one request each"; else failed "NetlinkIPVS programming the feature set"; fi
sn > /tmp/features.vipd
if diff -u /tmp/features.ipvsadm /tmp/features.vipd; then pass "ipvsadm -Sn: the same for ipvsadm -R and NetlinkIPVS ($(wc -l < /tmp/features.vipd) lines)"; else failed "ipvsadm -Sn differs (above: - ipvsadm, + NetlinkIPVS)"; fi
if quiet "$vmcheck" verify features $sets; then pass "NetlinkIPVS reads back what it programmed"; else failed "NetlinkIPVS's read-back"; fi

# 2. edits: NetlinkIPVS edits the table; ipvsadm -R makes the edited set anew
if quiet "$vmcheck" edit $sets; then pass "NetlinkIPVS edits (scheduler, weight, forwarding, thresholds, persistence, add and delete)"; else failed "NetlinkIPVS edits"; fi
sn > /tmp/edited.vipd
if quiet "$vmcheck" verify edited $sets; then pass "NetlinkIPVS reads its edited table field by field"; else failed "NetlinkIPVS's read of its edited table"; fi
ipvsadm -C
"$vmcheck" rules edited $sets | ipvsadm -R
sn > /tmp/edited.ipvsadm
if quiet "$vmcheck" verify edited --made-by-ipvsadm $sets; then pass "NetlinkIPVS reads ipvsadm's edited set field by field"; else failed "NetlinkIPVS's read of ipvsadm's edited set"; fi
if diff -u /tmp/edited.ipvsadm /tmp/edited.vipd; then pass "ipvsadm -Sn after the edits: the same as ipvsadm -R of the edited set"; else failed "ipvsadm -Sn after edits differs (- ipvsadm, + NetlinkIPVS)"; fi

# 3. batched programming gives the same table
ipvsadm -C
if quiet "$vmcheck" program features --batch $sets; then pass "NetlinkIPVS programs the feature set batched"; else failed "batched programming"; fi
if sn | diff -u /tmp/features.ipvsadm -; then pass "ipvsadm -Sn: batched programming, the same table"; else failed "ipvsadm -Sn after batched programming differs"; fi

# 4. deletes and flush
if quiet "$vmcheck" flush && [ -z "$(ipvsadm -Sn)" ]; then pass "flush empties the table"; else failed "flush"; fi

# 5. the recording twin against the kernel: same table, same errnos
if "$vmcheck" twin $sets > /tmp/twin.out 2>&1; then pass "RecordingIPVS and the kernel agree (table and errnos)"; else failed "RecordingIPVS and the kernel differ:"; cat /tmp/twin.out; fi
sed 's/^/    /' /tmp/twin.out
"$vmcheck" errors $sets | sed 's/^/    /'
ipvsadm -C

# 6. IPVS missing: the error names the module (after unloading what we can)
# (not here: ip_vs stays loaded; the host run checks the message)

# 7. timings, 1,000 services x 10 real servers
echo "--- timings (TCG guest; ipvs-vmcheck is a debug build) ---"
"$vmcheck" rules bench > /tmp/bench.rules
echo "bench set: $(grep -c '^-A' /tmp/bench.rules) services, $(grep -c '^-a' /tmp/bench.rules) real servers"
t0=$EPOCHREALTIME; ipvsadm -R < /tmp/bench.rules; t1=$EPOCHREALTIME
echo "ipvsadm -R: $(elapsed $t0 $t1)"
t0=$EPOCHREALTIME; ipvsadm -e -t 10.10.1.244:80 -r 10.20.19.136:80 -g -w 5; t1=$EPOCHREALTIME
echo "ipvsadm -e (one weight, process included): $(elapsed $t0 $t1)"
t0=$EPOCHREALTIME; ipvsadm -Ln > /dev/null; t1=$EPOCHREALTIME
echo "ipvsadm -Ln (full table): $(elapsed $t0 $t1)"
t0=$EPOCHREALTIME; ipvsadm -Sn > /tmp/bench.ipvsadm; t1=$EPOCHREALTIME
echo "ipvsadm -Sn (full table): $(elapsed $t0 $t1)"
sort /tmp/bench.ipvsadm > /tmp/bench.ipvsadm.sorted
t0=$EPOCHREALTIME; ipvsadm -C; t1=$EPOCHREALTIME
echo "ipvsadm -C: $(elapsed $t0 $t1)"
t0=$EPOCHREALTIME; "$vmcheck" program bench --batch; t1=$EPOCHREALTIME
echo "ipvs-vmcheck program bench --batch (process included): $(elapsed $t0 $t1)"
if quiet "$vmcheck" verify bench; then pass "the benchmark table reads back complete"; else failed "the benchmark table's read-back"; fi
ipvsadm -e -t 10.10.1.244:80 -r 10.20.19.136:80 -g -w 5
if sn | diff -q - /tmp/bench.ipvsadm.sorted >/dev/null; then pass "ipvsadm -Sn: the benchmark table is the same as ipvsadm -R's"; else failed "ipvsadm -Sn of the benchmark table differs"; fi
ipvsadm -C
"$vmcheck" bench || failed "ipvs-vmcheck bench"
ipvsadm -C
"$vmcheck" bigdump --dests 10000 || failed "ipvs-vmcheck bigdump"
t0=$EPOCHREALTIME; ipvsadm -Ln > /dev/null; t1=$EPOCHREALTIME
echo "ipvsadm -Ln (one service, 10,000 real servers): $(elapsed $t0 $t1)"
ipvsadm -C
exit $fail
