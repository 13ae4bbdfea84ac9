# api_metrics.sh — GET /metrics and GET /ready on a real daemon.  /metrics
# answers only the operator's api.metrics_token (a tenant's owner gets 403,
# no token 401) and parses strictly as the Prometheus text format 0.0.4
# (every sample in a declared family, histogram buckets cumulative to +Inf,
# counters not negative; prometheus_client's parser too when installed);
# its numbers move as a recording passes through the daemon and as the API
# is called.  /ready is 200, then 503 with the reason while the data
# folder's disk is below daemon.min_free_mb (a small tmpfs filled up; where
# mounting is impossible the reserve is raised above the free space
# instead) and while another process holds the database's write lock.
. "$ZPUB_SRC/tests/lib/e2e.sh"
D=$T/disk
mkdir -p "$D"
MOUNTED=0
# ZPUB_TEST_NO_TMPFS=1 takes the simulated path even where mounting works.
if [ -z "${ZPUB_TEST_NO_TMPFS:-}" ] && mount -t tmpfs -o size=64m,mode=0700 tmpfs "$D" 2>"$T/mount.err"; then
	MOUNTED=1
else
	echo "note: no tmpfs ($(cat "$T/mount.err" 2>/dev/null)); simulating a full disk with a reserve above the free space"
fi
dpid=
cleanup() {
	[ -z "$dpid" ] || kill -9 "$dpid" 2>/dev/null || true
	[ "$MOUNTED" = 0 ] || umount "$D" 2>/dev/null || umount -l "$D" 2>/dev/null || true
}
trap cleanup EXIT
export ZPUB_HOME=$D/home
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
MTOK=metrics-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
"$ZPUB" config set daemon.tick_ms 200 >/dev/null
"$ZPUB" config set daemon.min_free_mb 8 >/dev/null
printf %s "$MTOK" | "$ZPUB" secret set api.metrics_token >/dev/null
"$ZPUB" config set publish.to folder >/dev/null
"$ZPUB" config set publish.folder.path "$T/published" >/dev/null
expect_rc 0 "$ZPUB" user add olga --role owner
expect_rc 0 "$ZPUB" user token olga; echo "$OUT" >"$T/tok.olga"
echo "$MTOK" >"$T/tok.metrics"
make_mp4 "$T/Лекция.mp4" 3

start_daemon() {
	: >"$T/daemon.log"
	"$ZPUB" --daemon --foreground --listen 127.0.0.1:$port 2>"$T/daemon.log" &
	dpid=$!
	for _ in $(seq 1 100); do grep -q "control API on" "$T/daemon.log" && break; sleep 0.1; done
	grep -q "control API on" "$T/daemon.log" || fail "API not up: $(cat "$T/daemon.log")"
}
stop_daemon() { kill "$dpid" 2>/dev/null || true; wait "$dpid" 2>/dev/null || true; dpid=; }

