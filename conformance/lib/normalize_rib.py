#!/usr/bin/env python3
"""Turn one BGP daemon's own view of a prefix into the lab's one JSON shape.

Usage: normalize_rib.py DAEMON PREFIX FROM < daemon_output

DAEMON is frr | bird | gobgp | openbgpd | exabgp | vipctl; the input is what
that daemon's CLI printed (see peers/*.sh for the exact command). FROM is the
address of the neighbor the route must have come from. Prints one object:

  {"prefix": "10.0.1.100/32", "present": true, "from": "10.255.0.2",
   "best": true, "next_hop": "10.255.0.2", "next_hop_link_local": null,
   "as_path": [65011], "origin": "igp", "med": 10, "local_pref": null,
   "communities": ["65011:100"], "large_communities": ["65011:1:1"],
   "stale": false}

or {"prefix": ..., "present": false} when no route from FROM is there.
A field the daemon does not show is null (e.g. "stale" for ExaBGP).
Communities are "ASN:VALUE" (well-known ones too, never names), large
communities "A:B:C".
"""

import ipaddress
import json
import re
import sys

WELL_KNOWN = {
    "graceful-shutdown": "65535:0", "accept-own": "65535:1",
    "blackhole": "65535:666", "no-export": "65535:65281",
    "no-advertise": "65535:65282", "local-as": "65535:65283",
    "no-export-subconfed": "65535:65283", "no-peer": "65535:65284",
    "llgr-stale": "65535:6", "no-llgr": "65535:7",
}


def norm_prefix(p):
    return str(ipaddress.ip_network(p, strict=False))


def same_addr(a, b):
    try:
        return ipaddress.ip_address(a) == ipaddress.ip_address(b)
    except ValueError:
        return False


def community(c):
    if isinstance(c, int):
        return "%d:%d" % (c >> 16, c & 0xFFFF)
    if isinstance(c, (list, tuple)):
        return "%d:%d" % tuple(c)
    c = str(c).strip()
    return WELL_KNOWN.get(c.lower(), c)


def route(prefix, frm, **kw):
    r = {"prefix": prefix, "present": True, "from": frm, "best": None,
         "next_hop": None, "next_hop_link_local": None, "as_path": [],
         "origin": None, "med": None, "local_pref": None,
         "communities": [], "large_communities": [], "stale": None}
    r.update(kw)
    return r


def absent(prefix):
    return {"prefix": prefix, "present": False}


def as_path_list(s):
    """'65011 65011 {1 2}' -> [65011, 65011, 1, 2] (sets flattened)."""
    return [int(x) for x in re.findall(r"\d+", str(s or ""))]


# --- FRR: vtysh -c 'show bgp ipv4|ipv6 unicast PREFIX json' ----------------
def frr(text, prefix, frm):
    d = json.loads(text or "{}")
    for p in d.get("paths", []):
        peer = p.get("peer", {})
        if not same_addr(peer.get("peerId", ""), frm):
            continue
        nh = nhll = None
        for n in p.get("nexthops", []):
            if n.get("scope") == "link-local" or str(n.get("ip", "")).lower().startswith("fe80"):
                nhll = n.get("ip")
            elif nh is None:
                nh = n.get("ip")
        return route(
            prefix, frm,
            best=bool(p.get("bestpath", {}).get("overall", False)),
            next_hop=nh, next_hop_link_local=nhll,
            as_path=as_path_list(p.get("aspath", {}).get("string", "")),
            origin=str(p.get("origin", "")).lower() or None,
            med=p.get("metric"), local_pref=p.get("locPrf"),
            communities=[community(c) for c in p.get("community", {}).get("list", [])],
            large_communities=list(p.get("largeCommunity", {}).get("list", [])),
            stale=bool(p.get("stale", False)),
            valid=bool(p.get("valid", False)),
        )
    return absent(prefix)


