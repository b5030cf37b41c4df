# Runs inside the VM (bench/ipvs-vm.sh): issue 7's IPVS benchmark, vipd
# against ipvsadm in the same run, printed as one markdown table.
#   program  1,000 TCP services x 10 direct-routing backends (wlc, weight 1,
#            11,000 entries) into an empty table. vipd: from $EPOCHREALTIME
#            taken just before the exec of vipd (config parsing included) to
#            the ISO timestamp (UTC, milliseconds) of its `ipvs table
#            programmed` line. ipvsadm: the wall time of `ipvsadm -R` of the
#            same entries. Each in its own netns, new for every trial (see
#            fresh below); each trial's tables are emptied after it (vipd:
#            SIGTERM, which removes its services; ipvsadm -C), so neither
#            tool programs while the other's table is there (the kernel's
#            service hash is shared by all namespaces).
#   change   on the full tables: CHANGES `vipctl --json lb backend set`
#            calls alternating weights 2 and 1 (vipd's "microseconds",
#            request received -> netlink ack, and `netlink_operations`; and
#            the vipctl command's wall time) against as many `ipvsadm -e`
#            (wall time, process start included).
#   list     `vipctl --json lb show` against `ipvsadm -Ln` (wall time, output
#            to a file), TRIALS each, alternating.
# Every wall time is taken inside the namespace by bash ($EPOCHREALTIME
# around the command), so `ip netns exec` itself is not counted.
# Usage (guest): ipvs-bench.sh VIPD VIPCTL [TRIALS [CHANGES]]
# shellcheck disable=SC2034  # stats gives min, median, max and n; not all are printed
set -u
VIPD=$1 VIPCTL=$2 TRIALS=${3:-3} CHANGES=${4:-20}
W=/run/ipvs-bench
mkdir -p $W
ip link set lo up
die() { echo "ipvs-bench: $*" >&2; exit 1; }
# fresh NAME: a new pair of namespaces, vipd's (dirNAME) and ipvsadm's
# (admNAME), as DIR and ADM. Each trial gets its own: a flushed table is not
# an empty one, since the kernel keeps deleted real servers in a per-netns
# trash list for up to two minutes and every add scans it (ip_vs_ctl.c,
# ip_vs_trash_get_dest); refilling a flushed table took both tools 0.6-1 s
# longer than the first fill of the run.
fresh() {
  DIR=dir$1 ADM=adm$1
  for ns in $DIR $ADM; do ip netns add $ns; ip -n $ns link set lo up; done
}
fresh check

# --- the set: 1,000 services x 10 backends, as vipd config and as ipvsadm -R
# service i: 10.100.(i/250).(i%250+1):80; its backend j (0-9):
# 10.200.(i/25).((i%25)*10+j+1):80, so all 10,000 backends are distinct.
awk -v cfg=$W/services.yaml -v rules=$W/rules.txt 'BEGIN {
  print "services:" > cfg
  for (i = 0; i < 1000; i++) {
    vip = sprintf("10.100.%d.%d", int(i / 250), i % 250 + 1)
    printf "  - vip: %s\n    port: 80\n    protocol: tcp\n    scheduler: wlc\n    forwarding: direct\n    health: {type: none}\n    backends:\n", vip > cfg
    printf "-A -t %s:80 -s wlc\n", vip > rules
    for (j = 0; j < 10; j++) {
      be = sprintf("10.200.%d.%d", int(i / 25), (i % 25) * 10 + j + 1)
      printf "      - {address: %s, port: 80, weight: 1}\n", be > cfg
      printf "-a -t %s:80 -r %s:80 -g -w 1\n", vip, be > rules
    }
  }
}'
[ "$(wc -l <$W/rules.txt)" = 11000 ] || die "rules.txt has $(wc -l <$W/rules.txt) lines"

