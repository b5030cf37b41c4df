# shellcheck shell=bash
# shellcheck disable=SC2034  # variables set here are read by the scripts that source this
# Shared by the bench/ scripts that run daemons in network namespaces:
# logging, bounded waits, the processes and namespaces a script made, and
# the one cleanup (a trap) that ends and deletes all of them, on success,
# failure or ctrl-C. Sourced, never run.

[ -n "${_BENCH_COMMON_SH:-}" ] && return 0
_BENCH_COMMON_SH=1

BENCH_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_DIR=$(cd "$BENCH_LIB/.." && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
PYTHON=${PYTHON:-python3}

BENCH_PIDS=()   # processes this script started (PIDs), ended by bench_cleanup
BENCH_NS=()     # namespaces this script made, deleted by bench_cleanup
BENCH_TMP=''    # the script's state dir (kept with KEEP=1)

# bench_args SCRIPT ARGS...: the options every bench script takes; sets
# `markdown` (an array: empty or --markdown); --help prints SCRIPT's header.
bench_args() {
  local script=$1 arg; shift
  markdown=()
  for arg in "$@"; do
    case $arg in
      --markdown) markdown=(--markdown) ;;
      -h|--help) sed -n '2,/^set /{/^set /d;s/^# \{0,1\}//;p}' "$script"; exit 0 ;;
      *) bench_die "unknown argument '$arg' (--markdown)" ;;
    esac
  done
}

bench_log() { printf '%s %s\n' "$(date +%H:%M:%S.%3N)" "$*" >&2; }
bench_die() { bench_log "error: $*"; exit 1; }

# wait_until, pids_alive, stop_pids and pidfile_pid: the lab's, one copy.
# shellcheck source=../../conformance/lib/common.sh
. "$REPO_DIR/conformance/lib/common.sh"

# bench_track PID...: remember processes to end at cleanup.
bench_track() { BENCH_PIDS+=("$@"); }

# ns_kill_all NS: end every process in a namespace this script made.
ns_kill_all() {
  local ns=$1 pids
  [ -e "/run/netns/$ns" ] || return 0
  pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
  [ -n "$pids" ] || return 0
  # shellcheck disable=SC2086
  stop_pids 10 $pids
  wait_until 3 0.1 test -z "$(ip netns pids "$ns" 2>/dev/null)" ||
    bench_log "processes still in $ns: $(ip netns pids "$ns" | tr '\n' ' ')"
}

# ns_new NAME: make a namespace with lo up, remembered for cleanup.
ns_new() {
  ip netns add "$1" || bench_die "ip netns add $1 failed"
  BENCH_NS+=("$1")
  ip -n "$1" link set lo up
}

# ns_del NS...: end its processes and delete it.
ns_del() {
  local ns keep=() n
  for ns in "$@"; do
    ns_kill_all "$ns"
    [ -e "/run/netns/$ns" ] && ip netns del "$ns" 2>/dev/null
  done
  for n in "${BENCH_NS[@]}"; do
    case " $* " in *" $n "*) ;; *) keep+=("$n") ;; esac
  done
  BENCH_NS=("${keep[@]}")
}

# veth_pair NS_A IF_A ADDR_A/LEN NS_B IF_B ADDR_B/LEN [MORE_B_ADDRS/LEN...]:
# a veth between two namespaces, with addresses that exist only there.
veth_pair() {
  local nsa=$1 ifa=$2 aa=$3 nsb=$4 ifb=$5; shift 5
  ip -n "$nsa" link add "$ifa" type veth peer name "$ifb" netns "$nsb" || bench_die "veth $ifa/$ifb failed"
  ip -n "$nsa" addr add "$aa" dev "$ifa"
  local b
  for b in "$@"; do ip -n "$nsb" addr add "$b" dev "$ifb"; done
  ip -n "$nsa" link set "$ifa" up
  ip -n "$nsb" link set "$ifb" up
}

bench_cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local live=()
  local p
  for p in "${BENCH_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && live+=("$p"); done
  [ ${#live[@]} -gt 0 ] && stop_pids 10 "${live[@]}"
  [ ${#BENCH_NS[@]} -gt 0 ] && ns_del "${BENCH_NS[@]}"
  if [ -n "$BENCH_TMP" ] && [ -d "$BENCH_TMP" ]; then
    if [ "${KEEP:-0}" = 1 ]; then bench_log "state kept in $BENCH_TMP"; else rm -rf "$BENCH_TMP"; fi
  fi
  exit "$rc"
}

# bench_init NAME: the cleanup trap, a state dir, and a random ID for names.
bench_init() {
  [ "$(id -u)" = 0 ] || bench_die "needs root (network namespaces)"
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  BENCH_ID=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
  BENCH_TMP=$(mktemp -d "/tmp/vipd-bench-$1-XXXXXX")
  chmod 755 "$BENCH_TMP"
}

# mono: CLOCK_MONOTONIC in seconds, the clock inject.py and poll.py write.
mono() { "$PYTHON" -c 'import time; print("%.6f" % time.monotonic())'; }

# bench_bins PRODUCT...: the binaries (vipd, vipctl, bgp-streamgen) as
# VIPD_BIN, VIPCTL_BIN, STREAMGEN_BIN: the ones given in the environment,
# the others built once as deployed (release, --static-swift-stdlib, as
# scripts/build-release does; in .build-bench, so that no other build is
# disturbed).
_bin_var() { case $1 in vipd) echo VIPD_BIN ;; vipctl) echo VIPCTL_BIN ;; bgp-streamgen) echo STREAMGEN_BIN ;; esac; }
bench_bins() {
  local p v missing=()
  for p in "$@"; do v=$(_bin_var "$p"); [ -n "${!v:-}" ] || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
    local scratch=${SCRATCH_PATH:-$REPO_DIR/.build-bench} bin
    bench_log "building ${missing[*]} (release, $scratch)"
    for p in "${missing[@]}"; do
      (cd "$REPO_DIR" && swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product "$p" >"$BENCH_TMP/build-$p.log" 2>&1) ||
        { tail -20 "$BENCH_TMP/build-$p.log" >&2; bench_die "swift build --product $p failed"; }
    done
    bin=$(cd "$REPO_DIR" && swift build -c release --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)
    for p in "${missing[@]}"; do v=$(_bin_var "$p"); printf -v "$v" '%s' "$bin/$p"; done
  fi
  for p in "$@"; do
    v=$(_bin_var "$p")
    [ -x "${!v}" ] || bench_die "$v=${!v} is not an executable"
    printf -v "$v" '%s' "$(readlink -f "${!v}")"
    export "${v?}"
  done
}

# lab_deps: the project's installer of lab packages (idempotent).
lab_deps() {
  "$REPO_DIR/scripts/install-lab-deps" >&2 || bench_die "scripts/install-lab-deps failed"
}
