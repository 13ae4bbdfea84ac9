#!/usr/bin/env bash
# A full disk during import, cut, download and publish: the data folder
# (database, log, media) lives on a small tmpfs that the test fills to the
# last few kilobytes.  Each step fails with a sentence that says the disk is
# full (or that the space ran out), leaves no temporary file and nothing
# corrupt (database integrity, every listed artefact with its size and
# SHA-256), and once space is free `zpub retry` + `zpub run` finish the job.
# Publishing is tested twice: the folder target writing onto a full disk
# (the data folder elsewhere), and a YouTube upload whose data folder fills
# up mid-upload, so the store cannot record its progress.  Needs root to
# mount the tmpfs; skips with a message where mounting is impossible.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/fakes/fake_zoom.sh"

D=$T/disk
mkdir -p "$D"
if ! mount -t tmpfs -o size=24m,mode=0700 tmpfs "$D" 2>"$T/mount.err"; then
	echo "SKIP: cannot mount a small tmpfs here ($(cat "$T/mount.err")); run as root to test a full disk"
	exit 0
fi
GOOGLE_PID=
cleanup() {
	zoom_fake_stop
	[ -z "$GOOGLE_PID" ] || kill "$GOOGLE_PID" 2>/dev/null || true
	umount "$D" 2>/dev/null || umount -l "$D" 2>/dev/null || true
}
trap cleanup EXIT
export ZPUB_HOME=$D/home

# fill LEAVE_KB: a filler file takes all but LEAVE_KB of the disk
fill() {
	rm -f "$D/filler"
	local avail
	avail=$(df --output=avail -B1 "$D" | tail -1)
	# A full disk is the point: when fallocate cannot take it all (the
	# writer under test keeps writing), the fallback writes until ENOSPC.
	fallocate -l $((avail - $1 * 1024)) "$D/filler" 2>/dev/null || \
		head -c $((avail - $1 * 1024)) /dev/zero 2>/dev/null > "$D/filler" || true
}
unfill() { rm -f "$D/filler"; }

# intact: the database passes integrity_check and every artefact matches
intact() {
	python3 - "$ZPUB_HOME/zpub.db" <<'PY' || fail "$1: the database is damaged"
import sqlite3, sys
c = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
r = c.execute("PRAGMA integrity_check").fetchone()[0]
assert r == "ok", r
PY
	local ids
	ids=$("$ZPUB" list --json | python3 -c 'import json,sys; print(" ".join(str(r["id"]) for r in json.load(sys.stdin)))')
	for id in $ids; do
		"$ZPUB" show "$id" --json | python3 -c 'import hashlib, json, os, sys
j = json.load(sys.stdin)
for a in j["artifacts"]:
    p = a["path"]
    assert os.path.exists(p), p
    assert os.path.getsize(p) == a["bytes"], (p, os.path.getsize(p), a["bytes"])
    h = hashlib.sha256(open(p, "rb").read()).hexdigest()
    assert h == a["sha256"], (p, "checksum")' || fail "$1: recording $id has a damaged artefact"
	done
	local tmps
	tmps=$(find "$ZPUB_HOME" -name '*.tmp' -o -name '.import-*')
	[ -z "$tmps" ] || fail "$1: temporary files survive: $tmps"
}
full_reason='space|full|ENOSPC'

# A lecture with pauses (tone bursts) so the cut writes a new file.
ffmpeg -v error -y -f lavfi -i "testsrc=s=320x180:r=25:d=40" \
	-f lavfi -i "sine=f=440:d=40,volume='if(lt(mod(t\,8)\,5)\,1\,0)':eval=frame" \
	-c:v libx264 -preset ultrafast -g 50 -bf 0 -pix_fmt yuv420p -c:a aac -shortest "$T/lecture.mp4"
ffmpeg -v error -y -i "$T/lecture.mp4" -c copy -metadata comment=two "$T/lecture2.mp4"
size=$(stat -c %s "$T/lecture.mp4")

# --- import ---------------------------------------------------------------------
expect_rc 0 "$ZPUB" status --json      # creates the database while there is room
fill $((size / 1024 / 2))
expect_rc 1 "$ZPUB" import "$T/lecture.mp4"
why=$ERR
echo "$why" | grep -Eqi "$full_reason" || fail "import on a full disk: no reason: $why"
intact "import"
expect_rc 0 "$ZPUB" status --json
[ "$(echo "$OUT" | jget total)" = 0 ] || fail "a failed import left a recording: $OUT"
unfill
expect_rc 0 "$ZPUB" import "$T/lecture.mp4"
id=$OUT
ok "import on a full disk: '$(echo "$why" | head -c 150)'; nothing left; imports once there is room"

