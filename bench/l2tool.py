#!/usr/bin/env python3
"""Helpers of the layer-2 failover lab (bench/lib/l2lab.sh), one file:

  probe TARGET LOG [--interval 0.01] [--timeout 1]
      ICMP echo to TARGET every INTERVAL s on a fixed schedule (a send error,
      e.g. no ARP answer, never slows it down), until SIGTERM/SIGINT; then
      waits TIMEOUT s for late replies. LOG lines, wall clock (time.time()):
        S seq t        sent          R seq t rtt   answered
        D seq t        duplicate     E seq t errno send failed
  outage LOG --event T [--json]
      The outage around the event: the longest gap between two consecutive
      answered probes (reply times) among the probes from T-1 s on, where it
      starts and ends relative to T, and the probes lost (sent, never
      answered; the last TIMEOUT s of sends excluded).
  owners VIP LOG... [--since T] [--until T] [--t0 T] [--json]
      Each node's ownership intervals of VIP from `ip -ts monitor address
      link` logs (one per node, named NODE.mon or given as NODE=PATH). An
      interval starts at the address's add and ends at its Deleted line. The
      address counts only while its link is up (UP and LOWER_UP), since a
      node whose link is down answers nobody. Reports every overlap (two
      owners at once) and its length, and each node's adds/deletes relative
      to T0.
  health PORT FAILFILE
      A tiny HTTP server on 127.0.0.1:PORT: 200 on every path, 500 while
      FAILFILE exists.
  stamp [COMMAND...]
      Copy stdin (or COMMAND's output; SIGTERM ends COMMAND) to stdout, each
      line prefixed by the wall clock.
  etcd-leader
      Reads `etcdctl endpoint status -w json` on stdin, prints the endpoint
      of the member whose leader equals its own member id.
  trial --case C --daemon D --trial I --event T ... --out RESULTS.jsonl
      One trial of bench/failover.sh: the outage and owners above, and the
      case's own figure, appended as a JSON line.
  summary RESULTS.jsonl
      The markdown table of bench/failover.sh.
"""
import argparse
import datetime
import json
import os
import re
import select
import signal
import socket
import statistics
import struct
import sys
import time


# ---------------------------------------------------------------- probe
def _csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def cmd_probe(a):
    v6 = ":" in a.target
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    proto = socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP
    sock = socket.socket(fam, socket.SOCK_RAW, proto)
    sock.setblocking(False)
    ident = os.getpid() & 0xFFFF
    target = socket.getaddrinfo(a.target, None, fam)[0][4][0]
    out = open(a.log, "w", buffering=1 << 16)
    stop = {"at": None}

    def on_signal(_s, _f):
        if stop["at"] is None:
            stop["at"] = time.time()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    sent = {}
    seen = set()
    seq = 0
    nxt = time.time()
    last_flush = nxt
    echo_req, echo_rep = (128, 129) if v6 else (8, 0)
    while True:
        now = time.time()
        if stop["at"] is not None and now >= stop["at"] + a.timeout:
            break
        if stop["at"] is None and now >= nxt:
            seq = (seq + 1) & 0xFFFF
            payload = struct.pack("!d", now) + b"vipd-l2lab" * 2
            hdr = struct.pack("!BBHHH", echo_req, 0, 0, ident, seq)
            pkt = hdr + payload
            if not v6:  # the kernel fills in the ICMPv6 checksum
                pkt = struct.pack("!BBHHH", echo_req, 0, _csum(pkt), ident, seq) + payload
            t = time.time()
            try:
                sock.sendto(pkt, (target, 0))
                out.write("S %d %.6f\n" % (seq, t))
            except OSError as e:
                out.write("S %d %.6f\nE %d %.6f %d\n" % (seq, t, seq, t, e.errno))
            sent[seq] = t
            nxt += a.interval
            if nxt < now - a.interval:  # fell behind (a stall): no burst
                nxt = now + a.interval
        wait = max(0.0, min(nxt - time.time(), 0.05)) if stop["at"] is None else 0.05
        r, _, _ = select.select([sock], [], [], wait)
        if r:
            while True:
                try:
                    data, src = sock.recvfrom(2048)
                except BlockingIOError:
                    break
                t = time.time()
                if src[0] != target:
                    continue
                icmp = data if v6 else data[(data[0] & 0x0F) * 4:]
                if len(icmp) < 8:
                    continue
                typ, _c, _ck, rid, rseq = struct.unpack("!BBHHH", icmp[:8])
                if typ != echo_rep or rid != ident or rseq not in sent:
                    continue
                if rseq in seen:
                    out.write("D %d %.6f\n" % (rseq, t))
                else:
                    seen.add(rseq)
                    out.write("R %d %.6f %.6f\n" % (rseq, t, t - sent[rseq]))
        if time.time() - last_flush > 0.5:
            out.flush()
            last_flush = time.time()
    out.close()


