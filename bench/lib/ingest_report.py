#!/usr/bin/env python3
"""bench/ingest.sh's arithmetic.

  row    one run's poll.py and inject.py reports -> one JSON line (stdout)
  table  the JSON lines of every run -> the table, per receiver best and
         median over the runs, and the vipd/BIRD ratios (--markdown: a
         markdown table for docs/benchmarks.md)
"""
import argparse
import json
import statistics
import sys


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        return {"error": "no report (%s)" % e}


def row(a):
    poll = load(a.poll)
    injs = [load(p) for p in a.inj]
    r = {"receiver": a.kind, "run": a.run, "n": a.n, "peers": a.peers, "target": poll.get("target"),
         "stream_bytes": a.stream_bytes, "problems": []}
    if poll.get("error"):
        r["problems"].append("poll: " + poll["error"])
    for i, j in enumerate(injs):
        if j.get("error"):
            r["problems"].append("injector %d: %s" % (i, j["error"]))
        if j.get("notification_received"):
            n = j["notification_received"]
            r["problems"].append("injector %d: NOTIFICATION %d/%d received" % (i, n["code"], n["subcode"]))
        if j.get("closed_by_peer"):
            r["problems"].append("injector %d: the receiver closed the session" % i)
    est = [j["established"] for j in injs if "established" in j]
    bursts = [j["burst_start"] for j in injs if "burst_start" in j]
    if a.peers > 1 and bursts:
        t0, r["t0"] = min(bursts), "first burst (all sessions Established, then SIGUSR1)"
    elif est:
        t0, r["t0"] = min(est), "Established"
    else:
        t0 = None
    if t0 is not None and "t_seen" in poll:
        r["wall_s"] = poll["t_seen"] - t0
        prev = poll.get("t_prev_poll_end")
        # the count was still short at the previous poll's reply
        r["wall_lower_bound_s"] = max(0.0, prev - t0) if prev is not None else 0.0
        if bursts:
            r["burst_s"] = max(j["burst_end"] for j in injs if "burst_end" in j) - t0 if all("burst_end" in j for j in injs) else None
    if poll.get("cpu_base") is not None:
        if poll.get("cpu_at_target") is not None:
            r["cpu_s"] = poll["cpu_at_target"] - poll["cpu_base"]
        if poll.get("cpu_end") is not None:
            r["cpu_end_s"] = poll["cpu_end"] - poll["cpu_base"]
    if poll.get("hwm_kb") is not None:
        r["peak_rss_mb"] = poll["hwm_kb"] / 1024
        r["rss_end_mb"] = poll["rss_kb"] / 1024
    r["polls"] = poll.get("polls")
    r["slowest_reply_s"] = poll.get("reply_max")
    r["median_reply_s"] = poll.get("reply_median")
    # Keepalives the receiver sent, per session: during the whole session
    # (Established to stop) and during the ingest (t0 to all N seen).
    kas, kas_ingest, gaps, intervals = [], [], [], []
    for j in injs:
        if "established" not in j:
            continue
        k = sorted(j.get("keepalives", []))
        kas.append(len(k))
        if t0 is not None and "t_seen" in poll:
            kas_ingest.append(sum(1 for t in k if t0 <= t <= poll["t_seen"]))
        marks = [j["established"]] + k
        if len(marks) > 1:
            gaps.append(max(b - a_ for a_, b in zip(marks, marks[1:])))
        intervals.append(j.get("keepalive_interval"))
        r["session_s"] = j.get("stopped", j["established"]) - j["established"]
    r["keepalives_min_per_session"] = min(kas) if kas else None
    r["keepalives_total"] = sum(kas)
    r["keepalives_during_ingest_min"] = min(kas_ingest) if kas_ingest else None
    r["keepalive_max_gap_s"] = max(gaps) if gaps else None
    r["keepalive_interval_s"] = intervals[0] if intervals else None
    if r["keepalive_max_gap_s"] and r["keepalive_interval_s"] and r["keepalive_max_gap_s"] > 1.5 * r["keepalive_interval_s"]:
        r["notes"] = ["keepalives late: a gap of %.1f s at an interval of %d s" % (r["keepalive_max_gap_s"], r["keepalive_interval_s"])]
    if r["keepalives_min_per_session"] == 0 and r.get("session_s", 0) > 1.5 * (r["keepalive_interval_s"] or 1e9):
        r["problems"].append("no keepalive from the receiver in a %.1f s session" % r["session_s"])
    r["ok"] = not r["problems"] and "wall_s" in r
    print(json.dumps(r))


def fmt(v, digits=3):
    return "-" if v is None else ("%.*f" % (digits, v))


def best_median(rows, key, digits=3):
    vals = [r[key] for r in rows if r.get(key) is not None]
    if not vals:
        return None, None, "-"
    b, m = min(vals), statistics.median(vals)
    if len(vals) == 1:
        return b, m, fmt(b, digits)
    return b, m, "%s (%s)" % (fmt(b, digits), fmt(m, digits))


