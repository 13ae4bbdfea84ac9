#!/usr/bin/env bash
# The OpenAI-compatible transcription client (audio chunks POSTed to
# /audio/transcriptions, three at once) and the chat client (topics through
# /chat/completions) behind tests/fakes/faultproxy.py, one fault per case:
# the request cut mid-upload, the answer dropped or reset mid-transfer, a
# stall (shorter than the timeout, and a silence longer than it), a slow
# link, garbage instead of HTTP (at byte 0 and inside the headers), a
# connection closed inside the headers, 429 and 5xx storms within the retry
# policy, and faults that outlast it (every call 503, the service
# unreachable or hanging up).
# Within the policy the stage ends TRANSCRIBED with the same transcript,
# topics (still from the chat service, not the extractive fallback) and
# subtitles as a clean run, and the audio minutes are billed once.  Beyond
# it the recording is FAILED in the transcribe stage with a sentence naming
# the service and the cause, a retry is scheduled, what was finished (the
# processed media; the transcript when only the chat failed) is kept and
# not paid for again, and `zpub retry` + `zpub run` finish it.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/faults/lib.sh"
if ! "$ZPUB" help 2>&1 | grep -q transcribe; then
	echo "SKIP: 'zpub transcribe' is not in the command table yet"
	exit 0
fi
PIDS=()
trap 'proxy_stop_all; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

passed=0
DB="$ZPUB_HOME/zpub.db"
q() { sqlite3 "$DB" "$1"; }

start_ai_fake() { # start_ai_fake VAR ARGS... -> VAR=port
	local var=$1
	shift
	python3 "$ZPUB_SRC/tests/fakes/fake_openai.py" "$@" > "$T/fake.$var" 2>"$T/fake.$var.log" &
	PIDS+=($!)
	for _ in $(seq 100); do grep -q PORT "$T/fake.$var" 2>/dev/null && break; sleep 0.05; done
	printf -v "$var" '%s' "$(sed -n 's/PORT //p' "$T/fake.$var")"
}
start_ai_fake TR_PORT --key sk-tr
start_ai_fake CH_PORT --key sk-chat
TR_DIRECT="http://127.0.0.1:$TR_PORT/v1"
ai_proxy() { # (re)starts the proxy and points zpub at it
	proxy_start ai "tr=$TR_PORT" "ch=$CH_PORT"
	"$ZPUB" config set providers.transcription.base_url "http://127.0.0.1:$PROXY_TR/v1" >/dev/null
	"$ZPUB" config set providers.chat.base_url "http://127.0.0.1:$PROXY_CH/v1" >/dev/null
}
ai_proxy
"$ZPUB" config set providers.transcription.retry_base_ms 100 >/dev/null
"$ZPUB" config set providers.chat.retry_base_ms 100 >/dev/null
"$ZPUB" config set processing.audio.chunk_max_seconds 4 >/dev/null   # three chunks
"$ZPUB" config set processing.subtitles.languages '[]' >/dev/null
printf 'sk-tr' | "$ZPUB" secret set transcription >/dev/null
printf 'sk-chat' | "$ZPUB" secret set chat >/dev/null
transcriptions() { curl -sf "$TR_DIRECT/stats" | jget transcriptions; }

# a short spoken lecture
espeak-ng -v en-us -s 150 -w "$T/s.wav" "Good morning. Today we talk about sorting. \
Merge sort splits the list. Quick sort picks a pivot. Now networks. Packets travel through routers."
sox -q "$T/s.wav" -r 16000 -c 1 -b 16 "$T/speech.wav" pad 0.5 1
dur=$(soxi -D "$T/speech.wav")
ffmpeg -v error -y -f lavfi -i "testsrc=s=320x180:r=25:d=$dur" -i "$T/speech.wav" \
	-c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest "$T/lecture.mp4"

# new_rec NAME: a recording of the lecture (a file of its own: zpub imports
# a file once), processed cleanly up to the transcribe stage; sets ID, DIR.
new_rec() {
	proxy_arm ai
	ffmpeg -v error -y -i "$T/lecture.mp4" -c copy -metadata comment="$1" "$T/$1.mp4"
	expect_rc 0 "$ZPUB" import --title "$1" "$T/$1.mp4"
	ID=$OUT
	expect_rc 0 "$ZPUB" run "$ID" --until PROCESSED
	DIR=$(dirname "$("$ZPUB" show "$ID" --json | jget artifacts.0.path)")
}
# artefacts ID: what a clean run must reproduce, one line per file
artefacts() {
	"$ZPUB" show "$1" --json | python3 -c '
import hashlib, json, sys
j = json.load(sys.stdin)
latest = {}
for a in j["artifacts"]:
    if a["kind"] in ("transcript", "topics", "srt", "vtt"):
        latest[a["kind"]] = a
for k in sorted(latest):
    a = latest[k]
    data = open(a["path"], "rb").read()
    print(k, a.get("engine") or "", hashlib.sha256(data).hexdigest())'
}

