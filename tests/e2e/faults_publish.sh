#!/usr/bin/env bash
# The YouTube and VK publishers behind tests/fakes/faultproxy.py, one fault
# per case, aimed at one request among many (the proxy's on=TEXT): the
# upload session, a resumable chunk (its request cut after N bytes, or its
# answer lost after the server kept it), the final chunk, captions, the
# playlist, the thumbnail, VK's video.save and its upload host.  Fault
# classes: connections dropped or reset mid-transfer, a stall, a slow link,
# garbage instead of HTTP (at byte 0 and inside the headers), 429 and 5xx
# storms within the retry policy, and faults that outlast it (every call
# 503, the service refusing connections).
# Within the policy the recording is READY, YouTube holds exactly one video
# with the same bytes, one caption track per language, one playlist entry,
# VK one uploaded video in the album.  Beyond it the recording is FAILED in
# the publish stage with a sentence naming the service and the cause, a
# retry is scheduled, what was published stays published, and once the
# fault is gone `zpub retry` + `zpub run` finish it without a second video.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/fakes/net_e2e_lib.sh"
. "$ZPUB_SRC/tests/faults/lib.sh"
net_require_command publish
net_require_command auth
trap 'proxy_stop_all; net_cleanup' EXIT

passed=0
quick=0
[ -n "${ASAN_OPTIONS:-}" ] && quick=1
[ -n "${ZPUB_FAULTS_QUICK:-}" ] && quick=$ZPUB_FAULTS_QUICK
full_only() { [ "$quick" = 1 ] && { echo "skip (sanitizer subset): $*"; return 1; }; return 0; }
# ZPUB_FAULTS_ONLY=REGEX runs only the cases whose names match (debugging)
wanted() { [ -z "${ZPUB_FAULTS_ONLY:-}" ] || [[ $1 =~ $ZPUB_FAULTS_ONLY ]]; }

# --- the services, all behind one proxy --------------------------------------------
start_fake fake_google G --store-dir "$T/google-store"
start_fake fake_vk V
VKUP=$(cat "$T/fake_vk.port.upload")
python3 "$ZPUB_SRC/tests/fakes/fake_openai.py" > "$T/ai.out" 2>"$T/ai.log" &
NET_PIDS+=($!)
for _ in $(seq 100); do grep -q PORT "$T/ai.out" 2>/dev/null && break; sleep 0.05; done
AI="http://127.0.0.1:$(sed -n 's/PORT //p' "$T/ai.out")/v1"
proxy_start pub "g=${G##*:}" "vk=${V##*:}" "vkup=$VKUP"
configure_google "http://127.0.0.1:$PROXY_G"
configure_vk "http://127.0.0.1:$PROXY_VK"
sign_in youtube
sign_in vk
"$ZPUB" config set output_targets \
	'{"youtube":{"privacy":"unlisted","playlist":"PL1"},"vk":{"group":"club777","album":5}}' >/dev/null
"$ZPUB" config set publish.chunk_bytes 262144 >/dev/null
"$ZPUB" config set publish.backoff_base_ms 50 >/dev/null
"$ZPUB" config set publish.backoff_cap_ms 400 >/dev/null
# the earlier stages, clean and quick: transcription by the fake, directly
"$ZPUB" config set providers.transcription.base_url "$AI" >/dev/null
"$ZPUB" config set providers.chat.base_url "$AI" >/dev/null
"$ZPUB" config set processing.subtitles.languages '[]' >/dev/null
printf 'sk-x' | "$ZPUB" secret set transcription >/dev/null
printf 'sk-x' | "$ZPUB" secret set chat >/dev/null

# about 1.2 MB of video: five chunks of 256 KiB
ffmpeg -v error -f lavfi -i testsrc=size=640x360:rate=25 -f lavfi -i sine=frequency=440 \
	-t 10 -c:v libx264 -preset ultrafast -b:v 1M -c:a aac -shortest "$T/lecture.mp4" || fail "ffmpeg"

# new_rec NAME: a recording titled NAME, made ready to publish (TRANSCRIBED,
# with subtitles and a thumbnail); sets ID, SHA and SIZE of its cut video.
new_rec() {
	proxy_arm pub
	# a file of its own (zpub imports the same file once)
	ffmpeg -v error -y -i "$T/lecture.mp4" -c copy -metadata comment="$1" "$T/$1.mp4"
	expect_rc 0 "$ZPUB" import --title "$1" "$T/$1.mp4"
	ID=$OUT
	expect_rc 0 "$ZPUB" run "$ID" --until TRANSCRIBED
	local cut
	cut=$("$ZPUB" show "$ID" --json | json '[a["path"] for a in j["artifacts"] if a["kind"] == "cut_video"][-1]')
	SHA=$(sha256sum "$cut" | cut -d' ' -f1)
	SIZE=$(stat -c %s "$cut")
}