def read_probe_log(path):
    sent, recv, dups, errs = {}, {}, 0, 0
    # seq numbers wrap at 65536 (11 min at 10 ms): unwrap by order of sends
    base, last = 0, -1
    unwrap = {}
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) < 3:
                continue
            k, seq, t = p[0], int(p[1]), float(p[2])
            if k == "S":
                if seq < last:
                    base += 65536
                last = seq
                unwrap[seq] = base + seq
                sent[base + seq] = t
            elif k in "RDE" and seq in unwrap:
                s = unwrap[seq]
                if k == "R":
                    recv[s] = t
                elif k == "D":
                    dups += 1
                else:
                    errs += 1
    return sent, recv, dups, errs


def outage(path, event, timeout=1.0):
    sent, recv, dups, errs = read_probe_log(path)
    if not sent:
        return {"error": "no probes sent"}
    last_send = max(sent.values())
    considered = [s for s in sorted(sent) if sent[s] <= last_send - timeout]
    lost = [s for s in considered if s not in recv]
    lost_after = [s for s in lost if sent[s] >= event - 1.0]
    answered = sorted((s for s in sorted(sent) if s in recv and sent[s] >= event - 1.0),
                      key=lambda s: recv[s])
    res = {"sent": len(considered), "lost": len(lost), "lost_near_event": len(lost_after),
           "dups": dups, "send_errors": errs}
    if len(answered) < 2:
        res["error"] = "fewer than two answered probes around the event"
        return res
    best = (0.0, None, None)
    for a, b in zip(answered, answered[1:]):
        g = recv[b] - recv[a]
        if g > best[0]:
            best = (g, a, b)
    g, a, b = best
    res.update({"outage_s": round(g, 4), "gap_start_rel_s": round(recv[a] - event, 4),
                "gap_end_rel_s": round(recv[b] - event, 4),
                "first_answer_after_event_rel_s": round(
                    min((recv[s] for s in answered if recv[s] > event), default=float("nan")) - event, 4)})
    return res


def cmd_outage(a):
    r = outage(a.log, a.event, a.timeout)
    if a.json:
        print(json.dumps(r))
    else:
        for k, v in r.items():
            print("%s: %s" % (k, v))


# ---------------------------------------------------------------- owners
TS_RE = re.compile(r"^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)\]\s+(Deleted\s+)?(\d+):\s+(\S+?)(?:@\S+?)?:?\s+(.*)$")


def parse_ts(s):
    # ip -ts prints local time without a zone
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%f").timestamp()


def read_monitor(path, vip):
    """Events (t, kind, value): kind addr (True/False) or link (True/False)."""
    ev = []
    vip_re = re.compile(r"^inet6?\s+%s/\d+\b" % re.escape(vip))
    with open(path, errors="replace") as f:
        for line in f:
            m = TS_RE.match(line.rstrip("\n"))
            if not m:
                continue
            t = parse_ts(m.group(1))
            deleted = bool(m.group(2))
            ifname = m.group(4)
            rest = m.group(5)
            if rest.startswith("<"):
                flags = rest[1:rest.index(">")].split(",") if ">" in rest else []
                up = (not deleted) and "UP" in flags and "LOWER_UP" in flags and "NO-CARRIER" not in flags
                ev.append((t, "link", ifname, up))
            elif vip_re.match(rest):
                ev.append((t, "addr", ifname, not deleted))
    return ev


