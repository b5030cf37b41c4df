#!/usr/bin/python3
"""Start ExaBGP (Debian's python3-exabgp) with GTSM that works.

ExaBGP 4.2 sets the minimum TTL of a listening socket (`incoming-ttl`) with
socket.IP_MINTTL, and silently skips it (and the TTL 255 of the replies)
when the constant is missing. Python 3.11, Debian 12's, lacks it, so
`incoming-ttl 255` does nothing at all there. Linux's value is 21
(linux/in.h); define it, then run ExaBGP exactly as /usr/sbin/exabgp does.
Must run under /usr/bin/python3, where Debian installs exabgp.
"""
import socket
import sys

if not hasattr(socket, "IP_MINTTL"):
    socket.IP_MINTTL = 21

from exabgp.application import run_exabgp  # noqa: E402

sys.argv[0] = "exabgp"
sys.exit(run_exabgp())