# The strict parser and the HTTP calls, shared by the steps below.
cat >"$T/prom.py" <<'PY'
import json, math, re, sys, urllib.request, urllib.error
base = "http://127.0.0.1:" + sys.argv[1]
T = sys.argv[2]
def call(path, tok=None):
    h = {"Authorization": "Bearer " + tok} if tok else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(base + path, headers=h), timeout=20) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode()

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"'
SAMPLE = re.compile(r"^(" + NAME + r")(?:\{((?:" + LABEL + r")(?:," + LABEL + r")*)?\})? (\S+)$")
def unescape(v):
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "\\": "\\", '"': '"'}[m.group(1)], v)
def parse(text):
    """Strict text format 0.0.4: {family: (type, [(name, labels, value)])}."""
    assert text.endswith("\n"), "the text does not end in a newline"
    fams, types, helps = {}, {}, set()
    for ln in text.split("\n")[:-1]:
        if ln.startswith("# HELP "):
            n = ln.split(" ", 3)[2]
            assert re.fullmatch(NAME, n) and n not in helps, ln
            helps.add(n)
            continue
        if ln.startswith("# TYPE "):
            _, _, n, t = ln.split(" ")
            assert re.fullmatch(NAME, n), ln
            assert t in ("counter", "gauge", "histogram", "summary", "untyped"), ln
            assert n not in types, "TYPE twice: " + ln
            assert n not in fams, "TYPE after samples: " + ln
            types[n] = t
            fams[n] = (t, [])
            continue
        assert ln and not ln.startswith("#"), "stray line: %r" % ln
        m = SAMPLE.match(ln)
        assert m, "not a sample line: %r" % ln
        name, value = m.group(1), m.groups()[-1]
        labels = dict((k, unescape(v)) for k, v in re.findall(LABEL, m.group(2) or ""))
        v = float(value)   # +Inf, NaN and numbers
        fam = name
        if name not in types:
            for suf in ("_bucket", "_sum", "_count"):
                if name.endswith(suf) and types.get(name[:-len(suf)]) == "histogram":
                    fam = name[:-len(suf)]
        assert fam in types, "sample of an undeclared family: " + ln
        t = types[fam]
        if t == "counter":
            assert name.endswith("_total"), "counter without _total: " + ln
            assert v >= 0, "negative counter: " + ln
        fams[fam][1].append((name, labels, v))
    for fam, (t, samples) in fams.items():
        if t != "histogram":
            continue
        series = {}
        for name, labels, v in samples:
            key = tuple(sorted((k, x) for k, x in labels.items() if k != "le"))
            series.setdefault(key, {"b": [], "sum": None, "count": None})
            if name.endswith("_bucket"):
                series[key]["b"].append((float(labels["le"]), v))
            elif name.endswith("_sum"):
                series[key]["sum"] = v
            else:
                series[key]["count"] = v
        for key, s in series.items():
            les = [le for le, _ in s["b"]]
            assert les == sorted(les) and les and math.isinf(les[-1]), (fam, key, les)
            counts = [c for _, c in s["b"]]
            assert counts == sorted(counts), ("buckets not cumulative", fam, key, counts)
            assert s["count"] == counts[-1] and s["sum"] is not None, (fam, key, s)
    try:
        from prometheus_client.parser import text_string_to_metric_families
        list(text_string_to_metric_families(text))
    except ImportError:
        # Debian's python3-prometheus-client may sit beside another python3
        import os, subprocess
        py = "/usr/bin/python3"
        if os.path.exists(py) and os.path.realpath(py) != os.path.realpath(sys.executable):
            r = subprocess.run([py, "-c", "import sys\ntry:\n from prometheus_client.parser"
                                " import text_string_to_metric_families as p\nexcept ImportError:\n"
                                " sys.exit(0)\nlist(p(sys.stdin.read()))"],
                               input=text, text=True, capture_output=True)
            assert r.returncode == 0, "prometheus_client refused the text: " + r.stderr[-2000:]
    return fams
def value(fams, fam, name=None, **labels):
    tot = 0.0
    for n, l, v in fams.get(fam, ("", []))[1]:
        if (name is None or n == name) and all(l.get(k) == x for k, x in labels.items()):
            tot += v
    return tot
def scrape():
    s, ct, b = call("/metrics", open(T + "/tok.metrics").read().strip())
    assert s == 200, (s, b)
    assert ct.startswith("text/plain; version=0.0.4"), ct
    return parse(b)
PY

start_daemon
python3 - "$port" "$T" <<'PY' || fail "/metrics access and format"
import json, sys
sys.path.insert(0, sys.argv[2]); exec(open(sys.argv[2] + "/prom.py").read())
s, _, b = call("/metrics")
assert s == 401 and "Bearer" in json.loads(b)["error"], (s, b)
s, _, b = call("/metrics", "not-the-token-at-all")
assert s == 401, (s, b)
s, _, b = call("/metrics", open(T + "/tok.olga").read().strip())
assert s == 403 and "operator" in json.loads(b)["error"], (s, b)
f = scrape()
for fam in ("zpub_recordings", "zpub_queue_depth", "zpub_stage_duration_seconds",
            "zpub_api_requests_total", "zpub_stage_failures_total", "zpub_uploaded_bytes_total",
            "zpub_provider_retries_total", "zpub_provider_errors_total"):
    assert fam in f, "no family " + fam
assert value(f, "zpub_api_requests_total", route="/metrics", code="403") >= 1, f["zpub_api_requests_total"]
# a raw path never becomes a label: the pattern does
call("/recordings/999999", open(T + "/tok.olga").read().strip())
f2 = scrape()
assert value(f2, "zpub_api_requests_total", route="/recordings/{id}", code="404") == 1
assert not [l for _, l, _ in f2["zpub_api_requests_total"][1] if "999999" in l["route"]]
assert value(f2, "zpub_api_requests_total", route="/metrics", code="200") > \
       value(f, "zpub_api_requests_total", route="/metrics", code="200")
