#!/bin/bash
# auth_oauth_flow.sh — `zpub auth youtube|vk` end to end: the test plays the
# browser (follows the printed authorize URL on the fake and carries the
# redirect to zpub's loopback listener); a forged state is refused and
# logged as a possible CSRF while the real callback still works; tokens in
# the database are ciphertext only; list and revoke.
. "$ZPUB_SRC/tests/fakes/net_e2e_lib.sh"
net_require_command auth

start_fake fake_google G
start_fake fake_vk V
configure_google "$G"
configure_vk "$V"

# --- YouTube, with a forged callback first -------------------------------------
"$ZPUB" auth youtube --no-browser --timeout 30 >"$T/auth.out" 2>"$T/auth.err" &
AP=$!
for i in $(seq 200); do grep -q '^http' "$T/auth.out" 2>/dev/null && break; sleep 0.05; done
URL=$(grep '^http' "$T/auth.out" | head -n1)
[ "$(grep -c . "$T/auth.out")" = 1 ] || fail "the URL is not alone on stdout"
case "$URL" in "$G/o/oauth2/v2/auth?"*code_challenge_method=S256*) ;; *) fail "bad URL $URL";; esac
echo "$URL" | grep -q 'youtube.force-ssl' || fail "scope youtube.force-ssl missing"
LOC=$(curl -s -o /dev/null -w '%{redirect_url}' "$URL")
case "$LOC" in http://127.0.0.1:*/callback\?*) ;; *) fail "authorize did not redirect to loopback: $LOC";; esac
BAD=$(printf '%s' "$LOC" | sed 's/state=[^&]*/state=forged/')
code=$(curl -s -o /dev/null -w '%{http_code}' "$BAD")
[ "$code" = 400 ] || fail "forged state answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "${LOC%%/callback*}/other")
[ "$code" = 404 ] || fail "other path answered $code"
code=$(curl -s -o "$T/page.html" -w '%{http_code}' "$LOC")
[ "$code" = 200 ] || fail "real callback answered $code"
wait $AP || fail "zpub auth youtube failed: $(cat "$T/auth.err")"
grep -q 'CSRF' "$T/auth.err" || fail "the forged callback was not reported"
grep -q 'connected' "$T/page.html" || fail "no confirmation page"

# exchange carried the client secret and the PKCE verifier
fake_state "$G" >"$T/g.json"
[ "$(json 'all(r["has_secret"] and r["has_verifier"] for r in j["token_requests"])' <"$T/g.json")" = True ] \
	|| fail "token request without secret or verifier"

# --- VK ID: one go with curl -L -------------------------------------------------
sign_in vk

# --- tokens are ciphertext only ---------------------------------------------------
DB="$ZPUB_HOME/zpub.db"
for tok in $(json '" ".join(j["issued_tokens"])' <"$T/g.json") g-client-secret; do
	if grep -qaF "$tok" "$DB" "$DB-wal" 2>/dev/null; then fail "a token is stored in the clear"; fi
done
fake_state "$V" >"$T/v.json"

"$ZPUB" auth list >"$T/list.txt"
grep -q '^youtube *ok' "$T/list.txt" || fail "auth list: $(cat "$T/list.txt")"
grep -q '^vk *ok' "$T/list.txt" || fail "auth list: $(cat "$T/list.txt")"
"$ZPUB" auth list --json | json 'sorted(x["provider"] for x in j)' | grep -q "\['vk', 'youtube'\]" \
	|| fail "auth list --json"

# --- a wrong state alone times out and stores nothing new --------------------------
"$ZPUB" auth revoke youtube >/dev/null || fail "revoke"
"$ZPUB" auth list | grep -q '^youtube' && fail "youtube still listed after revoke"
"$ZPUB" auth youtube --no-browser --timeout 2 >"$T/auth2.out" 2>"$T/auth2.err" &
AP=$!
for i in $(seq 200); do grep -q '^http' "$T/auth2.out" 2>/dev/null && break; sleep 0.05; done
LOC=$(curl -s -o /dev/null -w '%{redirect_url}' "$(grep '^http' "$T/auth2.out")")
curl -s -o /dev/null "$(printf '%s' "$LOC" | sed 's/state=[^&]*/state=evil/')"
if wait $AP; then fail "auth succeeded with a forged state"; fi
"$ZPUB" auth list | grep -q '^youtube' && fail "a forged callback connected an account"
echo "ok"