def owner_intervals(ev, until):
    """Intervals in which the VIP was on an interface whose link was up."""
    addr = {}   # ifname -> present
    link = {}   # ifname -> up (unknown = up: monitors start after the links are up)
    out = []
    start = None

    def owning():
        return any(p and link.get(i, True) for i, p in addr.items())
    for t, kind, ifname, val in sorted(ev, key=lambda e: e[0]):
        before = owning()
        if kind == "addr":
            addr[ifname] = val
        else:
            link[ifname] = val
        after = owning()
        if not before and after:
            start = t
        elif before and not after:
            out.append([start, t])
            start = None
    if start is not None:
        out.append([start, until])
    return out


def owners(vip, logs, since=None, until=None, t0=None):
    until = until if until is not None else time.time()
    nodes = {}
    raw = {}
    for spec in logs:
        if "=" in spec:
            name, path = spec.split("=", 1)
        else:
            name, path = os.path.basename(spec).split(".")[0], spec
        ev = read_monitor(path, vip)
        iv = owner_intervals(ev, until)
        if since is not None:
            iv = [[max(s, since), e] for s, e in iv if e > since]
        iv = [[s, min(e, until)] for s, e in iv if s < until]
        nodes[name] = iv
        raw[name] = [(t, k, v) for t, k, _i, v in ev
                     if (since is None or t >= since) and t <= until]
    overlaps = []
    names = sorted(nodes)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            for s1, e1 in nodes[a]:
                for s2, e2 in nodes[b]:
                    s, e = max(s1, s2), min(e1, e2)
                    if e > s:
                        overlaps.append({"nodes": [a, b], "start": s, "length_s": round(e - s, 6)})
    ref = t0 if t0 is not None else (since or 0.0)
    res = {
        "intervals": {n: [[round(s - ref, 4), round(e - ref, 4)] for s, e in iv] for n, iv in nodes.items()},
        "events": {n: [[round(t - ref, 4), k, v] for t, k, v in evs] for n, evs in raw.items()},
        "overlap_total_s": round(sum(o["length_s"] for o in overlaps), 6),
        "overlap_max_s": round(max((o["length_s"] for o in overlaps), default=0.0), 6),
        "overlaps": [dict(o, start=round(o["start"] - ref, 4)) for o in overlaps],
    }
    return res


def cmd_owners(a):
    r = owners(a.vip, a.logs, a.since, a.until, a.t0)
    if a.json:
        print(json.dumps(r))
        return
    for n, iv in sorted(r["intervals"].items()):
        print("%s: %s" % (n, " ".join("[%+.3f, %+.3f]" % (s, e) for s, e in iv) or "never"))
    if r["overlaps"]:
        for o in r["overlaps"]:
            print("OVERLAP %s and %s from %+.3f s for %.3f s" % (o["nodes"][0], o["nodes"][1], o["start"], o["length_s"]))
    else:
        print("no overlap")


# ---------------------------------------------------------------- health
def cmd_health(a):
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class H(BaseHTTPRequestHandler):
        def do_GET(self):
            code = 500 if os.path.exists(a.failfile) else 200
            body = b"fail\n" if code == 500 else b"ok\n"
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_):
            pass
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    HTTPServer(("127.0.0.1", a.port), H).serve_forever()


def cmd_stamp(a):
    if not a.cmd_args:
        for line in sys.stdin:
            sys.stdout.write("%.6f %s" % (time.time(), line))
            sys.stdout.flush()
        return
    import subprocess
    child = subprocess.Popen(a.cmd_args, stdout=subprocess.PIPE, text=True)

    def stop(*_):
        child.terminate()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for line in child.stdout:
        sys.stdout.write("%.6f %s" % (time.time(), line))
        sys.stdout.flush()
    try:
        child.wait(timeout=3)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def cmd_etcd_leader(_a):
    data = json.load(sys.stdin)
    for e in data:
        st = e.get("Status", {})
        if st.get("leader") and st.get("leader") == st.get("header", {}).get("member_id"):
            print(e["Endpoint"])
            return
    sys.exit(1)



