#!/usr/bin/env python3
"""A stand-in for the Kubernetes API server's /readyz, for vipd's health
gate: HTTPS (or HTTP without --cert) on the given address; answers 200 "ok",
or 500 while the file given by --fail-file exists."""
import argparse, http.server, os, ssl

p = argparse.ArgumentParser()
p.add_argument("--listen", default="127.0.0.1")
p.add_argument("--port", type=int, required=True)
p.add_argument("--cert")
p.add_argument("--key")
p.add_argument("--fail-file", required=True)
a = p.parse_args()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        failing = os.path.exists(a.fail_file)
        body = b"failing\n" if failing else b"ok\n"
        self.send_response(500 if failing else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer((a.listen, a.port), Handler)
if a.cert:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
server.serve_forever()