# the reference: a clean run through the unarmed proxy
new_rec reference
expect_rc 0 "$ZPUB" run "$ID" --until TRANSCRIBED
artefacts "$ID" > "$T/reference"
grep -q '^topics openai-compatible ' "$T/reference" || fail "the clean run's topics: $(cat "$T/reference")"
[ "$(wc -l < "$T/reference")" = 4 ] || fail "the clean run made: $(cat "$T/reference")"
[ "$(q "SELECT count(*) FROM artifacts WHERE recording_id = $ID AND kind = 'audio_chunk'")" = 3 ] \
	|| fail "the lecture is not in three chunks"

same_as_clean() { # same_as_clean CASE: TRANSCRIBED, the clean run's files, billed once
	expect_rc 0 "$ZPUB" show "$ID" --json
	[ "$(echo "$OUT" | jget status)" = TRANSCRIBED ] || fail "$1: $(echo "$OUT" | jget status)"
	artefacts "$ID" > "$T/got"
	diff "$T/reference" "$T/got" >&2 || fail "$1: the artefacts differ from a clean run's"
	[ "$(q "SELECT count(*) FROM usage WHERE recording_id = $ID AND kind = 'transcription_minutes'")" = 1 ] \
		|| fail "$1: the transcription was billed more than once"
	[ -z "$(find "$ZPUB_HOME" -name '*.tmp' -o -name '*.part')" ] || fail "$1: temporary files survive"
}

# recovers CASE FAULT...: the stage succeeds through the faults
recovers() {
	local name=$1
	shift
	wanted "$name" || return 0
	new_rec "$name"
	proxy_arm ai "$@"
	expect_rc 0 "$ZPUB" run "$ID" --until TRANSCRIBED
	same_as_clean "$name"
	local fired
	fired=$(proxy_fired ai)
	[ "$fired" -ge 1 ] || fail "$name: the fault never fired: $(proxy_events ai)"
	ok "$name: recovered ($fired faulty connections): $*"
	passed=$((passed + 1))
}

# --- transcription, within the policy ----------------------------------------------
recovers tr_request_cut        'tr#1:drop_up_at=20000'
recovers tr_answer_dropped     'tr#1:drop_at=300'
full_only tr_reset && \
	recovers tr_reset              'tr#2:reset_at=100'
full_only tr_stall_4s && \
	recovers tr_stall_4s           'tr#1:stall_at=200,stall_s=4'
full_only tr_slow_link && \
	recovers tr_slow_link          'tr#*:slow_up=400000'
recovers tr_garbage_not_http   'tr#1:garbage_at=0'
full_only tr_garbage_mid_headers && \
	recovers tr_garbage_mid_headers 'tr#1:garbage_at=40'
# a connection closed inside the headers used to read as an empty 200
recovers tr_headers_cut        'tr#1-2:drop_at=60'
recovers tr_storm_429          'tr#1-3:http=429,retry_after=1'
full_only tr_storm_5xx && \
	recovers tr_storm_5xx          'tr#*:http=503,times=4' # no Retry-After: backoff
# silence longer than the timeout: the attempt gives up and the next succeeds
"$ZPUB" config set providers.transcription.timeout_ms 3000 >/dev/null
full_only tr_silence_past_timeout && \
	recovers tr_silence_past_timeout 'tr#1:blackhole'
"$ZPUB" config set providers.transcription.timeout_ms 0 >/dev/null

# --- chat (topics), within the policy ------------------------------------------------
recovers ch_answer_dropped     'ch#1:drop_at=200'
full_only ch_request_cut && \
	recovers ch_request_cut        'ch#1:drop_up_at=500'
full_only ch_reset && \
	recovers ch_reset              'ch#1:reset_at=0'
full_only ch_stall_5s && \
	recovers ch_stall_5s           'ch#1:stall_at=10,stall_s=5'
full_only ch_slow_link && \
	recovers ch_slow_link          'ch#*:slow=3000'
recovers ch_garbage_not_http   'ch#1:garbage_at=0'
full_only ch_headers_cut && \
	recovers ch_headers_cut        'ch#1:drop_at=17'
full_only ch_storm_429 && \
	recovers ch_storm_429          'ch#1-2:http=429,retry_after=1'
recovers ch_storm_5xx          'ch#1-3:http=502'