# published_once NAME: READY, and each platform holds the lecture once.
published_once() {
	local name=$1
	expect_rc 0 "$ZPUB" show "$ID" --json
	echo "$OUT" > "$T/show.json"
	fake_state "$G" > "$T/g.json"
	fake_state "$V" > "$T/v.json"
	python3 - "$name" "$SHA" "$T/show.json" "$T/g.json" "$T/v.json" > "$T/once" <<'PY' \
		|| fail "$name: $(cat "$T/once")"
import json, sys
name, sha = sys.argv[1], sys.argv[2]
show, g, v = (json.load(open(p)) for p in sys.argv[3:6])
def check(ok, what):
    if not ok:
        print(what)
        sys.exit(1)
check(show["status"] == "READY", "not READY: %s %s" % (show["status"], show.get("error")))
pubs = {p["platform"]: p for p in show["publications"]}
vids = [x for x in g["videos"] if x["snippet"]["title"] == name]
check(len(vids) == 1, "%d YouTube videos titled %r" % (len(vids), name))
y = vids[0]
check(y["sha256"] == sha, "YouTube's bytes differ from the cut video")
check(pubs["youtube"]["state"] == "done" and y["id"] in (pubs["youtube"]["url"] or ""),
      "the YouTube publication is not done with its URL: %s" % pubs["youtube"])
langs = [c["language"] for c in g["captions"] if c["videoId"] == y["id"]]
check(langs == ["en"], "caption tracks on YouTube: %s" % langs)
pl = [p for p in g["playlist_items"] if p["videoId"] == y["id"]]
check(len(pl) == 1, "%d playlist entries" % len(pl))
th = [t for t in g["thumbnails"] if t["videoId"] == y["id"]]
check(len(th) >= 1, "no thumbnail")
up = [x for x in v["videos"] if x["name"] == name and x["uploaded"]]
check(len(up) == 1, "%d uploaded VK videos named %r" % (len(up), name))
check(up[0]["sha256"] == sha, "VK's bytes differ from the cut video")
key = "%d_%d" % (up[0]["owner_id"], up[0]["video_id"])
check(pubs["vk"]["state"] == "done", "the VK publication is not done: %s" % pubs["vk"])
albums = [a for a in v["album_adds"] if a["video"] == key]
check(len(albums) == 1, "%d album entries on VK" % len(albums))
# VK makes an entry per video.save: one whose answer was lost must be gone
empty = [x for x in v["videos"] if x["name"] == name and not x["uploaded"]]
gone = [x for x in v.get("deleted", []) if x["name"] == name]
check(not [x for x in gone if x["uploaded"]], "zpub deleted an uploaded VK video named %r" % name)
check(not empty, "%d empty VK placeholder(s) named %r left: %s" % (
    len(empty), name, ["%d_%d" % (x["owner_id"], x["video_id"]) for x in empty]))
print("1 YouTube video, 1 VK video, %d empty VK placeholder%s" % (
    len(empty), ", %d deleted" % len(gone) if gone else ""))
PY
	[ -z "$(find "$ZPUB_HOME" -name '*.tmp' -o -name '*.part')" ] || fail "$name: temporary files survive"
}

# recovers NAME FAULT...: publishing succeeds through the faults, once.
recovers() {
	local name=$1
	shift
	wanted "$name" || return 0
	new_rec "$name"
	# @LAST@: where the final chunk of this recording's upload begins
	set -- "${@//@LAST@/$(( (SIZE - 1) / 262144 * 262144 ))}"
	proxy_arm pub "$@"
	expect_rc 0 "$ZPUB" run "$ID"
	published_once "$name"
	local fired
	fired=$(proxy_fired pub)
	[ "$fired" -ge 1 ] || fail "$name: the fault never fired: $(proxy_events pub)"
	ok "$name: recovered ($fired faulty connections; $(cat "$T/once")): $*"
	passed=$((passed + 1))
}

# --- YouTube, within the policy -----------------------------------------------------
# (one connection carries many requests: on= picks the request to hit)
PUT='PUT /upload/youtube/v3/videos'
recovers yt_session_answer_lost "g#*:on=POST /upload/youtube/v3/videos,drop_at=30,times=1"
recovers yt_chunk_request_cut   "g#*:on=$PUT,drop_up_at=150000,times=2"
full_only yt_chunk_answer_lost && \
	recovers yt_chunk_answer_lost   "g#*:on=$PUT,drop_at=20,times=1"
full_only yt_chunk_reset && \
	recovers yt_chunk_reset         "g#*:on=$PUT,reset_up_at=200000,times=1"
