#!/usr/bin/env python3
"""webhook_receiver.py — a webhook endpoint on loopback for the e2e tests.

Every POST is logged as one JSON line (event id, event, recording, whether
the X-Zpub-Signature verifies with the shared secret, what was answered) to
--log *before* it is answered, so a test sees deliveries the sender never
saw the end of.  --fail-for S answers 500 for the first S seconds; --delay-first S
holds the answer of the first request S seconds (a sender killed meanwhile
never learns it was delivered).

    webhook_receiver.py --port-file F --log L --secret K [--fail-for S] [--delay-first S]
"""
import argparse, hashlib, hmac, json, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ap = argparse.ArgumentParser()
ap.add_argument("--port-file", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--secret", required=True)
ap.add_argument("--fail-for", type=float, default=0)
ap.add_argument("--delay-first", type=float, default=0)
a = ap.parse_args()
start = time.time()
lock = threading.Lock()
seen = [0]


class H(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        want = "sha256=" + hmac.new(a.secret.encode(), body, hashlib.sha256).hexdigest()
        sig = self.headers.get("X-Zpub-Signature", "")
        try:
            j = json.loads(body)
        except ValueError:
            j = {}
        code = 500 if time.time() - start < a.fail_for else 200
        with lock:
            seen[0] += 1
            first = seen[0] == 1
            with open(a.log, "a") as f:
                f.write(json.dumps({
                    "sig_ok": hmac.compare_digest(sig, want),
                    "event_hdr": self.headers.get("X-Zpub-Event"),
                    "delivery_hdr": self.headers.get("X-Zpub-Delivery"),
                    "path": self.path, "code": code, "at": time.time(),
                    "body": j}) + "\n")
        if first and a.delay_first > 0:
            time.sleep(a.delay_first)
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(a.port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(a.port_file + ".tmp", a.port_file)
srv.serve_forever()
