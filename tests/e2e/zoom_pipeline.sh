#!/usr/bin/env bash
# A real lecture recorded in Zoom: `zpub sync zoom` then `zpub run` takes it
# through the download stage into the rest of the pipeline (PROCESSED).
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/fakes/fake_zoom.sh"

make_mp4 "$T/lecture.mp4" 6
zoom_fake_start "$T/zoom" --months 1 --per-month 1 --media "$T/lecture.mp4"
expect_rc 0 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31 --json
id=$(echo "$OUT" | jget created.0.id)
expect_rc 0 "$ZPUB" run "$id" --until PROCESSED
"$ZPUB" show "$id" --json > "$T/show.json"
[ "$(jget status < "$T/show.json")" = PROCESSED ] || fail "status $(jget status < "$T/show.json")"
python3 - "$T/show.json" "$T/lecture.mp4" <<'PY' || fail "stages or source"
import hashlib, json, sys
s = json.load(open(sys.argv[1]))
assert [x["stage"] for x in s["stages"]][:2] == ["download", "process"], s["stages"]
src = [a for a in s["artifacts"] if a["kind"] == "source"][0]
assert src["sha256"] == hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
PY
ok "synced from Zoom, downloaded and processed"
echo "zoom_pipeline: all passed"
