#!/usr/bin/env bash
# import_same_bytes.sh — one duplicate rule for every way in: the same bytes
# under another name are the same recording whether they came by
# `zpub import` or by a watch job, in either order, with one sentence.
. "$ZPUB_SRC/tests/lib/e2e.sh"
sql() { python3 -c 'import sqlite3,sys
c=sqlite3.connect(sys.argv[1]); print("\n".join("|".join(str(x) for x in r) for r in c.execute(sys.argv[2])))' "$ZPUB_HOME/zpub.db" "$1"; }
inbox=$ZPUB_HOME/inbox/default
day=$(date +%Y-%m-%d)

make_mp4 "$T/lecture.mp4" 2
make_mp4 "$T/other.mp4" 3

# 1. zpub import first, then the same bytes under another name in the inbox.
expect_rc 0 "$ZPUB" import "$T/lecture.mp4"
id=$OUT
mkdir -p "$inbox"
cp "$T/lecture.mp4" "$inbox/copy of lecture.mp4"
touch -d '1 minute ago' "$inbox/copy of lecture.mp4"
expect_rc 0 "$ZPUB" job add w --source watch --schedule "every 1h" --settle 0s
expect_rc 0 "$ZPUB" job run w --json
echo "$OUT" >"$T/r1.json"
python3 - "$T/r1.json" "$id" "$day" <<'PY' || fail "watch after import: $(cat "$T/r1.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["imported"] == 0 and r["existing"] == 1, r
it = [i for i in r["items"] if i["title"] == "copy of lecture"][0]
assert it["action"] == "exists" and it["id"] == int(sys.argv[2]), it
want = "/copy of lecture.mp4' is already recording %s ('lecture'), imported %s" % (sys.argv[2], sys.argv[3])
assert it["reason"].startswith("'/") and it["reason"].endswith(want), (it["reason"], want)
PY
[ "$(sql "SELECT COUNT(*) FROM recordings")" = 1 ] || fail "the watch job imported the same bytes again"
ok "import then watch: the job finds it existing, with the sentence"

# 2. The other order: the watch job first, then zpub import under a third name.
cp "$T/other.mp4" "$inbox/talk.mp4"
touch -d '1 minute ago' "$inbox/talk.mp4"
expect_rc 0 "$ZPUB" job run w --json
[ "$(echo "$OUT" | jget imported)" = 1 ] || fail "watch did not import talk.mp4: $OUT"
wid=$(sql "SELECT id FROM recordings WHERE source='watch'")
[ -n "$wid" ] || fail "no watch recording"
cp "$T/other.mp4" "$T/renamed.mp4"
expect_rc 0 "$ZPUB" import "$T/renamed.mp4"
[ "$OUT" = "$wid" ] || fail "import of the watched bytes gave '$OUT', wanted $wid"
echo "$ERR" | grep -qF "'$T/renamed.mp4' is already recording $wid ('talk'), imported $day" \
	|| fail "import after watch: $ERR"
[ "$(sql "SELECT COUNT(*) FROM recordings")" = 2 ] || fail "zpub import took the watched bytes again"
expect_rc 0 "$ZPUB" import --json "$T/renamed.mp4"
echo "$OUT" | python3 -c 'import json,sys
e = json.load(sys.stdin)[0]
assert e["existed"] is True and "is already recording" in e["note"], e' || fail "json: $OUT"
ok "watch then import: refused the same way"
