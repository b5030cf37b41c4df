#!/usr/bin/env bash
# vipd programs IPVS on a real kernel: boots Debian's kernel under qemu
# (scripts/vm/run; the host kernel has no IPVS) with vipd and vipctl inside,
# and runs conformance/guest/ipvs-daemon.sh there: direct routing, tunnel,
# local, NAT (IPv4 and IPv6) and fwmark traffic from a client to three real
# servers, the ipvsadm cross-check, the operator's service left alone, a
# runtime weight, health, a reload's single change and the clean-up at exit.
# PASS/FAIL per check.
#
# Usage: VIPD_BIN=... VIPCTL_BIN=... conformance/ipvs-vm.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
: "${VIPD_BIN:?set VIPD_BIN}" "${VIPCTL_BIN:?set VIPCTL_BIN}"
"$top/scripts/vm/install-vm-deps" >/dev/null
# Debug symbols are of no use in the guest and would triple the image.
bins=$(mktemp -d /tmp/vipd-vmbin.XXXXXX)
trap 'rm -rf "$bins"' EXIT
strip -o "$bins/vipd" "$VIPD_BIN"
strip -o "$bins/vipctl" "$VIPCTL_BIN"
"$top/scripts/vm/run" --timeout "${VM_TIMEOUT:-300}" --mem 1536 --bin "$bins/vipd" --bin "$bins/vipctl" \
  "$top/conformance/guest/ipvs-daemon.sh" -- "$bins/vipd" "$bins/vipctl"