# --- cut (the process stage) -------------------------------------------------------
fill 300
expect_rc 1 "$ZPUB" run "$id" --until PROCESSED
why=$ERR
echo "$why" | grep -Eqi "$full_reason" || fail "cut on a full disk: no reason: $why"
unfill   # the checks themselves need a little room
expect_rc 0 "$ZPUB" show "$id" --json
st=$(echo "$OUT" | jget status)
case $st in
FAILED)
	echo "$OUT" | jget error | grep -Eqi "$full_reason" || fail "FAILED without the reason: $OUT";;
DOWNLOADED|PROCESSING) ;;   # the store could not even record the failure: resumable
*) fail "cut on a full disk left status $st";;
esac
intact "cut"
if [ "$st" = FAILED ]; then expect_rc 0 "$ZPUB" retry "$id"; fi
expect_rc 0 "$ZPUB" run "$id" --until PROCESSED
intact "cut, after space came back"
ok "cut on a full disk: $st with '$(echo "$why" | head -c 150)'; PROCESSED once there is room"

# --- download from Zoom ------------------------------------------------------------
zoom_fake_start "$T/zoom" --months 1 --per-month 1 --size 3000000
expect_rc 0 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31
zid=$("$ZPUB" list --json | python3 -c 'import json,sys; print([r["id"] for r in json.load(sys.stdin) if r["source"] == "zoom"][0])')
fill 1000
expect_rc 1 "$ZPUB" run "$zid" --until DOWNLOADED
why=$ERR
echo "$why" | grep -Eqi "$full_reason" || fail "download on a full disk: no reason: $why"
unfill
expect_rc 0 "$ZPUB" show "$zid" --json
st=$(echo "$OUT" | jget status)
# The partial file gives its space back before the failure is written, so
# the store has room to say FAILED (not a silent DOWNLOADING till next run).
[ "$st" = FAILED ] || fail "download on a full disk left status $st, not FAILED: $OUT"
echo "$OUT" | jget error | grep -Eqi "$full_reason" || fail "FAILED without the reason: $OUT"
python3 -c 'import json,sys
j = json.loads(sys.argv[1])
assert not [a for a in j["artifacts"] if a["kind"] == "source"], "a partial download became the source"' "$OUT" \
	|| fail "download on a full disk: $OUT"
intact "download"
expect_rc 0 "$ZPUB" retry "$zid"
expect_rc 0 "$ZPUB" run "$zid" --until DOWNLOADED
n=$(zoom_check_downloads) || fail "after space came back the download differs from Zoom's file"
[ "$n" = 1 ] || fail "$n recordings DOWNLOADED"
find "$ZPUB_HOME" -name '*.part' | grep -q . && fail "partial files survive a finished download"
intact "download, after space came back"
ok "download on a full disk: $st with '$(echo "$why" | head -c 150)'; byte-identical once there is room"

# --- publish to the folder target on a full disk ------------------------------------
# The data folder is on the roomy disk (so the copies are real copies, not
# hard links); the target folder is on the full one.  The half-built folder
# must go, the reason must say the disk is full, and the retry must write
# the whole folder: video, subtitles, thumbnail, description and metadata.
MAIN_HOME=$ZPUB_HOME
export ZPUB_HOME=$T/home-folder
PUBDIR=$D/published
expect_rc 0 "$ZPUB" import "$T/lecture.mp4"
fid=$OUT
expect_rc 0 "$ZPUB" config set publish.folder.path "$PUBDIR"
expect_rc 0 "$ZPUB" config set publish.to folder
printf 'WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nПервая тема\n' > "$T/subs.ru.vtt"
ffmpeg -v error -y -i "$T/lecture.mp4" -frames:v 1 "$T/thumb.jpg"
python3 - "$ZPUB_HOME/zpub.db" "$fid" "$T/subs.ru.vtt" "$T/thumb.jpg" <<'PY'
import hashlib, os, sqlite3, sys, time
db, rid = sqlite3.connect(sys.argv[1]), int(sys.argv[2])
now = int(time.time() * 1000)
for kind, path, extra in (("vtt", sys.argv[3], '{"language":"ru"}'),
                          ("thumbnail", sys.argv[4], '{"chosen":true}')):
    data = open(path, "rb").read()
    db.execute("INSERT INTO artifacts (recording_id, kind, path, bytes, sha256, extra, created_at)"
               " VALUES (?,?,?,?,?,?,?)", (rid, kind, path, len(data),
               hashlib.sha256(data).hexdigest(), extra, now))
