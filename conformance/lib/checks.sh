# shellcheck shell=bash
# Checks on the lab's normalized route JSON (normalize_rib.py), shared by the
# self-test and the vipd matrix: each prints nothing and returns 0 when the
# route is as expected, or prints the reason and returns 1.

[ -n "${_LAB_CHECKS_SH:-}" ] && return 0
_LAB_CHECKS_SH=1

# route_matches JSON key=value...: compare fields of one route. Values are
# JSON (as_path='[65011]', med=10, communities='["65011:100"]', stale=true);
# a bare word that is not JSON is taken as a string (next_hop=10.255.0.2).
# next_hop_any=A|B accepts either address.
route_matches() {
  python3 - "$@" <<'EOF'
import ipaddress, json, sys
try:
    r = json.loads(sys.argv[1])
except ValueError:
    print("unreadable route JSON: %r" % sys.argv[1][:200]); sys.exit(1)
if "error" in r:
    print(r["error"]); sys.exit(1)
bad = []
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    if k == "next_hop_any":
        want = v.split("|")
        got = r.get("next_hop")
        ok = any(got and ipaddress.ip_address(got) == ipaddress.ip_address(w) for w in want)
        if not ok:
            bad.append("next_hop %s, want one of %s" % (got, want))
        continue
    try:
        want = json.loads(v)
    except ValueError:
        want = v
    got = r.get(k)
    if k in ("communities", "large_communities") and isinstance(got, list) and isinstance(want, list):
        got, want = sorted(got), sorted(want)
    if k == "next_hop" and got and isinstance(want, str):
        try:
            if ipaddress.ip_address(got) == ipaddress.ip_address(want):
                continue
        except ValueError:
            pass
    if got != want:
        bad.append("%s %s, want %s" % (k, json.dumps(got), json.dumps(want)))
if bad:
    print("; ".join(bad)); sys.exit(1)
EOF
}

# route_present JSON: true when the route is there.
route_present() { route_matches "$1" present=true >/dev/null; }
