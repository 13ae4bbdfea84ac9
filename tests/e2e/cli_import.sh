#!/usr/bin/env bash
# The import contract: real media comes in as DOWNLOADED recordings under
# their id (never their name); non-media, empty and missing files are refused
# with a sentence and store nothing; odd names (Cyrillic, spaces, emoji) work;
# the CLI's usage errors exit 2.
. "$ZPUB_SRC/tests/lib/e2e.sh"

make_mp4 "$T/talk.mp4" 3
expect_rc 0 "$ZPUB" import "$T/talk.mp4"
id=$OUT
[ "$id" = 1 ] || fail "first id is '$id'"
expect_rc 0 "$ZPUB" show "$id" --json
[ "$(echo "$OUT" | jget status)" = DOWNLOADED ] || fail "status"
[ "$(echo "$OUT" | jget title)" = talk ] || fail "title"
dur=$(echo "$OUT" | jget duration_ms)
[ "$dur" -ge 2900 ] && [ "$dur" -le 3100 ] || fail "duration $dur"
[ "$(echo "$OUT" | jget error)" = None ] || fail "error should be null"
[ "$(echo "$OUT" | jget artifacts.0.kind)" = source ] || fail "source artefact"
src=$(echo "$OUT" | jget artifacts.0.path)
[ "$src" = "$ZPUB_HOME/media/default/1/source.mp4" ] || fail "source path $src"
cmp "$src" "$T/talk.mp4" || fail "copy differs"
[ "$(echo "$OUT" | jget artifacts.0.sha256)" = "$(sha256sum "$T/talk.mp4" | cut -d' ' -f1)" ] \
	|| fail "checksum"
for k in id status title duration_ms error stages artifacts; do
	echo "$OUT" | python3 -c "import json,sys; assert '$k' in json.load(sys.stdin)" || fail "show lacks $k"
done
ok "real MP4 imported"

# Same content again: no second recording.
expect_rc 0 "$ZPUB" import "$T/talk.mp4"
[ "$OUT" = 1 ] || fail "re-import gave '$OUT'"
echo "$ERR" | grep -q "is already recording 1 (.talk.), imported 20" || fail "no note on re-import"

# Cyrillic, spaces and emoji in the name; the folder is the id.
name="$T/Лекция 3 — сортировка 🎓.mp4"
make_mp4 "$name" 2
expect_rc 0 "$ZPUB" import "$name"
id2=$OUT
expect_rc 0 "$ZPUB" show "$id2" --json
[ "$(echo "$OUT" | jget title)" = "Лекция 3 — сортировка 🎓" ] || fail "unicode title: $OUT"
[ -f "$ZPUB_HOME/media/default/$id2/source.mp4" ] || fail "unicode file not under its id"
expect_rc 0 "$ZPUB" list
echo "$OUT" | grep -q "Лекция 3 — сортировка 🎓" || fail "list lacks the title"
ok "unicode name"

# A template whose glob matches the Cyrillic title is applied at import.
expect_rc 0 "$ZPUB" template add lectures --match '{"title":"Лекция*"}' --processing '{"video":{"max_pause_ms":1500}}'
name2="$T/Лекция 4.mp4"
make_mp4 "$name2" 1
expect_rc 0 "$ZPUB" import "$name2"
id4=$OUT
expect_rc 0 "$ZPUB" show "$id4" --json
[ "$(echo "$OUT" | jget template_id)" != None ] || fail "no template applied at import: $OUT"
expect_rc 0 "$ZPUB" show 1 --json
[ "$(echo "$OUT" | jget template_id)" = None ] || fail "template applied to a non-matching title"
expect_rc 0 "$ZPUB" delete "$id4"
ok "template applied at import"