def read_rows(path):
    """One run per JSON line (results.jsonl)."""
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def table(a):
    rows = read_rows(a.results)
    if not rows:
        print("no results")
        return 1
    order = []
    for r in rows:
        if r["receiver"] not in order:
            order.append(r["receiver"])
    names = {"vipd": "vipd", "bird": "BIRD 2", "frr": "FRR (bgpd+zebra)", "gobgp": "GoBGP"}
    stats, out = {}, []
    for k in order:
        rs = [r for r in rows if r["receiver"] == k and r.get("ok")]
        bad = [r for r in rows if r["receiver"] == k and not r.get("ok")]
        s = {"runs": len(rs), "failed": len(bad)}
        for key in ("wall_s", "cpu_s", "cpu_end_s", "peak_rss_mb"):
            s[key] = best_median(rs, key, 1 if key == "peak_rss_mb" else 3)
        s["ka"] = min((r["keepalives_min_per_session"] for r in rs if r.get("keepalives_min_per_session") is not None), default=None)
        s["ka_ingest"] = min((r["keepalives_during_ingest_min"] for r in rs if r.get("keepalives_during_ingest_min") is not None), default=None)
        s["gap"] = max((r["keepalive_max_gap_s"] for r in rs if r.get("keepalive_max_gap_s") is not None), default=None)
        s["reply"] = max((r["slowest_reply_s"] for r in rs if r.get("slowest_reply_s") is not None), default=None)
        s["res"] = max((r["wall_s"] - r["wall_lower_bound_s"] for r in rs if r.get("wall_s") is not None), default=None)
        s["n"] = rows[0]["n"]
        s["peers"] = rows[0]["peers"]
        s["interval"] = next((r["keepalive_interval_s"] for r in rs if r.get("keepalive_interval_s")), None)
        stats[k] = s
        for r in bad:
            out.append("! %s run %s: %s" % (k, r["run"], "; ".join(r["problems"]) or "no result"))
        for r in rs:
            for note in r.get("notes", []):
                out.append("note: %s run %s: %s" % (k, r["run"], note))

    n, peers = rows[0]["n"], rows[0]["peers"]
    runs = max(s["runs"] + s["failed"] for s in stats.values())
    what = "%s prefixes" % format(n, ",") if peers == 1 else "%d peers x %s prefixes" % (peers, format(n, ","))
    head = ["receiver", "N", "wall s", "CPU s", "peak RSS MB", "keepalives (run/ingest)", "max KA gap s", "slowest CLI reply ms"]
    lines = []
    for k in order:
        s = stats[k]
        lines.append([names.get(k, k), format(s["n"] * s["peers"], ","), s["wall_s"][2], s["cpu_s"][2], s["peak_rss_mb"][2],
                      "%s/%s" % ("-" if s["ka"] is None else s["ka"], "-" if s["ka_ingest"] is None else s["ka_ingest"]),
                      fmt(s["gap"], 1), fmt(None if s["reply"] is None else s["reply"] * 1000, 1)])
    ratios = []
    if "vipd" in stats and "bird" in stats:
        v, b = stats["vipd"], stats["bird"]
        for label, key in (("wall", "wall_s"), ("CPU", "cpu_s"), ("RSS", "peak_rss_mb")):
            vb, vm, _ = v[key]
            bb, bm, _ = b[key]
            if vb is not None and bb:
                best = vb / bb
                med = vm / bm if bm else None
                ratios.append((label, best, med))

    title = "Ingest: %s, %d run%s%s" % (what, runs, "s" if runs != 1 else "",
                                        ", best (median)" if runs > 1 else "")
    if a.markdown:
        print("%s; keepalive interval %s s\n" % (title, stats[order[0]]["interval"]))
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for l_ in lines:
            print("| " + " | ".join(l_) + " |")
        if ratios:
            print()
            print("vipd/BIRD: " + ", ".join("%s %.2f%s" % (lab, best, "" if runs == 1 or med is None else " (median %.2f)" % med)
                                            for lab, best, med in ratios))
    else:
        print(title)
        widths = [max(len(h), *(len(l_[i]) for l_ in lines)) for i, h in enumerate(head)]
        print("  ".join(h.ljust(w) for h, w in zip(head, widths)))
        for l_ in lines:
            print("  ".join(c.ljust(w) for c, w in zip(l_, widths)))
        if ratios:
            print("vipd/BIRD ratio: " + ", ".join("%s %.2f%s" % (lab, best, "" if runs == 1 or med is None else " (median %.2f)" % med)
                                                  for lab, best, med in ratios))
        for k in order:
            s = stats[k]
            extra = "poll resolution up to %s s" % fmt(s["res"])
            if s["cpu_end_s"][2] != "-":
                extra += ", CPU s to the end of the session %s" % s["cpu_end_s"][2]
            print("  %s: %s" % (names.get(k, k), extra))
    for o in out:
        print(o)
    return 0 if all(s["failed"] == 0 for s in stats.values()) else 1


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("row")
    r.add_argument("--kind", required=True)
    r.add_argument("--run", type=int, required=True)
    r.add_argument("--n", type=int, required=True)
    r.add_argument("--peers", type=int, required=True)
    r.add_argument("--stream-bytes", type=int, default=None)
    r.add_argument("--poll", required=True)
    r.add_argument("--inj", nargs="+", required=True)
    t = sub.add_parser("table")
    t.add_argument("--markdown", action="store_true")
    t.add_argument("results")
    a = ap.parse_args()
    if a.cmd == "row":
        row(a)
        return 0
    return table(a)


if __name__ == "__main__":
    sys.exit(main())
