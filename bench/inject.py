#!/usr/bin/env python3
"""A raw BGP-4 speaker for the benchmarks (Python 3 stdlib only).

inject:  connect to a receiver, OPEN (4-octet AS, multiprotocol IPv4 unicast,
         hold time 90) and KEEPALIVE, write the Established time, send a
         pre-generated UPDATE stream in one burst (sendall), then keep the
         session up: answer with KEEPALIVEs of its own at the negotiated
         interval and record every KEEPALIVE received, until SIGTERM/SIGINT
         (or --max-seconds). Then NOTIFICATION Cease/Administrative Shutdown
         and a clean close. With --wait-go the burst waits for SIGUSR1, so
         that several injectors start together.

collect: listen on LOCAL:179 for one connection from --peer, do the same
         handshake, keep the session up, and log every UPDATE received (its
         NLRI and withdrawn IPv4 prefixes, with time.time()) as JSON lines.
         The listen-only peer of bench/announce-latency.sh and idle-rss.sh.

Times: time.monotonic() (CLOCK_MONOTONIC, one clock for every process on the
machine, namespaces included), and time.time() where a capture's epoch
timestamps must be compared. The report (--out) is one JSON object written
at exit; --est is written the moment the session is Established.
"""
import argparse
import json
import os
import signal
import socket
import struct
import sys
import threading
import time

MARKER = b"\xff" * 16
OPEN, UPDATE, NOTIFICATION, KEEPALIVE, ROUTE_REFRESH = 1, 2, 3, 4, 5
TYPE_NAMES = {1: "open", 2: "update", 3: "notification", 4: "keepalive", 5: "route-refresh"}
AS_TRANS = 23456


def message(mtype, body=b""):
    return MARKER + struct.pack("!HB", 19 + len(body), mtype) + body


def open_message(asn, hold, router_id):
    caps = bytes([1, 4]) + struct.pack("!HBB", 1, 0, 1)  # multiprotocol: IPv4 unicast
    caps += bytes([65, 4]) + struct.pack("!I", asn)      # 4-octet AS (RFC 6793)
    params = bytes([2, len(caps)]) + caps                # one capabilities parameter
    my_as = asn if asn < 65536 else AS_TRANS
    body = struct.pack("!BHH4sB", 4, my_as, hold, socket.inet_aton(router_id), len(params)) + params
    return message(OPEN, body)


def notification(code, subcode, text=""):
    data = b""
    if code == 6 and subcode in (2, 4) and text:  # RFC 9003 shutdown communication
        t = text.encode()[:255]
        data = bytes([len(t)]) + t
    return message(NOTIFICATION, bytes([code, subcode]) + data)


def split_messages(stream):
    """The messages of a raw stream, as (offset, length, type)."""
    out, off = [], 0
    while off < len(stream):
        if len(stream) - off < 19 or stream[off:off + 16] != MARKER:
            raise ValueError("stream: no BGP header at byte %d" % off)
        ln = struct.unpack_from("!H", stream, off + 16)[0]
        if ln < 19 or off + ln > len(stream):
            raise ValueError("stream: bad length %d at byte %d" % (ln, off))
        out.append((off, ln, stream[off + 18]))
        off += ln
    return out


def rewrite_next_hop(stream, addr):
    """Set every UPDATE's NEXT_HOP (type 3) to addr, in place. Returns the
    count of UPDATEs changed. Done before the session, never timed."""
    nh = socket.inet_aton(addr)
    changed = 0
    for off, ln, mtype in split_messages(stream):
        if mtype != UPDATE:
            continue
        p = off + 19
        wlen = struct.unpack_from("!H", stream, p)[0]
        p += 2 + wlen
        alen = struct.unpack_from("!H", stream, p)[0]
        p += 2
        end = p + alen
        while p < end:
            flags, atype = stream[p], stream[p + 1]
            if flags & 0x10:
                vlen = struct.unpack_from("!H", stream, p + 2)[0]
                hdr = 4
            else:
                vlen = stream[p + 2]
                hdr = 3
            if atype == 3 and vlen == 4:
                stream[p + hdr:p + hdr + 4] = nh
                changed += 1
            p += hdr + vlen
    return changed


def ipv4_prefixes(data):
    out, p = [], 0
    while p < len(data):
        plen = data[p]
        nb = (plen + 7) // 8
        raw = bytes(data[p + 1:p + 1 + nb]) + b"\x00" * (4 - nb)
        out.append("%s/%d" % (socket.inet_ntoa(raw), plen))
        p += 1 + nb
    return out


def parse_update(body):
    """(withdrawn, nlri) IPv4 prefixes of an UPDATE body (plain fields only)."""
    wlen = struct.unpack_from("!H", body, 0)[0]
    withdrawn = ipv4_prefixes(body[2:2 + wlen])
    alen = struct.unpack_from("!H", body, 2 + wlen)[0]
    nlri = ipv4_prefixes(body[4 + wlen + alen:])
    return withdrawn, nlri


