#!/usr/bin/env bash
# What a new user runs into first, one named check per rough edge: numbers
# on the command line are read by one parser with ranges, messages say
# what is needed, a dry run writes nothing, the CLI meters processing
# minutes like the daemon, online engines refuse without their key before
# anything runs, and the daemon leaves no pid file after a stop.
. "$ZPUB_SRC/tests/lib/e2e.sh"

db() { python3 -c 'import sqlite3,sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$ZPUB_HOME/zpub.db" "$1"; }

"$ZPUB" list >/dev/null    # creates the database

# ---- help --------------------------------------------------------------
expect_rc 0 "$ZPUB" help
echo "$OUT" | grep -q -- "--daemon" || fail "help_lists_daemon: $OUT"
echo "$OUT" | grep -q "terminal app" || fail "help_lists_terminal_app: $OUT"
expect_rc 0 "$ZPUB" help daemon
echo "$OUT" | grep -q -- "--daemon \[--foreground\]" || fail "help_daemon: $OUT"
expect_rc 0 "$ZPUB" help app
ok "help_lists_app_and_daemon: 'zpub help' names both, 'zpub help daemon' explains it"

# ---- numbers: one parser, with ranges ------------------------------------
expect_rc 2 "$ZPUB" retry 99999999999999999999999
echo "$ERR" | grep -q "9223372036854775807" && fail "retry_huge_id: answered about the largest id: $ERR"
echo "$ERR" | grep -q "not a recording id" || fail "retry_huge_id: $ERR"
ok "retry_huge_id_refused: no answer about id 9223372036854775807"

expect_rc 2 "$ZPUB" list --limit -1
echo "$ERR" | grep -q -- "--limit takes a whole number from 1 to" || fail "list_limit_negative: $ERR"
expect_rc 2 "$ZPUB" journal --limit 0
expect_rc 2 "$ZPUB" audit --limit abc
echo "$ERR" | grep -q -- "--limit takes a whole number" || fail "audit_limit_text: $ERR"
ok "limit_ranges: list/journal/audit --limit refuse -1, 0 and 'abc' naming the option"

expect_rc 2 "$ZPUB" tenant quota default --minutes 100000000000000000000
echo "$ERR" | grep -q -- "--minutes takes a whole number from 0 to 10000000" || fail "quota_minutes_range: $ERR"
expect_rc 2 "$ZPUB" tenant quota default --minutes 1e20
expect_rc 2 "$ZPUB" tenant quota default --storage 1e20
echo "$ERR" | grep -q -- "--storage takes a size" || fail "quota_storage_range: $ERR"
expect_rc 2 "$ZPUB" tenant quota default --retention-days 99999999
[ "$(db "SELECT coalesce(quota_minutes_month,0) FROM tenants WHERE name='default'")" = 0 ] ||
	fail "quota_minutes_range: an out-of-range quota was stored"
ok "quota_out_of_range_refused: minutes, storage and retention stay unset, the range is named"

expect_rc 0 "$ZPUB" tenant quota default --minutes 600
expect_rc 0 "$ZPUB" tenant quota default --concurrent 3
expect_rc 0 "$ZPUB" tenant show default
echo "$OUT" | grep -q "processing per month   600 minutes" || fail "quota_kept: $OUT"
expect_rc 0 "$ZPUB" audit
row=$(echo "$OUT" | grep "tenant.quota" | head -1)
echo "$row" | grep -q "concurrent=3" || fail "quota_audit_only_changes: $row"
echo "$row" | grep -Eq "storage|minutes|retention|=-1" && fail "quota_audit_only_changes: the row names fields that did not change: $row"
ok "quota_audit_only_changes: the audit row of --concurrent 3 names only concurrent"

expect_rc 2 timeout 10 "$ZPUB" auth youtube --no-browser --timeout -1
echo "$ERR" | grep -q -- "--timeout (seconds) takes a whole number from 1 to 3600" || fail "auth_timeout_negative: $ERR"
expect_rc 2 timeout 10 "$ZPUB" auth vk --no-browser --timeout abc
expect_rc 2 timeout 10 "$ZPUB" auth zoom --port 99999
echo "$ERR" | grep -q -- "--port takes a whole number from 0 to 65535" || fail "auth_port_range: $ERR"
ok "auth_timeout_and_port_refused: -1, abc and 99999 are usage errors, nothing waits"

expect_rc 2 "$ZPUB" analyse /dev/null --min-silence-ms -5
echo "$ERR" | grep -q -- "--min-silence-ms takes a whole number from 0 to" || fail "analyse_one_option: $ERR"
echo "$ERR" | head -1 | grep -q -- "window-ms\|keep-pause" && fail "analyse_one_option: blames other options: $ERR"
expect_rc 2 "$ZPUB" analyse /dev/null --max-pause-ms 100 --keep-pause-ms 500
echo "$ERR" | grep -q -- "--max-pause-ms (100) must be at least --keep-pause-ms (500)" || fail "analyse_pause_pair: $ERR"
ok "analyse_names_the_option: a bad --min-silence-ms is named alone, the pause pair with both values"

# ---- wording -------------------------------------------------------------
expect_rc 2 "$ZPUB" run
echo "$ERR" | grep -q "not both" && fail "run_no_args: $ERR"
echo "$ERR" | grep -q -- "by id.*--all" || fail "run_no_args: $ERR"
ok "run_without_ids_says_what_is_needed"

expect_rc 1 "$ZPUB" journal 999
echo "$ERR" | grep -q "no recording with id 999" || fail "journal_unknown_id: $ERR"
ok "journal_unknown_id_fails: non-zero with 'no recording with id 999'"

expect_rc 0 "$ZPUB" user add bob --role editor
expect_rc 1 "$ZPUB" user add bob --role editor
echo "$ERR" | grep -q "a user named 'bob' already exists" || fail "user_add_twice: $ERR"
echo "$ERR" | grep -q "role" && fail "user_add_twice blames the role: $ERR"
expect_rc 2 "$ZPUB" user add carol --role boss
ok "user_add_existing_names_the_user_not_the_role"

# ---- a real recording: metering, dry run, skip ---------------------------
id=$("$ZPUB" import "$ZPUB_SRC/assets/sample/lecture.mp4")
expect_rc 0 "$ZPUB" run "$id" --until PROCESSED
expect_rc 0 "$ZPUB" usage --json
mins=$(echo "$OUT" | python3 -c 'import json,sys
print(sum(r["amount"] for r in json.load(sys.stdin)["rows"] if r["kind"] == "processing_minutes"))')
python3 -c "import sys; sys.exit(0 if abs($mins - 1.0) < 0.01 else 1)" ||
	fail "cli_run_meters_minutes: $mins processing minutes for a 60 s recording: $OUT"
bytes=$(echo "$OUT" | jget storage_bytes.default)
[ "$bytes" -gt 100000 ] || fail "usage_json_keeps_bytes: $OUT"
expect_rc 0 "$ZPUB" usage
echo "$OUT" | grep -q "processing_minutes .* 1.0 min" || fail "usage_minutes_text: $OUT"
echo "$OUT" | grep -Eq "storage used now [0-9]+\.[0-9] MB" || fail "usage_storage_human: $OUT"
echo "$OUT" | grep -q "$bytes" && fail "usage_storage_human: raw bytes in the text: $OUT"
expect_rc 0 "$ZPUB" tenant show default
echo "$OUT" | grep -q "processed this month   1.0 minutes" || fail "tenant_show_minutes: $OUT"
echo "$OUT" | grep -Eq "storage used +[0-9]+\.[0-9] MB" || fail "tenant_show_storage_human: $OUT"
ok "cli_run_meters_minutes: 'zpub run' counts 1.0 min once; usage shows MB, --json keeps bytes"

expect_rc 1 "$ZPUB" publish "$id" --to dropbox --dry-run
echo "$ERR" | grep -qx "zpub: unknown publish target 'dropbox'; use youtube, vk or folder" ||
	fail "dry_run_unknown_target: $(echo "$ERR" | od -c | head -5)"
ok "dry_run_unknown_target_named: the message names 'dropbox' (no freed memory)"

expect_rc 0 "$ZPUB" publish "$id" --to folder --dry-run
echo "$OUT" | grep -q "nothing is sent" || fail "dry_run: $OUT"
[ "$(db "SELECT count(*) FROM publications")" = 0 ] ||
	fail "dry_run_writes_nothing: $(db "SELECT group_concat(platform||':'||state) FROM publications")"
ok "dry_run_writes_nothing: no publication row after publish --dry-run"

expect_rc 0 "$ZPUB" skip "$id"
expect_rc 0 "$ZPUB" skip "$id"
echo "$OUT" | grep -q "recording $id is already skipped" || fail "skip_twice: $OUT $ERR"
echo "$ERR" | grep -q "cannot go" && fail "skip_twice: $ERR"
expect_rc 0 "$ZPUB" unskip "$id"
ok "skip_twice_says_already_skipped"

# ---- online engines without their key ------------------------------------
# (loopback addresses only: nothing may be sent anyway)
"$ZPUB" config set providers.transcription.base_url http://127.0.0.1:9 >/dev/null
"$ZPUB" config set providers.chat.base_url http://127.0.0.1:9 >/dev/null
expect_rc 1 "$ZPUB" transcribe "$id" --engine openai-compatible
echo "$ERR" | grep -q "zpub secret set transcription" || fail "transcribe_needs_key: $ERR"
expect_rc 1 "$ZPUB" topics "$id" --engine openai-compatible
echo "$ERR" | grep -q "zpub secret set chat" || fail "topics_needs_key: $ERR"
[ "$(db "SELECT status FROM recordings WHERE id=$id")" = PROCESSED ] ||
	fail "online_engine_refused_up_front: the recording moved: $(db "SELECT status||' '||coalesce(detail,'') FROM recordings WHERE id=$id")"
ok "online_engine_refused_up_front: transcribe/topics name the secret to set, nothing ran"

# The same engine from the config: the stage refuses (no request without the
# key), run --all names the recording, the hint carries the real id.
"$ZPUB" config set processing.transcription.engine openai-compatible >/dev/null
expect_rc 1 "$ZPUB" run --all
echo "$ERR" | grep -q "^zpub: recording $id 'lecture': .*zpub secret set transcription" ||
	fail "run_all_names_the_recording: $ERR"
ok "run_all_names_the_recording: errors start with the id and title"
expect_rc 1 "$ZPUB" run "$id"
echo "$ERR" | grep -q "'zpub retry $id'" || fail "failure_hint_real_id: $ERR"
echo "$ERR" | grep -q "retry ID" && fail "failure_hint_real_id: literal ID: $ERR"
ok "failure_hint_has_the_real_id"
"$ZPUB" config set processing.transcription.engine auto >/dev/null

# ---- describe reads as a sentence ----------------------------------------
did=$(python3 "$ZPUB_SRC/tests/lib/tui_fixture.py" "$ZPUB_HOME/zpub.db" add "Described" 600000 TRANSCRIBED)
python3 "$ZPUB_SRC/tests/lib/tui_fixture.py" "$ZPUB_HOME/zpub.db" topics "$did" "$ZPUB_HOME/media/default/$did"
expect_rc 0 "$ZPUB" describe "$did"
echo "$OUT" | grep -q "^recording $did: " || fail "describe_output: $OUT"
ok "describe_output_names_the_recording: '$OUT'"

# ---- the daemon: a failure's log line names the recording; no pid file after a stop
D="$T/daemon"
mkdir -p "$D"
did=$("$ZPUB" --data-dir "$D" import "$ZPUB_SRC/assets/sample/lecture.mp4")
"$ZPUB" --data-dir "$D" config set processing.transcription.engine openai-compatible >/dev/null
"$ZPUB" --data-dir "$D" config set providers.transcription.base_url http://127.0.0.1:9 >/dev/null
"$ZPUB" --data-dir "$D" --daemon --foreground 2>"$T/daemon.err" &
dpid=$!
for _ in $(seq 1 600); do
	grep -q "recording $did 'lecture': transcribe:" "$T/daemon.err" && break
	kill -0 $dpid 2>/dev/null || break
	sleep 0.1
done
grep -q "recording $did 'lecture': transcribe: .*zpub secret set transcription" "$T/daemon.err" ||
	{ kill -TERM $dpid; fail "daemon_failure_names_the_recording: $(tail -5 "$T/daemon.err")"; }
ok "daemon_failure_names_the_recording"
[ -f "$D/zpub-daemon.pid" ] || { kill -TERM $dpid; fail "daemon_pid_file: none while running"; }
kill -TERM $dpid
wait $dpid || fail "daemon_clean_stop: exit $?"
[ -e "$D/zpub-daemon.pid" ] && fail "daemon_pid_file_removed: still there after a clean stop"
ok "daemon_pid_file_removed_on_clean_stop"

echo "rough_edges: all passed"
