#!/usr/bin/env python3
"""bench/announce-latency.sh's client and analysis (Python 3 stdlib).

  trials   for each trial, connect to vipd's control socket, take the
           client's timestamp (time.time()) right before writing
           {"command":"vip","args":["add","10.77.0.I"]}\\n, and read the reply.
           Then one `vipctl vip add` process, timed from spawn to exit, and
           `vipctl --help` for the start-up alone. JSON to --out.
  analyze  the UPDATEs vipd sent, from a pcap (tcpdump -w, Ethernet or
           Linux cooked capture, IPv4/TCP, the stream reassembled and framed
           into BGP messages): for each trial, the first UPDATE after the
           client's timestamp whose NLRI carries the /32; median and max.
           The collector's own receipt times (inject.py collect --log) are
           a cross-check.
"""
import argparse
import json
import os
import socket
import statistics
import struct
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from inject import ipv4_prefixes  # noqa: E402


def control(path, command, args, timeout=10):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    req = (json.dumps({"command": command, "args": args}) + "\n").encode()
    t = time.time()
    s.sendall(req)
    reply = b""
    while not reply.endswith(b"\n"):
        d = s.recv(65536)
        if not d:
            break
        reply += d
    t_reply = time.time()
    s.close()
    try:
        value = json.loads(reply)
    except ValueError:
        value = {"error": "unreadable reply %r" % reply[:200]}
    return t, t_reply, value


def trials(a):
    out = {"trials": [], "error": None}
    for i in range(1, a.count + 1):
        addr = "%s%d" % (a.prefix_base, i)
        t, t_reply, value = control(a.socket, "vip", ["add", addr])
        out["trials"].append({"address": addr, "t": t, "reply_s": t_reply - t, "reply": value})
        if isinstance(value, dict) and "error" in value:
            out["error"] = "vip add %s: %s" % (addr, value["error"])
            break
        time.sleep(a.gap)
    if out["error"] is None and a.vipctl:
        t = time.time()
        p = subprocess.run([a.vipctl, "--socket", a.socket, "vip", "add", a.vipctl_address], capture_output=True, text=True)
        out["vipctl"] = {"address": a.vipctl_address, "t": t, "process_s": time.time() - t, "rc": p.returncode,
                         "stderr": p.stderr.strip()[-300:]}
        starts = []
        for _ in range(5):
            t1 = time.monotonic()
            subprocess.run([a.vipctl, "--help"], capture_output=True)
            starts.append(time.monotonic() - t1)
        out["vipctl"]["startup_s"] = min(starts)
        time.sleep(a.gap)
    with open(a.out, "w") as f:
        json.dump(out, f)
    if out["error"]:
        print(out["error"], file=sys.stderr)
        return 3
    return 0


