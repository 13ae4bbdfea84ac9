# admin_job_dry_run.sh — `zpub job` CRUD and schedules; `job run --dry-run`
# (and a job saved as dry-run) reports what would be imported, which
# template each file gets, what would be cut and published — and leaves the
# database, the media folder and the watch folder byte-identical.  A real
# run then imports exactly the reported files, once.
. "$ZPUB_SRC/tests/lib/e2e.sh"
sql() { python3 -c 'import sqlite3,sys
c=sqlite3.connect(sys.argv[1]); print("\n".join("|".join(str(x) for x in r) for r in c.execute(sys.argv[2])))' "$ZPUB_HOME/zpub.db" "$1"; }
snapshot() { # every file under the data folder and the watch folder, but the log
	(cd "$ZPUB_HOME" && find . -type f ! -name zpub.log -print0 | sort -z | xargs -0 sha256sum)
	(cd "$T/drop" && find . -print0 | sort -z | xargs -0 stat -c '%n %s %Y %i')
	python3 -c 'import sqlite3,sys
c=sqlite3.connect(sys.argv[1]); print("\n".join(c.iterdump()))' "$ZPUB_HOME/zpub.db"
}

mkdir -p "$T/drop"
make_mp4 "$T/drop/Лекция 1.mp4" 3
make_mp4 "$T/drop/Семинар.mp4" 2
make_mp4 "$T/drop/Лекция 2.mp4" 4
echo "not media" >"$T/drop/notes.txt"
touch -d '1 minute ago' "$T/drop/"*
# The operator lets jobs watch $T/drop.
"$ZPUB" config set jobs.watch_roots "{\"*\": [\"$T/drop\"]}" >/dev/null

# Schedules are checked when saved.
expect_rc 1 "$ZPUB" job add bad --schedule "61 * * * *" --source watch --path "$T/drop"
echo "$ERR" | grep -q "minute field" || fail "bad cron not explained: $ERR"
expect_rc 1 "$ZPUB" job add bad --schedule "every 5m" --source watch --path relative
expect_rc 1 "$ZPUB" job add bad --schedule "every 5m" --source ftp --path "$T/drop"
expect_rc 1 "$ZPUB" job add bad --schedule "every 5m" --source watch --path "$T/drop" --action dance
expect_rc 0 "$ZPUB" job add nightly --schedule "mon-fri 02:30" --source watch --path "$T/drop" \
	--pattern '*.mp4' --action publish --filters '{"title": "Лекция*"}'
[ "$(echo "$OUT" | jget schedule)" = "mon-fri 02:30" ] || fail "schedule: $OUT"
echo "$OUT" | jget next_run_at | grep -q "T..:30:00Z" || fail "next run not computed: $OUT"
expect_rc 0 "$ZPUB" job add cron --schedule "*/10 8-18 * * 1-5" --source watch --path "$T/drop"
expect_rc 0 "$ZPUB" job edit cron --schedule "@hourly" --disable
expect_rc 0 "$ZPUB" job show cron
[ "$(echo "$OUT" | jget enabled)" = "False" ] || fail "disable: $OUT"
expect_rc 0 "$ZPUB" job delete cron
expect_rc 1 "$ZPUB" job show cron
ok "jobs: add, edit, show, delete; bad schedules and settings refused"

expect_rc 0 "$ZPUB" template add lectures --match '{"title": "лекция*"}' \
	--processing '{"video": {"threshold_db": -33}}' --targets '{"folder": {}}'
# Settle the database (WAL checkpointed by the last close) before the snapshot.
expect_rc 0 "$ZPUB" list
snapshot >"$T/before"
expect_rc 0 "$ZPUB" job run nightly --dry-run --json
echo "$OUT" >"$T/report.json"
snapshot >"$T/after"
diff -u "$T/before" "$T/after" >&2 || fail "dry run changed something"
python3 - "$T/report.json" <<'PY' || fail "dry-run report: $(cat "$T/report.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["dry_run"] is True and r["would_import"] == 2 and r["filtered"] == 1, r
items = {i["title"]: i for i in r["items"]}
assert set(items) == {"Лекция 1", "Лекция 2", "Семинар"}, items.keys()
for t in ("Лекция 1", "Лекция 2"):
    assert items[t]["action"] == "import" and items[t]["template"] == "lectures"
    assert items[t]["cut"]["threshold_db"] == -33
    assert "folder" in items[t]["publish"]
    assert items[t]["duration_ms"] > 1000
assert items["Семинар"]["action"] == "filtered"
PY
ok "dry run lists imports, templates, cuts and targets and changes nothing (byte-identical)"

# A job saved as dry-run stays dry even without the flag.
expect_rc 0 "$ZPUB" job edit nightly --dry-run
expect_rc 0 "$ZPUB" list
snapshot >"$T/before2"
expect_rc 0 "$ZPUB" job run nightly
echo "$OUT" | grep -q "would import 2" || fail "dry job output: $OUT"
snapshot >"$T/after2"
# The edit itself changed the jobs row before the snapshot; the run changed nothing.
diff -u "$T/before2" "$T/after2" >&2 || fail "dry job changed something"
ok "a dry-run job changes nothing"

expect_rc 0 "$ZPUB" job edit nightly --no-dry-run
expect_rc 0 "$ZPUB" job run nightly --json
[ "$(echo "$OUT" | jget imported)" = 2 ] || fail "real run: $OUT"
[ "$(sql "SELECT COUNT(*) FROM recordings WHERE source='watch'")" = 2 ] || fail "not imported"
[ "$(sql "SELECT COUNT(*) FROM recordings r JOIN templates t ON t.id=r.template_id WHERE t.name='lectures'")" = 2 ] \
	|| fail "templates not applied on import"
expect_rc 0 "$ZPUB" job run nightly --json
[ "$(echo "$OUT" | jget imported)" = 0 ] || fail "second run imported again: $OUT"
[ "$(echo "$OUT" | jget existing)" = 2 ] || fail "second run: $OUT"
[ "$(sql "SELECT COUNT(*) FROM recordings")" = 2 ] || fail "duplicates"
expect_rc 0 "$ZPUB" job show nightly
echo "$OUT" | jget last_result | grep -q "imported 0, 2 existing" || fail "last_result: $OUT"
ok "a real run imports once; the next run finds them existing"

# A recording deleted here stays deleted though its file stays in the folder.
gone=$(sql "SELECT id FROM recordings WHERE source='watch' ORDER BY id LIMIT 1")
expect_rc 0 "$ZPUB" delete "$gone"
expect_rc 0 "$ZPUB" job run nightly --json
[ "$(echo "$OUT" | jget imported)" = 0 ] || fail "a deleted recording came back: $OUT"
[ "$(echo "$OUT" | jget forgotten)" = 1 ] || fail "the deleted file is not reported: $OUT"
[ "$(sql "SELECT COUNT(*) FROM recordings")" = 1 ] || fail "the watch job re-imported a deleted file"
ok "a watch job does not re-import a file whose recording was deleted here"
