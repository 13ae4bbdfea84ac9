#!/usr/bin/env bash
# E-mail notifications through a real daemon and an SMTP server on loopback
# (tests/fakes/fake_smtp.py, with AUTH):
# 1. recordings processed to READY, and one that fails, give exactly one
#    message per event, to both recipients, with Date, Message-ID (the
#    event id), a Subject naming the event and the title, a UTF-8 body; a
#    title with CR/LF and Cyrillic is encoded (no injected header, no
#    injected recipient); `zpub journal` shows the deliveries;
# 2. a server answering 451 (through a daemon killed and restarted), and
#    one closing with 421, get the event once they recover, once, and the
#    journal names the failed attempts;
# 3. the SMTP password is in no log, journal or output, and settings that
#    would carry it or split a header are refused.
. "$ZPUB_SRC/tests/lib/e2e.sh"
PASS='sm7p-Pa55word-xyzzy'
SPID=
DPID=
cleanup() {
	[ -n "$DPID" ] && kill -9 "$DPID" 2>/dev/null
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null
	true
}
trap cleanup EXIT

# smtp LOG [ARGS...]: starts a server, sets $PORT and $SPID.
smtp() {
	local log=$1; shift
	rm -f "$T/port"
	python3 "$ZPUB_SRC/tests/fakes/fake_smtp.py" --port-file "$T/port" --log "$log" \
		--transcript "$log.transcript" --user office-bot --password "$PASS" "$@" &
	SPID=$!
	for _ in $(seq 1 100); do [ -s "$T/port" ] && break; sleep 0.05; done
	PORT=$(cat "$T/port")
}
stop_smtp() { kill "$SPID"; wait "$SPID" 2>/dev/null || true; SPID=; }
mail_to() { # mail_to PORT: the operator's one e-mail, ready and failed events
	"$ZPUB" config set notify.email "{\"office\": {\"smtp_url\": \"smtp://127.0.0.1:$1/zpub.test\",
	    \"user\": \"office-bot\", \"from\": \"zpub@uni.example\",
	    \"to\": [\"media@uni.example\", \"dean@uni.example\"], \"events\": [\"ready\", \"failed\"]}}" >/dev/null
}
daemon() { "$ZPUB" --daemon --foreground 2>>"$T/daemon.log" & DPID=$!; }
stop_daemon() { kill -TERM "$DPID"; wait "$DPID" || true; DPID=; }
# wait_log LOG PYEXPR SECONDS: until PYEXPR (over `ev`, the parsed messages) holds.
wait_log() {
	python3 - "$@" <<'PY'
import email, email.policy, json, sys, time
log, expr, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
end = time.time() + secs
def parse(l):
    r = json.loads(l)
    r["msg"] = email.message_from_string(r["message"], policy=email.policy.default)
    return r
while time.time() < end:
    try:
        ev = [parse(l) for l in open(log)]
    except FileNotFoundError:
        ev = []
    if eval(expr):
        sys.exit(0)
    time.sleep(0.1)
sys.exit(1)
PY
}
make_speech() { # OUT SECONDS: tone bursts and pauses
	ffmpeg -v error -y -f lavfi -i "testsrc=s=320x180:r=25:d=$2" \
		-f lavfi -i "aevalsrc='if(lt(mod(t,2),1),0.5*sin(440*2*PI*t),0)':s=44100:d=$2" \
		-c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest "$1"
}
make_speech "$T/one.mp4" 4
make_speech "$T/two.mp4" 5
make_speech "$T/three.mp4" 6
ffmpeg -v error -y -f lavfi -i "testsrc=s=320x180:r=25:d=4" -f lavfi -i "anullsrc=r=44100:cl=mono" \
	-t 4 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest "$T/silent.mp4"

"$ZPUB" config set daemon.tick_ms 100 >/dev/null
"$ZPUB" config set notify.retry_base_ms 500 >/dev/null
"$ZPUB" config set notify.retry_cap_ms 2000 >/dev/null

# ---- 3a. settings that would hold the password or split a header ----
expect_rc 1 "$ZPUB" config set notify.email.office.smtp_url "smtp://office-bot:$PASS@127.0.0.1:25"
echo "$ERR" | grep -q "no user or password" || fail "refusal does not say why: $ERR"
expect_rc 1 "$ZPUB" config set notify.email.office.smtp_url "http://127.0.0.1:25"
expect_rc 1 "$ZPUB" config set notify.email.office.from $'zpub@uni.example\r\nBcc: x@evil.example'
expect_rc 1 "$ZPUB" config set notify.email.office.to '["media@uni.example>, x@evil.example"]'
expect_rc 0 "$ZPUB" tenant add q
expect_rc 1 "$ZPUB" tenant config q notify.email.office.smtp_url "smtp://127.0.0.1:25"
echo "$ERR" | grep -q "operator" || fail "a tenant's mail server was not refused as the operator's: $ERR"
expect_rc 1 "$ZPUB" secret set notify.email.a.b </dev/null
ok "smtp_url with a password, a non-SMTP URL, a header in from or to, a tenant's server are refused"