# ---------------------------------------------------------------- trial
WHAT = {
    "crash": "outage: longest gap between answered probes (10 ms) after SIGKILL of the owner + its lan link down",
    "crash-ttl1": "outage, as crash, with lease_ttl 1",
    "sigterm": "graceful stop of the owner (SIGTERM): outage (vipd must lose 0 probes; its handover overlaps by design, at most its 100 ms cap, docs/election.md)",
    "partition": "owner's ctl link cut: when it dropped the VIP, after the cut; overlap must be 0",
    "etcd-leader-kill": "SIGKILL of etcd's raft leader: longest probe gap; the VIP must not move, 0 probes lost",
    "health": "owner's health check starts failing (500; interval 0.2 s, fall 3): outage; 'handover' = when the next node added the VIP",
    "garp-latency": "takeover decision to wire: the new owner's first gratuitous ARP for the VIP (tcpdump -tt on its lan0, from its MAC) minus its log line 'taking the elected VIPs' (ms stamps); notes: the same GARP minus the first etcd DELETE after the crash (etcdctl watch, stamped on arrival), and vipd's own vipd_failover_seconds",
}


def first_delete_after(path, t):
    with open(path) as f:
        for line in f:
            ts, _, rest = line.partition(" ")
            try:
                tv = float(ts)
                d = json.loads(rest)
            except ValueError:
                continue
            if tv >= t and any(e.get("type") == 1 for e in d.get("Events", [])):
                return tv
    return None


def first_garp_after(path, vip, t, mac=None):
    # tcpdump -tt -n -e arp: "TS SRC > DST, ...: Request who-has VIP tell VIP"
    # or "... Reply VIP is-at MAC"; only frames from MAC (the new owner's: on
    # a bridge every node sees every node's broadcasts)
    pat = re.compile(r"(who-has %s tell %s\b|Reply %s is-at)" % ((re.escape(vip),) * 3))
    with open(path) as f:
        for line in f:
            p = line.split(None, 2)
            try:
                tv = float(p[0])
            except (ValueError, IndexError):
                continue
            if mac and p[1].lower() != mac.lower():
                continue
            if tv >= t and pat.search(line):
                return tv
    return None


def log_decision_after(path, t, pattern="taking the elected VIPs"):
    """The wall-clock stamp of the first line with PATTERN after T (vipd's
    lines start with an RFC 3339 UTC stamp with milliseconds)."""
    rx = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)Z")
    with open(path, errors="replace") as f:
        for line in f:
            if pattern not in line:
                continue
            m = rx.search(line)
            if not m:
                continue
            ts = m.group(1)
            fmt_ = "%Y-%m-%dT%H:%M:%S.%f" if "." in ts else "%Y-%m-%dT%H:%M:%S"
            tv = datetime.datetime.strptime(ts, fmt_).replace(tzinfo=datetime.timezone.utc).timestamp()
            if tv >= t - 0.001:
                return tv
    return None


def metric_value(path, name):
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith(name + " ") or line.startswith(name + "{"):
                try:
                    return float(line.rsplit(None, 1)[1])
                except ValueError:
                    pass
    return None


