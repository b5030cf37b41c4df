#!/usr/bin/env python3
"""bench/vip-fanout.sh's watcher and arithmetic (Python 3 stdlib only).

  announce  wait (bounded) until every collector's log holds all the VIPs;
            then read the daemon's CPU (utime + stime) and VmHWM
  withdraw  read the daemon's CPU and VmHWM, send it SIGTERM, and wait
            (bounded) until every collector has either seen every VIP
            withdrawn or lost its session; then wait for the daemon to exit
  row       one run's files -> one JSON line (stdout): times from the
            collectors' own timestamps, UPDATE counts, CPU, RSS
  table     the JSON lines of every run -> the table, per daemon best and
            median over the runs, and the vipd/BIRD ratios (--markdown)

Clocks: the collectors log each UPDATE with time.time() and write their
Established and close times with time.monotonic(); the daemon's spawn time
is bash's $EPOCHREALTIME. Monotonic times are put on the wall clock with the
offset time.time() - time.monotonic() read here (one machine, one offset).
"""
import argparse
import json
import os
import signal
import statistics
import sys
import time

# The table helpers are the ingest report's (same folder).
from ingest_report import best_median, fmt, read_rows

TICK = os.sysconf("SC_CLK_TCK")


def clock_offset():
    """time.time() - time.monotonic(), read as tightly as possible."""
    best = None
    for _ in range(5):
        m0 = time.monotonic()
        w = time.time()
        m1 = time.monotonic()
        if best is None or m1 - m0 < best[0]:
            best = (m1 - m0, w - (m0 + m1) / 2)
    return best[1]


def proc_cpu(pid):
    """utime + stime of pid in seconds, or None once it has ended."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    if fields[0] == "Z":
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


def proc_cpu_fine(pid):
    """The daemon's CPU seconds at ns resolution where it can be had: the
    larger of utime + stime (every thread, dead ones too, in clock ticks)
    and the sum of the live threads' sum_exec_runtime (schedstat, ns). Both
    are lower bounds of the true figure. None once it has ended."""
    ticks = proc_cpu(pid)
    if ticks is None:
        return None
    ns = 0
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            try:
                with open("/proc/%d/task/%s/schedstat" % (pid, t)) as f:
                    ns += int(f.read().split()[0])
            except (OSError, ValueError, IndexError):
                pass
    except OSError:
        pass
    return max(ticks, ns / 1e9)


def proc_status_kb(pid, key):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def alive(pid):
    return proc_cpu(pid) is not None


class Tail:
    """A collector's UPDATE log, read incrementally (whole lines only)."""

    def __init__(self, path):
        self.path, self.pos, self.buf = path, 0, b""
        self.lines = []

    def poll(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.pos)
                data = f.read()
        except OSError:
            return []
        self.pos += len(data)
        self.buf += data
        new = []
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            if line.strip():
                new.append(json.loads(line))
        self.lines += new
        return new


def read_vips(path):
    with open(path) as f:
        return set(line.strip() for line in f if line.strip())


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f)
        f.write("\n")
    os.replace(tmp, path)


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def collector_paths(d, i):
    return ("%s/collector-%d.updates.jsonl" % (d, i), "%s/collector-%d.est.json" % (d, i),
            "%s/collector-%d.json" % (d, i))


# --- the watchers ------------------------------------------------------------

def announce(a):
    want = read_vips(a.vips)
    tails = [Tail(collector_paths(a.dir, i)[0]) for i in range(a.peers)]
    have = [set() for _ in range(a.peers)]
    done = [False] * a.peers
    out = {"phase": "announce", "pid": a.pid, "error": None}
    deadline = time.monotonic() + a.timeout
    while True:
        for i, t in enumerate(tails):
            for u in t.poll():
                have[i] |= set(u["nlri"])
                have[i] -= set(u["withdrawn"])
            done[i] = want <= have[i]
        if all(done):
            out["t_seen_wall"] = time.time()
            break
        if not alive(a.pid):
            out["error"] = "the daemon ended before every collector had the %d VIPs" % len(want)
            break
        if time.monotonic() > deadline:
            out["error"] = "after %.0f s, collectors with all %d VIPs: %d of %d (fewest: %d)" % (
                a.timeout, len(want), sum(done), a.peers, min(len(h & want) for h in have))
            break
        time.sleep(a.interval)
    out["cpu_s"] = proc_cpu_fine(a.pid)
    out["cpu_ticks_s"] = proc_cpu(a.pid)
    out["hwm_kb"] = proc_status_kb(a.pid, "VmHWM")
    out["rss_kb"] = proc_status_kb(a.pid, "VmRSS")
    write_json(a.out, out)
    if out["error"]:
        print("fanout.py announce: %s" % out["error"], file=sys.stderr)
        return 1
    return 0