# --- BIRD: birdc -s SOCK 'show route PREFIX all' (text) ---------------------
# A route block starts with the prefix (or blanks, for a second path of the
# same prefix) and "unicast [PROTO TIME ...]"; its attributes follow, indented.
def bird(text, prefix, frm):
    blocks, cur = [], None
    for line in text.splitlines():
        if line.startswith("Name ") or re.match(r"^\S+\s+BGP\s", line):
            cur = None  # `show protocols` output follows: no more routes
            continue
        m = re.match(r"^(\S+)?\s+(unicast|unreachable|blackhole|prohibit)\s+\[(\S+)\s.*?\]\s*(\*)?", line)
        if m and not line.startswith("\t"):
            pfx = m.group(1) or (cur["prefix"] if cur else None)
            cur = {"prefix": pfx, "proto": m.group(3), "best": m.group(4) == "*",
                   "head": line, "attrs": {}, "via": None, "stale": None}
            blocks.append(cur)
            continue
        if cur is None:
            continue
        s = line.strip()
        mv = re.match(r"^via (\S+) on (\S+)", s)
        if mv:
            cur["via"] = mv.group(1)
        ma = re.match(r"^(BGP\.\w+|Type|Internal\.\w+):\s*(.*)$", s)
        if ma:
            cur["attrs"][ma.group(1)] = ma.group(2)
    for b in blocks:
        try:
            if norm_prefix(b["prefix"]) != prefix:
                continue
        except ValueError:
            continue
        a = b["attrs"]
        # The neighbor is not printed per route; the BGP next hop is the
        # node's own address on a direct eBGP session (next hop self).
        nh = a.get("BGP.next_hop", "").split()
        glob = [x for x in nh if not x.lower().startswith("fe80")]
        ll = [x for x in nh if x.lower().startswith("fe80")]
        if not glob and not ll:
            continue
        return route(
            prefix, frm, best=b["best"],
            next_hop=glob[0] if glob else None,
            next_hop_link_local=ll[0] if ll else None,
            as_path=as_path_list(a.get("BGP.as_path", "")),
            origin=(a.get("BGP.origin") or "").lower() or None,
            med=int(a["BGP.med"]) if "BGP.med" in a else None,
            local_pref=int(a["BGP.local_pref"]) if "BGP.local_pref" in a else None,
            communities=["%s:%s" % c for c in re.findall(r"\((\d+),\s*(\d+)\)", a.get("BGP.community", ""))],
            large_communities=["%s:%s:%s" % c for c in re.findall(r"\((\d+),\s*(\d+),\s*(\d+)\)", a.get("BGP.large_community", ""))],
            # BIRD 2.0 prints no per-route stale flag; while the neighbor
            # restarts, `show protocols all` says "Neighbor graceful restart
            # active" and every route of the protocol is stale.
            stale=bool(re.search(r"Neighbor graceful restart active", text)),
            protocol=b["proto"],
        )
    return absent(prefix)


# --- GoBGP: gobgp global rib PREFIX -a ipv4|ipv6 -j -------------------------
def gobgp(text, prefix, frm):
    d = json.loads(text or "{}")
    for key, paths in d.items():
        if norm_prefix(key) != prefix:
            continue
        for p in paths:
            if not same_addr(p.get("neighbor-ip", ""), frm):
                continue
            r = route(prefix, frm, best=bool(p.get("best")), stale=bool(p.get("stale")))
            for a in p.get("attrs", []):
                t = a.get("type")
                if t == 1:
                    r["origin"] = {0: "igp", 1: "egp", 2: "incomplete"}.get(a.get("value"))
                elif t == 2:
                    r["as_path"] = [n for seg in a.get("as_paths", []) for n in seg.get("asns", [])]
                elif t == 3:
                    r["next_hop"] = a.get("nexthop")
                elif t == 4:
                    r["med"] = a.get("metric")
                elif t == 5:
                    r["local_pref"] = a.get("value")
                elif t == 8:
                    r["communities"] = [community(c) for c in a.get("communities", [])]
                elif t == 32:
                    r["large_communities"] = ["%d:%d:%d" % (v["ASN"], v["LocalData1"], v["LocalData2"])
                                              for v in a.get("value", [])]
                elif t == 14:
                    r["next_hop"] = a.get("nexthop")
                    ll = a.get("linklocal_nexthop") or a.get("link_local_nexthop")
                    if ll:
                        r["next_hop_link_local"] = ll
            return r
    return absent(prefix)


