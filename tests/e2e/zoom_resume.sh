#!/usr/bin/env bash
# kill -9 in the middle of a Zoom download, then `zpub run ID`: the next
# run takes over the dead lease, resumes with Range from the bytes on disk
# and finishes byte-identical.  While it runs, progress shows throughput
# and ETA.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/fakes/fake_zoom.sh"

zoom_fake_start "$T/zoom" --months 1 --per-month 1 --size 6000000 --faults slow:1500000
expect_rc 0 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31 --json
id=$(echo "$OUT" | jget created.0.id)

"$ZPUB" run "$id" --until DOWNLOADED >"$T/run1.out" 2>&1 &
pid=$!
frac=0
for _ in $(seq 150); do
	sleep 0.1
	"$ZPUB" show "$id" --json > "$T/show.json" 2>/dev/null || continue
	frac=$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["progress"]; print(p["fraction"] if p else 0)' "$T/show.json")
	python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 0.25 else 1)' "$frac" && break
done
what=$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["progress"]; print(p["what"] if p else "")' "$T/show.json")
kill -9 "$pid" 2>/dev/null || fail "the download finished before it could be killed"
wait "$pid" 2>/dev/null || true
echo "$what" | grep -q "/s, ETA" || fail "progress without throughput and ETA: '$what'"
ok "progress while downloading: $what"

part=$(find "$ZPUB_HOME/media" -name 'source.*.part' | head -1)
[ -n "$part" ] || fail "no partial file after the kill"
have=$(stat -c %s "$part")
[ "$have" -gt 0 ] || fail "the partial file is empty"
"$ZPUB" show "$id" --json > "$T/show.json"
[ "$(jget status < "$T/show.json")" = DOWNLOADING ] || fail "status after kill: $(jget status < "$T/show.json")"
ok "killed at $have bytes, recording left DOWNLOADING"

expect_rc 0 "$ZPUB" run "$id" --until DOWNLOADED
n=$(zoom_check_downloads) || fail "the resumed download differs from Zoom's file"
[ "$n" = 1 ] || fail "$n recordings DOWNLOADED"
python3 - "$ZDIR/requests.log" "$have" <<'PY' || fail "no Range request from the bytes on disk"
import json, sys
have = int(sys.argv[2])
log = [json.loads(l) for l in open(sys.argv[1])]
rs = [l for l in log if l["host"] == "cdn" and l["range"]]
assert rs, "no Range request"
start = int(rs[0]["range"][6:].split("-")[0])
assert rs[0]["status"] == 206 and start >= have, (rs[0], have)
PY
[ -z "$(find "$ZPUB_HOME" -name '*.part')" ] || fail "the .part file survives"
"$ZPUB" show "$id" --json > "$T/show.json"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["stages"]; assert "resuming" in s[-1]["summary"], s' \
	"$T/show.json" || fail "summary does not say it resumed"
ok "resumed with Range after kill -9 and finished byte-identical"

echo "zoom_resume: all passed"
