#!/usr/bin/env python3
"""A stand-in for vipd's ARP VIP + etcd election, NOT vipd: it proves the
layer-2 lab (bench/lib/l2lab.sh, bench/failover.sh,
conformance/layer2-election.sh) independently of vipd, the way the interop
lab's ExaBGP stand-in proves that lab. Its figures are the stand-in's, never
vipd's.

  l2standin.py --config FILE               the daemon (vipd's config keys it needs)
  l2standin.py [ctl] --socket S [--json] election [resign]

So the lab runs without vipd as:
  VIPD_BIN=bench/l2standin.py VIPCTL_BIN=bench/l2standin.py \
    VIPD_LABEL="l2standin (not vipd)" DAEMONS=vipd bench/failover.sh
  VIPD_BIN=bench/l2standin.py VIPCTL_BIN=bench/l2standin.py conformance/layer2-election.sh
L2STANDIN_NO_FENCING=1 makes a partitioned leader keep the VIP: the negative
test of the overlap checks. (Its SIGTERM handover drops the VIP before a follower, polling every 50 ms,
takes it, so it loses probes there: the check is expected to FAIL for it.)

The election: a lease of lease_ttl, a key /NAME/leader created in a txn
only if absent (on the lease), keep-alives every ttl/4; a leader whose
keep-alives have failed for ttl - 0.5 s drops the VIP (fencing) before the
lease can lapse at etcd. Followers poll the key every 50 ms. SIGTERM and a
failing health check resign (revoke the lease). At start, an address left in
state_dir by a crashed run is removed. All through etcd's v3 JSON gateway.
"""
import base64
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.request


def b64(s):
    return base64.b64encode(s.encode()).decode()


def log(*a):
    print("%s %s" % (time.strftime("%H:%M:%S"), " ".join(str(x) for x in a)), flush=True)


def parse_config(path):
    txt = open(path).read()
    c = {}

    def g(pat, default=None):
        m = re.search(pat, txt, re.M)
        return m.group(1) if m else default
    c["node"] = g(r"^node_name:\s*(\S+)")
    c["iface"] = g(r"^interface:\s*(\S+)")
    c["state"] = g(r"^state_dir:\s*(\S+)")
    c["socket"] = g(r"^control:\s*\{socket:\s*([^}\s]+)")
    c["endpoints"] = re.findall(r'"(http://[^"]+)"', g(r"^election:.*endpoints:\s*\[([^\]]*)\]", ""))
    c["name"] = g(r"^election:.*name:\s*([^,}\s]+)")
    c["ttl"] = int(g(r"^election:.*lease_ttl:\s*(\d+)", "5"))
    c["health_url"] = g(r'^health:.*url:\s*"([^"]+)"')
    c["h_interval"] = float(g(r"^health:.*interval:\s*([\d.]+)", "1"))
    c["h_timeout"] = float(g(r"^health:.*timeout:\s*([\d.]+)", "0.5"))
    c["h_rise"] = int(g(r"^health:.*rise:\s*(\d+)", "2"))
    c["h_fall"] = int(g(r"^health:.*fall:\s*(\d+)", "2"))
    c["vip"] = g(r"address:\s*([0-9.]+)")
    c["garp_count"] = int(g(r"garp:\s*\{count:\s*(\d+)", "3"))
    c["garp_ms"] = int(g(r"interval_ms:\s*(\d+)", "100"))
    return c


