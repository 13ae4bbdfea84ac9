#!/usr/bin/env bash
# origin_template.sh — the template example of the original product
# description (assets/templates/ml-lectures.json, byte for byte: its
# name_pattern, source_type, playlist_id, album_id and transcription model)
# is saved as written, matches "Лекция 5" from Zoom and not "Seminar 5", and
# publishes that lecture to the YouTube playlist and the VK album it names;
# the other recording goes to neither; each is transcribed with its model
# (the template's, the operator's), and a model the operator does not offer
# is refused.  Also: both names for one setting with
# different values, an unknown source type and an unknown key are refused
# with a sentence.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/fakes/net_e2e_lib.sh"
. "$ZPUB_SRC/tests/fakes/fake_zoom.sh"
trap 'zoom_fake_stop; net_cleanup' EXIT

TPL="$ZPUB_SRC/assets/templates/ml-lectures.json"
make_mp4 "$T/lecture.mp4" 6
zoom_fake_start "$T/zoom" --months 1 --per-month 2 --media "$T/lecture.mp4" \
	--topics '["Лекция 5", "Seminar 5"]'
start_fake fake_google G
start_fake fake_vk V
configure_google "$G"
configure_vk "$V"
sign_in youtube
sign_in vk
python3 "$ZPUB_SRC/tests/fakes/fake_openai.py" --key sk-tr > "$T/fake.tr" 2>"$T/fake.tr.log" &
NET_PIDS+=($!)
for _ in $(seq 100); do grep -q PORT "$T/fake.tr" 2>/dev/null && break; sleep 0.05; done
TR="http://127.0.0.1:$(sed -n 's/PORT //p' "$T/fake.tr")"
"$ZPUB" config set providers.transcription.base_url "$TR/v1" >/dev/null
"$ZPUB" config set providers.transcription.model whisper-v3 >/dev/null
printf 'sk-tr' | "$ZPUB" secret set transcription >/dev/null
"$ZPUB" config set publish.folder.path "$T/published" >/dev/null
"$ZPUB" config set publish.backoff_base_ms 50 >/dev/null

# --- saved as written ----------------------------------------------------
expect_rc 0 "$ZPUB" template add "ML Lectures Auto-Publish" --file "$TPL"
expect_rc 0 "$ZPUB" template show "ML Lectures Auto-Publish" --json
echo "$OUT" > "$T/tpl.json"
python3 - "$T/tpl.json" "$TPL" <<'PY' || fail "the saved template differs from the file"
import json, sys
got, want = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for k in ("name", "matching_rules", "processing_config", "output_targets"):
    assert got[k] == want[k], (k, got[k], want[k])
PY
ok "the original template is saved as written"

# --- refusals name what is wrong ------------------------------------------
expect_rc 1 "$ZPUB" template add both --targets '{"youtube":{"playlist_id":"PL1","playlist":"PL2"}}'
echo "$ERR" | grep -q "both playlist_id and playlist" || fail "two names for a setting: $ERR"
expect_rc 1 "$ZPUB" template add kind --match '{"source_type":"DROPBOX"}'
echo "$ERR" | grep -q "ZOOM or LOCAL" || fail "unknown source type: $ERR"
expect_rc 1 "$ZPUB" template add odd --targets '{"vk":{"album_idd":"1"}}'
echo "$ERR" | grep -q "output_targets.vk.album_idd" || fail "unknown key: $ERR"
ok "two names for one setting, an unknown source type and an unknown key are refused"

# --- matches "Лекция 5" only, publishes where it says ------------------------
expect_rc 0 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31 --json
echo "$OUT" > "$T/sync.json"
lec=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["created"]
print([r["id"] for r in c if r["title"].startswith("Лекция")][0])' "$T/sync.json")
sem=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["created"]
print([r["id"] for r in c if r["title"].startswith("Seminar")][0])' "$T/sync.json")
expect_rc 0 "$ZPUB" template test "ML Lectures Auto-Publish" --json
echo "$OUT" > "$T/test.json"
python3 - "$T/test.json" "$lec" "$sem" <<'PY' || fail "template test: $(cat "$T/test.json")"
import json, sys
m = {str(e["id"]): e for e in json.load(open(sys.argv[1]))}
assert m[sys.argv[2]]["matches"] is True
assert m[sys.argv[3]]["matches"] is False and "name_pattern" in m[sys.argv[3]]["why_not"]
PY
for id in "$lec" "$sem"; do
	"$ZPUB" run "$id" >"$T/run$id.out" 2>"$T/run$id.err" || fail "run $id: $(cat "$T/run$id.err")"
	"$ZPUB" show "$id" --json > "$T/show$id.json"
	[ "$(jget status < "$T/show$id.json")" = READY ] || fail "recording $id: $(jget status < "$T/show$id.json")"
done
[ "$(jget template_id < "$T/show$lec.json")" != None ] || fail "Лекция 5 has no template"
[ "$(jget template_id < "$T/show$sem.json")" = None ] || fail "Seminar 5 has a template"
fake_state "$G" > "$T/g.json"
fake_state "$V" > "$T/v.json"
python3 - "$T/g.json" "$T/v.json" <<'PY' || fail "publications: $(cat "$T/g.json" "$T/v.json")"
import json, sys
g, v = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert len(g["videos"]) == 1, "YouTube has %d videos" % len(g["videos"])
assert [p["playlistId"] for p in g["playlist_items"]] == ["PLxxx"], g["playlist_items"]
assert len(v["videos"]) == 1, "VK has %d videos" % len(v["videos"])
assert [str(a["album_id"]) for a in v["album_adds"]] == ["12345"], v["album_adds"]
PY
ok "Лекция 5 went to playlist PLxxx and album 12345; Seminar 5 to neither"
curl -sf "$TR/stats" > "$T/tr.json"
python3 - "$T/tr.json" <<'PY' || fail "transcription models: $(cat "$T/tr.json")"
import json, sys
m = json.load(open(sys.argv[1]))["models"]
assert m.get("whisper-v3-turbo", 0) >= 1 and m.get("whisper-v3", 0) >= 1, m
assert set(m) == {"whisper-v3-turbo", "whisper-v3"}, m
PY
ok "Лекция 5 was transcribed with the template's model, Seminar 5 with the operator's"
"$ZPUB" config set processing.transcription.model whisper-nope >/dev/null
expect_rc 1 "$ZPUB" transcribe "$sem" --force
echo "$ERR" | grep -q 'model "whisper-nope", which the operator does not offer' \
	|| fail "a model the operator does not offer: $ERR"
ok "a model the operator does not offer is refused with a sentence"
echo "origin_template: all passed"
