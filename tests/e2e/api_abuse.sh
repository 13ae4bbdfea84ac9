# api_abuse.sh — the control API keeps serving under abuse, as an attacker on
# the same machine would try it: out-of-range api.* limits stop the daemon
# with a sentence naming the key; 64 connections that send half a request
# line get 503 + Retry-After past the per-peer cap, other peers are still
# served, and once the stallers' header timeout passes (408) /health answers
# within 2 s; a Host other than 127.0.0.1/localhost/[::1] (DNS rebinding) is
# refused with 421 and a JSON error; a 429 carries Retry-After; a slow dry
# run (a watch folder of many files, each hashed and probed) does not hold
# /health up; SIGTERM ends the daemon within 5 s with 64 stallers connected
# and a dry run in flight.
. "$ZPUB_SRC/tests/lib/e2e.sh"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$ZPUB" config set daemon.tick_ms 200 >/dev/null
"$ZPUB" config set api.rate_per_minute 5 >/dev/null
"$ZPUB" config set jobs.watch_roots "{\"*\": [\"$T/drop\"]}" >/dev/null
expect_rc 0 "$ZPUB" user add olga --role owner
expect_rc 0 "$ZPUB" user token olga; echo "$OUT" >"$T/tok.olga"
expect_rc 0 "$ZPUB" user add vera --role viewer
expect_rc 0 "$ZPUB" user token vera; echo "$OUT" >"$T/tok.vera"
# A watch folder the dry run hashes and probes file by file: seconds of work.
mkdir -p "$T/drop"
python3 - "$T/drop" <<'PY'
import os, sys
blob = os.urandom(256 * 1024)
for i in range(120):
    open(f"{sys.argv[1]}/lecture{i:03d}.mp4", "wb").write(blob[i:] + bytes([i]))
PY
expect_rc 0 "$ZPUB" job add drop --schedule "every 1h" --source watch --path "$T/drop" --settle 0s
job=$(echo "$OUT" | jget id)

start_daemon() {
	"$ZPUB" --daemon --foreground --listen 127.0.0.1:$port 2>"$T/daemon.log" &
	dpid=$!
	for _ in $(seq 1 100); do grep -q "control API on" "$T/daemon.log" && break; sleep 0.1; done
	grep -q "control API on http://127.0.0.1:$port/" "$T/daemon.log" || fail "API not up: $(cat "$T/daemon.log")"
}
trap 'kill -9 ${dpid:-0} 2>/dev/null || true' EXIT

# --- limits are checked where the API starts ---------------------------------------
# `config set` refuses a value out of range; a config file edited by hand is
# checked again when the API starts.
hand_set() { # hand_set KEY JSON-VALUE: edits config.json as a person would
	python3 - "$ZPUB_HOME/config.json" "$1" "$2" <<'PY'
import json, sys
p, key, val = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
cfg = json.load(open(p))
sec, leaf = key.split(".")
cfg.setdefault(sec, {})[leaf] = val
json.dump(cfg, open(p, "w"))
PY
}
expect_rc 1 "$ZPUB" config set api.max_per_peer 0
hand_set api.max_per_peer 0
expect_rc 1 "$ZPUB" --daemon --foreground --listen 127.0.0.1:$port
echo "$ERR" | grep -q "api.max_per_peer is 0 but must be from 1" || fail "no sentence naming the key: $ERR"
"$ZPUB" config set api.max_per_peer 40 >/dev/null
"$ZPUB" config set api.max_connections 32 >/dev/null
expect_rc 1 "$ZPUB" --daemon --foreground --listen 127.0.0.1:$port
echo "$ERR" | grep -q "api.max_per_peer (40) is more than api.max_connections (32)" || fail "$ERR"
hand_set api.header_timeout_ms '"soon"'
expect_rc 1 "$ZPUB" --daemon --foreground --listen 127.0.0.1:$port
echo "$ERR" | grep -q "api.header_timeout_ms must be a number" || fail "$ERR"
ok "out-of-range api.* limits stop the daemon with a sentence naming the key"