def cmd_trial(a):
    rec = {"case": a.case, "daemon": a.daemon, "trial": a.trial, "what": WHAT.get(a.case, ""),
           "old": a.old, "new": a.new}
    notes = []
    err = a.error or None
    o = outage(a.probe, a.event) if a.probe and os.path.exists(a.probe) else {"error": "no probe log"}
    rec["probe"] = o
    rec["lost"] = o.get("lost")
    ow = owners(a.vip, a.mon, a.since, a.until, a.event)
    rec["owners"] = ow
    rec["overlap_s"] = ow["overlap_max_s"]
    case = a.case
    if case in ("crash", "crash-ttl1", "sigterm", "health", "etcd-leader-kill"):
        rec["value_s"] = o.get("outage_s")
        if o.get("error") and not err:
            err = o["error"]
    if case == "sigterm" and (o.get("lost") or 0) > 0:
        notes.append("t%d: %d lost%s" % (a.trial, o["lost"], " (must be 0)" if a.daemon.startswith("vipd") else ""))
    if case == "etcd-leader-kill":
        moved = [n for n, iv in ow["intervals"].items() if n != a.old and iv]
        gaps = len(ow["intervals"].get(a.old, [])) != 1
        if moved or gaps:
            notes.append("t%d: VIP MOVED (%s)" % (a.trial, json.dumps(ow["intervals"])))
        if (o.get("lost") or 0) > 0:
            notes.append("t%d: %d lost (must be 0)" % (a.trial, o["lost"]))
    if case == "partition":
        ev_old = [e for e in ow["events"].get(a.old, []) if e[1] == "addr" and e[2] is False and e[0] >= 0]
        adds = sorted(e[0] for n, evs in ow["events"].items() if n != a.old
                      for e in evs if e[1] == "addr" and e[2] is True and e[0] >= 0)
        drop = ev_old[0][0] if ev_old else None
        rec["value_s"] = drop
        rec["new_owner_rel_s"] = adds[0] if adds else None
        if drop is None:
            err = err or "the partitioned owner never dropped the VIP"
        notes.append("t%d: new owner at %s, outage %s" % (
            a.trial, fmt(adds[0]) if adds else "never", fmt(o.get("outage_s"))))
    if case == "garp-latency":
        td = first_delete_after(a.watch, a.event) if a.watch else None
        tg = first_garp_after(a.garp, a.vip, a.event, a.garp_mac) if a.garp else None
        rec["delete_rel_s"] = None if td is None else round(td - a.event, 4)
        rec["garp_rel_s"] = None if tg is None else round(tg - a.event, 4)
        tl = log_decision_after(a.newlog, a.event) if a.newlog and os.path.exists(a.newlog) else None
        rec["garp_minus_delete_s"] = None if td is None or tg is None else round(tg - td, 4)
        rec["garp_minus_decision_s"] = None if tl is None or tg is None else round(tg - tl, 4)
        if a.metrics and os.path.exists(a.metrics):
            ms, mc = metric_value(a.metrics, "vipd_failover_seconds_sum"), metric_value(a.metrics, "vipd_failover_seconds_count")
            rec["vipd_failover_seconds"] = None if not mc else round(ms / mc, 4)
        rec["value_s"] = rec["garp_minus_decision_s"]
        if tg is None:
            err = err or "no gratuitous ARP from the new owner"
        elif tl is None:
            err = err or "no 'taking the elected VIPs' line in the new owner's log"
        rel = lambda v: "—" if v is None else "+%.3f" % (v - a.event)
        notes.append("t%d: key gone %s, decided %s, GARP %s; GARP−DELETE %s, vipd_failover_seconds %s" % (
            a.trial, rel(td), rel(tl), rel(tg), fmt(rec["garp_minus_delete_s"], ""), fmt(rec.get("vipd_failover_seconds"), "")))
    if case in ("health", "sigterm"):
        adds = sorted(e[0] for n, evs in ow["events"].items() if n != a.old
                      for e in evs if e[1] == "addr" and e[2] is True and e[0] >= 0)
        if adds:
            rec["new_owner_rel_s"] = adds[0]
            if case == "health":
                notes.append("t%d: handover +%.3f s" % (a.trial, adds[0]))
    if ow["overlap_max_s"] > 0:
        notes.append("t%d: overlap %s" % (a.trial, ", ".join(
            "%s+%s %.3f s from %+.3f s" % (o["nodes"][0], o["nodes"][1], o["length_s"], o["start"]) for o in ow["overlaps"])))
    if a.note:
        notes.append("t%d: %s" % (a.trial, a.note))
    if err:
        rec["error"] = err
    rec["note"] = "; ".join(notes)
    with open(a.out, "a") as f:
        f.write(json.dumps(rec) + "\n")
    print("%s %s t%d: value %s, lost %s, overlap %s%s%s" % (
        a.daemon, a.case, a.trial, fmt(rec.get("value_s")), rec["lost"], fmt(rec["overlap_s"]),
        (", error: " + err) if err else "", (", " + rec["note"]) if rec["note"] else ""), file=sys.stderr)


