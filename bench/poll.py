#!/usr/bin/env python3
"""The ingest benchmark's observer: it runs next to the receiver (in its
namespace) and asks the receiver, its own way, how many prefixes it has.

  1. reads the receiver's CPU ticks (the baseline, before any injector runs);
  2. waits (bounded) for every injector's --est file (Established);
  3. with --go: sends each injector SIGUSR1, so that their bursts start together;
  4. polls the receiver's CLI with back-off (5 ms, doubling to 100 ms: a
     poller competes for the 2 CPUs) until the count reaches --target;
  5. reads the receiver's CPU at that moment, then waits until --linger
     seconds after the first Established, keeping quiet, and reads CPU,
     VmHWM and VmRSS again;
  6. writes one JSON object to --out.

All times are time.monotonic(), the clock the injectors write too.

Counts, per --kind:
  vipd   `vipctl --socket SOCK --json neighbors`: sum of prefixes_received
  bird   `birdc -s SOCK show protocols all`: sum of "Routes: N imported"
  frr    `vtysh --vty_socket DIR -c 'show bgp ipv4 unicast summary json'`: sum of pfxRcd
  gobgp  `gobgp neighbor -j`: sum of each peer's received IPv4 unicast count
The command itself comes after `--`.
"""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids):
    """utime + stime of the given processes, in seconds (None if one is gone)."""
    total = 0
    for p in pids:
        try:
            with open("/proc/%d/stat" % p) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5)
    return total / TICK


def status_kb(pids, key):
    total = 0
    for p in pids:
        try:
            with open("/proc/%d/status" % p) as f:
                for line in f:
                    if line.startswith(key + ":"):
                        total += int(line.split()[1])
        except OSError:
            return None
    return total


def count_vipd(out, peers):
    return sum(int(n.get("prefixes_received") or 0) for n in json.loads(out)
               if not peers or n.get("address") in peers)


def count_bird(out, peers):
    return sum(int(m) for m in re.findall(r"Routes:\s+(\d+) imported", out))


def count_frr(out, peers):
    d = json.loads(out)
    if "peers" not in d:  # an afi-keyed layout
        d = next((v for v in d.values() if isinstance(v, dict) and "peers" in v), {"peers": {}})
    return sum(int(v.get("pfxRcd") or 0) for k, v in d["peers"].items() if not peers or k in peers)


def count_gobgp(out, peers):
    total = 0
    for p in json.loads(out):
        addr = (p.get("conf") or {}).get("neighbor_address") or (p.get("state") or {}).get("neighbor_address")
        if peers and addr not in peers:
            continue
        for af in p.get("afi_safis") or []:
            total += int((af.get("state") or {}).get("received") or 0)
    return total


COUNTERS = {"vipd": count_vipd, "bird": count_bird, "frr": count_frr, "gobgp": count_gobgp}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", required=True, choices=sorted(COUNTERS))
    ap.add_argument("--target", type=int, required=True)
    ap.add_argument("--est", action="append", default=[], help="an injector's Established file (repeat)")
    ap.add_argument("--go", action="store_true", help="once all are Established, send SIGUSR1 to each injector (the pid in its --est file)")
    ap.add_argument("--pids", default="", help="the receiver's PIDs, comma-separated")
    ap.add_argument("--peer", action="append", default=[], help="count only these peers (default all)")
    ap.add_argument("--linger", type=float, default=0, help="seconds after the first Established to stay quiet before the end readings")
    ap.add_argument("--abort-if", action="append", default=[], help="a file whose appearance before Established means an injector gave up (repeat)")
    ap.add_argument("--est-timeout", type=float, default=60)
    ap.add_argument("--timeout", type=float, default=600, help="give up when the count has not reached --target after this long")
    ap.add_argument("--cmd-timeout", type=float, default=60)
    ap.add_argument("--out", required=True)
    ap.add_argument("--ready", help="file created once the CPU baseline is taken")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    pids = [int(p) for p in a.pids.split(",") if p]
    count = COUNTERS[a.kind]
    r = {"kind": a.kind, "target": a.target, "pids": pids, "error": None,
         "cpu_base": cpu_seconds(pids), "t_base": time.monotonic()}
    if a.ready:
        open(a.ready, "w").close()

    def finish(code):
        with open(a.out + ".tmp", "w") as f:
            json.dump(r, f)
            f.write("\n")
        os.replace(a.out + ".tmp", a.out)
        return code

    # 2. Established, every injector.
    est, est_pids = {}, []
    end = time.monotonic() + a.est_timeout
    while len(est) < len(a.est):
        for path in a.est:
            if path not in est and os.path.exists(path):
                with open(path) as f:
                    e = json.load(f)
                est[path] = e["established"]
                est_pids.append(e["pid"])
        if len(est) < len(a.est):
            gone = [p for p in a.abort_if if os.path.exists(p)]
            if gone:
                r["error"] = "an injector ended before Established (%s)" % ", ".join(gone)
                return finish(1)
            if time.monotonic() > end:
                r["error"] = "only %d of %d sessions Established after %.0f s" % (len(est), len(a.est), a.est_timeout)
                return finish(1)
            time.sleep(0.002)
    r["established"] = sorted(est.values())

    # 3. The go signal.
    if a.go:
        r["t_go"] = time.monotonic()
        for p in est_pids:
            os.kill(p, signal.SIGUSR1)

    # 4. Poll with back-off.
    start = time.monotonic()
    delay, polls, replies, prev_end, last = 0.005, 0, [], None, None
    while True:
        t1 = time.monotonic()
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=a.cmd_timeout)
            t2 = time.monotonic()
            n = count(p.stdout, set(a.peer)) if p.returncode == 0 else None
            err = None if p.returncode == 0 else (p.stderr.strip() or p.stdout.strip())[-300:]
        except (subprocess.TimeoutExpired, ValueError, KeyError, TypeError) as e:
            t2, n, err = time.monotonic(), None, "%s: %s" % (type(e).__name__, e)
        polls += 1
        replies.append(round(t2 - t1, 6))
        if n is not None:
            last = n
        else:
            r["last_poll_error"] = err
        if n is not None and n >= a.target:
            r["cpu_at_target"] = cpu_seconds(pids)
            r.update(t_seen=t2, t_seen_poll_start=t1, t_prev_poll_end=prev_end, count=n)
            break
        prev_end = t2
        if t2 - start > a.timeout:
            r["error"] = "count %s of %d after %.1f s (%s)" % (last, a.target, a.timeout, err or "no error")
            r.update(count=last, polls=polls, reply_max=max(replies))
            return finish(1)
        time.sleep(delay)
        delay = min(delay * 2, 0.1)
    r.update(polls=polls, reply_max=max(replies), reply_median=sorted(replies)[len(replies) // 2])

    # 5. Quiet until the linger ends, then the end readings.
    if a.linger > 0:
        until = min(r["established"]) + a.linger
        while time.monotonic() < until:
            time.sleep(min(0.2, max(0.0, until - time.monotonic())))
    r["t_end"] = time.monotonic()
    r["cpu_end"] = cpu_seconds(pids)
    r["hwm_kb"] = status_kb(pids, "VmHWM")
    r["rss_kb"] = status_kb(pids, "VmRSS")
    return finish(0)


if __name__ == "__main__":
    sys.exit(main())