"$ZPUB" config set api.max_per_peer 24 >/dev/null
"$ZPUB" config set api.header_timeout_ms 3000 >/dev/null
"$ZPUB" config set api.idle_timeout_ms 3000 >/dev/null
start_daemon

python3 - "$port" "$T" "$job" <<'PY' || fail "abuse checks"
import json, socket, sys, threading, time
port, T, job = int(sys.argv[1]), sys.argv[2], sys.argv[3]
tok = {u: open(f"{T}/tok.{u}").read().strip() for u in ("olga", "vera")}

def raw(req, src="127.0.0.1", timeout=10):
    """Sends req from src, returns (status, headers dict, body) or (None, ...) when closed."""
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(timeout)
    s.connect(("127.0.0.1", port))
    s.sendall(req.encode())
    data = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    except socket.timeout:
        pass
    s.close()
    return parse(data)

def parse(data):
    if not data.startswith(b"HTTP/1.1 "):
        return None, {}, data
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    hdrs = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
    return int(lines[0].split()[1]), hdrs, body

def get(path, host=None, src="127.0.0.1", auth=None, method="GET", timeout=10):
    h = f"Host: {host}\r\n" if host is not None else ""
    a = f"Authorization: Bearer {auth}\r\n" if auth else ""
    return raw(f"{method} {path} HTTP/1.1\r\n{h}{a}Content-Length: 0\r\n\r\n", src, timeout)

# --- Host: DNS rebinding ---------------------------------------------------------------
for host in (f"127.0.0.1:{port}", "127.0.0.1", "localhost", f"localhost:{port}", f"[::1]:{port}", "LOCALHOST"):
    st, _, body = get("/health", host)
    assert st == 200 and json.loads(body)["status"] == "ok", (host, st, body)
for host in ("evil.example", f"evil.example:{port}", "127.0.0.1:1", "127.0.0.1.evil.example", "", None):
    st, h, body = get("/health", host)
    assert st in (400, 421), (host, st, body)
    assert h.get("content-type") == "application/json" and json.loads(body)["error"], (host, h, body)
st, h, body = get("/health", "evil.example")
assert st == 421 and "Host" in json.loads(body)["error"], (st, body)
print("host ok")

# --- a 429 says when to come back --------------------------------------------------------
codes = []
for _ in range(8):
    st, h, body = get("/recordings", f"127.0.0.1:{port}", auth=tok["vera"])
    codes.append(st)
    if st == 429:
        assert int(h["retry-after"]) > 0, h
        assert json.loads(body)["retry_after_s"] == int(h["retry-after"]), (h, body)
assert codes[0] == 200 and 429 in codes, codes
print("429 ok")

# --- 64 stallers ------------------------------------------------------------------------
t0 = time.monotonic()
stallers = []
for _ in range(64):
    s = socket.socket()
    s.connect(("127.0.0.1", port))
    s.sendall(b"GET /health HTT")
    stallers.append(s)
def answer(s, wait):
    s.settimeout(wait)
    data = b""
    try:
        while True:
            b = s.recv(4096)
            if not b:
                break
            data += b
    except (socket.timeout, ConnectionResetError):
        pass
    return data
# past the per-peer cap (24): 503 with Retry-After at once, not a silent close
import select
early = {}
while len(early) < 40 and time.monotonic() - t0 < 2.5:
    r, _, _ = select.select([s for s in stallers if s not in early], [], [], 0.1)
    for s in r:
        early[s] = s.recv(4096, socket.MSG_PEEK)
refused = 0
for s, d in early.items():
    st, h, _ = parse(d)
    if st == 503:
        assert int(h["retry-after"]) > 0, h
        refused += 1
assert refused == 40, f"{refused} stallers got 503 + Retry-After, wanted 40"
# another peer address is still served while the 24 hold their slots
st, _, _ = get("/health", f"127.0.0.1:{port}", src="127.0.0.2", timeout=2)
assert st == 200, st
if time.monotonic() - t0 < 2.5:
    st, h, _ = get("/health", f"127.0.0.1:{port}", timeout=2)
    assert st == 503 and int(h["retry-after"]) > 0, (st, h)
