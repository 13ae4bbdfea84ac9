#!/usr/bin/env bash
# The bad-media corpus (tests/faults/gen_bad_media.sh) through import and the
# process stage, mixed with good lectures in one `zpub run --all`: every bad
# file is either refused at import with a sentence naming it (and leaves no
# recording or file behind: no audio, audio only and truncated files are
# refused there, as `zpub analyse` sees them) or ends FAILED at the process stage with a clear
# reason and no automatic retry; every good or merely unusual file (VFR,
# 5.1 audio, wrong extension, 8192x8192) reaches PROCESSED with a cut video
# that decodes; the bad ones never stop the others.
. "$ZPUB_SRC/tests/lib/e2e.sh"

bash "$ZPUB_SRC/tests/faults/gen_bad_media.sh" "$T/bad" >/dev/null
B=$T/bad
handled=0

# 1. Refused at import: nothing is created.
for f in empty.mp4 truncated.mp4 notmedia.mp4 corrupt_head.mp4 corrupt_moov.mp4 \
    noaudio.mp4 audioonly.m4a; do
	expect_rc 1 "$ZPUB" import "$B/$f"
	echo "$ERR" | grep -q "$f" || fail "$f: the refusal does not name the file: $ERR"
	echo "$ERR" | grep -Eqi "empty|not a media file|corrupt|truncated|no audio|no video|neither" \
		|| fail "$f: the refusal gives no reason: $ERR"
	echo "$ERR" | grep -q "source\." && fail "$f: the refusal names the internal file: $ERR"
	ok "$f refused at import: $ERR"
	handled=$((handled + 1))
done
expect_rc 0 "$ZPUB" status --json
[ "$(echo "$OUT" | jget total)" = 0 ] || fail "refused imports left recordings: $OUT"
if [ -d "$ZPUB_HOME/media" ]; then
	left=$(find "$ZPUB_HOME/media" -type f | wc -l)
	[ "$left" = 0 ] || fail "refused imports left files: $(find "$ZPUB_HOME/media" -type f)"
fi

# 2. Imported, then judged by the process stage; the good ones sit between
#    the bad ones in the queue.
declare -A id want
order="good.mp4 vfr.mp4 silent10h.mp4 surround.mp4 wrong_ext.wav huge.mp4"
for f in $order; do
	expect_rc 0 "$ZPUB" import "$B/$f"
	id[$f]=$OUT
done
want[silent10h.mp4]="FAILED:silent throughout"
for f in good.mp4 vfr.mp4 surround.mp4 wrong_ext.wav huge.mp4; do want[$f]=PROCESSED; done

set +e
"$ZPUB" run --all --until PROCESSED >"$T/run.out" 2>"$T/run.err"
rc=$?
set -e
[ "$rc" != 0 ] || fail "run --all with failures exited 0"
for f in $order; do
	"$ZPUB" show "${id[$f]}" --json > "$T/show.json"
	st=$(jget status < "$T/show.json")
	case ${want[$f]} in
	FAILED:*)
		reason=${want[$f]#FAILED:}
		[ "$st" = FAILED ] || fail "$f: status $st, wanted FAILED ($reason)"
		python3 - "$T/show.json" "$reason" <<'PY' || fail "$f: $(cat "$T/show.json")"
import json, sys
j = json.load(open(sys.argv[1]))
assert sys.argv[2] in (j["error"] or ""), ("reason", j["error"])
assert j["failed_stage"] == "process", j["failed_stage"]
assert j["next_retry_at"] is None, ("bad media must not be retried by itself", j["next_retry_at"])
# the user's own file, not the internal copy
assert "silent10h.mp4" in j["error"] and "source." not in j["error"], ("names", j["error"])
PY
		grep -q "$reason" "$T/run.err" || fail "$f: the reason was not printed: $(cat "$T/run.err")"
		ok "$f FAILED: $(jget error < "$T/show.json")"
		;;
	PROCESSED)
		[ "$st" = PROCESSED ] || fail "$f: status $st: $(cat "$T/show.json")"
		cut=$(python3 -c 'import json,sys
j=json.load(open(sys.argv[1]))
print([a for a in j["artifacts"] if a["kind"]=="cut_video"][0]["path"])' "$T/show.json")
		d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$cut")
		python3 -c "import sys; sys.exit(0 if float('$d') > 0.5 else 1)" || fail "$f: cut lasts $d s"
		errs=$(ffmpeg -v error -i "$cut" -f null - 2>&1 | head -3)
		[ -z "$errs" ] || fail "$f: the cut video does not decode cleanly: $errs"
		ok "$f PROCESSED, cut decodes ($d s)"
		;;
	esac
	handled=$((handled + 1))
done
left=$(find "$ZPUB_HOME" -name '*.tmp' | wc -l)
[ "$left" = 0 ] || fail "temporary files survive: $(find "$ZPUB_HOME" -name '*.tmp')"

# 3. The daemon: bad files among good ones do not stop it, and it finishes
#    the good ones.
export ZPUB_HOME=$T/daemon-home
"$ZPUB" config set daemon.tick_ms 100 >/dev/null
# Two workers and two transcription threads: bad files are handled while
# good ones run beside them (PocketSphinx decoders are built one at a time).
"$ZPUB" config set daemon.workers 2 >/dev/null
"$ZPUB" config set processing.transcription.concurrency 2 >/dev/null
for f in good.mp4 silent10h.mp4 vfr.mp4; do
	expect_rc 0 "$ZPUB" import "$B/$f"
done
for f in noaudio.mp4 audioonly.m4a; do
	expect_rc 1 "$ZPUB" import "$B/$f"
done
"$ZPUB" --daemon --foreground 2>"$T/daemon.log" &
dpid=$!
trap 'kill "$dpid" 2>/dev/null || true' EXIT
settled() { # all recordings FAILED or at the end of the wired stages (same status)
	"$ZPUB" list --json | python3 -c 'import json,sys
recs = json.load(sys.stdin)
good = {r["status"] for r in recs if r["title"] in ("good", "vfr")}
bad = {r["status"] for r in recs if r["title"] not in ("good", "vfr")}
run = {"INITIALIZED","DOWNLOADING","DOWNLOADED","PROCESSING","PROCESSED","PREPARING","TRANSCRIBED","UPLOADING"}
sys.exit(0 if bad == {"FAILED"} and len(good) == 1 and not (good & run) else 1)'
}
for i in $(seq 600); do
	settled && break
	kill -0 "$dpid" 2>/dev/null || fail "the daemon died: $(tail -20 "$T/daemon.log")"
	sleep 0.2
done
settled || fail "the daemon did not finish the good recordings: $("$ZPUB" list); $(tail -20 "$T/daemon.log")"
kill -0 "$dpid" 2>/dev/null || fail "the daemon died: $(tail -20 "$T/daemon.log")"
final=$("$ZPUB" list --json | python3 -c 'import json,sys; print([r["status"] for r in json.load(sys.stdin) if r["title"] == "good"][0])')
kill -TERM "$dpid"
wait "$dpid" || fail "the daemon did not stop cleanly on SIGTERM: $(tail -20 "$T/daemon.log")"
trap - EXIT
ok "daemon: the bad recording FAILED, 2 bad files refused at import, the 2 good ones reached $final, the daemon kept serving and stopped cleanly"
handled=$((handled + 3))
echo "bad_media: $handled cases handled"
