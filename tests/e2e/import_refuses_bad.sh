#!/usr/bin/env bash
# import_refuses_bad.sh — import probes the file and refuses, from every way
# in (zpub import, a watch job), what processing could only fail on: no
# audio, no video (audio only), a truncated copy — naming the user's own
# file and leaving no recording and no media folder behind.  What processes
# fine (an MP4 with its index at the end, whole) still comes in.
. "$ZPUB_SRC/tests/lib/e2e.sh"
sql() { python3 -c 'import sqlite3,sys
c=sqlite3.connect(sys.argv[1]); print("\n".join("|".join(str(x) for x in r) for r in c.execute(sys.argv[2])))' "$ZPUB_HOME/zpub.db" "$1"; }
nothing_left() {
	[ "$(sql "SELECT COUNT(*) FROM recordings")" = 0 ] || fail "$1: a recording row was left"
	if [ -d "$ZPUB_HOME/media" ]; then
		left=$(find "$ZPUB_HOME/media" -mindepth 2 | wc -l)
		[ "$left" = 0 ] || fail "$1: left in media: $(find "$ZPUB_HOME/media" -mindepth 2)"
	fi
}
mkdir -p "$T/src"
ffmpeg -v error -y -f lavfi -i "testsrc=s=320x180:r=25:d=10" -f lavfi -i "sine=f=440:d=10" \
	-c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest -movflags +faststart \
	"$T/whole.mp4"
ffmpeg -v error -y -i "$T/whole.mp4" -an -c copy "$T/src/silent film.mp4"
ffmpeg -v error -y -i "$T/whole.mp4" -vn -c copy "$T/src/podcast.m4a"
head -c $(( $(stat -c %s "$T/whole.mp4") / 2 )) "$T/whole.mp4" >"$T/src/half copied.mp4"

declare -A why
why["silent film.mp4"]="it has no audio stream; zpub needs the sound to cut silences and transcribe"
why["podcast.m4a"]="it has no video stream \\(audio only\\)"
why["half copied.mp4"]="it is truncated: its audio stops at 00:00:0. of 00:00:10 \\(the copy or download stopped early\\)"

# 1. zpub import
expect_rc 0 "$ZPUB" status
for f in "silent film.mp4" "podcast.m4a" "half copied.mp4"; do
	expect_rc 1 "$ZPUB" import "$T/src/$f"
	echo "$ERR" | grep -Eq "cannot import '$T/src/$f': ${why[$f]}" || fail "$f: $ERR"
	echo "$ERR" | grep -q "source\." && fail "$f: names the internal file: $ERR"
	nothing_left "$f"
	ok "zpub import refuses '$f': $ERR"
done

# 2. a watch job: the same refusals, the same names
inbox=$ZPUB_HOME/inbox/default
mkdir -p "$inbox"
cp "$T/src/"* "$inbox/"
touch -d '1 minute ago' "$inbox/"*
expect_rc 0 "$ZPUB" job add w --source watch --schedule "every 1h" --settle 0s
set +e
"$ZPUB" job run w --json >"$T/run.json" 2>"$T/run.err"
set -e
python3 - "$T/run.json" "$inbox" <<'PY' || fail "watch: $(cat "$T/run.json") $(cat "$T/run.err")"
import json, re, sys
r = json.load(open(sys.argv[1]))
assert r["imported"] == 0 and r["errors"] == 3, r
why = {"silent film.mp4": "it has no audio stream",
       "podcast.m4a": "it has no video stream \\(audio only\\)",
       "half copied.mp4": "it is truncated: its audio stops at"}
for it in r["items"]:
    name = it["file"].rsplit("/", 1)[1]
    assert it["action"] == "error", it
    want = "cannot import '%s/%s': %s" % (re.escape(sys.argv[2]), re.escape(name), why[name])
    assert re.match(want, it["error"]), (it["error"], want)
    assert "source." not in it["error"] and "/proc/" not in it["error"], it["error"]
PY
nothing_left "watch"
ok "a watch job refuses the same files with their own names"

# 3. the whole file still comes in
expect_rc 0 "$ZPUB" import "$T/whole.mp4"
[ "$(sql "SELECT COUNT(*) FROM recordings")" = 1 ] || fail "the whole file was not imported"
ok "the whole file is imported"