# --- helpers ----------------------------------------------------------------
now() { echo "$EPOCHREALTIME"; }
# timed NS IN OUT CMD...: runs CMD inside NS with stdin IN and output OUT;
# prints "SECONDS RC", the wall time measured inside the namespace.
timed() {
  local ns=$1 in=$2 out=$3; shift 3
  ip netns exec "$ns" bash -c '
    in=$1 out=$2; shift 2
    t0=$EPOCHREALTIME; "$@" <"$in" >"$out" 2>&1; rc=$?; t1=$EPOCHREALTIME
    awk -v a="$t0" -v b="$t1" -v rc=$rc "BEGIN { printf \"%.6f %d\n\", b - a, rc }"' _ "$in" "$out" "$@"
}
# stats: "MIN MEDIAN MAX N" of the numbers on stdin (printf, not %g)
stats() {
  sort -n | awk '{ a[NR] = $1 } END {
    if (NR == 0) { print "- - - 0"; exit }
    m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
    printf "%.6f %.6f %.6f %d\n", a[1], m, a[NR], NR }'
}
f() {  # f X [SCALE [DECIMALS]]: X*SCALE with DECIMALS (default 3) digits
  awk -v x="$1" -v s="${2:-1}" -v fmt="%.${3:-3}f" 'BEGIN { printf fmt, x * s }'
}
wait_for() {  # wait_for TIMEOUT COMMAND...: bounded poll every 0.2 s
  local end; end=$(awk -v n="$(now)" -v t="$1" 'BEGIN { printf "%.3f", n + t }'); shift
  while :; do
    "$@" >/dev/null 2>&1 && return 0
    awk -v n="$(now)" -v e="$end" 'BEGIN { exit !(n > e) }' && return 1
    sleep 0.2
  done
}
entries() { ip netns exec "$1" ipvsadm -Sn | wc -l; }

# --- vipd: start, time to `ipvs table programmed`, stop --------------------
VIPD_PID=""
vipd_start() {  # vipd_start RUN: sets PROG, the seconds from exec to "programmed"
  local run=$1 d=$W/vipd-$1
  mkdir -p $d/state
  { printf 'node_name: bench\nstate_dir: %s/state\ncontrol: {socket: %s/vipd.sock}\nmetrics: {address: "127.0.0.1:2112"}\n' $d $d
    cat $W/services.yaml; } >$d/vipd.yaml
  # ip netns exec and bash both exec, so $! is vipd's pid; t0 is taken by
  # the same process just before it becomes vipd
  ip netns exec $DIR bash -c 'echo "$EPOCHREALTIME" >"$1"; exec "$2" --config "$3"' _ $d/t0 "$VIPD" $d/vipd.yaml >$d/vipd.log 2>&1 &
  VIPD_PID=$!
  SOCK=$d/vipd.sock
  wait_for 120 grep -q "ipvs table programmed" $d/vipd.log || { cat $d/vipd.log >&2; die "run $run: no 'ipvs table programmed' in 120 s"; }
  local line; line=$(grep -m1 "ipvs table programmed" $d/vipd.log)
  echo "$line" >$d/programmed.line
  case $line in *ipvs.services=1000*ipvs.backends=10000*|*ipvs.backends=10000*ipvs.services=1000*) ;;
    *) cat $d/vipd.log >&2; die "run $run: $line" ;; esac
  # 2026-11-25T17:30:12.345Z: seconds of the day in UTC against $EPOCHREALTIME's
  PROG=$(awk -v ts="${line%% *}" -v t0="$(cat $d/t0)" 'BEGIN {
    split(ts, p, /[T:Z]/); log_s = p[2] * 3600 + p[3] * 60 + p[4]
    t0_s = t0 - 86400 * int(t0 / 86400); d = log_s - t0_s
    if (d < -43200) d += 86400
    printf "%.6f\n", d }')
}
vipd_stop() {  # vipd_stop RUN: SIGTERM; prints the seconds until it exited
  local t0 t1
  t0=$(now); kill -TERM "$VIPD_PID"; wait "$VIPD_PID"; t1=$(now)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }'
  [ "$(entries $DIR)" = 0 ] || die "run $1: vipd left $(entries $DIR) entries after SIGTERM"
  grep -iE "error|warn" $W/vipd-$1/vipd.log >&2 && echo "ipvs-bench: run $1: vipd logged the lines above" >&2
  VIPD_PID=""
}