def withdraw(a):
    want = read_vips(a.vips)
    paths = [collector_paths(a.dir, i) for i in range(a.peers)]
    tails = [Tail(p[0]) for p in paths]
    have = [set() for _ in range(a.peers)]
    for i, t in enumerate(tails):  # the state so far
        for u in t.poll():
            have[i] |= set(u["nlri"])
            have[i] -= set(u["withdrawn"])
    out = {"phase": "withdraw", "pid": a.pid, "error": None,
           "cpu_before_s": proc_cpu_fine(a.pid), "hwm_kb": proc_status_kb(a.pid, "VmHWM"),
           "rss_kb": proc_status_kb(a.pid, "VmRSS"), "offset": clock_offset()}
    out["t_term_wall"] = time.time()
    try:
        os.kill(a.pid, signal.SIGTERM)
    except OSError as e:
        out["error"] = "SIGTERM: %s" % e
        write_json(a.out, out)
        return 1
    deadline = time.monotonic() + a.timeout
    state = [None] * a.peers  # "withdrawn" | "closed"
    last_cpu = out["cpu_before_s"]
    while True:
        for i, t in enumerate(tails):
            for u in t.poll():
                have[i] |= set(u["nlri"])
                have[i] -= set(u["withdrawn"])
            if state[i] is None:
                if not (have[i] & want):
                    state[i] = "withdrawn"
                elif os.path.exists(paths[i][2]):  # the collector ended: its session is gone
                    state[i] = "closed"
        c = proc_cpu_fine(a.pid)
        if c is not None:
            last_cpu = c
        if all(state):
            break
        if time.monotonic() > deadline:
            out["error"] = "after %.0f s, collectors done: %d of %d" % (a.timeout, sum(1 for s in state if s), a.peers)
            break
        time.sleep(a.interval)
    out["states"] = state
    out["t_seen_wall"] = time.time()
    # the daemon's exit (bounded)
    while alive(a.pid) and time.monotonic() < deadline:
        c = proc_cpu_fine(a.pid)
        if c is not None:
            last_cpu = c
        time.sleep(a.interval)
    if alive(a.pid):
        out["exit_wall"] = None
        if not out["error"]:
            out["error"] = "the daemon did not exit within %.0f s of SIGTERM" % a.timeout
    else:
        out["exit_wall"] = time.time()
    out["cpu_last_s"] = last_cpu
    write_json(a.out, out)
    if out["error"]:
        print("fanout.py withdraw: %s" % out["error"], file=sys.stderr)
        return 1
    return 0


# --- one run's row -------------------------------------------------------------

