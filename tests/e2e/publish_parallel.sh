#!/bin/bash
# publish_parallel.sh — `zpub publish` to YouTube, VK and a folder at once,
# with VK failing permanently: YouTube and the folder are published, the
# recording shows which target failed and why, and after `zpub retry` only
# VK is published (never a second YouTube video).  Also --dry-run sends
# nothing.
. "$ZPUB_SRC/tests/fakes/net_e2e_lib.sh"
net_require_command publish
net_require_command auth

start_fake fake_google G
start_fake fake_vk V
configure_google "$G"
configure_vk "$V"
sign_in youtube
sign_in vk
"$ZPUB" config set output_targets \
	'{"youtube":{"privacy":"unlisted","playlist":"PL1"},"vk":{"group":"club777","album":5},"folder":{}}' >/dev/null
"$ZPUB" config set publish.backoff_base_ms 50 >/dev/null
"$ZPUB" config set publish.folder.path "$T/published" >/dev/null

ID=$("$ZPUB" import "$ZPUB_SRC/assets/sample/lecture.mp4" | tail -n1)
DB="$ZPUB_HOME/zpub.db"
# the earlier stages belong to other tests; start from TRANSCRIBED
sqlite3 "$DB" "UPDATE recordings SET status='TRANSCRIBED' WHERE id=$ID"
SHA=$(sha256sum "$ZPUB_SRC/assets/sample/lecture.mp4" | cut -d' ' -f1)

# --- dry run: the plan, nothing sent ---------------------------------------------
"$ZPUB" publish "$ID" --dry-run >"$T/dry.txt" || fail "dry run failed"
grep -q 'videos?uploadType=resumable' "$T/dry.txt" || fail "dry run lacks videos.insert"
grep -q '"privacyStatus":"unlisted"' "$T/dry.txt" || fail "dry run lacks the video JSON"
grep -q 'video.save' "$T/dry.txt" || fail "dry run lacks video.save"
grep -q 'group_id=777' "$T/dry.txt" || fail "dry run lacks the VK group"
grep -q "folder: write $T/published/$ID/" "$T/dry.txt" || fail "dry run lacks the folder"
[ "$(fake_state "$G" | json 'j["insert_count"]')" = 0 ] || fail "dry run sent to YouTube"
[ "$(fake_state "$V" | json 'len(j["videos"])')" = 0 ] || fail "dry run sent to VK"

# --- VK refuses permanently ---------------------------------------------------------
fake_faults "$V" '{"errors":{"video.save":[15]}}'
if "$ZPUB" publish "$ID" >"$T/pub1.out" 2>"$T/pub1.err"; then fail "publish succeeded with VK failing"; fi
grep -q 'vk' "$T/pub1.err" || fail "the failure does not name VK: $(cat "$T/pub1.err")"
"$ZPUB" show "$ID" --json >"$T/show1.json"
[ "$(json 'j["status"]' <"$T/show1.json")" = FAILED ] || fail "not FAILED"
[ "$(json '{p["platform"]: p["state"] for p in j["publications"]}["youtube"]' <"$T/show1.json")" = done ] || fail "youtube not done"
[ "$(json '{p["platform"]: p["state"] for p in j["publications"]}["folder"]' <"$T/show1.json")" = done ] || fail "folder not done"
[ "$(json '{p["platform"]: p["state"] for p in j["publications"]}["vk"]' <"$T/show1.json")" = failed ] || fail "vk not failed"
json '[p for p in j["publications"] if p["platform"]=="vk"][0]["error"]' <"$T/show1.json" | grep -q 'error 15' \
	|| fail "vk error not shown: $(cat "$T/show1.json")"
[ "$(sha256sum "$T/published/$ID/video.mp4" | cut -d' ' -f1)" = "$SHA" ] || fail "folder video differs"
[ -s "$T/published/$ID/metadata.json" ] || fail "no metadata.json"

# --- retry publishes VK only ----------------------------------------------------------
fake_faults "$V" '{"errors":{}}'
"$ZPUB" retry "$ID" >/dev/null
"$ZPUB" publish "$ID" >"$T/pub2.out" 2>"$T/pub2.err" || fail "retry failed: $(cat "$T/pub2.err")"
"$ZPUB" show "$ID" --json >"$T/show2.json"
[ "$(json 'j["status"]' <"$T/show2.json")" = READY ] || fail "not READY"
fake_state "$G" >"$T/g.json"
[ "$(json 'j["insert_count"]' <"$T/g.json")" = 1 ] || fail "YouTube upload started twice"
[ "$(json 'len(j["videos"])' <"$T/g.json")" = 1 ] || fail "more than one YouTube video"
[ "$(json 'j["videos"][0]["sha256"]' <"$T/g.json")" = "$SHA" ] || fail "YouTube bytes differ"
[ "$(json 'len(j["playlist_items"])' <"$T/g.json")" = 1 ] || fail "playlist item count"
fake_state "$V" >"$T/v.json"
[ "$(json 'len(j["videos"])' <"$T/v.json")" = 1 ] || fail "VK video count"
[ "$(json 'j["videos"][0]["sha256"]' <"$T/v.json")" = "$SHA" ] || fail "VK bytes differ"
[ "$(json 'len(j["album_adds"])' <"$T/v.json")" = 1 ] || fail "VK album"
echo "ok"