db.execute("UPDATE recordings SET status = 'TRANSCRIBED' WHERE id = ?", (rid,))
db.commit()
PY
mkdir -p "$PUBDIR"
fill $((size / 1024 / 2))
expect_rc 1 "$ZPUB" run "$fid"
why=$ERR
echo "$why" | grep -Eqi "$full_reason" || fail "folder publish on a full disk: no reason: $why"
unfill
expect_rc 0 "$ZPUB" show "$fid" --json
st=$(echo "$OUT" | jget status)
[ "$st" = FAILED ] || fail "folder publish on a full disk left status $st: $OUT"
echo "$OUT" | jget error | grep -Eqi "$full_reason" || fail "FAILED without the reason: $OUT"
left=$(find "$PUBDIR" -mindepth 1)
[ -z "$left" ] || fail "folder publish on a full disk left files behind: $left"
intact "folder publish"
expect_rc 0 "$ZPUB" retry "$fid"
expect_rc 0 "$ZPUB" run "$fid"
expect_rc 0 "$ZPUB" show "$fid" --json
[ "$(echo "$OUT" | jget status)" = READY ] || fail "folder publish after space came back: $OUT"
python3 - "$PUBDIR/$fid" "$T/lecture.mp4" "$T/subs.ru.vtt" "$T/thumb.jpg" <<'PY' || fail "the published folder is not complete"
import hashlib, json, os, sys
d = sys.argv[1]
sha = lambda p: hashlib.sha256(open(p, "rb").read()).hexdigest()
want = {"video.mp4": sys.argv[2], "subtitles.ru.vtt": sys.argv[3], "thumbnail.jpg": sys.argv[4]}
for name, src in want.items():
    assert sha(os.path.join(d, name)) == sha(src), name
meta = json.load(open(os.path.join(d, "metadata.json")))
for f in meta["files"]:
    p = os.path.join(d, f["name"])
    assert os.path.getsize(p) == f["bytes"] and sha(p) == f["sha256"], f
assert sorted(f["name"] for f in meta["files"]) == sorted(want), meta["files"]
assert os.path.exists(os.path.join(d, "description.txt"))
PY
left=$(find "$PUBDIR" -mindepth 1 -maxdepth 1 ! -name "$fid")
[ -z "$left" ] || fail "temporary folders survive the publication: $left"
intact "folder publish, after space came back"
ok "folder publish on a full disk: FAILED with '$(echo "$why" | head -c 200)'; complete once there is room"
export ZPUB_HOME=$MAIN_HOME

# --- a YouTube upload while the data folder fills up -------------------------------
# The session is opened and recorded, a chunk lands, then the disk that holds
# the database fills: the next progress write fails.  The upload stops with
# a reason that says the disk is full, the failure is still recorded (the
# data folder's space reserve makes room for it), and after `zpub retry` the
# upload asks the saved session where it stands and goes on: one session,
# one video, byte-identical, never restarted from byte 0.
if ! "$ZPUB" help auth >/dev/null 2>&1; then
	echo "disk_full: 4 cases passed (no 'zpub auth': the YouTube case is skipped)"
	exit 0
fi
python3 "$ZPUB_SRC/tests/fakes/fake_google.py" --port-file "$T/google.port" \
	--store-dir "$T/google" >/dev/null 2>"$T/google.log" &
GOOGLE_PID=$!
mkdir -p "$T/google"
for _ in $(seq 200); do [ -s "$T/google.port" ] && break; sleep 0.05; done
[ -s "$T/google.port" ] || fail "fake_google did not start: $(cat "$T/google.log")"
G=http://127.0.0.1:$(cat "$T/google.port")
gstate() { curl -sf "$G/_state"; }
gfaults() { curl -sf -X POST -H 'Content-Type: application/json' -d "$1" "$G/_faults" >/dev/null; }
"$ZPUB" config set providers.google.auth_url "$G/o/oauth2/v2/auth" >/dev/null
"$ZPUB" config set providers.google.token_url "$G/token" >/dev/null
"$ZPUB" config set providers.google.revoke_url "$G/revoke" >/dev/null
"$ZPUB" config set providers.google.client_id "cid-123.apps.googleusercontent.com" >/dev/null
"$ZPUB" config set providers.youtube.api_base "$G/youtube/v3" >/dev/null
"$ZPUB" config set providers.youtube.upload_base "$G/upload/youtube/v3" >/dev/null
printf 'g-client-secret' | "$ZPUB" secret set google.client_secret >/dev/null
# sign in: play the browser against the fake
"$ZPUB" auth youtube --no-browser --timeout 30 >"$T/auth.out" 2>"$T/auth.err" &
apid=$!
for _ in $(seq 200); do grep -q '^http' "$T/auth.out" 2>/dev/null && break; sleep 0.05; done
url=$(grep '^http' "$T/auth.out" | head -n1)
[ -n "$url" ] || fail "zpub auth youtube printed no URL: $(cat "$T/auth.err")"
curl -sL -o /dev/null "$url"
wait "$apid" || fail "zpub auth youtube failed: $(cat "$T/auth.err")"
"$ZPUB" config set output_targets '{"youtube":{"privacy":"private"},"folder":false}' >/dev/null
"$ZPUB" config set publish.chunk_bytes 262144 >/dev/null
"$ZPUB" config set publish.backoff_base_ms 50 >/dev/null