def row(a):
    want = read_vips(a.vips)
    ann = load(a.announce) or {"error": "no announce report"}
    wd = load(a.withdraw) or {"error": "no withdraw report"}
    off = wd.get("offset", clock_offset())
    r = {"daemon": a.kind, "run": a.run, "vips": len(want), "peers": a.peers, "problems": [], "notes": []}
    if ann.get("error"):
        r["problems"].append("announce: " + ann["error"])
    if wd.get("error"):
        r["problems"].append("withdraw: " + wd["error"])
    spawn = a.spawn
    t_term = wd.get("t_term_wall")
    per_session = []  # each collector: its own Established to its last VIP
    est, t_all, upd_nlri, upd_total, upd_wd, t_wd, t_closed, notes_close = [], [], [], [], [], [], [], []
    for i in range(a.peers):
        log, estp, rep = collector_paths(a.dir, i)
        e = load(estp)
        rp = load(rep) or {}
        if e is None:
            r["problems"].append("collector %d: never Established" % i)
            continue
        est.append(e["established"] + off)
        have, t_i, n_nlri, n_total, most = set(), None, 0, 0, 0
        n_wd, t_wd_i, had_all = 0, None, False
        lines = Tail(log)
        lines.poll()
        for u in lines.lines:
            before_term = t_term is None or u["t"] < t_term
            if before_term:
                n_total += 1
                if u["nlri"]:
                    n_nlri += 1
                    most = max(most, len(u["nlri"]))
            elif u["withdrawn"]:
                n_wd += 1
            have |= set(u["nlri"])
            have -= set(u["withdrawn"])
            if t_i is None and want <= have:
                t_i, had_all = u["t"], True
            if had_all and t_term is not None and not before_term and t_wd_i is None and not (have & want):
                t_wd_i = u["t"]
        if t_i is None:
            r["problems"].append("collector %d: %d of %d VIPs" % (i, len(have & want), len(want)))
            continue
        t_all.append(t_i)
        per_session.append(t_i - est[-1])
        upd_nlri.append(n_nlri)
        upd_total.append(n_total)
        r["prefixes_per_update_max"] = max(r.get("prefixes_per_update_max", 0), most)
        upd_wd.append(n_wd)
        if t_wd_i is not None:
            t_wd.append(t_wd_i)
        closed = rp.get("closed_by_peer")
        n = rp.get("notification_received")
        if n:
            notes_close.append("Cease %d/%d" % (n["code"], n["subcode"]) if n["code"] == 6 else "NOTIFICATION %d/%d" % (n["code"], n["subcode"]))
            closed = n["t"] if closed is None else min(closed, n["t"])
        elif closed is not None:
            notes_close.append("closed without NOTIFICATION")
        else:
            notes_close.append("still open (stopped by the script)")
        if closed is not None:
            t_closed.append(closed + off)
    if est:
        r["first_est_s"] = min(est) - spawn
        r["last_est_s"] = max(est) - spawn
    if len(t_all) == a.peers:
        r["start_to_all_s"] = max(t_all) - spawn
        r["est_to_all_s"] = max(t_all) - max(est)
        r["session_est_to_all_median_s"] = statistics.median(per_session)
        r["session_est_to_all_max_s"] = max(per_session)
        r["updates_nlri_min"], r["updates_nlri_max"] = min(upd_nlri), max(upd_nlri)
        r["updates_total_max"] = max(upd_total)
    if ann.get("cpu_s") is not None:
        r["cpu_s"] = ann["cpu_s"]
    if wd.get("cpu_before_s") is not None:
        r["cpu_before_term_s"] = wd["cpu_before_s"]
    if wd.get("cpu_last_s") is not None:
        r["cpu_to_exit_s"] = wd["cpu_last_s"]  # the last reading before it exited
    if wd.get("hwm_kb") is not None:
        r["peak_rss_mb"] = wd["hwm_kb"] / 1024
    elif ann.get("hwm_kb") is not None:
        r["peak_rss_mb"] = ann["hwm_kb"] / 1024
    if t_term is not None:
        r["withdraw_updates_max"] = max(upd_wd) if upd_wd else 0
        if len(t_wd) == a.peers:
            r["withdraw_all_s"] = max(t_wd) - t_term
        elif t_wd:
            r["notes"].append("%d of %d collectors saw every VIP withdrawn" % (len(t_wd), a.peers))
        if len(t_closed) == a.peers:
            r["term_to_closed_s"] = max(t_closed) - t_term
        if wd.get("exit_wall") is not None:
            r["term_to_exit_s"] = wd["exit_wall"] - t_term
        kinds = sorted(set(notes_close))
        r["close"] = ", ".join(kinds)
    r["ok"] = not r["problems"] and "start_to_all_s" in r
    print(json.dumps(r))
    return 0


# --- the table -------------------------------------------------------------------