kver=$(uname -r); ncpu=$(nproc)
echo "kernel $kver, $ncpu vCPUs; TRIALS=$TRIALS CHANGES=$CHANGES; 1,000 services x 10 backends (11,000 entries)"

# --- where vipd's start goes: process start and config parsing alone -------
mkdir -p $W/check
{ printf 'node_name: bench\nstate_dir: %s/check/state\ncontrol: {socket: %s/check/vipd.sock}\nmetrics: {address: "127.0.0.1:2112"}\n' $W $W
  cat $W/services.yaml; } >$W/check/vipd.yaml
: >$W/check.vipd
for t in $(seq "$TRIALS"); do
  read -r s rc < <(timed $DIR /dev/null $W/check.out "$VIPD" --check-config $W/check/vipd.yaml)
  [ "$rc" = 0 ] || { cat $W/check.out; die "vipd --check-config exit $rc"; }
  echo "$s" >>$W/check.vipd
done

# --- 1. programming into an empty table --------------------------------------
: >$W/prog.vipd; : >$W/prog.adm; : >$W/stop.vipd; : >$W/clear.adm
for t in $(seq "$TRIALS"); do
  fresh $t
  [ "$(entries $DIR)" = 0 ] && [ "$(entries $ADM)" = 0 ] || die "trial $t: tables not empty"
  # alternate which tool goes first
  for who in $( [ $((t % 2)) = 1 ] && echo "vipd adm" || echo "adm vipd"); do
    if [ $who = vipd ]; then
      vipd_start $t; s=$PROG
      echo "$s" >>$W/prog.vipd
      n=$(entries $DIR); [ "$n" = 11000 ] || die "trial $t: vipd's table has $n entries"
      vipd_stop $t >>$W/stop.vipd || exit 1
      [ $t = 1 ] && { echo "--- vipd's log, trial 1:"; cat $W/vipd-1/vipd.log; }
      echo "trial $t: vipd $(f $s) s to 'ipvs table programmed' ($(cat $W/vipd-$t/programmed.line | cut -c1-24))"
    else
      read -r s rc < <(timed $ADM $W/rules.txt $W/adm-R.out ipvsadm -R)
      [ "$rc" = 0 ] || { cat $W/adm-R.out; die "trial $t: ipvsadm -R exit $rc"; }
      echo "$s" >>$W/prog.adm
      n=$(entries $ADM); [ "$n" = 11000 ] || die "trial $t: ipvsadm's table has $n entries"
      read -r c rc < <(timed $ADM /dev/null $W/adm-C.out ipvsadm -C)
      echo "$c" >>$W/clear.adm
      echo "trial $t: ipvsadm -R $(f $s) s"
    fi
  done
done

# --- fill both tables for the change and listing rows ------------------------
fresh fill
vipd_start fill; s=$PROG
echo "fill: vipd $(f $s) s (ipvsadm's table empty)"
read -r s rc < <(timed $ADM $W/rules.txt $W/adm-R.out ipvsadm -R)
echo "fill: ipvsadm -R $(f $s) s (vipd's table full)"
[ "$(entries $DIR)" = 11000 ] && [ "$(entries $ADM)" = 11000 ] || die "fill: $(entries $DIR) and $(entries $ADM) entries"