# the server finished the video, the answer with its id is lost: asking the
# session must find it, not upload a second video
recovers yt_final_answer_lost   "g#*:on=bytes @LAST@-,drop_at=40,times=1"
recovers yt_caption_answer_lost "g#*:on=POST /upload/youtube/v3/captions,drop_at=40,times=1"
# not one byte of the answer: curl would send the POST again by itself on a
# reused connection, a second caption track zpub never hears of
full_only yt_caption_no_answer && \
	recovers yt_caption_no_answer   "g#*:on=POST /upload/youtube/v3/captions,drop_at=0,times=1"
full_only yt_playlist_answer_lost && \
	recovers yt_playlist_answer_lost "g#*:on=POST /youtube/v3/playlistItems,drop_at=40,times=1"
full_only yt_thumbnail_reset && \
	recovers yt_thumbnail_reset     "g#*:on=POST /upload/youtube/v3/thumbnails,reset_at=10,times=1"
full_only yt_stall_4s && \
	recovers yt_stall_4s            "g#*:on=$PUT,stall_at=5,stall_s=4,times=1"
full_only yt_slow_link && \
	recovers yt_slow_link           "g#*:slow_up=2000000"
recovers yt_garbage_not_http    "g#1:garbage_at=0"
full_only yt_garbage_mid_headers && \
	recovers yt_garbage_mid_headers "g#*:on=$PUT,garbage_at=40,times=1"
full_only yt_headers_cut && \
	recovers yt_headers_cut         "g#*:on=POST /upload/youtube/v3/captions,drop_at=17,times=1"
recovers yt_storm_429           "g#*:on=$PUT,http=429,retry_after=1,times=3"
full_only yt_storm_5xx && \
	recovers yt_storm_5xx           "g#1-2:http=502" "g#*:on=$PUT,http=503,times=2"

# killed_after NAME WHAT ON: zpub is killed (SIGKILL) after YouTube has
# taken a request (the caption track, the playlist entry: ON) whose answer
# the proxy holds back, so the run never saved that it was done; the next
# run must look before sending it again, not add a second one.
killed_after() {
	local name=$1 what=$2 on=$3
	wanted "$name" || return 0
	new_rec "$name"
	proxy_arm pub "g#*:on=$on,stall_at=0,stall_s=60,times=1"
	"$ZPUB" run "$ID" >"$T/killed.out" 2>"$T/killed.err" &
	local pid=$! i
	for i in $(seq 400); do
		fake_state "$G" | python3 -c '
import json, sys
j = json.load(sys.stdin)
ids = {v["id"] for v in j["videos"] if v["snippet"]["title"] == sys.argv[1]}
key = "captions" if sys.argv[2] == "caption" else "playlist_items"
sys.exit(0 if [c for c in j[key] if c["videoId"] in ids] else 1)' "$name" "$what" && break
		sleep 0.05
	done
	[ "$i" -lt 400 ] || fail "$name: YouTube never got the $what: $(cat "$T/killed.err")"
	{ kill -9 "$pid"; wait "$pid"; } 2>/dev/null || true
	proxy_arm pub
	expect_rc 0 "$ZPUB" run "$ID"
	published_once "$name"
	ok "$name: killed once YouTube had the $what, the next run looked first: $(cat "$T/once")"
	passed=$((passed + 1))
}
killed_after yt_killed_after_caption caption 'POST /upload/youtube/v3/captions'
full_only yt_killed_after_playlist && \
	killed_after yt_killed_after_playlist playlist 'POST /youtube/v3/playlistItems'

# --- VK, within the policy -------------------------------------------------------------
recovers vk_upload_request_cut  "vkup#1:drop_up_at=300000"
full_only vk_upload_answer_lost && \
	recovers vk_upload_answer_lost  "vkup#1:drop_at=20"
recovers vk_save_answer_lost    "vk#*:on=/method/video.save,drop_at=40,times=1"
# VK keeps the empty entry of a video.save whose answer was lost: the retry
# makes another, and zpub must delete the first once its upload is in
if wanted vk_save_answer_lost; then
	grep -q ', 1 deleted' "$T/once" || fail "vk_save_answer_lost: no empty entry was deleted: $(cat "$T/once")"
fi
full_only vk_album_reset && \
	recovers vk_album_reset         "vk#*:on=/method/video.addToAlbum,reset_at=0,times=1"
full_only vk_stall_4s && \
	recovers vk_stall_4s            "vkup#1:stall_at=10,stall_s=4"
full_only vk_garbage && \
	recovers vk_garbage             "vk#*:on=/method/video.save,garbage_at=0,times=1"
full_only vk_headers_cut && \
	recovers vk_headers_cut         "vkup#1:drop_at=17"
recovers vk_storm_429           "vk#1-3:http=429,retry_after=1"
full_only vk_storm_5xx && \
	recovers vk_storm_5xx           "vkup#1-3:http=503"