def table(a):
    rows = read_rows(a.results)
    if not rows:
        print("no results")
        return 1
    order = []
    for r in rows:
        if r["daemon"] not in order:
            order.append(r["daemon"])
    names = {"vipd": "vipd", "bird": "BIRD 2"}
    keys = {"start_to_all_s": 3, "est_to_all_s": 3, "last_est_s": 3, "cpu_s": 3, "cpu_before_term_s": 3,
            "cpu_to_exit_s": 3, "session_est_to_all_median_s": 3, "session_est_to_all_max_s": 3,
            "peak_rss_mb": 1, "withdraw_all_s": 3, "term_to_closed_s": 3, "term_to_exit_s": 3}
    stats, problems = {}, []
    for k in order:
        rs = [r for r in rows if r["daemon"] == k and r.get("ok")]
        bad = [r for r in rows if r["daemon"] == k and not r.get("ok")]
        s = {"runs": len(rs), "failed": len(bad)}
        for key, d in keys.items():
            s[key] = best_median(rs, key, d)
        upd = [(r["updates_nlri_min"], r["updates_nlri_max"]) for r in rs if r.get("updates_nlri_min") is not None]
        s["updates"] = "-" if not upd else (str(upd[0][0]) if min(u[0] for u in upd) == max(u[1] for u in upd)
                                            else "%d-%d" % (min(u[0] for u in upd), max(u[1] for u in upd)))
        most = sorted(set(r["prefixes_per_update_max"] for r in rs if r.get("prefixes_per_update_max")))
        s["most"] = "-" if not most else str(most[0]) if most[0] == most[-1] else "%d-%d" % (most[0], most[-1])
        wdu = sorted(set(r.get("withdraw_updates_max", 0) for r in rs))
        s["wd_updates"] = "-" if not wdu else str(wdu[0]) if wdu[0] == wdu[-1] else "%d-%d" % (wdu[0], wdu[-1])
        s["close"] = "; ".join(sorted(set(r.get("close", "") for r in rs if r.get("close")))) or "-"
        stats[k] = s
        for r in bad:
            problems.append("! %s run %s: %s" % (k, r["run"], "; ".join(r["problems"]) or "no result"))
        for r in rs:
            for n in r.get("notes", []):
                problems.append("note: %s run %s: %s" % (k, r["run"], n))
    vips, peers = rows[0]["vips"], rows[0]["peers"]
    runs = max(s["runs"] + s["failed"] for s in stats.values())
    # times: the slowest collector; UPDATEs: per collector (End-of-RIB not counted)
    head = ["daemon", "start→all s", "last Est→all s", "start→last Est s", "UPDATEs", "most /32s in one", "CPU s",
            "peak RSS MB", "SIGTERM→all withdrawn s", "withdraw UPDATEs", "SIGTERM→closed s", "session end"]
    lines = []
    for k in order:
        s = stats[k]
        wd = s["withdraw_all_s"][2]
        if wd == "-" and s["wd_updates"] == "0":
            wd = "none sent"
        lines.append([names.get(k, k), s["start_to_all_s"][2], s["est_to_all_s"][2], s["last_est_s"][2], s["updates"], s["most"],
                      s["cpu_s"][2], s["peak_rss_mb"][2], wd, s["wd_updates"], s["term_to_closed_s"][2], s["close"]])
    ratios = []
    if "vipd" in stats and "bird" in stats:
        v, b = stats["vipd"], stats["bird"]
        for label, key in (("start→all", "start_to_all_s"), ("Est→all", "est_to_all_s"), ("CPU", "cpu_s"),
                           ("RSS", "peak_rss_mb")):
            vb, vm, _ = v[key]
            bb, bm, _ = b[key]
            if vb is not None and bb:
                ratios.append((label, vb / bb, vm / bm if bm else None))
    title = "VIP fan-out: %s VIPs (/32) to %d eBGP peers, %d run%s%s" % (
        format(vips, ","), peers, runs, "s" if runs != 1 else "", ", best (median)" if runs > 1 else "")
    rf = lambda x: "%.2f" % x if x >= 0.995 else "%.2g" % x  # two significant digits below 1
    ratio_text = ", ".join("%s %s%s" % (lab, rf(best), "" if runs == 1 or med is None else " (median %s)" % rf(med))
                           for lab, best, med in ratios)
    if a.markdown:
        print(title + "\n")
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for l_ in lines:
            print("| " + " | ".join(l_) + " |")
        if ratios:
            print("\nvipd/BIRD: " + ratio_text)
    else:
        print(title)
        widths = [max(len(h), *(len(l_[i]) for l_ in lines)) for i, h in enumerate(head)]
        print("  ".join(h.ljust(w) for h, w in zip(head, widths)).rstrip())
        for l_ in lines:
            print("  ".join(c.ljust(w) for c, w in zip(l_, widths)).rstrip())
        if ratios:
            print("vipd/BIRD ratio: " + ratio_text)
        for k in order:
            s = stats[k]
            print("  %s: per session, its Established→its last VIP s: median %s, max %s; CPU s to just before"
                  " SIGTERM %s, to its exit (last reading) %s; SIGTERM→exit s %s" % (
                      names.get(k, k), s["session_est_to_all_median_s"][2], s["session_est_to_all_max_s"][2],
                      s["cpu_before_term_s"][2], s["cpu_to_exit_s"][2], s["term_to_exit_s"][2]))
    for p in problems:
        print(p)
    return 0 if all(s["failed"] == 0 for s in stats.values()) else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("announce", "withdraw"):
        p = sub.add_parser(name)
        p.add_argument("--dir", required=True, help="where collector-I.updates.jsonl etc. are")
        p.add_argument("--peers", type=int, required=True)
        p.add_argument("--vips", required=True, help="the expected prefixes, one a line")
        p.add_argument("--pid", type=int, required=True, help="the daemon")
        p.add_argument("--timeout", type=float, default=120)
        p.add_argument("--interval", type=float, default=0.02)
        p.add_argument("--out", required=True)
    p = sub.add_parser("row")
    p.add_argument("--kind", required=True)
    p.add_argument("--run", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--peers", type=int, required=True)
    p.add_argument("--vips", required=True)
    p.add_argument("--spawn", type=float, required=True, help="the daemon's spawn time (wall clock)")
    p.add_argument("--announce", required=True)
    p.add_argument("--withdraw", required=True)
    t = sub.add_parser("table")
    t.add_argument("--markdown", action="store_true")
    t.add_argument("results")
    a = ap.parse_args()
    return {"announce": announce, "withdraw": withdraw, "row": row, "table": table}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
