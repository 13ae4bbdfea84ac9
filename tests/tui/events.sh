# Notification events show up in the open terminal app's status line as
# they happen, with no webhook or e-mail configured: a recording another
# process takes to READY, one that FAILS (silent media) with its reason,
# and a reconnect-needed account event.  A title with an escape sequence
# is shown escaped, never as terminal output; another tenant's events are
# not shown.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/lib/tui.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 0; }

ffmpeg -v error -y -f lavfi -i "testsrc=s=320x180:r=25:d=4" \
	-f lavfi -i "aevalsrc='if(lt(mod(t,2),1),0.5*sin(440*2*PI*t),0)':s=44100:d=4" \
	-c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest "$T/speech.mp4"
ffmpeg -v error -y -f lavfi -i "testsrc=s=320x180:r=25:d=4" -f lavfi -i "anullsrc=r=44100:cl=mono" \
	-t 4 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest "$T/silent.mp4"
ffmpeg -v error -y -f lavfi -i "testsrc=s=320x180:r=25:d=5" \
	-f lavfi -i "sine=f=330:d=5" -c:v libx264 -preset ultrafast -pix_fmt yuv420p \
	-c:a aac -shortest "$T/other.mp4"
A=$("$ZPUB" import --title $'Лекция \e[31mred' "$T/speech.mp4")
B=$("$ZPUB" import --title "Silent seminar" "$T/silent.mp4")
"$ZPUB" tenant add other >/dev/null
C=$("$ZPUB" --tenant other import --title "Other tenant's lecture" "$T/other.mp4")
"$ZPUB" config get notify.webhooks >"$T/hooks" 2>&1 || true
"$ZPUB" config get notify.email >"$T/mails" 2>&1 || true
if grep -q url "$T/hooks" "$T/mails"; then fail "a destination is configured: the test proves nothing"; fi

tui_start 140 30
tui_wait "Silent seminar"

# a run in another process takes A to READY
"$ZPUB" run "$A" >"$T/runA.out" 2>&1 || fail "zpub run $A: $(cat "$T/runA.out")"
tui_wait "Ready: 'Лекция \\x1b[31mred' (#$A)" 30
ok "READY from another process appears in the status line, the title's ESC escaped"

# the other tenant's event stays out of this tenant's app
"$ZPUB" --tenant other run "$C" >"$T/runC.out" 2>&1 || fail "zpub run $C: $(cat "$T/runC.out")"
sleep 2
if tui_screen | grep -qF "Other tenant's lecture"; then fail "another tenant's event was shown"; fi
ok "another tenant's event is not shown"

# a failure, with its reason
"$ZPUB" run "$B" >"$T/runB.out" 2>&1 || true
tui_wait "Failed: 'Silent seminar' (#$B): " 30
tui_screen | grep -F "Failed: 'Silent seminar'" | grep -qi "silent" || fail "no reason: $(tui_screen | tail -3)"
ok "FAILED appears with its reason"

# an event with no recording: an account that needs signing in again
python3 - "$ZPUB_HOME/zpub.db" <<'PY'
import json, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
tid = db.execute("SELECT id FROM tenants WHERE name = 'default'").fetchone()[0]
body = json.dumps({"id": "e-reauth", "event": "reauth_needed", "tenant": "default",
                   "reason": "YouTube account 'lectures' was revoked"})
db.execute("INSERT INTO notify_events (event_id, event, tenant_id, recording_id, body, created_at)"
           " VALUES ('e-reauth', 'reauth_needed', ?, NULL, ?, ?)", (tid, body, int(time.time() * 1000)))
db.commit()
PY
tui_wait "Sign in again: YouTube account 'lectures' was revoked" 15
ok "an account event (reauth_needed) appears too"

tui_keys Q
tui_wait "ZPUB-EXITED 0"
