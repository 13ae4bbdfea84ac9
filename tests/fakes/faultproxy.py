#!/usr/bin/env python3
"""faultproxy.py — a fault-injecting TCP proxy for zpub's tests: sits between
zpub and any loopback fake (or several: one listening port per route) and
breaks chosen connections in chosen ways.  Stdlib only, deterministic (the
garbage bytes come from a fixed seed), 127.0.0.1 only.

    faultproxy.py --route NAME=UPSTREAM_PORT [--route ...] [--rewrite]
                  [--fault SPEC ...] [--port-file FILE] [--log FILE]

Each route listens on a free port of the same number of digits as its
upstream port; "--port-file" gets {"NAME": port, ...} as JSON (atomically)
and stdout one line "PROXY NAME=port ...".  With --rewrite, every
"127.0.0.1:UPSTREAM" in what servers send (redirects, URLs in JSON) becomes
"127.0.0.1:PROXY" (same length, so Content-Length stays right): a fake that
hands out its own URLs is proxied throughout.

A fault SPEC is ROUTE#CONNS:ACTION[,key=value...].  CONNS picks connections
on that route by their 1-based number: "2", "1-3", "4+" or "*".  Actions
(byte counts are of the server's answer as the client sees it):
  drop_at=N         forward N bytes, then close both sides (FIN)
  reset_at=N        forward N bytes, then reset the client (RST)
  stall_at=N,stall_s=S   forward N bytes, then nothing for S seconds, then go on
  slow=BPS          throttle the answer to BPS bytes per second
  slow_up=BPS       throttle what the client sends (an upload) likewise
  garbage_at=N      forward N bytes, then 4 KiB of random bytes, then close
  http=STATUS[,retry_after=S][,body=TEXT]  answer this status (with Connection:
                    close) without contacting the server
  refuse            close the connection as soon as it is accepted
  blackhole         accept, read, never answer (until the client gives up)
  drop_up_at=N      forward N bytes of what the client sends (its requests,
                    an upload), then close both sides: the request is cut
  reset_up_at=N     the same, but reset the client (RST)
Modifiers, with any action:
  on=TEXT           wait until the client sends TEXT on the connection (a
                    request line, "POST /upload/youtube/v3/captions"); the
                    byte counts start there, so with keep-alive one request
                    among many is hit.  TEXT may not contain a comma.
  times=N           fire at most N times until the faults are re-armed
                    (the connection goes on untouched after that)
With --fault-file FILE the faults (one SPEC a line) are read again whenever
the file changes, and the connection numbers of every route start again at
1: a test can pass clean traffic first and then arm faults without moving
the proxy to new ports.
The log gets one JSON line per connection when it ends: route, conn, fault,
bytes up and down, how it ended, and "fired": whether the fault took effect
(a drop past the end of a short answer, say, does not).
"""
import argparse
import json
import os
import random
import socket
import struct
import sys
import threading
import time

LOCK = threading.Lock()


def parse_conns(s):
    if s == "*":
        return lambda n: True
    if s.endswith("+"):
        lo = int(s[:-1])
        return lambda n: n >= lo
    if "-" in s:
        lo, hi = map(int, s.split("-"))
        return lambda n: lo <= n <= hi
    k = int(s)
    return lambda n: n == k


class Fault:
    def __init__(self, spec):
        self.spec = spec
        head, _, rest = spec.partition(":")
        self.route, _, conns = head.partition("#")
        self.match = parse_conns(conns or "*")
        self.fired = 0
        self.kv = {}
        for part in rest.split(","):
            if not part:
                continue
            k, _, v = part.partition("=")
            self.kv[k] = v

    def get(self, k, conv=int, default=None):
        return conv(self.kv[k]) if k in self.kv else default

    def try_fire(self):
        """Counts a firing; False once times=N firings happened."""
        with LOCK:
            limit = self.get("times")
            if limit is not None and self.fired >= limit:
                return False
            self.fired += 1
            return True


class Route:
    def __init__(self, name, upstream):
        self.name = name
        self.upstream = upstream
        self.count = 0
        self.port = None
        self.sock = None