# --- 2. one backend change on the full table ---------------------------------
SVC=10.100.2.1:80 BE=10.200.20.1:80     # service 500, its first backend
: >$W/chg.us; : >$W/chg.ops; : >$W/chg.wall; : >$W/chg.adm
for k in $(seq "$CHANGES"); do
  w=$(( k % 2 ? 2 : 1 ))
  read -r s rc < <(timed $DIR /dev/null $W/set.out "$VIPCTL" --socket "$SOCK" --json lb backend set $SVC $BE --weight $w)
  [ "$rc" = 0 ] || { cat $W/set.out; die "lb backend set exit $rc"; }
  echo "$s" >>$W/chg.wall
  awk -F': *' '/"microseconds"/ { gsub(/[ ,]/, "", $2); print $2 }' $W/set.out >>$W/chg.us
  awk -F': *' '/"netlink_operations"/ { gsub(/[ ,]/, "", $2); print $2 }' $W/set.out >>$W/chg.ops
  read -r s rc < <(timed $ADM /dev/null $W/e.out ipvsadm -e -t $SVC -r $BE -g -w $w)
  [ "$rc" = 0 ] || { cat $W/e.out; die "ipvsadm -e exit $rc"; }
  echo "$s" >>$W/chg.adm
done
echo "--- the last lb backend set answer:"; cat $W/set.out
kw=$(ip netns exec $DIR ipvsadm -Ln -t $SVC | awk -v b=$BE '$2 == b { print $4 }')
aw=$(ip netns exec $ADM ipvsadm -Ln -t $SVC | awk -v b=$BE '$2 == b { print $4 }')
[ "$kw" = "$w" ] && [ "$aw" = "$w" ] || die "after the changes: weight $kw in vipd's table, $aw in ipvsadm's; want $w"
ops_all=$(sort -u $W/chg.ops | tr '\n' ' ' | sed 's/ $//')   # "1" when every call said 1
[ "$(wc -l <$W/chg.us)" = "$CHANGES" ] || die "$(wc -l <$W/chg.us) microseconds values for $CHANGES calls"

# --- 3. listing the full table -----------------------------------------------
: >$W/ls.vipd; : >$W/ls.adm
for t in $(seq "$TRIALS"); do
  read -r s rc < <(timed $DIR /dev/null $W/show.json "$VIPCTL" --socket "$SOCK" --json lb show)
  [ "$rc" = 0 ] || { head -5 $W/show.json; die "lb show exit $rc"; }
  echo "$s" >>$W/ls.vipd
  read -r s rc < <(timed $ADM /dev/null $W/Ln.out ipvsadm -Ln)
  [ "$rc" = 0 ] || die "ipvsadm -Ln exit $rc"
  echo "$s" >>$W/ls.adm
done
: >$W/ls.text; : >$W/help.vipctl
for t in $(seq "$TRIALS"); do
  # where the JSON listing's time goes: the same read in ipvsadm's text
  # layout (vipd formats it, vipctl prints one string), and vipctl's start
  read -r s rc < <(timed $DIR /dev/null $W/show.txt "$VIPCTL" --socket "$SOCK" lb show)
  [ "$rc" = 0 ] || { head -5 $W/show.txt; die "lb show (text) exit $rc"; }
  echo "$s" >>$W/ls.text
  read -r s rc < <(timed $DIR /dev/null $W/help.out "$VIPCTL" --help)
  echo "$s" >>$W/help.vipctl
done
# vipctl prints vipd's JSON as one line: count occurrences, not lines.
nsvc=$(grep -o '"scheduler"' $W/show.json | wc -l); nbe=$(grep -o '"active_conns"' $W/show.json | wc -l)
[ "$nsvc" = 1000 ] && [ "$nbe" = 10000 ] || die "lb show listed $nsvc services, $nbe backends"
nln=$(grep -c '^  ->' $W/Ln.out)
[ "$nln" = 10001 ] || die "ipvsadm -Ln listed $nln '->' lines (10,000 + header)"

# --- clean up --------------------------------------------------------------
vipd_stop fill >>$W/stop.vipd || exit 1
ip netns exec $ADM ipvsadm -C

