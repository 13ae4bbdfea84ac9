#!/bin/bash
# publish_update.sh — edits reach what is published (issue 17): a recording
# published to YouTube, VK and a folder gets a new chapter list; `zpub
# publish ID --update` sends the new description to all three (videos.update
# with the rest of the snippet kept, video.edit, the folder's files
# rewritten) with exactly one video on each service before and after; a
# second --update sends nothing; a quotaExceeded on videos.update leaves the
# publication's recorded state as it was and a later --update succeeds; and
# with publish.update_after_edit (the default) the daemon does it by itself
# after an approval.
. "$ZPUB_SRC/tests/fakes/net_e2e_lib.sh"
export NO_COLOR=1
ok() { echo "ok: $*"; }

start_fake fake_google G
start_fake fake_vk V
configure_google "$G"
configure_vk "$V"
sign_in youtube
sign_in vk
"$ZPUB" config set output_targets \
	'{"youtube":{"privacy":"unlisted","category":27,"language":"ru"},"vk":{"privacy":"all"},"folder":{}}' >/dev/null
"$ZPUB" config set metadata.tags '["lecture","sorting"]' >/dev/null
"$ZPUB" config set publish.backoff_base_ms 50 >/dev/null
"$ZPUB" config set publish.folder.path "$T/published" >/dev/null
DB="$ZPUB_HOME/zpub.db"

# --- published once, on generated media ------------------------------------------
ID=$("$ZPUB" import "$ZPUB_SRC/assets/sample/lecture.mp4" | tail -n1)
"$ZPUB" run "$ID" >"$T/run.out" 2>"$T/run.err" || fail "run: $(cat "$T/run.err")"
[ "$("$ZPUB" show "$ID" --json | json 'j["status"]')" = READY ] || fail "not READY"
fake_state "$G" >"$T/g0.json"
[ "$(json 'j["insert_count"]' <"$T/g0.json")" = 1 ] || fail "YouTube inserts after publish"
[ "$(json 'j["videos"][0]["snippet"]["categoryId"]' <"$T/g0.json")" = 27 ] || fail "categoryId"
VINODE=$(stat -c %i "$T/published/$ID/video.mp4")

# Nothing changed yet: nothing is sent.
"$ZPUB" publish "$ID" --update >"$T/u0.out" 2>"$T/u0.err" || fail "update: $(cat "$T/u0.err")"
[ "$(grep -c 'nothing changed since the last publish' "$T/u0.out")" = 3 ] ||
	fail "an update right after publishing: $(cat "$T/u0.out")"
[ "$(fake_state "$G" | json 'j["update_count"]')" = 0 ] || fail "videos.update without a change"

# --- new chapters, approved ---------------------------------------------------------
printf '00:00:00 Введение\n00:00:12 Сортировка вставками\n00:00:30 Сортировка слиянием\n' >"$T/ch1.txt"
"$ZPUB" topics "$ID" --set "$T/ch1.txt" >/dev/null || fail "topics --set"
"$ZPUB" approve "$ID" >/dev/null || fail "approve"
[ "$(sqlite3 "$DB" "SELECT update_pending FROM recordings WHERE id=$ID")" = 1 ] ||
	fail "an approval after READY does not mark the recording"

# The dry run says what would go and sends nothing.
"$ZPUB" publish "$ID" --update --dry-run >"$T/dry.out" 2>"$T/dry.err" || fail "dry: $(cat "$T/dry.err")"
grep -q '^youtube: would update .*description' "$T/dry.out" || fail "dry run: $(cat "$T/dry.out")"
grep -q 'PUT .*/videos?part=snippet' "$T/dry.out" || fail "dry run lacks videos.update: $(cat "$T/dry.out")"
grep -q '^vk: would update .*description' "$T/dry.out" || fail "dry run lacks vk: $(cat "$T/dry.out")"
grep -q 'video.edit' "$T/dry.out" || fail "dry run lacks video.edit"
grep -q '^folder: would update' "$T/dry.out" || fail "dry run lacks the folder"
[ "$(fake_state "$G" | json 'j["update_count"]')" = 0 ] || fail "the dry run sent to YouTube"
[ "$(fake_state "$V" | json 'len(j["edits"])')" = 0 ] || fail "the dry run sent to VK"