# --- OpenBGPD: bgpctl -j -s SOCK show rib detail PREFIX ---------------------
def openbgpd(text, prefix, frm):
    d = json.loads(text or "{}")
    for p in d.get("rib", []):
        if norm_prefix(p.get("prefix", "")) != prefix:
            continue
        if not same_addr(p.get("neighbor", {}).get("remote_addr", ""), frm):
            continue
        return route(
            prefix, frm, best=bool(p.get("best")),
            next_hop=p.get("exit_nexthop"),
            as_path=as_path_list(p.get("aspath", "")),
            origin=str(p.get("origin", "")).lower() or None,
            med=p.get("metric"), local_pref=p.get("localpref"),
            communities=[community(c) for c in p.get("communities", [])],
            large_communities=list(p.get("large_communities", [])),
            stale=bool(p.get("stale", False)),
            valid=bool(p.get("valid", False)),
        )
    return absent(prefix)


# --- ExaBGP: the JSON lines its API process logged (exabgp-api.sh) ----------
def exabgp(text, prefix, frm):
    rib = {}
    for line in text.splitlines():
        try:
            m = json.loads(line)
        except ValueError:
            continue
        n = m.get("neighbor", {})
        if not same_addr(n.get("address", {}).get("peer", ""), frm):
            continue
        if m.get("type") == "state" and n.get("state") in ("down", "connected"):
            rib.clear()
            continue
        if m.get("type") != "update":
            continue
        u = n.get("message", {}).get("update")
        if not u:
            continue
        for fam, items in u.get("withdraw", {}).items():
            for it in items:
                rib.pop(norm_prefix(it["nlri"] if isinstance(it, dict) else it), None)
        attr = u.get("attribute", {})
        for fam, by_nh in u.get("announce", {}).items():
            for nh, items in by_nh.items():
                for it in items:
                    p = norm_prefix(it["nlri"] if isinstance(it, dict) else it)
                    r = rib.get(p)
                    if r is None or r.get("_attr") is not attr:
                        r = route(
                            p, frm,
                            as_path=[x for x in attr.get("as-path", []) if isinstance(x, int)],
                            origin=attr.get("origin"), med=attr.get("med"),
                            local_pref=attr.get("local-preference"),
                            communities=[community(c) for c in attr.get("community", [])],
                            large_communities=["%d:%d:%d" % tuple(c) for c in attr.get("large-community", [])],
                        )
                        r["_attr"] = attr
                        rib[p] = r
                    # A 32-byte IPv6 next hop shows as two next-hop keys.
                    if nh.lower().startswith("fe80"):
                        r["next_hop_link_local"] = nh
                    else:
                        r["next_hop"] = nh
    r = rib.get(prefix)
    if r is None:
        return absent(prefix)
    r.pop("_attr", None)
    return r


# --- vipd: vipctl --json rib --in --prefix PREFIX ---------------------------
def vipctl(text, prefix, frm):
    d = json.loads(text or "[]")
    for p in d:
        if norm_prefix(p.get("prefix", "")) != prefix or not same_addr(p.get("peer", ""), frm):
            continue
        nh = p.get("next_hop")
        nhs = nh if isinstance(nh, list) else [nh]
        ap = p.get("as_path")
        return route(
            prefix, frm, best=p.get("best"),
            next_hop=next((x for x in nhs if x and not str(x).lower().startswith("fe80")), None),
            next_hop_link_local=next((x for x in nhs if x and str(x).lower().startswith("fe80")), None),
            as_path=ap if isinstance(ap, list) else as_path_list(ap),
            origin=p.get("origin"), med=p.get("med"), local_pref=p.get("local_pref"),
            communities=[community(c) for c in p.get("communities") or []],
            large_communities=list(p.get("large_communities") or []),
            stale=p.get("stale"),
        )
    return absent(prefix)


DAEMONS = {"frr": frr, "bird": bird, "gobgp": gobgp, "openbgpd": openbgpd,
           "exabgp": exabgp, "vipctl": vipctl}


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in DAEMONS:
        sys.stderr.write("usage: normalize_rib.py {%s} PREFIX FROM < output\n" % "|".join(DAEMONS))
        return 2
    daemon, prefix, frm = sys.argv[1], norm_prefix(sys.argv[2]), sys.argv[3]
    text = sys.stdin.read()
    try:
        out = DAEMONS[daemon](text, prefix, frm)
    except (ValueError, KeyError, TypeError, IndexError) as e:
        out = absent(prefix)
        out["error"] = "%s: cannot read %s output: %s" % (type(e).__name__, daemon, e)
        out["raw"] = text[:2000]
    print(json.dumps(out, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
