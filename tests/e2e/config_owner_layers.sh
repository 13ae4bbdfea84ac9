#!/usr/bin/env bash
# config_owner_layers.sh — a tenant's layers cannot redirect the operator's
# secrets.  An editor's template whose processing_config points
# providers.transcription.base_url (or google's token_url, or
# publish.folder.path) at an "attacker" is refused from the API (400) and
# the CLI (non-zero), with a sentence naming the key; the same for `zpub
# tenant config`.  Then such a template, a tenant config and a recording's
# stored config are planted in the SQLite store (as an older zpub would have
# kept them), a lecture is imported and run with the tenant's transcription
# secret: the attacker's loopback server receives no request and no key, the
# operator's service gets the work, the folder target writes only to the
# operator's folder, and the journal and the log name each ignored key.
. "$ZPUB_SRC/tests/lib/e2e.sh"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
db="$ZPUB_HOME/zpub.db"

# The operator's transcription service (fake_openai, key checked) ...
python3 "$ZPUB_SRC/tests/fakes/fake_openai.py" --key sk-tenant-key > "$T/fake.port" 2>"$T/fake.log" &
PIDS+=($!)
for _ in $(seq 100); do grep -q PORT "$T/fake.port" 2>/dev/null && break; sleep 0.05; done
GOOD="http://127.0.0.1:$(sed -n 's/PORT //p' "$T/fake.port")/v1"
# ... and the attacker's: records every request with its Authorization header.
cat > "$T/attacker.py" <<'PY'
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
log = open(sys.argv[1], "a")
class H(BaseHTTPRequestHandler):
    def any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        log.write(json.dumps({"method": self.command, "path": self.path,
                              "authorization": self.headers.get("Authorization"),
                              "body": body[:200].decode("latin-1")}) + "\n")
        log.flush()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"text": "stolen", "access_token": "x"}')
    do_GET = do_POST = do_PUT = do_PATCH = any
    def log_message(self, *a):
        pass
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
print("PORT", s.server_address[1], flush=True)
s.serve_forever()
PY
: > "$T/attacker.log"
python3 "$T/attacker.py" "$T/attacker.log" > "$T/attacker.port" &
PIDS+=($!)
for _ in $(seq 100); do grep -q PORT "$T/attacker.port" 2>/dev/null && break; sleep 0.05; done
EVIL="http://127.0.0.1:$(sed -n 's/PORT //p' "$T/attacker.port")"

"$ZPUB" config set providers.transcription.base_url "$GOOD" >/dev/null
"$ZPUB" config set providers.transcription.retry_base_ms 100 >/dev/null
"$ZPUB" config set publish.folder.path "$T/published" >/dev/null
printf 'sk-tenant-key' | "$ZPUB" secret set transcription >/dev/null
expect_rc 0 "$ZPUB" user add egor --role editor
expect_rc 0 "$ZPUB" user token egor; echo "$OUT" > "$T/tok.egor"

evil_pc() { # the processing_config an attacker would post
	printf '{"processing": {"transcription": {"engine": "openai-compatible"}},
	  "providers": {"transcription": {"base_url": "%s/v1"}, "google": {"token_url": "%s/token"}},
	  "publish": {"folder": {"path": "%s"}}}' "$EVIL" "$EVIL" "$T/evil-folder"
}

# --- refused when saved: the API as an editor, the CLI, tenant config
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$ZPUB" --daemon --foreground --listen 127.0.0.1:$port 2>"$T/daemon.log" &
dpid=$!
for _ in $(seq 50); do grep -q "control API on" "$T/daemon.log" && break; sleep 0.1; done
python3 - "$port" "$T/tok.egor" "$(evil_pc)" "$EVIL" <<'PY' || { kill $dpid; fail "API refusals"; }
import json, sys, urllib.request, urllib.error
port, tok, pc, evil = sys.argv[1], open(sys.argv[2]).read().strip(), json.loads(sys.argv[3]), sys.argv[4]
def call(method, path, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(),
        method=method, headers={"Authorization": "Bearer " + tok})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())
s, b = call("POST", "/templates", {"name": "evil", "processing_config": pc})
assert s == 400, (s, b)
assert "providers.transcription.base_url is the operator's setting" in b["error"], b
for part in ({"providers": {"google": {"token_url": evil + "/token"}}},
             {"publish": {"folder": {"path": "/tmp/x"}}},
             {"processing": {"transcription": {"pocketsphinx_modeldir": "/tmp"}}},
             {"pipeline": {"max_attempts": 100}}, {"daemon": {"workers": 64}}):
    s, b = call("POST", "/templates", {"name": "evil2", "processing_config": part})
    assert s == 400 and "is the operator's setting" in b["error"], (part, s, b)
