#!/usr/bin/env python3
"""Writes the seed corpus for each fuzz target: small valid messages of our
own making (no third-party data), one file per seed."""
import os, struct

def attr(flags, code, value):
    if len(value) > 255 or flags & 0x10:
        return struct.pack("!BBH", flags | 0x10, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value

def update(withdrawn=b"", attrs=b"", nlri=b""):
    return struct.pack("!H", len(withdrawn)) + withdrawn + struct.pack("!H", len(attrs)) + attrs + nlri

def msg(t, body):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), t) + body

base = attr(0x40, 1, b"\x00") + attr(0x40, 2, b"\x02\x02" + struct.pack("!II", 65001, 65002)) + attr(0x40, 3, bytes([10, 0, 0, 1]))
v6nh = bytes.fromhex("20010db8000000000000000000000001") + bytes.fromhex("fe800000000000000000000000000001")
mp = struct.pack("!HBB", 2, 1, 32) + v6nh + b"\x00" + bytes([128]) + bytes.fromhex("fd000001000000000000000000000100")
seeds = {
    "FuzzUpdate": {
        "ipv4": update(attrs=base, nlri=bytes([24, 10, 1, 2, 32, 10, 0, 1, 100])),
        "withdraw": update(withdrawn=bytes([24, 10, 1, 2])),
        "eor": update(),
        "communities": update(attrs=base + attr(0xC0, 8, struct.pack("!II", 0xFDE90064, 0xFFFFFF01))
                              + attr(0xC0, 32, struct.pack("!III", 65011, 1, 1))
                              + attr(0xC0, 16, bytes.fromhex("0002fde900000064"))
                              + attr(0x80, 4, struct.pack("!I", 10)) + attr(0x40, 5, struct.pack("!I", 200))
                              + attr(0x40, 6, b"") + attr(0xC0, 7, struct.pack("!II", 65001, 0x0A000001))
                              + attr(0x80, 9, bytes(4)) + attr(0x80, 10, bytes(8)) + attr(0xC0, 35, struct.pack("!I", 65001))
                              + attr(0xC0, 99, b"opaque"), nlri=bytes([16, 172, 16])),
        "mp-reach-v6": update(attrs=attr(0x80, 14, mp) + base[:-7]),
        "mp-unreach-v6": update(attrs=attr(0x80, 15, struct.pack("!HB", 2, 1) + bytes([64]) + bytes(8))),
        "as4path": update(attrs=base + attr(0xC0, 17, b"\x02\x01" + struct.pack("!I", 4200000000)), nlri=bytes([8, 10])),
    },
    "FuzzOpen": {
        "caps": struct.pack("!BHHIB", 4, 65001, 90, 0x0A000001, 0) ,
    },
    "FuzzNotification": {
        "cease-shutdown": bytes([6, 2, 5]) + b"bye!!",
        "hold": bytes([4, 0]),
        "update-error": bytes([3, 1]),
    },
    "FuzzRouteRefresh": {
        "normal": struct.pack("!HBB", 1, 0, 1),
        "borr": struct.pack("!HBB", 2, 1, 1),
        "orf": struct.pack("!HBB", 1, 0, 1) + b"\x01\x00\x40\x00\x05abcde",
    },
}
caps = b""
for c in [bytes([1, 4, 0, 1, 0, 1]), bytes([1, 4, 0, 2, 0, 1]), bytes([2, 0]), bytes([70, 0]), bytes([6, 0]),
          bytes([65, 4]) + struct.pack("!I", 4200000001), bytes([64, 6, 0x80, 120, 0, 1, 1, 0x80]),
          bytes([69, 4, 0, 1, 1, 3]), bytes([71, 7, 0, 1, 1, 0x80, 0, 0, 60]), bytes([5, 6, 0, 1, 0, 1, 0, 2]),
          bytes([9, 1, 3]), bytes([73, 7, 3]) + b"rtr" + bytes([2]) + b"lb", bytes([200, 2, 1, 2])]:
    caps += c
seeds["FuzzOpen"]["caps"] = struct.pack("!BHHIB", 4, 23456, 90, 0x0A000001, len(caps) + 2) + bytes([2, len(caps)]) + caps
seeds["FuzzOpen"]["bare"] = struct.pack("!BHHIB", 4, 65001, 180, 0x01020304, 0)
seeds["FuzzOpen"]["extended-params"] = struct.pack("!BHHIBBH", 4, 65001, 180, 0x01020304, 255, 255, 3 + 2) + b"\x02\x00\x02\x02\x00"
seeds["FuzzFraming"] = {
    "stream": msg(1, seeds["FuzzOpen"]["caps"]) + msg(4, b"") + msg(2, seeds["FuzzUpdate"]["ipv4"])
              + msg(2, seeds["FuzzUpdate"]["mp-reach-v6"]) + msg(5, seeds["FuzzRouteRefresh"]["borr"])
              + msg(3, seeds["FuzzNotification"]["cease-shutdown"]),
    "keepalive": msg(4, b""),
}
here = os.path.dirname(os.path.abspath(__file__))
for target, files in seeds.items():
    d = os.path.join(here, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
