#!/usr/bin/env bash
# zoom_named.sh — a Zoom user account connected under a name (`zpub auth
# zoom --as lect`, the user's own sign-in, no account-wide app): `zpub sync
# zoom --as lect` lists through it, the recording remembers the account, and
# its download goes through the same account; the default account, never
# connected, still refuses with a sentence.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/fakes/fake_zoom.sh"

make_mp4 "$T/lecture.mp4" 4
zoom_fake_start "$T/zoom" --months 1 --per-month 1 --media "$T/lecture.mp4"
# A user's own sign-in: no account-wide (Server-to-Server) app.
"$ZPUB" config set providers.zoom.account_id '""' >/dev/null

"$ZPUB" auth zoom --as lect --no-browser --timeout 30 >"$T/auth.out" 2>"$T/auth.err" &
pid=$!
for _ in $(seq 200); do grep -q '^http' "$T/auth.out" 2>/dev/null && break; sleep 0.05; done
url=$(grep '^http' "$T/auth.out" | head -n1)
[ -n "$url" ] || fail "zpub auth zoom printed no URL: $(cat "$T/auth.err")"
[ "$(curl -sL -o /dev/null -w '%{http_code}' "$url")" = 200 ] || fail "sign-in did not complete"
wait "$pid" || fail "zpub auth zoom --as lect: $(cat "$T/auth.err")"
expect_rc 0 "$ZPUB" auth list --json
echo "$OUT" | python3 -c 'import json,sys; a=json.load(sys.stdin)
assert [(x["provider"], x["name"]) for x in a] == [("zoom", "lect")], a' || fail "auth list: $OUT"
ok "a Zoom account connected under a name"

expect_rc 1 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31
echo "$ERR" | grep -qi "zoom is not connected" || fail "the default account: $ERR"
expect_rc 0 "$ZPUB" sync zoom --as lect --from 2026-10-01 --to 2026-10-31 --json
id=$(echo "$OUT" | jget created.0.id)
expect_rc 0 "$ZPUB" run "$id" --until DOWNLOADED
"$ZPUB" show "$id" --json > "$T/show.json"
[ "$(jget status < "$T/show.json")" = DOWNLOADED ] || fail "status $(jget status < "$T/show.json")"
sqlite3 "$ZPUB_HOME/zpub.db" "SELECT source_meta FROM recordings WHERE id=$id" | grep -q '"zoom_account":"lect"' \
	|| fail "the recording does not remember its account"
ok "synced and downloaded through the named account; the default one refuses"
expect_rc 2 "$ZPUB" sync zoom --as ../x
ok "a name like ../x is refused"
echo "zoom_named: all passed"