# --- the table ---------------------------------------------------------------
read -r pv_min pv_med pv_max pv_n < <(stats <$W/prog.vipd)
read -r pa_min pa_med pa_max pa_n < <(stats <$W/prog.adm)
read -r us_min us_med us_max us_n < <(stats <$W/chg.us)
read -r cw_min cw_med cw_max cw_n < <(stats <$W/chg.wall)
read -r ce_min ce_med ce_max ce_n < <(stats <$W/chg.adm)
read -r lv_min lv_med lv_max lv_n < <(stats <$W/ls.vipd)
read -r la_min la_med la_max la_n < <(stats <$W/ls.adm)
read -r sv_min sv_med sv_max sv_n < <(stats <$W/stop.vipd)
read -r cc_min cc_med cc_max cc_n < <(stats <$W/clear.adm)
read -r ck_min ck_med ck_max ck_n < <(stats <$W/check.vipd)
read -r lt_min lt_med lt_max lt_n < <(stats <$W/ls.text)
read -r hv_min hv_med hv_max hv_n < <(stats <$W/help.vipctl)
ratio_best=$(awk -v a=$pv_min -v b=$pa_min 'BEGIN { printf "%.0f", 100 * a / b }')
ratio_med=$(awk -v a=$pv_med -v b=$pa_med 'BEGIN { printf "%.0f", 100 * a / b }')
g1=$(awk -v a=$pv_med -v b=$pa_med 'BEGIN { print (a <= 0.25 * b) ? "met" : "**missed**" }')
g2=$(awk -v u=$us_med -v ops="$ops_all" 'BEGIN { print (u < 1000 && ops == "1") ? "met" : "**missed**" }')
g3=$(awk -v a=$lv_med -v b=$la_med 'BEGIN { print (a < b) ? "met" : "**missed**" }')
echo
echo "kernel $kver under qemu TCG, $ncpu vCPUs; vipd and ipvsadm in two namespaces of the same VM run"
echo
echo "| what | ipvsadm | vipd | goal | |"
echo "|---|---|---|---|---|"
echo "| program 1,000 services × 10 backends (direct, wlc) into an empty table; best / median of $TRIALS | \`ipvsadm -R\`: $(f $pa_min) / $(f $pa_med) s | start (config parsing included) → \`ipvs table programmed\`: $(f $pv_min) / $(f $pv_med) s = $ratio_best % / $ratio_med % of ipvsadm | ≤ 25 % of \`ipvsadm -R\` | $g1 |"
echo "| one backend change on the full table; median (min-max) of $CHANGES, weights 2 and 1 alternating | \`ipvsadm -e\` wall time (process start included): $(f $ce_med 1000 1) ms ($(f $ce_min 1000 1)-$(f $ce_max 1000 1)) | request received → netlink ack: $(f $us_med 0.001 3) ms ($(f $us_min 0.001 3)-$(f $us_max 0.001 3)); netlink_operations: $ops_all (the distinct values over the $CHANGES calls); the \`vipctl lb backend set\` command's wall time: $(f $cw_med 1000 1) ms ($(f $cw_min 1000 1)-$(f $cw_max 1000 1)) | < 1 ms and exactly one netlink operation | $g2 |"
echo "| list the full table; best / median of $TRIALS | \`ipvsadm -Ln\`: $(f $la_min) / $(f $la_med) s | \`vipctl --json lb show\`: $(f $lv_min) / $(f $lv_med) s | faster than \`ipvsadm -Ln\` | $g3 |"
echo "| (for reference) vipd's process start and config parsing alone | | \`vipd --check-config\` of the same config: $(f $ck_min) / $(f $ck_med) s | - | |"
echo "| (for reference) the same listing as text | | \`vipctl lb show\` (ipvsadm's layout, formatted by vipd): $(f $lt_min) / $(f $lt_med) s | - | |"
echo "| (for reference) vipctl's start-up | | \`vipctl --help\`: $(f $hv_min 1000 0) / $(f $hv_med 1000 0) ms | - | |"
echo "| (for reference) empty the table | \`ipvsadm -C\`: median $(f $cc_med 1000 0) ms | SIGTERM → exit, its 1,000 services removed: median $(f $sv_med) s ($sv_n runs) | - | |"
