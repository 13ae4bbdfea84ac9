#!/usr/bin/env bash
# A full disk during import, download and cut: the data folder (database,
# log, media) lives on a small tmpfs that the test fills to the last few
# kilobytes.  Each step fails with a sentence that says the disk is full
# (or that the space ran out), leaves no temporary file and nothing corrupt
# (database integrity, every listed artefact with its size and SHA-256), and
# once space is free `zpub retry` + `zpub run` finish the job.  Needs root
# to mount the tmpfs; skips with a message where mounting is impossible.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/fakes/fake_zoom.sh"

D=$T/disk
mkdir -p "$D"
if ! mount -t tmpfs -o size=24m,mode=0700 tmpfs "$D" 2>"$T/mount.err"; then
	echo "SKIP: cannot mount a small tmpfs here ($(cat "$T/mount.err")); run as root to test a full disk"
	exit 0
fi
cleanup() { zoom_fake_stop; umount "$D" 2>/dev/null || umount -l "$D" 2>/dev/null || true; }
trap cleanup EXIT
export ZPUB_HOME=$D/home

# fill LEAVE_KB: a filler file takes all but LEAVE_KB of the disk
fill() {
	rm -f "$D/filler"
	local avail
	avail=$(df --output=avail -B1 "$D" | tail -1)
	fallocate -l $((avail - $1 * 1024)) "$D/filler" 2>/dev/null || \
		head -c $((avail - $1 * 1024)) /dev/zero > "$D/filler"
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
case $st in
FAILED) echo "$OUT" | jget error | grep -Eqi "$full_reason" || fail "FAILED without the reason: $OUT";;
INITIALIZED|DOWNLOADING) ;;
*) fail "download on a full disk left status $st";;
esac
python3 -c 'import json,sys
j = json.loads(sys.argv[1])
assert not [a for a in j["artifacts"] if a["kind"] == "source"], "a partial download became the source"' "$OUT" \
	|| fail "download on a full disk: $OUT"
intact "download"
if [ "$st" = FAILED ]; then expect_rc 0 "$ZPUB" retry "$zid"; fi
expect_rc 0 "$ZPUB" run "$zid" --until DOWNLOADED
n=$(zoom_check_downloads) || fail "after space came back the download differs from Zoom's file"
[ "$n" = 1 ] || fail "$n recordings DOWNLOADED"
find "$ZPUB_HOME" -name '*.part' | grep -q . && fail "partial files survive a finished download"
intact "download, after space came back"
ok "download on a full disk: $st with '$(echo "$why" | head -c 150)'; byte-identical once there is room"

# The upload (publish) stage reads from the disk; its own writes are
# database rows.  When it is wired, add: fill, publish to the folder target
# (which writes files) and check the same way.
echo "disk_full: 3 cases passed"
