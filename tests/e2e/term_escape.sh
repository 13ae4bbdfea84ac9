#!/usr/bin/env bash
# term_escape.sh — names from outside never reach the terminal raw.  A
# recording title, template, job, tenant and user names, a watch-folder file
# name, a journal line and a service's error sentence carrying
# "ESC[2J ESC]0;pwn BEL" (clear the screen, retitle the terminal) and a C1
# CSI are printed by every listing as visible escapes ("\x1b"), while
# Cyrillic stays as it is.  --json output stays JSON.
. "$ZPUB_SRC/tests/lib/e2e.sh"
E=$'\x1b[2J\x1b]0;pwn\x07\xc2\x9b31m'
DB="$ZPUB_HOME/zpub.db"

# clean NAME CMD... — runs CMD (any exit code) and fails if its output holds
# ESC, BEL or a C1 control; keeps the output in $T/NAME.out.
clean() {
	local name=$1; shift
	set +e
	"$@" >"$T/$name.out" 2>&1
	set -e
	python3 - "$T/$name.out" "$name" <<'PY' || fail "$name printed a control: $(od -c "$T/$name.out" | head -20)"
import sys
b = open(sys.argv[1], "rb").read()
bad = [c for c in (b"\x1b", b"\x07", b"\xc2\x9b") if c in b]
sys.exit(1 if bad else 0)
PY
}
# has NAME TEXT — the output of NAME shows TEXT.
has() { grep -qF -- "$2" "$T/$1.out" || fail "$1 lacks '$2': $(cat "$T/$1.out")"; }

make_mp4 "$T/a.mp4" 2
expect_rc 0 "$ZPUB" import --title "Лекция 1 $E" "$T/a.mp4"
rec=$OUT
# A tenant name becomes a folder: controls are refused there, and the
# refusal quotes nothing raw.  One made by an older zpub is planted below.
expect_rc 2 "$ZPUB" tenant add "физика$E"
printf '%s' "$ERR" | grep -q "$(printf '\033')" && fail "tenant add echoed an escape: $ERR"
expect_rc 0 "$ZPUB" template add "шаблон$E" --match '{"title": "Лекция*"}' \
	--metadata "{\"description\": \"Курс $E\"}"
expect_rc 0 "$ZPUB" user add "олег$E" --role viewer
mkdir -p "$T/watch"
"$ZPUB" config set jobs.watch_roots "{\"*\": [\"$T/watch\"]}" >/dev/null
cp "$T/a.mp4" "$T/watch/Семинар$E.mp4"
expect_rc 0 "$ZPUB" job add "ночью$E" --schedule "every 1h" --source watch --path "$T/watch" --settle 0s
# What services and other processes leave in the store: an error sentence
# quoting a service's answer, a lease owner, a journal line, a usage row.
python3 - "$DB" "$rec" "$E" <<'PY'
import sqlite3, sys, time
db, rec, e = sqlite3.connect(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
now = int(time.time() * 1000)
db.execute("INSERT INTO tenants (name, created_at) VALUES (?, ?)", ("физика" + e, now))
db.execute("UPDATE recordings SET detail = ?, lease_owner = ?, lease_until = ? WHERE id = ?",
           ("YouTube said: " + e, "cli@host" + e, now + 3600_000, rec))
db.execute("INSERT INTO journal (recording_id, at, level, event, message) VALUES (?,?,?,?,?)",
           (rec, now, "warn", "publish", "VK answered 'Ошибка " + e + "'\n\xff"))
tid = db.execute("SELECT id FROM tenants WHERE name = 'default'").fetchone()[0]
db.execute("INSERT INTO usage (tenant_id, kind, provider, amount, cost, at) VALUES (?,?,?,?,?,?)",
           (tid, "transcription_minutes", "whisper" + e, 1.5, 0.01, now))
db.commit()
PY

clean list "$ZPUB" list;                 has list "Лекция 1 \x1b[2J\x1b]0;pwn\x07\u009b31m"
clean show "$ZPUB" show "$rec";          has show "YouTube said: \x1b[2J"
clean status "$ZPUB" status;             has status "tenant default"
clean journal "$ZPUB" journal "$rec";    has journal "VK answered 'Ошибка \x1b[2J"
clean tpl_list "$ZPUB" template list;    has tpl_list "шаблон\x1b[2J"
clean tpl_show "$ZPUB" template show "шаблон$E"; has tpl_show "Курс \u001b[2J"
clean tpl_test "$ZPUB" template test "шаблон$E"; has tpl_test "match  Лекция 1"
clean job_list "$ZPUB" job list;         has job_list "ночью\x1b[2J"
clean job_run "$ZPUB" job run "ночью$E" --dry-run; has job_run "Семинар"
clean tenant_list "$ZPUB" tenant list;   has tenant_list "физика\x1b[2J"
clean tenant_show "$ZPUB" tenant show "физика$E"; has tenant_show "физика\x1b[2J"
clean user_list "$ZPUB" user list;       has user_list "олег\x1b[2J"
clean audit "$ZPUB" audit;               has audit "шаблон\x1b[2J"
clean usage "$ZPUB" usage;               has usage "whisper\x1b[2J"
clean dry "$ZPUB" publish "$rec" --to folder --dry-run; has dry "title: Лекция 1 \x1b[2J"
# Errors printed by the CLI quote names from the store: escaped too.
clean busy "$ZPUB" delete "$rec";        has busy "being worked on by cli@host\x1b[2J"
clean verbose "$ZPUB" -v list
ok "every listing, the dry run, errors and -v logging print escapes, never raw controls"

# A log line stays one line with the control escaped.
python3 - "$ZPUB_HOME/zpub.log" <<'PY' || fail "the log holds raw controls"
import sys
b = open(sys.argv[1], "rb").read()
assert b"\x1b" not in b and b"\x07" not in b, b[-400:]
PY
# JSON is still JSON, with the real characters.
expect_rc 0 "$ZPUB" list --json
python3 -c 'import json,sys; v=json.load(sys.stdin); assert v[0]["title"].startswith("Лекция 1 \x1b[2J"), v' <<<"$OUT" \
	|| fail "list --json changed: $OUT"
ok "the log stays clean and --json keeps the real title"
echo "term_escape: all passed"