# --- beyond the policy ------------------------------------------------------------------
# fails CASE SERVICE_REGEX CAUSE_REGEX: the recording is FAILED in the
# transcribe stage with a sentence naming the service and the cause, a retry
# is scheduled, the processed media are kept, no temporary files remain.
fails() {
	local name=$1
	expect_rc 0 "$ZPUB" show "$ID" --json
	echo "$OUT" > "$T/failed.json"
	python3 - "$T/failed.json" "$2" "$3" <<'PY' || fail "$name: $(cat "$T/failed.json")"
import json, os, re, sys
r = json.load(open(sys.argv[1]))
assert r["status"] == "FAILED" and r["failed_stage"] == "transcribe", (r["status"], r["failed_stage"])
assert re.search(sys.argv[2], r["error"]) and re.search(sys.argv[3], r["error"]), r["error"]
assert r["next_retry_at"], "a network failure is retried later"
kinds = {a["kind"] for a in r["artifacts"] if os.path.exists(a["path"])}
assert {"cut_video", "audio_chunk"} <= kinds, ("the processed media are kept", kinds)
PY
	[ -z "$(find "$ZPUB_HOME" -name '*.tmp' -o -name '*.part')" ] || fail "$name: temporary files survive"
}
# finishes CASE: once the fault is gone, retry + run give the clean result
finishes() {
	proxy_arm ai
	expect_rc 0 "$ZPUB" retry "$ID"
	expect_rc 0 "$ZPUB" run "$ID" --until TRANSCRIBED
	same_as_clean "$1"
}
# beyond CASE SERVICE_REGEX CAUSE_REGEX FAULT...
beyond() {
	local name=$1 svc=$2 why=$3
	shift 3
	wanted "$name" || return 0
	new_rec "$name"
	proxy_arm ai "$@"
	expect_rc 1 "$ZPUB" run "$ID" --until TRANSCRIBED
	[ "$(proxy_fired ai)" -ge 1 ] || fail "$name: the fault never fired: $(proxy_events ai)"
	fails "$name" "$svc" "$why"
	finishes "$name"
	ok "$name: FAILED with '$(json_err)', then finished like a clean run"
	passed=$((passed + 1))
}
json_err() { # the end of the sentence: the cause (the start names the recording)
	python3 -c 'import json,sys; e = json.load(open(sys.argv[1]))["error"]
print(e if len(e) <= 200 else "..." + e[-200:])' "$T/failed.json"
}

"$ZPUB" config set providers.transcription.max_attempts 3 >/dev/null
beyond tr_every_call_503 'transcription service at 127\.0\.0\.1' 'HTTP 503' 'tr#*:http=503'
full_only tr_hangs_up && \
	beyond tr_hangs_up 'transcription service at 127\.0\.0\.1' 'closed|connection|reply' 'tr#*:refuse'

# unreachable: nothing listens at the address any more
if wanted tr_unreachable; then
	new_rec tr_unreachable
	proxy_stop ai
	expect_rc 1 "$ZPUB" run "$ID" --until TRANSCRIBED
	fails tr_unreachable 'transcription service at 127\.0\.0\.1' 'connect|refused'
	ai_proxy
	finishes tr_unreachable
	ok "tr_unreachable: FAILED with '$(json_err)', then finished like a clean run"
	passed=$((passed + 1))
fi
"$ZPUB" config set providers.transcription.max_attempts 5 >/dev/null

# The chat service failing for good: by default the topics fall back to the
# extractive engine (the stage succeeds and the journal says why) ...
"$ZPUB" config set providers.chat.max_attempts 2 >/dev/null
if wanted ch_every_call_503; then
	new_rec ch_every_call_503
	proxy_arm ai 'ch#*:http=503'
	expect_rc 0 "$ZPUB" run "$ID" --until TRANSCRIBED
	[ "$(proxy_fired ai)" -ge 2 ] || fail "ch_every_call_503: $(proxy_events ai)"
	artefacts "$ID" > "$T/got"
	grep -q '^topics extractive ' "$T/got" || fail "ch_every_call_503: $(cat "$T/got")"
	why=$(q "SELECT message FROM journal WHERE recording_id = $ID AND event = 'topics'")
	echo "$why" | grep -q 'chat service at 127.0.0.1' || fail "ch_every_call_503: journal: $why"
	echo "$why" | grep -q '503' || fail "ch_every_call_503: journal: $why"
	ok "ch_every_call_503: extractive topics, journal: '$(echo "$why" | head -c 140)'"
	passed=$((passed + 1))
fi

# ... and without the fallback the stage fails, keeps the transcript, and
# the retry asks the chat service only: the audio is not transcribed (nor
# billed) again.
"$ZPUB" config set processing.topics.fallback_extractive false >/dev/null
ch_beyond() { # ch_beyond CASE CAUSE_REGEX FAULT...
	local name=$1 why=$2
	shift 2
	wanted "$name" || return 0
	new_rec "$name"
	proxy_arm ai "$@"
	expect_rc 1 "$ZPUB" run "$ID" --until TRANSCRIBED
	[ "$(proxy_fired ai)" -ge 1 ] || fail "$name: the fault never fired: $(proxy_events ai)"
	fails "$name" 'chat service at 127\.0\.0\.1' "$why"
	[ -s "$DIR/transcript.json" ] || fail "$name: the transcript was not kept"
	local before
	before=$(transcriptions)
	finishes "$name"
	[ "$(transcriptions)" = "$before" ] || fail "$name: the audio was transcribed again"
	ok "$name: FAILED with '$(json_err)', transcript kept, then finished like a clean run"
	passed=$((passed + 1))
}
ch_beyond ch_503_no_fallback 'HTTP 503' 'ch#*:http=503'
full_only ch_garbage_no_fallback && \
	ch_beyond ch_garbage_no_fallback 'not HTTP' 'ch#*:garbage_at=0'
"$ZPUB" config set processing.topics.fallback_extractive true >/dev/null

echo "faults_ai: $passed cases passed"