s, b = call("POST", "/templates", {"name": "fine", "processing_config": {"video": {"crf": 30}}})
assert s in (200, 201), (s, b)
s, b = call("PATCH", f"/templates/{b['id']}", {"processing_config": pc})
assert s == 400 and "providers.transcription.base_url" in b["error"], (s, b)
s, b = call("DELETE", f"/templates/{b.get('id', 0)}", {}) if False else (0, 0)
PY
kill $dpid; wait $dpid 2>/dev/null || true
expect_rc 1 "$ZPUB" template add evil --match '{}' --processing "$(evil_pc)"
echo "$ERR" | grep -q "providers.transcription.base_url is the operator's setting" || fail "CLI: $ERR"
expect_rc 1 "$ZPUB" template add evil --processing "{\"publish\": {\"folder\": {\"path\": \"$T/evil-folder\"}}}"
echo "$ERR" | grep -q "publish.folder.path is the operator's setting" || fail "CLI folder: $ERR"
expect_rc 1 "$ZPUB" tenant config default providers.google.token_url "$EVIL/token"
echo "$ERR" | grep -q "providers.google.token_url is the operator's setting" || fail "tenant config: $ERR"
expect_rc 1 "$ZPUB" tenant config default providers '{"transcription": {"base_url": "'"$EVIL"'/v1"}}'
echo "$ERR" | grep -q "providers.transcription.base_url is the operator's setting" || fail "tenant section: $ERR"
expect_rc 0 "$ZPUB" tenant config default processing.video.crf 30
ok "a template or tenant config naming an operator key is refused (API 400, CLI exit 1), by key"

# --- planted: as an older zpub would have stored them
expect_rc 0 "$ZPUB" template add evil --match '{}' --priority 10
sqlite3 "$db" "UPDATE templates SET processing_config = '$(evil_pc | tr -d '\n')' WHERE name = 'evil'"
sqlite3 "$db" "UPDATE tenants SET config = '{\"providers\": {\"transcription\": {\"base_url\": \"$EVIL/t/v1\"}}, \"processing\": {\"video\": {\"crf\": 30}}}' WHERE name = 'default'"
make_mp4 "$T/lecture.mp4" 6
expect_rc 0 "$ZPUB" import --title "Lecture one" "$T/lecture.mp4"
id=$OUT
expect_rc 0 "$ZPUB" run "$id" --until READY
expect_rc 0 "$ZPUB" show "$id" --json
[ "$(echo "$OUT" | jget status)" = READY ] || fail "status: $OUT"
[ ! -s "$T/attacker.log" ] || fail "the attacker got requests: $(cat "$T/attacker.log")"
stats=$(curl -sf "${GOOD%/v1}/stats")
[ "$(echo "$stats" | jget ok_transcriptions)" -ge 1 ] || fail "the operator's service did no work: $stats"
[ ! -e "$T/evil-folder" ] || fail "the template's folder path was written: $(ls -R "$T/evil-folder")"
[ -n "$(find "$T/published" -type f 2>/dev/null)" ] || fail "nothing in the operator's folder"
expect_rc 0 "$ZPUB" journal "$id"
echo "$OUT" | grep -q "template 'evil' sets providers.transcription.base_url, which it may not; ignored" \
	|| fail "no journal warning for base_url: $OUT"
echo "$OUT" | grep -q "template 'evil' sets publish.folder.path" || fail "no journal warning for the folder: $OUT"
grep -q "tenant 'default': its config sets providers.transcription.base_url, which a tenant may not; ignored" \
	"$ZPUB_HOME/zpub.log" || fail "no log warning for the tenant: $(tail -20 "$ZPUB_HOME/zpub.log")"
# what the template may set still applies (the engine it chose was used)
sqlite3 "$db" "SELECT config FROM recordings WHERE id = $id" | grep -q '"engine":"openai-compatible"' \
	|| fail "the template's own settings were lost: $(sqlite3 "$db" "SELECT config FROM recordings WHERE id = $id")"
sqlite3 "$db" "SELECT config FROM recordings WHERE id = $id" | grep -q providers \
	&& fail "operator keys reached the recording's config"
ok "planted template and tenant config: no request to the attacker, journal and log name the keys"

# --- a recording whose stored config still holds an operator key
expect_rc 0 "$ZPUB" template delete evil
cp "$T/lecture.mp4" "$T/lecture2.mp4"; printf 'x' >> "$T/lecture2.mp4"
expect_rc 0 "$ZPUB" import --title "Lecture two" "$T/lecture2.mp4"
id2=$OUT
sqlite3 "$db" "UPDATE recordings SET config = '{\"providers\": {\"transcription\": {\"base_url\": \"$EVIL/r/v1\"}}, \"processing\": {\"transcription\": {\"engine\": \"openai-compatible\"}}}' WHERE id = $id2"
expect_rc 0 "$ZPUB" run "$id2" --until TRANSCRIBED
[ ! -s "$T/attacker.log" ] || fail "the attacker got requests: $(cat "$T/attacker.log")"
expect_rc 0 "$ZPUB" journal "$id2"
echo "$OUT" | grep -q "the recording's stored config sets providers.transcription.base_url, which it may not; ignored" \
	|| fail "no journal warning for the recording: $OUT"
ok "a recording's stored operator key is ignored with a journal warning"
echo "config_owner_layers: all passed"
