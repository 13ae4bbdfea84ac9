# fake_zoom.sh — sourced by tests/e2e/zoom_*.sh after tests/lib/e2e.sh:
# starts tests/fakes/fake_zoom.py on 127.0.0.1 and points zpub at it.
# zoom_fake_start DIR [fake options...] sets ZPORT, ZFAKE_PID, ZDIR.
zoom_fake_start() {
	ZDIR=$1; shift
	mkdir -p "$ZDIR"
	rm -f "$ZDIR/port"
	python3 "$ZPUB_SRC/tests/fakes/fake_zoom.py" --dir "$ZDIR" --port-file "$ZDIR/port" "$@" \
		>"$ZDIR/fake.out" 2>"$ZDIR/fake.err" &
	ZFAKE_PID=$!
	for _ in $(seq 100); do [ -s "$ZDIR/port" ] && break; sleep 0.1; done
	[ -s "$ZDIR/port" ] || fail "fake_zoom did not start: $(cat "$ZDIR/fake.err")"
	ZPORT=$(cat "$ZDIR/port")
	"$ZPUB" config set providers.zoom.api_base "http://127.0.0.1:$ZPORT/v2" >/dev/null
	"$ZPUB" config set providers.zoom.oauth_base "http://127.0.0.1:$ZPORT" >/dev/null
	"$ZPUB" config set providers.zoom.client_id zoom-client >/dev/null
	"$ZPUB" config set providers.zoom.account_id zoom-account >/dev/null
	"$ZPUB" config set providers.zoom.retry_base_ms 100 >/dev/null
	printf 'zoom-secret' | "$ZPUB" secret set zoom.client_secret >/dev/null 2>&1
}
zoom_fake_stop() {
	if [ -n "${ZFAKE_PID:-}" ]; then kill "$ZFAKE_PID" 2>/dev/null || true; wait "$ZFAKE_PID" 2>/dev/null || true; fi
	ZFAKE_PID=
}
trap zoom_fake_stop EXIT
# zoom_admin PATH — GET on the fake's admin endpoints.
zoom_admin() { curl -s "http://127.0.0.1:$ZPORT/_admin/$1"; }
# Checks every DOWNLOADED recording's source against the fake's manifest:
# same size and sha256 as the file Zoom holds.  Prints the count checked.
zoom_check_downloads() {
	"$ZPUB" list --json > "$T/list.json"
	python3 - "$T/list.json" "$ZDIR/manifest.json" "$ZPUB" <<'PY'
import json, subprocess, sys
recs = json.load(open(sys.argv[1]))
if isinstance(recs, dict):
    recs = recs.get("recordings", recs)
man = {m["file_id"]: m for m in json.load(open(sys.argv[2]))}
n = 0
for r in recs:
    if r["status"] != "DOWNLOADED":
        continue
    show = json.loads(subprocess.check_output([sys.argv[3], "show", str(r["id"]), "--json"]))
    src = [a for a in show["artifacts"] if a["kind"] == "source"]
    assert len(src) == 1, "recording %s: %d source artefacts" % (r["id"], len(src))
    a = src[0]
    m = man[a["zoom_file_id"]]
    import hashlib
    h = hashlib.sha256(open(a["path"], "rb").read()).hexdigest()
    assert a["bytes"] == m["size"] and h == m["sha256"], \
        "recording %s (%s): %d bytes sha %s, Zoom has %d bytes sha %s" % (
            r["id"], a["zoom_file_id"], a["bytes"], h, m["size"], m["sha256"])
    n += 1
print(n)
PY
}
