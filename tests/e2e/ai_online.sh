#!/usr/bin/env bash
# The OpenAI-compatible engines end to end against tests/fakes/fake_openai.py:
# the transcription service answers 429, then 500, then succeeds — the stage
# succeeds and the audio minutes are counted once; a service that always
# fails leaves the recording FAILED with a reason naming the service and the
# HTTP status.  Chat topics come back as a new topic version.
. "$ZPUB_SRC/tests/lib/e2e.sh"
if ! "$ZPUB" help 2>&1 | grep -q transcribe; then
	echo "SKIP: 'zpub transcribe' is not in the command table yet"
	exit 0
fi
CHECK="python3 $ZPUB_SRC/tests/fakes/ai_check.py"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

start_fake() { # start_fake VAR ARGS... -> VAR=http://127.0.0.1:PORT/v1
	local var=$1; shift
	python3 "$ZPUB_SRC/tests/fakes/fake_openai.py" "$@" > "$T/fake.$var" 2>"$T/fake.$var.log" &
	PIDS+=($!)
	for _ in $(seq 100); do grep -q PORT "$T/fake.$var" 2>/dev/null && break; sleep 0.05; done
	printf -v "$var" 'http://127.0.0.1:%s/v1' "$(sed -n 's/PORT //p' "$T/fake.$var")"
}

mkdir -p "$T/gen"
espeak-ng -v en-us -s 150 -w "$T/gen/s.wav" \
	"Good morning. Today we talk about sorting. Merge sort splits the list. Quick sort picks a pivot."
sox -q "$T/gen/s.wav" -r 16000 -c 1 -b 16 "$T/gen/speech.wav" pad 0 1
dur=$(soxi -D "$T/gen/speech.wav")
ffmpeg -v error -y -f lavfi -i "testsrc=s=320x180:r=25:d=$dur" -i "$T/gen/speech.wav" \
	-c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest "$T/gen/a.mp4"

start_fake TR --transcribe-script 429,500 --key sk-tr
start_fake CH --chat-script empty --key sk-chat
"$ZPUB" config set providers.transcription.base_url "$TR" >/dev/null
"$ZPUB" config set providers.transcription.retry_base_ms 200 >/dev/null
"$ZPUB" config set providers.chat.base_url "$CH" >/dev/null
"$ZPUB" config set processing.subtitles.languages '["ru"]' >/dev/null
printf 'sk-tr' | "$ZPUB" secret set transcription >/dev/null
printf 'sk-chat' | "$ZPUB" secret set chat >/dev/null

expect_rc 0 "$ZPUB" import --title "Online lecture" "$T/gen/a.mp4"
id=$OUT
expect_rc 0 "$ZPUB" run "$id" --until TRANSCRIBED
expect_rc 0 "$ZPUB" show "$id" --json
echo "$OUT" > "$T/show.json"
[ "$(echo "$OUT" | jget status)" = TRANSCRIBED ] || fail "status: $OUT"
stats=$(curl -sf "$TR/stats")
n_ok=$(echo "$stats" | jget ok_transcriptions); n_all=$(echo "$stats" | jget transcriptions)
[ "$n_all" -ge 3 ] || fail "the fake saw $n_all transcription requests: $stats"
db="$ZPUB_HOME/zpub.db"
rows=$(sqlite3 "$db" "SELECT count(*) FROM usage WHERE kind = 'transcription_minutes'")
[ "$rows" = 1 ] || fail "transcription usage recorded $rows times"
mins=$(sqlite3 "$db" "SELECT amount FROM usage WHERE kind = 'transcription_minutes'")
python3 -c "import sys; sys.exit(0 if abs($mins - $dur / 60) < 0.02 * $n_ok + 0.01 else 1)" \
	|| fail "usage $mins minutes for $dur s of audio ($n_ok chunks)"
# topics (empty content, asked again: both billed) and the translation
[ "$(sqlite3 "$db" "SELECT count(*) FROM usage WHERE kind = 'chat_tokens'")" = 2 ] || fail "chat usage"
python3 - "$T/show.json" <<'PY' || fail "artefacts: $(cat "$T/show.json")"
import json, sys
a = json.load(open(sys.argv[1]))["artifacts"]
kinds = {x["kind"] for x in a}
assert {"transcript", "topics", "srt", "vtt", "description"} <= kinds, kinds
tp = [x for x in a if x["kind"] == "topics"][-1]
assert tp.get("engine") == "openai-compatible", tp
PY
for f in $(python3 -c "import json;print(' '.join(x['path'] for x in json.load(open('$T/show.json'))['artifacts'] if x['kind'] in ('srt','vtt')))"); do
	e=$(ffmpeg -nostdin -v error -y -i "$f" -f webvtt /dev/null 2>&1) || fail "ffmpeg cannot read $f: $e"
	[ -z "$e" ] || fail "ffmpeg complained about $f: $e"
	case "$f" in *ru.*) l=ru;; *) l=en;; esac
	$CHECK subs "$f" $l || fail "subtitle rules: $f"
done
ls "$ZPUB_HOME/media/default/$id/ru.vtt" "$ZPUB_HOME/media/default/$id/ru.srt" >/dev/null \
	|| fail "no Russian subtitles"
grep -q "слово" "$ZPUB_HOME/media/default/$id/ru.vtt" || fail "ru.vtt is not translated"
ok "429 -> 500 -> success: TRANSCRIBED, usage counted once ($mins min), chat topics"

# Always failing: FAILED, with the service and the status in the reason.
start_fake BAD --then 500
"$ZPUB" config set providers.transcription.base_url "$BAD" >/dev/null
"$ZPUB" config set providers.transcription.max_attempts 2 >/dev/null
ffmpeg -v error -y -i "$T/gen/a.mp4" -t 3 -c copy "$T/gen/b.mp4"
expect_rc 0 "$ZPUB" import --title "Doomed lecture" "$T/gen/b.mp4"
id2=$OUT
expect_rc 1 "$ZPUB" run "$id2" --until TRANSCRIBED
expect_rc 0 "$ZPUB" show "$id2" --json
[ "$(echo "$OUT" | jget status)" = FAILED ] || fail "status: $OUT"
echo "$OUT" | grep -q "transcription service at 127.0.0.1" || fail "reason does not name the service: $OUT"
echo "$OUT" | grep -q "HTTP 500" || fail "reason does not give the status: $OUT"
ok "always failing: FAILED naming the service and HTTP 500"