# --- the update ------------------------------------------------------------------------
"$ZPUB" publish "$ID" --update >"$T/u1.out" 2>"$T/u1.err" || fail "update: $(cat "$T/u1.err")"
grep -q '^youtube: updated .*description' "$T/u1.out" || fail "update said: $(cat "$T/u1.out")"
grep -q '^vk: updated .*description' "$T/u1.out" || fail "update said: $(cat "$T/u1.out")"
grep -q '^folder: updated .*description' "$T/u1.out" || fail "update said: $(cat "$T/u1.out")"
fake_state "$G" >"$T/g1.json"
[ "$(json 'j["insert_count"]' <"$T/g1.json")" = 1 ] || fail "a second YouTube upload"
[ "$(json 'len(j["videos"])' <"$T/g1.json")" = 1 ] || fail "YouTube video count"
[ "$(json 'j["update_count"]' <"$T/g1.json")" = 1 ] || fail "videos.update count"
json 'j["videos"][0]["snippet"]["description"]' <"$T/g1.json" | grep -c '00:12 Сортировка вставками' >/dev/null ||
	fail "YouTube description: $(json 'j["videos"][0]["snippet"]' <"$T/g1.json")"
[ "$(json 'j["videos"][0]["snippet"]["categoryId"]' <"$T/g1.json")" = 27 ] || fail "categoryId lost"
[ "$(json 'j["videos"][0]["snippet"]["defaultLanguage"]' <"$T/g1.json")" = ru ] || fail "defaultLanguage lost"
[ "$(json '",".join(j["videos"][0]["snippet"]["tags"])' <"$T/g1.json")" = lecture,sorting ] || fail "tags lost"
[ "$(json 'j["videos"][0]["status"]["privacyStatus"]' <"$T/g1.json")" = unlisted ] || fail "privacy changed"
fake_state "$V" >"$T/v1.json"
[ "$(json 'len(j["videos"])' <"$T/v1.json")" = 1 ] || fail "VK video count"
[ "$(json 'j["uploads"]' <"$T/v1.json")" = 1 ] || fail "a second VK upload"
[ "$(json 'len(j["edits"])' <"$T/v1.json")" = 1 ] || fail "video.edit count"
[ "$(json 'j["edits"][0]["params"]["privacy_view"]' <"$T/v1.json")" = all ] || fail "VK privacy not kept"
json 'j["videos"][0]["description"]' <"$T/v1.json" | grep -c '00:30 Сортировка слиянием' >/dev/null ||
	fail "VK description: $(cat "$T/v1.json")"
grep -q '00:12 Сортировка вставками' "$T/published/$ID/description.txt" || fail "folder description"
json 'j["description"]' <"$T/published/$ID/metadata.json" | grep -c '00:30 Сортировка слиянием' >/dev/null ||
	fail "folder metadata.json"
[ "$(stat -c %i "$T/published/$ID/video.mp4")" = "$VINODE" ] || fail "the folder's video was copied again"
[ "$(sqlite3 "$DB" "SELECT update_pending FROM recordings WHERE id=$ID")" = 0 ] || fail "mark not cleared"
ok "--update sends the new description everywhere, one video on each service"

"$ZPUB" publish "$ID" --update >"$T/u2.out" 2>&1 || fail "second update: $(cat "$T/u2.out")"
[ "$(grep -c 'nothing changed since the last publish' "$T/u2.out")" = 3 ] || fail "second update: $(cat "$T/u2.out")"
[ "$(fake_state "$G" | json 'j["update_count"]')" = 1 ] || fail "second update called videos.update"
[ "$(fake_state "$V" | json 'len(j["edits"])')" = 1 ] || fail "second update called video.edit"
ok "a second --update sends nothing"