# about 2.5 MB: ten chunks of 256 KiB
ffmpeg -v error -y -f lavfi -i testsrc=size=640x360:rate=25 -f lavfi -i sine=frequency=330 \
	-t 20 -c:v libx264 -preset ultrafast -b:v 1M -c:a aac -shortest "$T/talk.mp4"
TSIZE=$(stat -c %s "$T/talk.mp4")
TSHA=$(sha256sum "$T/talk.mp4" | cut -d' ' -f1)
expect_rc 0 "$ZPUB" import "$T/talk.mp4"
yid=$OUT
python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE recordings SET status = ? WHERE id = ?", ("TRANSCRIBED", int(sys.argv[2])))
db.commit()' "$ZPUB_HOME/zpub.db" "$yid"
received() {
	gstate | python3 -c 'import json,sys; j=json.load(sys.stdin); print(max([s["received"] for s in j["sessions"].values()] or [0]))'
}
gfaults '{"put_delay": 0.4}'
"$ZPUB" run "$yid" >"$T/yt1.out" 2>"$T/yt1.err" &
rpid=$!
for _ in $(seq 300); do
	[ "$(received)" -ge 262144 ] && break
	sleep 0.05
done
fill 0
set +e; wait "$rpid"; yrc=$?; set -e
at_fill=$(received)
[ "$yrc" = 1 ] || fail "the upload on a full data disk exited $yrc: $(cat "$T/yt1.err")"
[ "$at_fill" -lt "$TSIZE" ] || fail "the upload finished before the disk filled; make the link slower"
why=$(cat "$T/yt1.err")
echo "$why" | grep -Eqi "$full_reason" || fail "upload on a full data disk: no reason: $why"
unfill
expect_rc 0 "$ZPUB" show "$yid" --json
st=$(echo "$OUT" | jget status)
[ "$st" = FAILED ] || fail "upload on a full data disk left status $st: $OUT"
echo "$OUT" | jget error | grep -Eqi "$full_reason" || fail "FAILED without the reason: $OUT"
python3 -c 'import json, sys
j = json.loads(sys.argv[1])
p = [p for p in j["publications"] if p["platform"] == "youtube"][0]
assert p["state"] in ("uploading", "failed"), p' "$OUT" || fail "the publication row: $OUT"
intact "upload"
[ "$(gstate | jget insert_count)" = 1 ] || fail "more than one upload session before the retry"
gfaults '{"put_delay": 0}'
expect_rc 0 "$ZPUB" retry "$yid"
expect_rc 0 "$ZPUB" run "$yid"
expect_rc 0 "$ZPUB" show "$yid" --json
[ "$(echo "$OUT" | jget status)" = READY ] || fail "upload after space came back: $OUT"
gstate > "$T/g.json"
python3 - "$T/g.json" "$TSHA" <<'PY' || fail "the YouTube upload did not resume cleanly: $(cat "$T/g.json" | head -c 1500)"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["insert_count"] == 1, "a second upload session was opened"
assert len(j["videos"]) == 1, "more than one video"
assert j["videos"][0]["sha256"] == sys.argv[2], "uploaded bytes differ"
starts = [e["range"] for e in j["log"] if "range" in e and e["range"].startswith("bytes 0-")]
assert len(starts) == 1, "the upload restarted from byte 0: %s" % starts
assert any(e.get("status_query") for e in j["log"]), "the retry never asked the session"
PY
intact "upload, after space came back"
ok "upload on a full data disk: FAILED with '$(echo "$why" | tail -n1 | head -c 200)'; resumed at byte $at_fill or before, one video"
echo "disk_full: 5 cases passed"
