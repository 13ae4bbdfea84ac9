#!/usr/bin/env python3
"""fake_http.py — a small loopback HTTP server for zpub's HTTP client tests.

Binds 127.0.0.1 on a free port and prints "PORT <n>" on stdout (and into
--port-file).  Endpoints:
  /echo              JSON: method, path, headers, body length, sha256 of body
  /status/<code>     answers <code>; ?retry_after=<v> adds Retry-After
  /flaky/<key>/<k>   503 for the first k requests with that key, then /echo
  /bytes/<n>         n bytes (i % 251)
  /redirect          302 to /echo
  /drop              closes the connection without an answer
  /slow/<ms>         waits, then /echo
"""
import argparse, hashlib, json, socket, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counts = {}
lock = threading.Lock()


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        h = hashlib.sha256()
        got = 0
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                line = self.rfile.readline().strip()
                size = int(line.split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    break
                h.update(self.rfile.read(size)); got += size
                self.rfile.readline()
            return got, h.hexdigest()
        while got < n:
            b = self.rfile.read(min(1 << 20, n - got))
            if not b:
                break
            h.update(b); got += len(b)
        return got, h.hexdigest()

    def send(self, code, data=b"", ctype="application/json", extra=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def echo(self, n, sha):
        d = {"method": self.command, "path": self.path,
             "headers": {k.lower(): v for k, v in self.headers.items()},
             "length": n, "sha256": sha}
        self.send(200, json.dumps(d).encode())

    def handle_any(self):
        n, sha = self.body()
        p = self.path.split("?")[0].strip("/").split("/")
        q = dict(x.split("=", 1) for x in self.path.partition("?")[2].split("&") if "=" in x)
        if p[0] == "echo":
            return self.echo(n, sha)
        if p[0] == "status":
            extra = {"Retry-After": q["retry_after"].replace("%20", " ")} if "retry_after" in q else {}
            return self.send(int(p[1]), b'{"error":"status"}', extra=extra)
        if p[0] == "flaky":
            with lock:
                c = counts[p[1]] = counts.get(p[1], 0) + 1
            if c <= int(p[2]):
                return self.send(503, b'{"error":"flaky"}')
            return self.echo(n, sha)
        if p[0] == "count":
            return self.send(200, json.dumps(counts.get(p[1], 0)).encode())
        if p[0] == "bytes":
            k = int(p[1])
            return self.send(200, bytes(i % 251 for i in range(k)), "application/octet-stream")
        if p[0] == "redirect":
            return self.send(302, b"", extra={"Location": "/echo"})
        if p[0] == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if p[0] == "slow":
            time.sleep(int(p[1]) / 1000.0)
            return self.echo(n, sha)
        self.send(404, b'{"error":"not found"}')

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_any


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file")
    a = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    port = srv.server_address[1]
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write(str(port))
        import os
        os.rename(a.port_file + ".tmp", a.port_file)
    print("PORT", port, flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