# ---------------------------------------------------------------- summary
def fmt(v, unit=" s"):
    return "—" if v is None else "%.3f%s" % (v, unit)


def cmd_summary(a):
    rows = {}
    order = []
    with open(a.results) as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            k = (r["case"], r["daemon"])
            if k not in rows:
                rows[k] = []
                order.append(k)
            rows[k].append(r)
    print("| case | daemon/setting | trials | median | worst | probes lost | overlap | what is measured, notes |")
    print("|---|---|---|---|---|---|---|---|")
    for k in order:
        rs = rows[k]
        vals = [r["value_s"] for r in rs if r.get("value_s") is not None]
        lost = [str(r["lost"]) if r.get("lost") is not None else "?" for r in rs]
        ov = [r.get("overlap_s") for r in rs if r.get("overlap_s") is not None]
        notes = []
        what = rs[0].get("what", "")
        if what:
            notes.append(what)
        fails = [r for r in rs if r.get("error")]
        if fails:
            notes.append("%d/%d trial(s) failed: %s" % (len(fails), len(rs), "; ".join(sorted({r["error"] for r in fails}))))
        extra = [r["note"] for r in rs if r.get("note")]
        if extra:
            notes.append("; ".join(extra))
        print("| %s | %s | %d | %s | %s | %s | %s | %s |" % (
            k[0], k[1], len(rs),
            fmt(statistics.median(vals)) if vals else "—",
            fmt(max(vals)) if vals else "—",
            ", ".join(lost),
            ("%.3f s max" % max(ov)) if ov else "—",
            " ".join(notes).replace("|", "/")))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sp = p.add_subparsers(dest="cmd", required=True)
    q = sp.add_parser("probe")
    q.add_argument("target")
    q.add_argument("log")
    q.add_argument("--interval", type=float, default=0.01)
    q.add_argument("--timeout", type=float, default=1.0)
    q = sp.add_parser("outage")
    q.add_argument("log")
    q.add_argument("--event", type=float, required=True)
    q.add_argument("--timeout", type=float, default=1.0)
    q.add_argument("--json", action="store_true")
    q = sp.add_parser("owners")
    q.add_argument("vip")
    q.add_argument("logs", nargs="+")
    q.add_argument("--since", type=float)
    q.add_argument("--until", type=float)
    q.add_argument("--t0", type=float)
    q.add_argument("--json", action="store_true")
    q = sp.add_parser("health")
    q.add_argument("port", type=int)
    q.add_argument("failfile")
    q = sp.add_parser("stamp")
    q.add_argument("cmd_args", nargs=argparse.REMAINDER)
    sp.add_parser("etcd-leader")
    q = sp.add_parser("trial")
    for k in ("case", "daemon", "vip", "out", "old"):
        q.add_argument("--" + k, required=True)
    q.add_argument("--trial", type=int, required=True)
    q.add_argument("--event", type=float, required=True)
    q.add_argument("--since", type=float, required=True)
    q.add_argument("--until", type=float, required=True)
    q.add_argument("--probe")
    q.add_argument("--mon", nargs="+", required=True)
    q.add_argument("--new", default="")
    q.add_argument("--watch")
    q.add_argument("--garp")
    q.add_argument("--garp-mac")
    q.add_argument("--newlog")
    q.add_argument("--metrics")
    q.add_argument("--error", default="")
    q.add_argument("--note", default="")
    q = sp.add_parser("summary")
    q.add_argument("results")
    a = p.parse_args()
    {"probe": cmd_probe, "outage": cmd_outage, "owners": cmd_owners, "health": cmd_health,
     "stamp": cmd_stamp, "etcd-leader": cmd_etcd_leader, "trial": cmd_trial, "summary": cmd_summary}[a.cmd](a)


if __name__ == "__main__":
    main()