def pcap_packets(path):
    """(epoch time, src ip, dst ip, sport, dport, seq, payload) of each IPv4/TCP packet."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise ValueError("%s: not a pcap file (pcapng is not read here)" % path)
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack_from(e + "I", data, 20)[0]
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack_from(e + "IIII", data, off)
        off += 16
        pkt = data[off:off + incl]
        off += incl
        t = sec + frac / (1e9 if nano else 1e6)
        if linktype == 1:      # Ethernet
            if len(pkt) < 14:
                continue
            etype, p = struct.unpack_from("!H", pkt, 12)[0], 14
            while etype == 0x8100 and len(pkt) >= p + 4:  # VLAN
                etype, p = struct.unpack_from("!H", pkt, p + 2)[0], p + 4
        elif linktype == 113:  # Linux cooked (SLL)
            etype, p = struct.unpack_from("!H", pkt, 14)[0], 16
        elif linktype == 276:  # Linux cooked v2
            etype, p = struct.unpack_from("!H", pkt, 0)[0], 20
        elif linktype in (101, 12):  # raw IP
            etype, p = 0x0800, 0
        else:
            raise ValueError("link type %d not handled" % linktype)
        if etype != 0x0800 or len(pkt) < p + 20:
            continue
        ihl = (pkt[p] & 0x0F) * 4
        total = struct.unpack_from("!H", pkt, p + 2)[0]
        if pkt[p + 9] != 6:
            continue
        src, dst = socket.inet_ntoa(pkt[p + 12:p + 16]), socket.inet_ntoa(pkt[p + 16:p + 20])
        tcp = p + ihl
        sport, dport, seq = struct.unpack_from("!HHI", pkt, tcp)
        doff = (pkt[tcp + 12] >> 4) * 4
        payload = pkt[tcp + doff:p + total]
        yield t, src, dst, sport, dport, seq, payload


def updates_from(path, src):
    """(time, nlri list) for every UPDATE that src sent, the time being the
    capture time of the packet that completed the message."""
    streams = {}
    out = []
    for t, s, d, sp, dp, seq, payload in pcap_packets(path):
        if s != src or not payload:
            continue
        st = streams.setdefault((s, d, sp, dp), {"next": None, "buf": bytearray()})
        if st["next"] is None:
            st["next"] = seq
        delta = (seq - st["next"]) & 0xFFFFFFFF
        if delta >= 0x80000000:           # old data: a retransmission, maybe partial
            skip = (st["next"] - seq) & 0xFFFFFFFF
            if skip >= len(payload):
                continue
            payload, seq = payload[skip:], st["next"]
        elif delta != 0:                  # a gap: the capture lost a segment
            raise ValueError("capture lost %d bytes of %s -> %s" % (delta, s, d))
        st["buf"] += payload
        st["next"] = (seq + len(payload)) & 0xFFFFFFFF
        buf = st["buf"]
        while len(buf) >= 19:
            ln = struct.unpack_from("!H", buf, 16)[0]
            if ln < 19 or len(buf) < ln:
                break
            if buf[18] == 2:
                body = bytes(buf[19:ln])
                wlen = struct.unpack_from("!H", body, 0)[0]
                alen = struct.unpack_from("!H", body, 2 + wlen)[0]
                out.append((t, ipv4_prefixes(body[4 + wlen + alen:])))
            del buf[:ln]
    return out


def analyze(a):
    with open(a.trials) as f:
        tr = json.load(f)
    ups = updates_from(a.pcap, a.src)
    col = []
    if a.collector_log:
        with open(a.collector_log) as f:
            col = [json.loads(l_) for l_ in f if l_.strip()]

    def first_after(t, prefix, seq):
        for tu, nlri in seq:
            if tu >= t and prefix in nlri:
                return tu
        return None

    rows, missing = [], []
    for x in tr["trials"]:
        if "error" in (x["reply"] if isinstance(x["reply"], dict) else {}):
            continue
        p = x["address"] + "/32"
        tw = first_after(x["t"], p, ups)
        tc = first_after(x["t"], p, [(c["t"], c["nlri"]) for c in col])
        if tw is None:
            missing.append(x["address"])
            continue
        rows.append({"address": x["address"], "wire_ms": (tw - x["t"]) * 1000,
                     "collector_ms": None if tc is None else (tc - x["t"]) * 1000, "reply_ms": x["reply_s"] * 1000})
    res = {"trials": len(tr["trials"]), "found": len(rows), "missing": missing, "rows": rows}
    if rows:
        w = [r["wire_ms"] for r in rows]
        res.update(median_ms=statistics.median(w), max_ms=max(w), min_ms=min(w))
        c = [r["collector_ms"] for r in rows if r["collector_ms"] is not None]
        if c:
            res.update(collector_median_ms=statistics.median(c), collector_max_ms=max(c))
    v = tr.get("vipctl")
    if v:
        tw = first_after(v["t"], v["address"] + "/32", ups)
        res["vipctl"] = dict(v, wire_ms=None if tw is None else (tw - v["t"]) * 1000)
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
    print("announce latency, control request written -> UPDATE on the wire (tcpdump), %d trials:" % len(tr["trials"]))
    if rows:
        print("  median %.2f ms, max %.2f ms (min %.2f ms)%s" % (
            res["median_ms"], res["max_ms"], res["min_ms"],
            "; at the collector: median %.2f ms, max %.2f ms" % (res["collector_median_ms"], res["collector_max_ms"])
            if "collector_median_ms" in res else ""))
    if missing:
        print("  no UPDATE found for: %s" % " ".join(missing))
    if v:
        print("vipctl vip add as a process (spawn to exit): %.1f ms; vipctl start-up alone (vipctl --help, best of 5): %.1f ms; spawn -> UPDATE on the wire: %s" % (
            v["process_s"] * 1000, v["startup_s"] * 1000,
            "-" if res["vipctl"]["wire_ms"] is None else "%.1f ms" % res["vipctl"]["wire_ms"]))
    return 0 if rows and not missing else 1


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("trials")
    t.add_argument("--socket", required=True)
    t.add_argument("--count", type=int, default=20)
    t.add_argument("--prefix-base", default="10.77.0.")
    t.add_argument("--gap", type=float, default=0.3, help="seconds between trials")
    t.add_argument("--vipctl", help="also time one `vipctl vip add` process")
    t.add_argument("--vipctl-address", default="10.77.0.100")
    t.add_argument("--out", required=True)
    n = sub.add_parser("analyze")
    n.add_argument("--pcap", required=True)
    n.add_argument("--trials", required=True)
    n.add_argument("--src", required=True, help="vipd's address")
    n.add_argument("--collector-log")
    n.add_argument("--out", required=True)
    a = ap.parse_args()
    return trials(a) if a.cmd == "trials" else analyze(a)


if __name__ == "__main__":
    sys.exit(main())
