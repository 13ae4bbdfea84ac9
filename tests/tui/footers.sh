# Polish of the terminal app at the smallest size it is made for (80x24):
# every screen's footer shows `?` (help), `q` and `Q` whatever its own keys;
# a long error cut with "…" reads whole in the viewer (E); a lease shows
# as a time of day with how far away it is, never raw milliseconds; a job
# whose next run is past is marked overdue; a message clears on the next
# key; Q with a run going says the run goes on and how to watch it.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/lib/tui.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 0; }

"$ZPUB" list >/dev/null
ERR="the transcription service refused the audio of this lecture because the account ran out of credit at the start of the month; add credit or choose another provider, then retry: END-OF-THE-ERROR"
FAILED=$(fixture add "Упавшая лекция" 60000 FAILED)
ID=$(fixture add "Лекция с субтитрами" 600000 TRANSCRIBED)
fixture subs "$ID" "$ZPUB_HOME/media/default/$ID"
fixture topics "$ID" "$ZPUB_HOME/media/default/$ID"
LEASE=$(( $(date +%s) * 1000 + 185000 ))
sqlite3 "$ZPUB_HOME/zpub.db" "UPDATE recordings SET detail='$ERR' WHERE id=$FAILED;
  UPDATE recordings SET lease_owner='tester@host:4242', lease_until=$LEASE WHERE id=$ID;
  INSERT INTO jobs (tenant_id, name, schedule, next_run_at, created_at, enabled)
    VALUES (1, 'late-job', 'every 10m', $(( ($(date +%s) - 3600) * 1000 )), 0, 1);
  INSERT INTO jobs (tenant_id, name, schedule, next_run_at, created_at, enabled)
    VALUES (1, 'future-job', 'every 10m', $(( ($(date +%s) + 3600) * 1000 )), 0, 1);"

tui_start 80 24
tui_wait "1–2 of 2"

footer_ok() { # footer_ok SCREEN-NAME — the title names it, the last line has ? q Q
	local name=$1 last
	tui_wait " · $name"
	last=$(tui_screen | tail -1)
	echo "$last" | grep -qF "? help" || fail "footer_has_help: '$name' footer lacks '? help': $last"
	echo "$last" | grep -qF "q back" || fail "footer_has_help: '$name' footer lacks 'q back': $last"
	echo "$last" | grep -qF "Q quit" || fail "footer_has_help: '$name' footer lacks 'Q quit': $last"
}
footer_ok recordings
tui_keys G                      # the older one (the fixture's ids go up with the time)
tui_keys g
tui_keys "?"
footer_ok help
tui_keys q
for k in M A J; do
	tui_keys "$k"
	case $k in M) footer_ok templates ;; A) footer_ok accounts ;; J) footer_ok "jobs and usage" ;; esac
	tui_keys q
	tui_wait " · recordings"
done
# The recording with subtitles and topics, and the screens under it.
tui_keys /
tui_type "субтитр"
tui_keys Enter
tui_wait "1–1 of 1"
tui_keys Enter
footer_ok recording
for k in t S L I W; do
	tui_keys "$k"
	case $k in t) footer_ok topics ;; S) footer_ok subtitles ;; L) footer_ok timeline ;;
	I) footer_ok thumbnails ;; W) footer_ok transcript ;; esac
	tui_keys q
	tui_wait " · recording"
done
ok "footer_has_help: ? help, q back and Q quit in every screen's footer at 80x24"

# The lease of the recording under work: a time of day and how far away.
tui_wait "lease until "
line=$(tui_screen | grep -F "lease until")
echo "$line" | grep -qE "lease until [0-9]{2}:[0-9]{2} \(in [0-9]+ (min|s)\)" ||
	fail "lease_shown_human: $line"
echo "$line" | grep -qF "$LEASE" && fail "lease_shown_human: raw milliseconds: $line"
ok "lease_shown_human: $line"
tui_keys q
tui_wait "1–1 of 1"
tui_keys Escape
tui_wait "1–2 of 2"

# The failed one: its error is cut on the line; E shows it whole, from
# the browser's row and from the recording screen's status line.
tui_keys G E
tui_wait " · full text"
tui_wait "END-OF-THE-ERROR"
tui_keys q
tui_wait "1–2 of 2"
tui_keys Enter
tui_wait "#$FAILED  Упавшая лекция"
tui_screen | grep -qF "END-OF-THE-ERROR" && fail "viewer: the error was not cut at 80 columns"
tui_keys j E
tui_wait " · full text"
tui_wait "END-OF-THE-ERROR"
tui_wait "credit at the start of the month"
footer_ok "full text"
ok "viewer_shows_whole_error: E on the cut status line shows the error to its end"
tui_keys q
tui_wait "#$FAILED  Упавшая лекция"
tui_keys q
tui_wait "1–2 of 2"

# Jobs: the one whose next run is an hour past is overdue, the other not.
tui_keys J
tui_wait "late-job"
tui_screen | grep -F "late-job" | grep -qF "overdue" || fail "job_overdue_marked: $(tui_screen | grep late-job)"
tui_screen | grep -F "future-job" | grep -qF "overdue" && fail "job_overdue_marked: the future one too"
ok "job_overdue_marked: a job an hour late says overdue, one due later does not"
tui_keys q
tui_wait "1–2 of 2"

# Messages clear on the next key: a refused filter says so, then j hides it.
tui_keys f
tui_type "zz"
tui_keys Enter
tui_wait "no status or group begins “zz”"
tui_keys j
tui_gone "no status or group begins"
ok "message_clears_on_next_key"

# Q while something runs (an import of a big file): the app says it goes on
# and how to watch it.
truncate -s 400M "$T/big.mp4"
tui_keys c
tui_type "$T/big.mp4"
tui_keys Enter Q
tui_wait "ZPUB-EXITED 0"
tui_wait "1 run goes on in the background"
tui_screen | grep -qF "watch with 'zpub status'" || fail "quit_says_run_goes_on: $(tui_screen | tail -5)"
ok "quit_says_run_goes_on: Q during a run says it goes on and how to watch it"