s, _, b = call("/openapi.json")
doc = json.loads(b)
assert "/metrics" in doc["paths"] and "/ready" in doc["paths"], list(doc["paths"])
try:
    from openapi_spec_validator import validate
    validate(doc)
except ImportError:
    pass
json.dump({"before": value(f, "zpub_stage_duration_seconds", "zpub_stage_duration_seconds_count")},
          open(T + "/before.json", "w"))
PY
ok "/metrics: 401 without the operator's token, 403 for a tenant's owner; strict text format; routes by pattern"

# a recording imported after the first scrape passes through the daemon
expect_rc 0 "$ZPUB" import "$T/Лекция.mp4"
rec=$OUT
final=
for _ in $(seq 1 240); do
	st=$("$ZPUB" show "$rec" --json 2>/dev/null | jget status || true)
	case $st in READY|FAILED|SKIPPED) final=$st; break;; esac
	sleep 0.5
done
[ -n "$final" ] || fail "recording $rec did not finish in 2 minutes (status $st)"
python3 - "$port" "$T" "$final" <<'PY' || fail "/metrics after a recording passed"
import json, sys
exec(open(sys.argv[2] + "/prom.py").read())
final = sys.argv[3]
before = json.load(open(T + "/before.json"))["before"]
f = scrape()
assert value(f, "zpub_recordings", tenant="default", status=final) == 1, f["zpub_recordings"]
runs = value(f, "zpub_stage_duration_seconds", "zpub_stage_duration_seconds_count")
assert runs > before, ("no stage run counted", before, runs)
assert value(f, "zpub_queue_depth") == 0, f["zpub_queue_depth"]
if final == "READY":
    assert value(f, "zpub_uploaded_bytes_total", target="folder") > 0, f["zpub_uploaded_bytes_total"]
else:
    assert value(f, "zpub_stage_failures_total") >= 1, f["zpub_stage_failures_total"]
print("stage runs %d -> %d, recording %s" % (before, runs, final))
PY
ok "/metrics moves as recording $rec passes ($final): recordings by status, stage durations, uploads"

ready() { # ready WANT_STATUS PATTERN
	python3 - "$port" "$T" "$1" "$2" <<'PY'
import json, re, sys
exec(open(sys.argv[2] + "/prom.py").read())
s, _, b = call("/ready")
assert s == int(sys.argv[3]), (s, b)
assert re.search(sys.argv[4], b, re.I), b
print(b)
PY
}
ready 200 '"ready"' >/dev/null || fail "/ready is not 200 on a healthy daemon"
if [ "$MOUNTED" = 1 ]; then
	avail=$(df --output=avail -B1 "$D" | tail -1)
	fallocate -l $((avail - 4 * 1024 * 1024)) "$D/filler" 2>/dev/null || \
		head -c $((avail - 4 * 1024 * 1024)) /dev/zero >"$D/filler" 2>/dev/null || true
	why=$(ready 503 'disk.*min_free_mb') || fail "/ready on a full disk"
	rm -f "$D/filler"
	ready 200 '"ready"' >/dev/null || fail "/ready after space came back"
else
	stop_daemon
	"$ZPUB" config set daemon.min_free_mb 1048576 >/dev/null
	start_daemon
	why=$(ready 503 'disk.*min_free_mb') || fail "/ready with the reserve above the free space"
	stop_daemon
	"$ZPUB" config set daemon.min_free_mb 8 >/dev/null
	start_daemon
	ready 200 '"ready"' >/dev/null || fail "/ready after the reserve came down"
fi
ok "/ready: 503 below the disk's reserve ($why), 200 again with room"

# another process holds the write lock: the database takes no writes
python3 - "$ZPUB_HOME/zpub.db" "$T/locked" <<'PY' &
import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
while os.path.exists(sys.argv[2]):
    time.sleep(0.05)
c.execute("ROLLBACK")
PY
lpid=$!
for _ in $(seq 1 100); do [ -e "$T/locked" ] && break; sleep 0.1; done
[ -e "$T/locked" ] || fail "could not lock the database"
why=$(ready 503 'database') || { rm -f "$T/locked"; fail "/ready with the database locked"; }
rm -f "$T/locked"
wait "$lpid"
ready 200 '"ready"' >/dev/null || fail "/ready after the lock went"
ok "/ready: 503 while the database is locked ($why), 200 after"
stop_daemon