# zpub is killed (SIGKILL) once VK has taken video.save, its answer held back
# by the proxy: VK holds an empty entry zpub never heard of.  The next run
# saves again, uploads, and deletes that entry: one uploaded video, no empty.
vk_killed_after_save() {
	local name=vk_killed_after_save i
	wanted "$name" || return 0
	new_rec "$name"
	proxy_arm pub "vk#*:on=/method/video.save,stall_at=0,stall_s=60,times=1"
	"$ZPUB" run "$ID" >"$T/killed.out" 2>"$T/killed.err" &
	local pid=$!
	for i in $(seq 400); do
		fake_state "$V" | python3 -c '
import json, sys
j = json.load(sys.stdin)
sys.exit(0 if [v for v in j["videos"] if v["name"] == sys.argv[1]] else 1)' "$name" && break
		sleep 0.05
	done
	[ "$i" -lt 400 ] || fail "$name: VK never got video.save: $(cat "$T/killed.err")"
	{ kill -9 "$pid"; wait "$pid"; } 2>/dev/null || true
	proxy_arm pub
	expect_rc 0 "$ZPUB" run "$ID"
	published_once "$name"
	grep -q ', 1 deleted' "$T/once" || fail "$name: the empty entry was not deleted: $(cat "$T/once")"
	"$ZPUB" journal "$ID" | grep -q 'deleted the empty video' \
		|| fail "$name: the journal does not say what was deleted"
	ok "$name: killed once VK had video.save, the next run deleted its empty entry: $(cat "$T/once")"
	passed=$((passed + 1))
}
vk_killed_after_save

# --- beyond the policy: FAILED with the reason, nothing lost, then finished --------------
# beyond NAME SERVICE REASON_REGEX FAULT...
beyond() {
	local name=$1 service=$2 why=$3
	shift 3
	wanted "$name" || return 0
	new_rec "$name"
	"$ZPUB" config set publish.max_attempts 3 >/dev/null
	proxy_arm pub "$@"
	expect_rc 1 "$ZPUB" run "$ID"
	"$ZPUB" config set publish.max_attempts 8 >/dev/null
	[ "$(proxy_fired pub)" -ge 1 ] || fail "$name: the fault never fired: $(proxy_events pub)"
	expect_rc 0 "$ZPUB" show "$ID" --json
	echo "$OUT" > "$T/failed.json"
	python3 - "$T/failed.json" "$service" "$why" <<'PY' || fail "$name: $(cat "$T/failed.json")"
import json, re, sys
r = json.load(open(sys.argv[1]))
service, why = sys.argv[2], sys.argv[3]
assert r["status"] == "FAILED" and r["failed_stage"] == "publish", (r["status"], r["failed_stage"])
err = r["error"]
assert service in err and re.search(why, err), err
assert r["next_retry_at"], "a network failure is retried later"
pubs = {p["platform"]: p for p in r["publications"]}
other = "vk" if service == "YouTube" else "youtube"
assert pubs[other]["state"] == "done", ("the other target is published", pubs)
assert not [a for a in r["artifacts"] if a["kind"] == "cut_video" and not a["path"]], r["artifacts"]
PY
	[ -z "$(find "$ZPUB_HOME" -name '*.tmp' -o -name '*.part')" ] || fail "$name: temporary files survive"
	proxy_arm pub
	expect_rc 0 "$ZPUB" retry "$ID"
	expect_rc 0 "$ZPUB" run "$ID"
	published_once "$name"
	ok "$name: FAILED with '$(json 'j["error"][:300]' < "$T/failed.json")', then published once"
	passed=$((passed + 1))
}
beyond yt_every_call_503   YouTube '503' "g#*:http=503"
# half the video is up when YouTube starts failing for good: the retry goes
# on from the acknowledged byte, the chunks already sent are not sent again
beyond yt_upload_stops_halfway YouTube '503.*byte 524288' "g#*:on=bytes 524288-,http=503"
if wanted yt_upload_stops_halfway; then
	fake_state "$G" | python3 -c '
import json, sys
j = json.load(sys.stdin)
ours = {k for k, v in j["sessions"].items()
        if v["meta"]["snippet"]["title"] == "yt_upload_stops_halfway"}
sent = [e["range"] for e in j["log"] if e.get("upload_id") in ours]
firsts = [r for r in sent if r.startswith("bytes 0-")]
assert len(firsts) == 1, ("the upload started over", sent)' || fail "yt_upload_stops_halfway: chunks sent again"
fi
full_only yt_refused && \
	beyond yt_refused      YouTube 'connect|refused|closed|connection' "g#*:refuse"
beyond vk_upload_refused   VK 'connect|refused|closed|connection' "vkup#*:refuse"
full_only vk_every_call_503 && \
	beyond vk_every_call_503 VK '503' "vk#*:http=503"

echo "faults_publish: $passed cases passed"