class Proxy:
    def __init__(self, a):
        self.routes = {}
        for r in a.route:
            name, _, port = r.partition("=")
            self.routes[name] = Route(name, int(port))
        self.faults = [Fault(s) for s in a.fault]
        for f in self.faults:
            if f.route not in self.routes:
                sys.exit(f"faultproxy: fault {f.spec!r} names no route")
        self.fault_file = a.fault_file
        self.fault_mtime = None
        self.rewrite = a.rewrite
        self.log = a.log
        self.rng = random.Random(a.seed)

    def bind(self):
        for r in self.routes.values():
            want = len(str(r.upstream))
            for _ in range(200):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("127.0.0.1", 0))
                if len(str(s.getsockname()[1])) == want or not self.rewrite:
                    break
                s.close()
            s.listen(64)
            r.sock, r.port = s, s.getsockname()[1]
        self.subst = [(b"127.0.0.1:%d" % r.upstream, b"127.0.0.1:%d" % r.port)
                      for r in self.routes.values()] if self.rewrite else []

    def fault_for(self, route, n):
        for f in self.faults:
            if f.route == route.name and f.match(n):
                return f
        return None

    def record(self, ev):
        if not self.log:
            return
        with LOCK:
            with open(self.log, "a") as f:
                f.write(json.dumps(ev) + "\n")

    def reload(self):
        """Re-reads --fault-file when it changed; counts restart at 1."""
        if not self.fault_file:
            return
        try:
            st = os.stat(self.fault_file)
            m = (st.st_mtime_ns, st.st_size)
        except OSError:
            m = None
        if m == self.fault_mtime:
            return
        self.fault_mtime = m
        specs = []
        if m is not None:
            with open(self.fault_file) as f:
                specs = [l.strip() for l in f if l.strip() and not l.startswith("#")]
        self.faults = [Fault(x) for x in specs]
        for r in self.routes.values():
            r.count = 0

    def serve(self, route):
        while True:
            c, _ = route.sock.accept()
            with LOCK:
                self.reload()
                route.count += 1
                n = route.count
            threading.Thread(target=self.handle, args=(route, n, c), daemon=True).start()

    # ---- one connection ----------------------------------------------------
    def handle(self, route, n, c):
        f = self.fault_for(route, n)
        ev = {"route": route.name, "conn": n, "fault": f.spec if f else None,
              "up": 0, "down": 0, "end": "closed", "fired": False}
        on = f.kv.get("on") if f else None
        try:
            if f and not on and ("refuse" in f.kv or "http" in f.kv or "blackhole" in f.kv) \
                    and not f.try_fire():
                f = None   # used up: an ordinary connection
            if f and not on and "refuse" in f.kv:
                ev["end"] = "refused"
                ev["fired"] = True
                c.close()
                self.record(ev)
                return
            if f and not on and "http" in f.kv:
                ev["fired"] = True
                self.answer_http(c, f, ev)
                return
            if f and not on and "blackhole" in f.kv:
                ev["fired"] = True
                c.settimeout(600)
                while c.recv(65536):
                    pass
                ev["end"] = "blackhole"
                c.close()
                self.record(ev)
                return
            u = socket.create_connection(("127.0.0.1", route.upstream), timeout=30)
        except OSError as e:
            ev["end"] = f"error: {e}"
            self.record(ev)
            try:
                c.close()
            except OSError:
                pass
            return
        # st: what both directions share.  Without on= the fault is armed
        # from the first byte; with it, from the client's TEXT on, and the
        # byte counts of the fault start where TEXT began (up) and where the
        # answers stood then (down).
        st = {"armed": f is not None and not on, "up0": 0, "down0": 0, "cut": False,
              "spent": False}

        def cut_client(reset):
            st["cut"] = True
            if reset:
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            for s_, how in ((u, socket.SHUT_RDWR), (c, socket.SHUT_RD if reset else socket.SHUT_RDWR)):
                try:
                    s_.shutdown(how)
                except OSError:
                    pass

        slow_up = f.get("slow_up") if f else None
        t0 = time.monotonic()
        slowed = [False]

        def throttle_up(b):
            step = max(1, slow_up // 20)
            for i in range(0, len(b), step):
                piece = b[i:i + step]
                u.sendall(piece)
                ev["up"] += len(piece)
                ahead = ev["up"] / slow_up - (time.monotonic() - t0)
                if ahead > 0:
                    if not slowed[0]:
                        slowed[0] = ev["fired"] = True
                        f.try_fire()
                    time.sleep(ahead)

        def up():
            tail = b""
            drop_up = f.get("drop_up_at") if f else None
            reset_up = f.get("reset_up_at") if f else None
            up_limit = min(x for x in (drop_up, reset_up, None) if x is not None) if any(
                x is not None for x in (drop_up, reset_up)) else None
            try:
                while True:
                    b = c.recv(65536)
                    if not b:
                        break
                    if on and not st["armed"] and not st["spent"]:
                        hay = tail + b
                        i = hay.find(on.encode())
                        if i >= 0:
                            st["up0"] = ev["up"] + i - len(tail)
                            st["down0"] = ev["down"]
                            st["armed"] = True
                            if "http" in f.kv or "refuse" in f.kv:
                                # answer in the server's place (the request
                                # is not forwarded), then close
                                if not f.try_fire():
                                    st["armed"], st["spent"] = False, True
                                else:
                                    ev["fired"] = True
                                    if "http" in f.kv:
                                        self.answer_http(c, f, ev, record=False, head=hay[i:])
                                    else:
                                        ev["end"] = "refused"
                                    cut_client(False)
                                    return
                        else:
                            tail = hay[-(len(on) - 1):] if len(on) > 1 else b""
                    if up_limit is not None and st["armed"] and ev["up"] + len(b) >= st["up0"] + up_limit:
                        if f.try_fire():
                            keep = max(0, st["up0"] + up_limit - ev["up"])
                            u.sendall(b[:keep])
                            ev["up"] += keep
                            ev["fired"] = True
                            reset = reset_up is not None and reset_up == up_limit
                            ev["end"] = f"{'reset' if reset else 'dropped'} request at {ev['up']}"
                            cut_client(reset)
                            return
                        up_limit = None
                    if slow_up and st["armed"]:
                        throttle_up(b)
                        continue
                    ev["up"] += len(b)
                    u.sendall(b)
            except OSError:
                pass
            try:
                u.shutdown(socket.SHUT_WR)
            except OSError:
                pass

        t = threading.Thread(target=up, daemon=True)
        t.start()
        try:
            self.down(u, c, f, ev, st)
        except OSError as e:
            if not st["cut"]:
                ev["end"] = f"error: {e}"
        # shutdown() first: a thread blocked in recv() would otherwise keep
        # the socket open and the client would never see the close
        reset = ev["end"].startswith("reset")
        for s_, how in ((u, socket.SHUT_RDWR), (c, socket.SHUT_RD if reset else socket.SHUT_RDWR)):
            try:
                s_.shutdown(how)
            except OSError:
                pass
        t.join(timeout=5)
        for s_ in (u, c):
            try:
                s_.close()
            except OSError:
                pass
        self.record(ev)

    def down(self, u, c, f, ev, st):
        drop = f.get("drop_at") if f else None
        reset = f.get("reset_at") if f else None
        stall = f.get("stall_at") if f else None
        stall_s = f.get("stall_s", float, 5.0) if f else 0
        slow = f.get("slow") if f else None
        garbage = f.get("garbage_at") if f else None
        lim0 = min(x for x in (drop, reset, garbage, None) if x is not None) if any(
            x is not None for x in (drop, reset, garbage)) else None
        pending = b""
        u.settimeout(600)
        start = time.monotonic()
        state = {"stalled": stall is None, "limit_off": lim0 is None, "slow": bool(slow),
                 "slow_fired": False}

        def limit():
            if state["limit_off"] or not st["armed"]:
                return None
            return st["down0"] + lim0

        def send(b):
            while b:
                piece = b
                lim = limit()
                if lim is not None:
                    if ev["down"] + len(piece) >= lim and not f.try_fire():
                        state["limit_off"] = True   # used up: pass it through
                        lim = None
                    else:
                        piece = b[:max(0, lim - ev["down"])]
                at = st["down0"] + stall if stall is not None else None
                if not state["stalled"] and st["armed"]:
                    piece = piece[:max(0, at - ev["down"])] if ev["down"] <= at else piece
                throttle = state["slow"] and st["armed"]
                if throttle:
                    piece = piece[:max(1, slow // 20)]
                if piece:
                    # counted before it goes: the client may answer it (send
                    # its next request, which arms on= faults) at once
                    ev["down"] += len(piece)
                    c.sendall(piece)
                    b = b[len(piece):]
                if throttle:
                    ahead = ev["down"] / slow - (time.monotonic() - start)
                    if ahead > 0:
                        if not state["slow_fired"]:
                            if f.try_fire():
                                state["slow_fired"] = ev["fired"] = True
                            else:
                                state["slow"] = False
                                continue
                        time.sleep(ahead)
                if not state["stalled"] and st["armed"] and ev["down"] >= at:
                    state["stalled"] = True
                    if f.try_fire():
                        ev["fired"] = True
                        ev["end"] = f"stalled {stall_s}s at {ev['down']}"
                        time.sleep(stall_s)
                if lim is not None and ev["down"] >= lim:
                    return True
            return False

        while True:
            b = u.recv(65536)
            if not b:
                if pending and not send(pending):
                    pending = b""
                break
            data = pending + b
            for a, r in self.subst:
                data = data.replace(a, r)
            # hold back only a tail that could begin an address to rewrite
            hold = 0
            for a, _ in self.subst:
                for k in range(min(len(a) - 1, len(data)), hold, -1):
                    if data.endswith(a[:k]):
                        hold = k
                        break
            data, pending = (data[:-hold], data[-hold:]) if hold else (data, b"")
            if send(data):
                break
            if pending:
                # flush the held tail if nothing follows soon
                u.settimeout(0.2)
                try:
                    more = u.recv(65536)
                except socket.timeout:
                    more = None
                u.settimeout(600)
                if more is None:
                    if send(pending):
                        pending = b""
                        break
                    pending = b""
                elif not more:
                    break
                else:
                    pending += more
                    b2 = pending
                    pending = b""
                    for a, r in self.subst:
                        b2 = b2.replace(a, r)
                    if send(b2):
                        break
        lim = limit()
        if lim is not None and ev["down"] >= lim:
            ev["fired"] = True
            if reset is not None and ev["down"] >= st["down0"] + reset:
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                ev["end"] = f"reset at {ev['down']}"
            elif garbage is not None and ev["down"] >= st["down0"] + garbage:
                junk = bytes(self.rng.getrandbits(8) for _ in range(4096))
                try:
                    c.sendall(junk)
                except OSError:
                    pass
                ev["end"] = f"garbage after {ev['down']}"
            else:
                ev["end"] = f"dropped at {ev['down']}"
        elif pending:
            c.sendall(pending)
            ev["down"] += len(pending)

    def answer_http(self, c, f, ev, record=True, head=b""):
        c.settimeout(30)
        while b"\r\n\r\n" not in head and len(head) < 65536:
            b = c.recv(65536)
            if not b:
                break
            head += b
        ev["up"] += len(head)
        # read (and drop) a request body that fits in what arrived or follows
        status = int(f.kv["http"])
        reason = {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
                  503: "Service Unavailable", 504: "Gateway Timeout", 408: "Request Timeout",
                  401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}.get(status, "Status")
        body = f.kv.get("body", json.dumps({"error": {"code": status, "message": reason}})).encode()
        extra = ""
        if "retry_after" in f.kv:
            extra += f"Retry-After: {f.kv['retry_after']}\r\n"
        msg = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\n{extra}Connection: close\r\n\r\n").encode() + body
        try:
            c.sendall(msg)
            ev["down"] += len(msg)
            c.shutdown(socket.SHUT_WR)
            c.settimeout(2)
            while c.recv(65536):
                pass
        except OSError:
            pass
        ev["end"] = f"answered {status}"
        if record:
            c.close()
            self.record(ev)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--route", action="append", required=True, help="NAME=UPSTREAM_PORT")
    ap.add_argument("--fault", action="append", default=[])
    ap.add_argument("--fault-file")
    ap.add_argument("--rewrite", action="store_true")
    ap.add_argument("--port-file")
    ap.add_argument("--log")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    p = Proxy(a)
    p.bind()
    ports = {r.name: r.port for r in p.routes.values()}
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(ports, f)
        os.rename(tmp, a.port_file)
    print("PROXY " + " ".join(f"{k}={v}" for k, v in ports.items()), flush=True)
    for r in p.routes.values():
        threading.Thread(target=p.serve, args=(r,), daemon=True).start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
