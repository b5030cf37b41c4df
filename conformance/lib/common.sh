# shellcheck shell=bash
# Shared helpers for the interop lab: logging, bounded waits, key=value
# argument parsing and JSON field access. Sourced, never run.

[ -n "${_LAB_COMMON_SH:-}" ] && return 0
_LAB_COMMON_SH=1

LAB_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

lab_log() { printf '%s %s\n' "$(date +%H:%M:%S.%3N)" "$*" >&2; }
lab_die() { lab_log "error: $*"; exit 1; }

# wait_until TIMEOUT_S INTERVAL_S COMMAND...: run COMMAND until it succeeds
# or TIMEOUT_S seconds have passed. Returns 0 on success, 1 on timeout.
wait_until() {
  local timeout=$1 interval=$2; shift 2
  local deadline=$(( $(date +%s%N) + $(awk -v t="$timeout" 'BEGIN { printf "%.0f", t * 1e9 }') ))
  while :; do
    "$@" >/dev/null 2>&1 && return 0
    [ "$(date +%s%N)" -ge "$deadline" ] && return 1
    sleep "$interval"
  done
}

# kv_parse PREFIX key=value...: sets PREFIX_key=value for each argument.
# Keys may hold letters, digits and underscores; dashes become underscores.
kv_parse() {
  local prefix=$1; shift
  local arg key
  for arg in "$@"; do
    case $arg in
      *=*) key=${arg%%=*}; key=${key//-/_}
           printf -v "${prefix}_${key}" '%s' "${arg#*=}" ;;
      *) lab_die "expected key=value, got '$arg'" ;;
    esac
  done
}

# is_ipv6 ADDR: true when ADDR (or prefix) is IPv6.
is_ipv6() { [[ $1 == *:* ]]; }

# family_of PREFIX: ipv4 or ipv6
family_of() { if is_ipv6 "$1"; then echo ipv6; else echo ipv4; fi; }

# json_get FIELD < JSON: print one top-level field of a JSON object
# (strings bare, null as nothing, everything else as JSON).
json_get() {
  python3 -c '
import json, sys
v = json.load(sys.stdin).get(sys.argv[1])
print("" if v is None else v if isinstance(v, str) else json.dumps(v))' "$1"
}

# pids_alive PID...: true if any of the PIDs still runs.
# A zombie (ended, not yet reaped) counts as ended.
pids_alive() {
  local p st
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    st=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -c1)
    [ -n "$st" ] && [ "$st" != Z ] && return 0
  done
  return 1
}

# stop_pids TIMEOUT_S PID...: SIGTERM the given processes, wait for them
# (bounded), then SIGKILL whatever is left. Only ever the given PIDs.
stop_pids() {
  local timeout=$1; shift
  local pids=() p
  for p in "$@"; do [ -n "$p" ] && kill -0 "$p" 2>/dev/null && pids+=("$p"); done
  [ ${#pids[@]} -eq 0 ] && return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  local deadline=$(( $(date +%s) + timeout ))
  while pids_alive "${pids[@]}" && [ "$(date +%s)" -lt "$deadline" ]; do
    sleep 0.1
  done
  for p in "${pids[@]}"; do
    pids_alive "$p" && kill -KILL "$p" 2>/dev/null
  done
  deadline=$(( $(date +%s) + 2 ))
  while pids_alive "${pids[@]}" && [ "$(date +%s)" -lt "$deadline" ]; do
    sleep 0.05
  done
  # reap our own children, so that none is left a zombie
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  return 0
}

# pidfile_pid FILE: the PID in FILE, if the file exists.
pidfile_pid() { [ -s "$1" ] && tr -dc '0-9' <"$1"; }
