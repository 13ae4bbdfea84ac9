#!/usr/bin/env bash
# publish_folder_links.sh — the folder target in a publish folder shared
# with other local users (mode 1777, like /tmp).  Another user plants
# symbolic links pointing at a folder outside: at the final name
# <root>/<id> and at the temporary name older zpub used (.<id>.tmp-<pid>,
# which this test can predict by exec'ing zpub from a shell whose pid it
# knows).  zpub never writes through them, never replaces or deletes them:
# with a link at the final name it refuses with a sentence; with one at the
# old temporary name it publishes beside it.  The folder outside is
# byte-identical afterwards.  When the test runs as root, zpub runs as
# 'nobody' and the links belong to root, as on a real shared machine.
. "$ZPUB_SRC/tests/lib/e2e.sh"
# A base every user can reach (the test folder's parents may be 0700).
B=$(mktemp -d /tmp/zpub-links.XXXXXX)
trap 'rm -rf "$B"' EXIT
chmod 755 "$B"
export ZPUB_HOME="$B/home"
SH="$B/shared"
OUTSIDE="$B/outside"
mkdir -p "$SH" "$OUTSIDE"
chmod 1777 "$SH"
printf 'precious\n' >"$OUTSIDE/metadata.json"
printf 'precious\n' >"$OUTSIDE/description.txt"
printf 'precious\n' >"$OUTSIDE/video.mp4"

make_mp4 "$B/a.mp4" 2
chmod 644 "$B/a.mp4"
expect_rc 0 "$ZPUB" import --title "Лекция" "$B/a.mp4"
ID=$OUT
sqlite3 "$ZPUB_HOME/zpub.db" "UPDATE recordings SET status='TRANSCRIBED' WHERE id=$ID"
expect_rc 0 "$ZPUB" config set publish.folder.path "$SH"

AS=()
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	# zpub is an ordinary user; the folder outside is its own (so a write
	# through a link would succeed); the links are another user's (root).
	chown -R nobody "$ZPUB_HOME" "$OUTSIDE"
	AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi
snapshot() { (cd "$OUTSIDE" && find . -printf '%p %s %y\n' | sort && sha256sum ./*); }
snapshot >"$T/outside.before"
outside_intact() {
	snapshot >"$T/outside.after"
	cmp -s "$T/outside.before" "$T/outside.after" \
		|| fail "$1: the folder outside changed: $(diff "$T/outside.before" "$T/outside.after")"
}
# publish_as_known_pid LINKNAME: plants LINKNAME (may hold PID) -> outside,
# then runs zpub publish with that very pid.
publish_as_known_pid() {
	set +e
	bash -c 'name=${1//PID/$$}; ln -s "$2" "$3/$name" || exit 99; shift 4; exec "$@"' \
		_ "$1" "$OUTSIDE" "$SH" -- "${AS[@]}" "$ZPUB" publish "$ID" --to folder \
		>"$T/out" 2>"$T/err"
	RC=$?
	set -e
	OUT=$(cat "$T/out"); ERR=$(cat "$T/err")
}

# --- a link at the final name: refused, the link stays, nothing written -------------
publish_as_known_pid "$ID"
[ "$RC" = 1 ] || fail "publishing over a link at $SH/$ID exited $RC: $OUT $ERR"
echo "$ERR" | grep -q "holds a symbolic link at $SH/$ID" || fail "no clear refusal: $ERR"
echo "$ERR" | grep -q "never writes through, replaces or deletes it" || fail "no clear refusal: $ERR"
[ -L "$SH/$ID" ] && [ "$(readlink "$SH/$ID")" = "$OUTSIDE" ] || fail "the planted link was replaced"
outside_intact "a link at the final name"
left=$(find "$SH" -mindepth 1 -maxdepth 1 ! -name "$ID")
[ -z "$left" ] || fail "a refused publication left $left"
expect_rc 0 "$ZPUB" show "$ID" --json
echo "$OUT" | grep -q "symbolic link" || fail "the recording does not say why: $OUT"
ok "a link at the final name: refused with a sentence, link kept, outside untouched"

# --- a link at the temporary name older zpub used: published beside it -------------
rm "$SH/$ID"
sqlite3 "$ZPUB_HOME/zpub.db" "UPDATE recordings SET status='TRANSCRIBED', lease_owner=NULL WHERE id=$ID"
sqlite3 "$ZPUB_HOME/zpub.db" "DELETE FROM publications WHERE recording_id=$ID"
publish_as_known_pid ".$ID.tmp-PID"
[ "$RC" = 0 ] || fail "publishing with a link at the old temporary name exited $RC: $OUT $ERR"
planted=$(find "$SH" -maxdepth 1 -type l -name ".$ID.tmp-*")
[ -n "$planted" ] && [ "$(readlink "$planted")" = "$OUTSIDE" ] || fail "the planted link was deleted"
[ -d "$SH/$ID" ] && [ ! -L "$SH/$ID" ] || fail "no publication at $SH/$ID"
cmp -s "$SH/$ID/video.mp4" "$ZPUB_HOME/media/default/$ID/source.mp4" || \
	cmp -s "$SH/$ID/video.mp4" "$B/a.mp4" || fail "the published video is not the recording's"
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); assert m["title"]=="Лекция", m' \
	"$SH/$ID/metadata.json" || fail "metadata.json"
outside_intact "a link at the old temporary name"
left=$(find "$SH" -mindepth 1 -maxdepth 1 ! -name "$ID" ! -name ".$ID.tmp-*")
[ -z "$left" ] || fail "temporary folders survive: $left"
[ "$(find "$SH" -mindepth 1 -maxdepth 1 -name ".$ID.tmp-*" | wc -l)" = 1 ] \
	|| fail "temporary folders survive: $(ls -la "$SH")"
ok "a link at the old temporary name: published beside it, link kept, outside untouched"

# --- publishing again swaps the folder; a link planted there later is refused -------
sqlite3 "$ZPUB_HOME/zpub.db" "UPDATE recordings SET status='TRANSCRIBED' WHERE id=$ID"
sqlite3 "$ZPUB_HOME/zpub.db" "DELETE FROM publications WHERE recording_id=$ID"
set +e; "${AS[@]}" "$ZPUB" publish "$ID" --to folder >"$T/out" 2>"$T/err"; RC=$?; set -e
[ "$RC" = 0 ] || fail "a second publication exited $RC: $(cat "$T/err")"
[ -f "$SH/$ID/metadata.json" ] || fail "the second publication is not complete"
outside_intact "a second publication"
ok "a second publication replaces our own folder"
echo "publish_folder_links: all passed"