class Framer:
    def __init__(self, sock):
        self.sock, self.buf = sock, bytearray()

    def next(self):
        """The next (type, body), or None at EOF."""
        while True:
            if len(self.buf) >= 19:
                if self.buf[:16] != MARKER:
                    raise ValueError("bad marker from peer")
                ln = struct.unpack_from("!H", self.buf, 16)[0]
                if ln < 19:
                    raise ValueError("bad length %d from peer" % ln)
                if len(self.buf) >= ln:
                    mtype, body = self.buf[18], bytes(self.buf[19:ln])
                    del self.buf[:ln]
                    return mtype, body
            data = self.sock.recv(262144)
            if not data:
                return None
            self.buf += data


def write_json(path, obj):
    if not path:
        return
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f)
        f.write("\n")
    os.replace(tmp, path)


class Session:
    def __init__(self, args, sock):
        self.args, self.sock = args, sock
        self.framer = Framer(sock)
        self.send_lock = threading.Lock()
        self.stop = threading.Event()
        self.report = {
            "mode": args.mode, "local": args.local, "peer": args.peer, "pid": os.getpid(),
            "keepalives": [], "keepalives_sent": 0, "received": {}, "updates_received": 0,
            "notification_received": None, "closed_by_peer": None, "error": None,
        }
        self.log = open(args.log, "a") if getattr(args, "log", None) else None

    def send(self, data):
        with self.send_lock:
            self.sock.sendall(data)

    def handshake(self):
        a = self.args
        self.sock.settimeout(a.handshake_timeout)
        self.send(open_message(a.asn, a.hold, a.router_id))
        got = self.framer.next()
        if got is None:
            raise RuntimeError("peer closed the connection before its OPEN")
        mtype, body = got
        if mtype == NOTIFICATION:
            raise RuntimeError("peer sent NOTIFICATION %d/%d before its OPEN" % (body[0], body[1]))
        if mtype != OPEN:
            raise RuntimeError("expected OPEN, got message type %d" % mtype)
        _ver, peer_as, peer_hold, rid, _plen = struct.unpack_from("!BHH4sB", body, 0)
        hold = min(a.hold, peer_hold)
        self.report.update(peer_as=peer_as, peer_hold=peer_hold, hold=hold,
                           peer_router_id=socket.inet_ntoa(rid), keepalive_interval=hold // 3)
        self.send(message(KEEPALIVE))
        self.report["keepalives_sent"] += 1
        while True:
            got = self.framer.next()
            if got is None:
                raise RuntimeError("peer closed the connection in OpenConfirm")
            mtype, body = got
            if mtype == KEEPALIVE:
                break
            if mtype == NOTIFICATION:
                raise RuntimeError("peer sent NOTIFICATION %d/%d in OpenConfirm" % (body[0], body[1]))
        self.sock.settimeout(None)
        now = time.monotonic()
        self.report["established"] = now
        self.report["established_wall"] = time.time()
        write_json(a.est, {"established": now, "pid": os.getpid(), "local": a.local})

    def reader(self):
        rec = self.report["received"]
        try:
            while True:
                got = self.framer.next()
                if got is None:
                    if not self.stop.is_set():
                        self.report["closed_by_peer"] = time.monotonic()
                    break
                mtype, body = got
                name = TYPE_NAMES.get(mtype, str(mtype))
                rec[name] = rec.get(name, 0) + 1
                if mtype == KEEPALIVE:
                    self.report["keepalives"].append(time.monotonic())
                elif mtype == UPDATE:
                    self.report["updates_received"] += 1
                    if self.log:
                        t = time.time()
                        withdrawn, nlri = parse_update(body)
                        self.log.write(json.dumps({"t": t, "nlri": nlri, "withdrawn": withdrawn}) + "\n")
                        self.log.flush()
                elif mtype == NOTIFICATION:
                    self.report["notification_received"] = {
                        "code": body[0], "subcode": body[1], "t": time.monotonic(), "data": body[2:].hex()}
        except (OSError, ValueError) as e:
            if not self.stop.is_set():
                self.report["error"] = "reader: %s" % e
        self.stop.set()

    def keepaliver(self):
        interval = self.report.get("keepalive_interval", 0)
        if interval <= 0:
            return
        while not self.stop.wait(interval):
            try:
                self.send(message(KEEPALIVE))
                self.report["keepalives_sent"] += 1
            except OSError as e:
                self.report["error"] = "keepalive: %s" % e
                self.stop.set()

    def close(self, text):
        """NOTIFICATION Cease/Administrative Shutdown, half-close, wait
        (bounded) for the peer to close, then close."""
        self.stop.set()
        if self.report["notification_received"] is None and self.report["closed_by_peer"] is None:
            try:
                self.sock.settimeout(2)
                self.send(notification(6, 2, text))
                self.sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        self.sock.settimeout(None)


def wait_signal(signals, timeout):
    """The signal among `signals` that arrived within timeout, or None.
    The signals are blocked in every thread (see main), so none is lost."""
    try:
        info = signal.sigtimedwait(signals, timeout)
    except InterruptedError:
        return None
    return info.si_signo if info else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["inject", "collect"])
    ap.add_argument("--local", required=True, help="own address (bound before connect; listened on in collect)")
    ap.add_argument("--peer", required=True, help="the receiver's address (inject) or the one peer accepted (collect)")
    ap.add_argument("--port", type=int, default=179)
    ap.add_argument("--asn", type=int, default=65001)
    ap.add_argument("--router-id", default=None, help="default: --local")
    ap.add_argument("--hold", type=int, default=90, help="hold time offered in OPEN (default 90)")
    ap.add_argument("--stream", help="inject: the raw UPDATE stream (bgp-streamgen's output)")
    ap.add_argument("--keep-next-hop", action="store_true",
                    help="inject: send NEXT_HOP as in the stream (default: rewrite it to --local, which every receiver accepts on a direct eBGP session)")
    ap.add_argument("--wait-go", action="store_true", help="inject: after Established, wait for SIGUSR1 before the burst")
    ap.add_argument("--est", help="file written (JSON) when the session is Established")
    ap.add_argument("--out", help="the report (JSON), written at exit")
    ap.add_argument("--log", help="collect: UPDATEs received, one JSON line each")
    ap.add_argument("--connect-timeout", type=float, default=30)
    ap.add_argument("--handshake-timeout", type=float, default=30)
    ap.add_argument("--max-seconds", type=float, default=900, help="end the session after this long in any case")
    a = ap.parse_args()
    a.router_id = a.router_id or a.local
    if a.mode == "inject" and not a.stream:
        ap.error("inject needs --stream")

    # Signals: blocked everywhere (threads inherit the mask) and taken with
    # sigtimedwait, so a SIGUSR1 or SIGTERM is never lost or half-handled.
    sigs = {signal.SIGTERM, signal.SIGINT, signal.SIGUSR1, signal.SIGHUP}
    signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
    deadline = time.monotonic() + a.max_seconds

    stream = None
    if a.mode == "inject":
        with open(a.stream, "rb") as f:
            stream = bytearray(f.read())
        msgs = split_messages(stream)
        nh_changed = 0 if a.keep_next_hop else rewrite_next_hop(stream, a.local)
        stream = bytes(stream)

    sock = None
    report_base = {"mode": a.mode, "local": a.local, "peer": a.peer, "pid": os.getpid()}
    try:
        if a.mode == "inject":
            end = time.monotonic() + a.connect_timeout
            last = None
            while True:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                s.bind((a.local, 0))
                s.settimeout(2)
                try:
                    s.connect((a.peer, a.port))
                    sock = s
                    break
                except OSError as e:
                    s.close()
                    last = e
                if time.monotonic() > end:
                    raise RuntimeError("cannot connect to %s:%d within %.0f s: %s" % (a.peer, a.port, a.connect_timeout, last))
                if wait_signal(sigs - {signal.SIGUSR1}, 0.1):
                    raise RuntimeError("stopped before connecting")
        else:
            ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            ls.bind((a.local, a.port))
            ls.listen(4)
            ls.settimeout(0.2)
            while sock is None:
                try:
                    s, addr = ls.accept()
                except socket.timeout:
                    if wait_signal(sigs - {signal.SIGUSR1}, 0) or time.monotonic() > deadline:
                        raise RuntimeError("stopped before a connection came")
                    continue
                if addr[0] != a.peer:
                    s.close()
                    continue
                sock = s
            ls.close()
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sess = Session(a, sock)
        sess.handshake()
    except (OSError, RuntimeError, ValueError, struct.error) as e:
        report_base["error"] = str(e)
        write_json(a.out, report_base)
        print("inject.py: %s" % e, file=sys.stderr)
        return 1

    r = sess.report
    reader = threading.Thread(target=sess.reader, daemon=True)
    reader.start()
    keeper = threading.Thread(target=sess.keepaliver, daemon=True)
    keeper.start()

    if a.mode == "inject":
        r.update(stream_bytes=len(stream), stream_messages=len(msgs), next_hops_rewritten=nh_changed)
        go = True
        if a.wait_go:
            go = False
            while not sess.stop.is_set() and time.monotonic() < deadline:
                sig = wait_signal(sigs, 0.2)
                if sig == signal.SIGUSR1:
                    go = True
                    break
                if sig:
                    break
        if go:
            r["burst_start"] = time.monotonic()
            try:
                sess.send(stream)
                r["burst_end"] = time.monotonic()
            except OSError as e:
                r["error"] = "burst: %s" % e
                sess.stop.set()

    # Keep the session up until told to stop (or the peer ends it).
    while not sess.stop.is_set() and time.monotonic() < deadline:
        sig = wait_signal(sigs - {signal.SIGUSR1}, 0.2)
        if sig:
            r["stop_signal"] = signal.Signals(sig).name
            break
    r["stopped"] = time.monotonic()
    sess.close("benchmark done")
    reader.join(3)
    keeper.join(1)
    try:
        sock.close()
    except OSError:
        pass
    write_json(a.out, r)
    return 0 if r["error"] is None else 1


if __name__ == "__main__":
    sys.exit(main())
