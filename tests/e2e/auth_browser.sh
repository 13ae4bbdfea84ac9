#!/bin/bash
# auth_browser.sh — `zpub auth youtube` with a browser, as another local user
# would watch it: the browser (a fake xdg-open on PATH that records its
# command line, which /proc shows to everyone) gets only a loopback
# /start?k=NONCE address, no state, PKCE challenge or client id; that address
# answers once with a redirect to the provider carrying them, refuses a
# guessed nonce and a foreign Host; the page says "connected" only after the
# token exchange, and when the exchange fails it says so and nothing is saved.
. "$ZPUB_SRC/tests/fakes/net_e2e_lib.sh"
net_require_command auth

start_fake fake_google G
configure_google "$G"
mkdir -p "$T/bin"
cat >"$T/bin/xdg-open" <<EOF
#!/bin/sh
tr '\0' '\n' </proc/\$\$/cmdline >"$T/browser.cmdline"
printf '%s\n' "\$@" >"$T/browser.args"
EOF
chmod +x "$T/bin/xdg-open"

# auth_with_browser OUT_PREFIX: starts `zpub auth youtube`, waits for the fake
# browser; sets AP (the pid) and START (what the browser got).
auth_with_browser() {
	rm -f "$T/browser.args" "$T/browser.cmdline"
	PATH="$T/bin:$PATH" "$ZPUB" auth youtube --timeout 30 >"$T/$1.out" 2>"$T/$1.err" &
	AP=$!
	local i
	for i in $(seq 200); do [ -s "$T/browser.args" ] && break; sleep 0.05; done
	[ -s "$T/browser.args" ] || fail "the browser was not started: $(cat "$T/$1.err")"
	START=$(cat "$T/browser.args")
}

auth_with_browser ok
[ "$(grep -c . "$T/browser.args")" = 1 ] || fail "the browser got more than one argument"
case "$START" in http://127.0.0.1:*/start\?k=*) ;; *) fail "the browser got $START";; esac
for secret in state= code_challenge= client_id= "$G"; do
	if grep -qF "$secret" "$T/browser.cmdline"; then fail "'$secret' is in the browser's command line"; fi
done
echo "ok: the browser's command line holds only a loopback address"

code=$(curl -s -o "$T/rebind.json" -w '%{http_code}' -H 'Host: evil.example' "$START")
[ "$code" = 421 ] || fail "a foreign Host answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "${START%%k=*}k=guessed")
[ "$code" = 404 ] || fail "a guessed nonce answered $code"
code=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$START")
LOC=${code#* }
[ "${code%% *}" = 302 ] || fail "the start address answered $code"
case "$LOC" in "$G/o/oauth2/v2/auth?"*state=*code_challenge=*code_challenge_method=S256*) ;;
	*) fail "the start address did not redirect to the provider: $LOC";; esac
code=$(curl -s -o /dev/null -w '%{http_code}' "$START")
[ "$code" = 404 ] || fail "the start address worked twice ($code)"
echo "ok: the start address redirects once to the provider with state and challenge; guesses and foreign Hosts refused"

code=$(curl -sL -o "$T/page.html" -w '%{http_code}' "$LOC")
[ "$code" = 200 ] || fail "callback answered $code"
wait $AP || fail "zpub auth youtube failed: $(cat "$T/ok.err")"
grep -q 'YouTube (Google) is connected' "$T/page.html" || fail "no confirmation page: $(cat "$T/page.html")"
"$ZPUB" auth list | grep -q '^youtube *ok' || fail "not connected"
echo "ok: signed in through the browser"

# --- the token endpoint refuses: the page says so -----------------------------------------
"$ZPUB" auth revoke youtube >/dev/null || fail "revoke"
fake_faults "$G" '{"token_error": "invalid_client"}'
auth_with_browser bad
code=$(curl -sL -o "$T/page2.html" -w '%{http_code}' "$START")
[ "$code" = 502 ] || fail "a failed exchange answered $code: $(cat "$T/page2.html")"
if wait $AP; then fail "zpub auth succeeded although the token exchange failed"; fi
if grep -q 'connected' "$T/page2.html"; then fail "the page says connected: $(cat "$T/page2.html")"; fi
grep -q 'failed.*invalid_client' "$T/page2.html" || fail "the page does not say what failed: $(cat "$T/page2.html")"
grep -q 'invalid_client' "$T/bad.err" || fail "no reason on the terminal: $(cat "$T/bad.err")"
if "$ZPUB" auth list | grep -q '^youtube'; then fail "a failed exchange left an account"; fi
echo "ok: a failed token exchange: the page says what failed, nothing saved"
echo "ok"
