#!/usr/bin/env bash
# Issue 7's IPVS benchmark: boots Debian's kernel under qemu TCG
# (scripts/vm/run; the host kernel has no IPVS) with vipd and vipctl inside,
# and runs bench/guest/ipvs-bench.sh there. In one VM run, vipd and ipvsadm
# each in their own namespace:
#   - 1,000 TCP services x 10 direct-routing backends (wlc, 11,000 entries)
#     into an empty table: vipd from its exec (config parsing included) to
#     its `ipvs table programmed` line, against `ipvsadm -R` of the same set;
#     best and median of TRIALS, the tables flushed between trials;
#   - one backend change on the full table: `vipctl lb backend set` (vipd's
#     own request-to-ack time, its netlink operations, and the command's wall
#     time) against `ipvsadm -e`, CHANGES calls each;
#   - listing the full table: `vipctl --json lb show` against `ipvsadm -Ln`.
# Prints one markdown table with the goals of issue 7 section 6 and whether
# each was met.
#
#   bench/ipvs-vm.sh
#
# Environment: VIPD_BIN, VIPCTL_BIN (default: the release build in the
# directory named by /tmp/release-path.txt, else scripts/build-release's
# .build-release/release), TRIALS [3], CHANGES [20], VM_TIMEOUT [900]
# seconds. The binaries are stripped into a temporary directory before they
# are packed into the VM. Results and method: docs/benchmarks.md, "IPVS
# (issue 7)". Run it on a quiet machine (TCG is CPU-bound).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
case ${1:-} in
  -h|--help) sed -n '2,/^set /{/^set /d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
  '') ;;
  *) echo "ipvs-vm.sh: unknown argument '$1'" >&2; exit 2 ;;
esac
release=""
if [ -s /tmp/release-path.txt ]; then release=$(cat /tmp/release-path.txt); fi
[ -n "$release" ] || release=$top/.build-release/release
VIPD_BIN=${VIPD_BIN:-$release/vipd}
VIPCTL_BIN=${VIPCTL_BIN:-$release/vipctl}
TRIALS=${TRIALS:-3}
CHANGES=${CHANGES:-20}
for b in "$VIPD_BIN" "$VIPCTL_BIN"; do
  [ -x "$b" ] || { echo "ipvs-vm.sh: no binary $b (scripts/build-release, or set VIPD_BIN and VIPCTL_BIN)" >&2; exit 2; }
done
"$top/scripts/vm/install-vm-deps" >/dev/null
bins=$(mktemp -d /tmp/vipd-vmbench.XXXXXX)
trap 'rm -rf "$bins"' EXIT
strip -o "$bins/vipd" "$VIPD_BIN"
strip -o "$bins/vipctl" "$VIPCTL_BIN"
echo "vipd: $VIPD_BIN ($(stat -c %s "$bins/vipd") bytes stripped); host load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$top/scripts/vm/run" --timeout "${VM_TIMEOUT:-900}" --mem 1536 --bin "$bins/vipd" --bin "$bins/vipctl" \
  "$top/bench/guest/ipvs-bench.sh" -- "$bins/vipd" "$bins/vipctl" "$TRIALS" "$CHANGES"