# Not media, empty, missing, a folder: refused, nothing stored.
printf 'This is a text file, not a lecture.\n%.0s' {1..200} > "$T/notes.mp4"
: > "$T/empty.mp4"
before=$(find "$ZPUB_HOME/media" -type f | wc -l)
expect_rc 1 "$ZPUB" import "$T/notes.mp4"
echo "$ERR" | grep -q "notes.mp4" || fail "message does not name the file: $ERR"
expect_rc 1 "$ZPUB" import "$T/empty.mp4"
echo "$ERR" | grep -q "empty (0 bytes)" || fail "empty: $ERR"
expect_rc 1 "$ZPUB" import "$T/nope.mp4"
echo "$ERR" | grep -q "nope.mp4" || fail "missing: $ERR"
expect_rc 1 "$ZPUB" import "$T"
after=$(find "$ZPUB_HOME/media" -type f | wc -l)
[ "$before" = "$after" ] || fail "refused imports left files"
expect_rc 0 "$ZPUB" status --json
[ "$(echo "$OUT" | jget total)" = 2 ] || fail "refused imports created recordings: $OUT"
[ "$(echo "$OUT" | jget counts.DOWNLOADED)" = 2 ] || fail "counts"
# One good and one bad in a batch: the good one lands, exit code says failure.
make_mp4 "$T/good2.mp4" 1
expect_rc 1 "$ZPUB" import "$T/good2.mp4" "$T/notes.mp4"
[ "$OUT" = 3 ] || fail "batch: $OUT"
ok "bad files refused"

# Folders and files are private.
[ "$(stat -c %a "$ZPUB_HOME")" = 700 ] || fail "home mode"
[ "$(stat -c %a "$ZPUB_HOME/media/default/1")" = 700 ] || fail "media dir mode"
[ "$(stat -c %a "$ZPUB_HOME/zpub.db")" = 600 ] || fail "db mode"
[ "$(stat -c %a "$ZPUB_HOME/media/default/1/source.mp4")" = 600 ] || fail "source mode"
ok "permissions"

# Usage errors exit 2 with a usage line; help works.
expect_rc 2 "$ZPUB" frobnicate
echo "$ERR" | grep -q "unknown command" || fail "unknown command message"
expect_rc 2 "$ZPUB" import
echo "$ERR" | grep -q "usage: zpub import" || fail "import usage"
expect_rc 2 "$ZPUB" show abc
expect_rc 2 "$ZPUB" list --status NOPE
expect_rc 2 "$ZPUB" run 1 --until BOGUS
expect_rc 2 "$ZPUB" --bogus-flag
expect_rc 0 "$ZPUB" --version
echo "$OUT" | grep -Eq '^zpub [0-9]+\.[0-9]+' || fail "version"
expect_rc 0 "$ZPUB" help import
echo "$OUT" | grep -q "usage: zpub import" || fail "help import"
expect_rc 2 "$ZPUB" help nosuch
expect_rc 1 "$ZPUB" show 999
echo "$ERR" | grep -q "no recording with id 999" || fail "missing id message"
ok "usage"

# Skip, un-skip, delete, journal.
expect_rc 0 "$ZPUB" skip 3
expect_rc 0 "$ZPUB" list --status SKIPPED --json
[ "$(echo "$OUT" | jget 0.id)" = 3 ] || fail "skip"
expect_rc 0 "$ZPUB" unskip 3
expect_rc 0 "$ZPUB" show 3 --json
[ "$(echo "$OUT" | jget status)" = DOWNLOADED ] || fail "unskip back to DOWNLOADED"
expect_rc 0 "$ZPUB" delete 3
[ ! -e "$ZPUB_HOME/media/default/3" ] || fail "delete left files"
expect_rc 1 "$ZPUB" show 3
expect_rc 0 "$ZPUB" journal 1 --json
echo "$OUT" | grep -q '"event":	"created"' || fail "journal: $OUT"
expect_rc 1 "$ZPUB" retry 1
echo "$ERR" | grep -q "is DOWNLOADED, not FAILED" || fail "retry of a healthy recording: $ERR"
ok "skip/unskip/delete/journal"
echo "cli_import: all passed"