# ---- 1. one message per event, headers and body ----
smtp "$T/mail1.log"
mail_to "$PORT"
printf %s "$PASS" | "$ZPUB" secret set notify.email.office >/dev/null
TITLE=$'Лекция 3: сети\r\nBcc: victim@evil.example'
declare -A id
expect_rc 0 "$ZPUB" import --title "Plain lecture" "$T/one.mp4"
id[one]=$OUT
expect_rc 0 "$ZPUB" import --title "$TITLE" "$T/two.mp4"
id[two]=$OUT
expect_rc 0 "$ZPUB" import "$T/silent.mp4"
id[silent]=$OUT
daemon
wait_log "$T/mail1.log" "len({e['msg']['Message-ID'] for e in ev}) >= 3" 180 \
	|| fail "not every event was mailed: $(cat "$T/mail1.log" 2>/dev/null); $(tail -20 "$T/daemon.log")"
sleep 2    # time for a duplicate to show up, if one were sent
stop_daemon
python3 - "$T/mail1.log" "${id[one]}" "${id[two]}" "${id[silent]}" <<'PY' || fail "messages: $(cat "$T/mail1.log")"
import email, email.policy, email.utils, json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
one, two, silent = (int(x) for x in sys.argv[2:5])
assert len(ev) == 3, "%d messages, wanted 3" % len(ev)
by = {}
for e in ev:
    assert e["from"] == "zpub@uni.example", e["from"]
    assert sorted(e["to"]) == ["dean@uni.example", "media@uni.example"], e["to"]
    assert e["user"] == "office-bot", "not signed in"
    assert e["crlf_only"], "a bare LF in the message"
    assert not e["eight_bit"], "8-bit bytes in a message (headers and body are 7-bit encoded)"
    raw = e["message"]
    head = raw.split("\r\n\r\n", 1)[0]
    assert "victim" not in head and "\nBcc" not in head, head
    m = email.message_from_string(raw, policy=email.policy.default)
    assert m["Bcc"] is None, "an injected Bcc header"
    assert m["From"] == "zpub@uni.example", m["From"]
    assert email.utils.parsedate_to_datetime(m["Date"]).tzinfo is not None, m["Date"]
    assert m.get_content_type() == "text/plain" and m.get_content_charset() == "utf-8"
    body = m.get_content()
    mid = m["Message-ID"].strip("<>").split("@")[0]
    assert ("Event id: " + mid) in body, body
    rid = int(body.split("(id ", 1)[1].split(")", 1)[0])
    by[(m["X-Zpub-Event"], rid)] = (m, body)
assert set(by) == {("ready", one), ("ready", two), ("failed", silent)}, set(by)
m, body = by[("ready", one)]
assert m["Subject"] == "zpub: ready: Plain lecture", m["Subject"]
assert 'The recording "Plain lecture"' in body and "Status:   READY" in body, body
m, body = by[("ready", two)]
assert m["Subject"] == "zpub: ready: Лекция 3: сети  Bcc: victim@evil.example", repr(m["Subject"])
assert "Лекция 3: сети  Bcc" in body and "\r" not in body.replace("\r\n", ""), repr(body)
m, body = by[("failed", silent)]
assert m["Subject"].startswith("zpub: failed: "), m["Subject"]
assert "Reason:" in body and "silent" in body, body
print("3 messages, one per event; the Cyrillic title with CR/LF arrived as encoded words")
PY
ok "one message per event (ready, ready, failed) to both recipients, with Date, Message-ID, Subject and a UTF-8 body"
ok "a title with CR/LF and Cyrillic is encoded: no injected header or recipient"
expect_rc 0 "$ZPUB" journal "${id[one]}"
echo "$OUT" | grep -q "e-mailed ready to media@uni.example, dean@uni.example through smtp://127.0.0.1:$PORT/zpub.test (250)" \
	|| fail "journal: $OUT"
expect_rc 0 "$ZPUB" journal "${id[silent]}"
echo "$OUT" | grep -q "e-mailed failed to .* (250)" || fail "journal: $OUT"
ok "zpub journal shows the e-mail deliveries"
stop_smtp