class Etcd:
    def __init__(self, endpoints):
        self.eps = endpoints
        self.i = 0

    def post(self, path, body, timeout=0.5):
        last = None
        for k in range(len(self.eps)):
            ep = self.eps[(self.i + k) % len(self.eps)]
            try:
                req = urllib.request.Request(ep + path, data=json.dumps(body).encode(),
                                             headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(req, timeout=timeout) as r:
                    self.i = (self.i + k) % len(self.eps)
                    return json.loads(r.read().decode().splitlines()[0])
            except Exception as e:  # try the next member
                last = e
        raise last


class Daemon:
    def __init__(self, c):
        self.c = c
        self.etcd = Etcd(c["endpoints"])
        self.key = "/%s/leader" % c["name"]
        self.role = "candidate"
        self.lease = None
        self.leader = None
        self.lease_remaining = 0.0
        self.healthy = c["health_url"] is None
        self.stop = False
        self.lock = threading.Lock()
        self.state_file = os.path.join(c["state"], "standin-address")

    # ---- the address
    def has_vip(self):
        out = subprocess.run(["ip", "-o", "addr", "show", "dev", self.c["iface"]], capture_output=True, text=True).stdout
        return (" %s/" % self.c["vip"]) in out

    def add_vip(self):
        if not self.has_vip():
            open(self.state_file, "w").write(self.c["vip"])
            subprocess.run(["ip", "addr", "add", self.c["vip"] + "/32", "dev", self.c["iface"]])
            log("vip added", self.c["vip"])
        threading.Thread(target=self.garp, daemon=True).start()

    def del_vip(self):
        if self.has_vip():
            subprocess.run(["ip", "addr", "del", self.c["vip"] + "/32", "dev", self.c["iface"]])
            log("vip removed", self.c["vip"])
        try:
            os.unlink(self.state_file)
        except FileNotFoundError:
            pass

    def garp(self):
        ifc = self.c["iface"]
        mac = bytes.fromhex(open("/sys/class/net/%s/address" % ifc).read().strip().replace(":", ""))
        ip = socket.inet_aton(self.c["vip"])
        frame = b"\xff" * 6 + mac + b"\x08\x06" + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac + ip + b"\0" * 6 + ip
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((ifc, 0))
        for k in range(self.c["garp_count"]):
            if k:
                time.sleep(self.c["garp_ms"] / 1000)
            s.send(frame)
            log("garp sent")
        s.close()

    # ---- election
    def grant(self):
        r = self.etcd.post("/v3/lease/grant", {"TTL": self.c["ttl"]})
        return r["ID"]

    def campaign(self):
        if self.lease is None:
            self.lease = self.grant()
            self.lease_ok = time.time()
        r = self.etcd.post("/v3/kv/txn", {
            "compare": [{"key": b64(self.key), "target": "CREATE", "create_revision": "0"}],
            "success": [{"request_put": {"key": b64(self.key), "value": b64(self.c["node"]), "lease": self.lease}}],
            "failure": [{"request_range": {"key": b64(self.key)}}]})
        if r.get("succeeded"):
            return self.c["node"]
        kvs = r.get("responses", [{}])[0].get("response_range", {}).get("kvs", [])
        return base64.b64decode(kvs[0]["value"]).decode() if kvs else None

    def keepalive(self):
        r = self.etcd.post("/v3/lease/keepalive", {"ID": self.lease}, timeout=0.3)
        ttl = int(r.get("result", {}).get("TTL", "0"))
        if ttl <= 0:
            raise RuntimeError("lease gone")
        self.lease_ok = time.time()

    def resign(self):
        self.del_vip()
        if self.lease is not None:
            try:
                self.etcd.post("/v3/lease/revoke", {"ID": self.lease})
            except Exception as e:
                log("revoke failed:", e)
        self.lease = None
        self.role = "follower"

    def run(self):
        ttl = self.c["ttl"]
        if os.path.exists(self.state_file):
            log("removing the address a previous run left")
            self.del_vip()
        threading.Thread(target=self.control, daemon=True).start()
        if self.c["health_url"]:
            threading.Thread(target=self.health, daemon=True).start()
        while not self.stop:
            try:
                if self.role == "leader":
                    try:
                        self.keepalive()
                    except Exception as e:
                        if time.time() - self.lease_ok > ttl - 0.5 and not os.environ.get("L2STANDIN_NO_FENCING"):
                            log("keep-alives failing for", round(time.time() - self.lease_ok, 2), "s: fenced", e)
                            self.del_vip()
                            self.role = "fenced"
                            self.lease = None
                    if self.role == "leader" and not self.healthy:
                        log("health failing: resign")
                        self.resign()
                    self.lease_remaining = max(0.0, self.lease_ok + ttl - time.time())
                    time.sleep(min(ttl / 4, 0.25))
                    continue
                if not self.healthy:
                    self.role = "follower"
                    time.sleep(0.05)
                    continue
                who = self.campaign()
                self.leader = who
                if who == self.c["node"]:
                    log("elected")
                    self.role = "leader"
                    self.add_vip()
                else:
                    self.role = "follower"
                    time.sleep(0.05)
            except Exception as e:
                if self.role != "leader":
                    self.role = "candidate"
                    self.lease = None
                time.sleep(0.1)
        self.resign()

    def health(self):
        ok = bad = 0
        while not self.stop:
            try:
                with urllib.request.urlopen(self.c["health_url"], timeout=self.c["h_timeout"]) as r:
                    good = r.status == 200
            except Exception:
                good = False
            if good:
                ok, bad = ok + 1, 0
                if ok >= self.c["h_rise"]:
                    self.healthy = True
            else:
                ok, bad = 0, bad + 1
                if bad >= self.c["h_fall"] and self.healthy:
                    log("health down")
                    self.healthy = False
            time.sleep(self.c["h_interval"])

    def control(self):
        path = self.c["socket"]
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        s = socket.socket(socket.AF_UNIX)
        s.bind(path)
        s.listen(4)
        while True:
            conn, _ = s.accept()
            cmd = conn.recv(1024).decode().strip()
            if cmd == "election resign" and self.role == "leader":
                self.resign()
            conn.sendall(json.dumps({"name": self.c["name"], "leader": self.leader, "role": self.role,
                                     "lease_ttl": self.c["ttl"],
                                     "lease_remaining_seconds": round(self.lease_remaining, 3)}).encode())
            conn.close()


def ctl(argv):
    sock = argv[argv.index("--socket") + 1]
    words = [w for i, w in enumerate(argv) if not w.startswith("--") and (i == 0 or argv[i - 1] != "--socket")]
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    s.sendall(" ".join(words).encode())
    print(s.recv(4096).decode())


def main():
    if sys.argv[1:2] == ["ctl"]:
        return ctl(sys.argv[2:])
    if "--socket" in sys.argv:   # called as VIPCTL_BIN
        return ctl(sys.argv[1:])
    c = parse_config(sys.argv[sys.argv.index("--config") + 1])
    d = Daemon(c)

    def term(*_):
        d.stop = True
    signal.signal(signal.SIGTERM, term)
    signal.signal(signal.SIGINT, term)
    d.run()
    log("stopped")


if __name__ == "__main__":
    main()