# --- quotaExceeded on videos.update ----------------------------------------------------
printf '00:00:00 Введение\n00:00:20 Итоги\n00:00:32 Ответы\n' >"$T/ch2.txt"
"$ZPUB" topics "$ID" --set "$T/ch2.txt" >/dev/null
"$ZPUB" approve "$ID" >/dev/null
YT_EXTRA=$(sqlite3 "$DB" "SELECT extra FROM publications WHERE recording_id=$ID AND platform='youtube'")
fake_faults "$G" '{"quota":"update"}'
if "$ZPUB" publish "$ID" --update >"$T/u3.out" 2>"$T/u3.err"; then fail "the update passed over quotaExceeded"; fi
grep -q 'quotaExceeded' "$T/u3.err" || fail "quota sentence: $(cat "$T/u3.err")"
[ "$(sqlite3 "$DB" "SELECT extra FROM publications WHERE recording_id=$ID AND platform='youtube'")" = "$YT_EXTRA" ] ||
	fail "a refused update changed the publication's recorded state"
[ "$(sqlite3 "$DB" "SELECT state FROM publications WHERE recording_id=$ID AND platform='youtube'")" = done ] ||
	fail "a refused update changed the publication's state"
[ "$(sqlite3 "$DB" "SELECT update_pending FROM recordings WHERE id=$ID")" = 1 ] || fail "mark cleared on failure"
fake_faults "$G" '{"quota":null}'
"$ZPUB" publish "$ID" --update >"$T/u4.out" 2>"$T/u4.err" || fail "update after the quota: $(cat "$T/u4.err")"
grep -q '^youtube: updated .*description' "$T/u4.out" || fail "update after the quota: $(cat "$T/u4.out")"
grep -q '^vk: nothing changed' "$T/u4.out" || fail "VK sent twice: $(cat "$T/u4.out")"
fake_state "$G" | json 'j["videos"][0]["snippet"]["description"]' | grep -c '00:20 Итоги' >/dev/null ||
	fail "YouTube description after the quota"
[ "$(fake_state "$G" | json 'j["quota_units"] > 0')" = True ] || fail "quota units not counted"
ok "quotaExceeded leaves the recorded state; a later --update succeeds"

# --- the daemon, after an approval --------------------------------------------------------
"$ZPUB" config set daemon.tick_ms 100 >/dev/null
"$ZPUB" --daemon --foreground >"$T/daemon.log" 2>&1 &
dpid=$!
NET_PIDS+=("$dpid")
printf '00:00:00 Начало\n00:00:15 Пример\n00:00:25 Вопросы\n' >"$T/ch3.txt"
"$ZPUB" topics "$ID" --set "$T/ch3.txt" >/dev/null
"$ZPUB" approve "$ID" >/dev/null
for _ in $(seq 300); do
	fake_state "$G" | json 'j["videos"][0]["snippet"]["description"]' | grep -c '00:25 Вопросы' >/dev/null && break
	sleep 0.1
done
fake_state "$G" | json 'j["videos"][0]["snippet"]["description"]' | grep -c '00:25 Вопросы' >/dev/null ||
	fail "the daemon did not update YouTube: $(cat "$T/daemon.log")"
for _ in $(seq 100); do
	[ "$(sqlite3 "$DB" "SELECT update_pending FROM recordings WHERE id=$ID")" = 0 ] && break
	sleep 0.1
done
kill -TERM "$dpid"
wait "$dpid" || true
fake_state "$V" | json 'j["videos"][0]["description"]' | grep -c '00:25 Вопросы' >/dev/null || fail "the daemon did not update VK"
grep -q '00:25 Вопросы' "$T/published/$ID/description.txt" || fail "the daemon did not update the folder"
[ "$(sqlite3 "$DB" "SELECT update_pending FROM recordings WHERE id=$ID")" = 0 ] || fail "the daemon left the mark"
[ "$(fake_state "$G" | json 'j["insert_count"]')" = 1 ] || fail "the daemon uploaded again"
[ "$(fake_state "$V" | json 'j["uploads"]')" = 1 ] || fail "the daemon uploaded to VK again"
ok "the daemon sends an approval after READY by itself"
echo "publish_update: all passed"