# ---- 2. a server that fails for a while, across a daemon restart ----
# count_in FILE PATTERN: lines of FILE matching PATTERN (0 when none or no file)
count_in() { local n; n=$(grep -c -- "$2" "$1" 2>/dev/null) || true; echo "${n:-0}"; }
# wait_count FILE PATTERN N: until FILE has N lines matching PATTERN
wait_count() {
	for _ in $(seq 1 1800); do
		[ "$(count_in "$1" "$2")" -ge "$3" ] && return 0
		sleep 0.1
	done
	fail "fewer than $3 lines '$2' in $1: $(tail -20 "$T/daemon.log")"
}
touch "$T/failing"
smtp "$T/mail2.log" --fail-while "$T/failing" --fail-mode 451
mail_to "$PORT"
expect_rc 0 "$ZPUB" import --title "Third lecture" "$T/three.mp4"
three=$OUT
daemon
# an attempt refused, then kill -9: the delivery survives in the outbox
wait_count "$T/mail2.log.transcript" "^S: 451" 1
kill -9 "$DPID"; wait "$DPID" 2>/dev/null || true; DPID=
daemon
wait_count "$T/mail2.log.transcript" "^S: 451" 3
rm "$T/failing"
wait_log "$T/mail2.log" "any(e['msg']['X-Zpub-Event'] == 'ready' for e in ev)" 90 \
	|| fail "the event never got through: $(tail -30 "$T/mail2.log.transcript"); $(tail -20 "$T/daemon.log")"
sleep 2
stop_daemon
n451=$(count_in "$T/mail2.log.transcript" "^S: 451")
[ "$(wc -l <"$T/mail2.log")" = 1 ] || fail "more than one message: $(cat "$T/mail2.log")"
ok "a server answering 451, through kill -9 and restart, gets the event once it recovers ($n451 refusals first)"
expect_rc 0 "$ZPUB" journal "$three"
echo "$OUT" | grep -q "e-mailing ready to media@uni.example, dean@uni.example failed (attempt 1): .*451" \
	|| fail "journal lacks the refused attempt: $OUT"
echo "$OUT" | grep -q "e-mailed ready to .* (250)" || fail "journal: $OUT"
ok "the journal shows the refused attempts and the delivery"
stop_smtp

# 421 at the greeting: the same retry, and a review_pending-only e-mail gets nothing
touch "$T/failing"
smtp "$T/mail3.log" --fail-while "$T/failing" --fail-mode 421
mail_to "$PORT"
"$ZPUB" config set notify.email.review "{\"smtp_url\": \"smtp://127.0.0.1:$PORT\",
    \"from\": \"zpub@uni.example\", \"to\": [\"review@uni.example\"], \"events\": [\"review_pending\"]}" >/dev/null
make_speech "$T/four.mp4" 7
expect_rc 0 "$ZPUB" import --title "Fourth lecture" "$T/four.mp4"
four=$OUT
daemon
wait_count "$T/mail3.log.transcript" "^S: 421" 2
rm "$T/failing"
wait_log "$T/mail3.log" "any(e['msg']['X-Zpub-Event'] == 'ready' for e in ev)" 90 \
	|| fail "the event never got through 421: $(tail -30 "$T/mail3.log.transcript"); $(tail -20 "$T/daemon.log")"
sleep 2
stop_daemon
python3 - "$T/mail3.log" <<'PY' || fail "messages: $(cat "$T/mail3.log")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert len(ev) == 1 and "review@uni.example" not in ev[0]["to"], ev
PY
ok "a server closing with 421 gets the event once it recovers; an e-mail for review_pending only gets no ready"
stop_smtp

# ---- 3b. the password is nowhere ----
B64=$(printf %s "$PASS" | base64)
B64PLAIN=$(printf '\0office-bot\0%s' "$PASS" | base64)
for id_ in "${id[one]}" "${id[two]}" "${id[silent]}" "$three" "$four"; do
	"$ZPUB" journal "$id_" >>"$T/journals.txt" 2>&1
done
"$ZPUB" config show >"$T/config.txt" 2>&1 || true
for f in "$T/daemon.log" "$T/journals.txt" "$T/config.txt" $(find "$ZPUB_HOME" -name '*.log*' -type f); do
	for s in "$PASS" "$B64" "$B64PLAIN"; do
		if grep -qF -- "$s" "$f"; then fail "the SMTP password (or its base64) is in $f"; fi
	done
done
grep -q "AUTH PLAIN" "$T/mail1.log.transcript" || fail "zpub never signed in: the check above proves nothing"
ok "the SMTP password is in no log, journal or config output (it crossed only the SMTP AUTH)"
