#!/bin/bash
# auth_named.sh — two YouTube accounts (channels) connected under two names:
# `zpub auth list` shows both; two templates publish two recordings through
# different accounts ("account" in the target), each landing on its own
# channel; a target naming an account that is not connected fails with a
# sentence saying how to connect it; `auth revoke youtube --as NAME` forgets
# only that one; account names that could be paths are refused.
. "$ZPUB_SRC/tests/fakes/net_e2e_lib.sh"

start_fake fake_google G
configure_google "$G"
sign_in youtube --as physics
sign_in youtube --as math
"$ZPUB" auth list --json > "$T/list.json"
python3 - "$T/list.json" <<'PY' || fail "auth list: $(cat "$T/list.json")"
import json, sys
got = sorted((a["provider"], a["name"], a["state"]) for a in json.load(open(sys.argv[1])))
assert got == [("youtube", "math", "ok"), ("youtube", "physics", "ok")], got
PY
"$ZPUB" auth list | grep -q 'youtube *ok .* as physics$' || fail "auth list (text): $("$ZPUB" auth list)"
echo "ok: two named YouTube accounts connected"

"$ZPUB" config set publish.folder.path "$T/published" >/dev/null
"$ZPUB" template add physics --match '{"title": "Physics*"}' \
	--targets '{"youtube": {"account": "physics", "privacy": "unlisted"}}' >/dev/null
"$ZPUB" template add math --match '{"title": "Math*"}' \
	--targets '{"youtube": {"account": "math", "privacy": "unlisted"}}' >/dev/null
"$ZPUB" template add chem --match '{"title": "Chemistry*"}' \
	--targets '{"youtube": {"account": "chemistry"}}' >/dev/null
DB="$ZPUB_HOME/zpub.db"
ids=()
n=2
for t in "Physics 1" "Math 1" "Chemistry 1"; do
	n=$((n + 1))
	ffmpeg -v error -y -f lavfi -i "testsrc=s=320x180:r=25:d=$n" -f lavfi -i "sine=f=440:d=$n" \
		-c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest "$T/l$n.mp4"
	id=$("$ZPUB" import --title "$t" "$T/l$n.mp4" | tail -n1)
	sqlite3 "$DB" "UPDATE recordings SET status='TRANSCRIBED' WHERE id=$id"
	ids+=("$id")
done
"$ZPUB" publish "${ids[0]}" >"$T/p0.out" 2>"$T/p0.err" || fail "publish physics: $(cat "$T/p0.err")"
"$ZPUB" publish "${ids[1]}" >"$T/p1.out" 2>"$T/p1.err" || fail "publish math: $(cat "$T/p1.err")"
fake_state "$G" > "$T/g.json"
python3 - "$T/g.json" <<'PY' || fail "channels: $(cat "$T/g.json")"
import json, sys
v = json.load(open(sys.argv[1]))["videos"]
by = {x["snippet"]["title"]: x["snippet"]["channelId"] for x in v}
assert len(v) == 2, len(v)
# physics signed in first (channel 1), math second (channel 2)
assert by["Physics 1"] == "UCfakechannel0001", by
assert by["Math 1"] == "UCfakechannel0002", by
PY
echo "ok: each recording went out through its template's account"

if "$ZPUB" publish "${ids[2]}" >"$T/p2.out" 2>"$T/p2.err"; then fail "published through an account never connected"; fi
grep -q "zpub auth youtube --as chemistry" "$T/p2.err" || fail "no way forward named: $(cat "$T/p2.err")"
[ "$(fake_state "$G" | json 'len(j["videos"])')" = 2 ] || fail "a third video appeared"
echo "ok: an account that is not connected is named with the command that connects it"

"$ZPUB" auth revoke youtube --as math > "$T/rv.out" || fail "revoke --as math"
"$ZPUB" auth list --json | json '[a["name"] for a in j]' | grep -q "\['physics'\]" \
	|| fail "after revoke: $("$ZPUB" auth list)"
echo "ok: revoking one named account leaves the other"

for bad in ../x "a/b" ".hidden" "$(printf 'x%.0s' $(seq 41))" ""; do
	if "$ZPUB" auth youtube --as "$bad" --no-browser --timeout 1 >/dev/null 2>"$T/bad.err"; then
		fail "account name '$bad' accepted"
	fi
done
echo "ok: account names that could be paths are refused"