# the header timeout (3 s) frees them: 408, closed; then /health within 2 s
ok_at = None
while time.monotonic() - t0 < 3.0 + 2.0:
    try:
        st, _, _ = get("/health", f"127.0.0.1:{port}", timeout=1)
    except OSError:
        st = None
    if st == 200:
        ok_at = time.monotonic() - t0
        break
    time.sleep(0.1)
assert ok_at is not None, "no /health within 2 s of the stallers' header timeout"
timed_out = sum(1 for s in stallers if answer(s, 3).startswith(b"HTTP/1.1 408"))
for s in stallers:
    s.close()
assert timed_out == 24, f"{timed_out} stallers got 408, wanted 24"
print(f"stallers ok (/health again after {ok_at:.1f} s)")

# --- a slow dry run does not hold /health up -------------------------------------------
result = {}
def dry():
    result["r"] = get(f"/jobs/{job}/dry-run", f"127.0.0.1:{port}", auth=tok["olga"], method="POST", timeout=300)
    result["at"] = time.monotonic()
th = threading.Thread(target=dry)
th.start()
time.sleep(0.2)
served_during = 0
while th.is_alive():
    t = time.monotonic()
    st, _, _ = get("/health", f"127.0.0.1:{port}", timeout=5)
    took = time.monotonic() - t
    if st == 200 and took < 2 and th.is_alive():
        served_during += 1
    time.sleep(0.2)
th.join()
st, _, body = result["r"]
assert st == 200, (st, body[:300])
rep = json.loads(body)
assert rep["dry_run"] and len(rep["items"]) == 120, body[:300]
assert served_during >= 3, f"/health answered {served_during} times during the dry run"
print(f"dry run ok ({served_during} /health answers while it ran)")
PY
ok "Host check, Retry-After on 429, 503 past the per-peer cap, stallers timed out, dry runs off the serving thread"

# --- SIGTERM with 64 stallers and a dry run in flight --------------------------------------
kill -TERM $dpid
wait $dpid || fail "daemon exit $?"
"$ZPUB" config set api.header_timeout_ms 120000 >/dev/null
"$ZPUB" config set api.idle_timeout_ms 120000 >/dev/null
"$ZPUB" config set api.rate_per_minute 60 >/dev/null
start_daemon
python3 - "$port" "$T" "$job" "$dpid" <<'PY' || fail "SIGTERM with stallers"
import os, signal, socket, sys, time
port, T, job, dpid = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
tok = open(f"{T}/tok.olga").read().strip()
dry = socket.socket()
dry.connect(("127.0.0.1", port))
dry.sendall(f"POST /jobs/{job}/dry-run HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {tok}\r\nContent-Length: 0\r\n\r\n".encode())
time.sleep(0.5)
stallers = []
for i in range(64):
    s = socket.socket()
    s.bind((f"127.0.0.{2 + i % 4}", 0))
    s.connect(("127.0.0.1", port))
    s.sendall(b"POST /templates HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{")
    stallers.append(s)
time.sleep(0.3)
t0 = time.monotonic()
os.kill(dpid, signal.SIGTERM)
while time.monotonic() - t0 < 5:
    try:
        os.kill(dpid, 0)
    except ProcessLookupError:
        break
    if open(f"/proc/{dpid}/stat").read().split(")")[1].split()[0] == "Z":
        break
    time.sleep(0.05)
else:
    sys.exit(f"the daemon still runs 5 s after SIGTERM")
print(f"daemon ended {time.monotonic() - t0:.2f} s after SIGTERM")
PY
wait $dpid || fail "daemon exit $?"
trap - EXIT
grep -q "stopped cleanly" "$T/daemon.log" || fail "no clean stop: $(tail -5 "$T/daemon.log")"
ok "SIGTERM ends the daemon within 5 s with 64 stallers and a dry run in flight"
