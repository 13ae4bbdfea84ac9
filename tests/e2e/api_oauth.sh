#!/bin/bash
# api_oauth.sh — the headless sign-in through the control API against the
# Google fake, with api.public_url set to a name the daemon only reaches
# through a "reverse proxy" (curl --resolve: the Host header carries the
# public name, which the listener accepts; any other name is still 421).
# POST /accounts/youtube/start answers the authorization URL whose redirect
# is public_url + /oauth/callback; the test plays the browser: the fake
# sends it back with code and state; a forged state is refused and saves
# nothing, the real one connects the account (GET /accounts lists it with
# no token in it; DELETE revokes the very refresh token the exchange got at
# the fake), a replayed or expired state is refused, a sign-in survives a
# daemon restart between start and callback, the provider's error text is
# escaped on the page, a viewer cannot start or revoke, and tenant B sees
# none of tenant A's accounts and cannot revoke them.
. "$ZPUB_SRC/tests/fakes/net_e2e_lib.sh"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PUB="http://zpub.test:$port"
start_fake fake_google G
start_fake fake_vk V
start_fake fake_zoom Z --dir "$T/zoom" --months 1 --per-month 1 --redirect-uri "$PUB/oauth/callback"
configure_google "$G"
configure_vk "$V"
"$ZPUB" config set providers.zoom.oauth_base "$Z" >/dev/null
"$ZPUB" config set providers.zoom.api_base "$Z/v2" >/dev/null
"$ZPUB" config set providers.zoom.client_id zoom-client >/dev/null
printf 'zoom-secret' | "$ZPUB" secret set zoom.client_secret >/dev/null
"$ZPUB" config set api.public_url "$PUB" >/dev/null
"$ZPUB" config set api.rate_per_minute 1000 >/dev/null
fake_faults "$G" "{\"redirect_uris\": [\"$PUB/oauth/callback\"]}"
fake_faults "$V" "{\"redirect_uris\": [\"$PUB/oauth/callback\"]}"
"$ZPUB" config set api.public_url "ftp://zpub.test" >/dev/null 2>&1 && fail "an ftp:// public_url was accepted"

"$ZPUB" user add olga --role owner >/dev/null
"$ZPUB" user token olga >"$T/tok.olga"
"$ZPUB" user add vera --role viewer >/dev/null
"$ZPUB" user token vera >"$T/tok.vera"
"$ZPUB" tenant add physics >/dev/null
"$ZPUB" --tenant physics user add boris --role owner >/dev/null
"$ZPUB" --tenant physics user token boris >"$T/tok.boris"
printf 'g-client-secret' | "$ZPUB" --tenant physics secret set google.client_secret >/dev/null

DPID=
start_daemon() {
	: >"$T/daemon.log"
	"$ZPUB" --daemon --foreground --listen 127.0.0.1:$port 2>"$T/daemon.log" &
	DPID=$!
	NET_PIDS+=($DPID)
	local i
	for i in $(seq 1 100); do grep -q "control API on" "$T/daemon.log" && break; sleep 0.1; done
	grep -q "control API on" "$T/daemon.log" || fail "API not up: $(cat "$T/daemon.log")"
}
stop_daemon() { kill "$DPID" 2>/dev/null || true; wait "$DPID" 2>/dev/null || true; }

# req WHO METHOD PATH [BODY]: through the public name; body in $T/body, prints the status.
req() {
	local who=$1 m=$2 path=$3 data=${4-}
	local args=(-s --max-time 20 --resolve "zpub.test:$port:127.0.0.1" -o "$T/body" -w '%{http_code}' -X "$m")
	[ "$who" = - ] || args+=(-H "Authorization: Bearer $(cat "$T/tok.$who")")
	[ -z "$data" ] || args+=(-H 'Content-Type: application/json' --data-binary "$data")
	curl "${args[@]}" "$PUB$path"
}
# browse URL: a GET of a callback address through the public name.
browse() { curl -s --max-time 30 --resolve "zpub.test:$port:127.0.0.1" -o "$T/page.html" -w '%{http_code}' "$1"; }
# authorize: follows $T/body's authorization_url at the fake, prints where it sends the browser.
authorize() {
	local url
	url=$(json 'j["authorization_url"]' <"$T/body")
	curl -s -o /dev/null -w '%{redirect_url}' "$url"
}
accounts() { req "$1" GET /accounts >/dev/null; json 'sorted((a["provider"], a["name"] or "") for a in j["accounts"])' <"$T/body"; }

start_daemon

# --- the listener answers the public name, and still no other -----------------
[ "$(req - GET /health)" = 200 ] || fail "/health through the public name: $(cat "$T/body")"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: evil.test:$port" "http://127.0.0.1:$port/health")
[ "$code" = 421 ] || fail "a foreign Host answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: zpub.test.evil:$port" "http://127.0.0.1:$port/health")
[ "$code" = 421 ] || fail "a Host extending the public name answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: zpub.test:1" "http://127.0.0.1:$port/health")
[ "$code" = 421 ] || fail "the public name with a wrong port answered $code"
req - GET /openapi.json >/dev/null
[ "$(json 'j["servers"][0]["url"]' <"$T/body")" = "$PUB" ] || fail "servers[0] is not api.public_url"

# --- who may start ---------------------------------------------------------------
[ "$(req vera POST /accounts/youtube/start)" = 403 ] || fail "a viewer started a sign-in"
[ "$(req - POST /accounts/youtube/start)" = 401 ] || fail "a sign-in started without a token"
[ "$(req olga POST /accounts/myspace/start)" = 404 ] || fail "unknown provider: $(cat "$T/body")"
[ "$(req olga POST /accounts/youtube/start '{"name": "../x"}')" = 400 ] || fail "bad account name accepted"
[ "$(req olga POST /accounts/youtube/start '{"nmae": "x"}')" = 400 ] || fail "unknown field accepted"
[ "$(req olga POST /accounts/youtube/start '{"name": ')" = 400 ] || fail "bad JSON accepted"

# --- start, a forged state, the real callback --------------------------------------
[ "$(req olga POST /accounts/youtube/start)" = 200 ] || fail "start: $(cat "$T/body")"
[ "$(json 'j["redirect_uri"]' <"$T/body")" = "$PUB/oauth/callback" ] || fail "redirect: $(cat "$T/body")"
case "$(json 'j["authorization_url"]' <"$T/body")" in
"$G/o/oauth2/v2/auth?"*state=*code_challenge_method=S256*) ;;
*) fail "authorization URL: $(cat "$T/body")" ;;
esac
LOC=$(authorize)
case "$LOC" in "$PUB/oauth/callback?"*code=*) ;; *) fail "the fake did not send the browser to /oauth/callback: $LOC" ;; esac
FORGED=$(printf '%s' "$LOC" | sed 's/state=[^&]*/state=forged-state-0123456789/')
[ "$(browse "$FORGED")" = 400 ] || fail "a forged state was not refused"
grep -q 'unknown' "$T/page.html" || fail "forged page: $(cat "$T/page.html")"
[ "$(browse "$PUB/oauth/callback")" = 400 ] || fail "a callback without a state was not refused"
[ "$(accounts olga)" = "[]" ] || fail "a forged callback saved an account"
[ "$(browse "$LOC")" = 200 ] || fail "the real callback: $(cat "$T/page.html")"
grep -q 'is connected' "$T/page.html" || fail "no confirmation: $(cat "$T/page.html")"
[ "$(accounts vera)" = "[('youtube', '')]" ] || fail "GET /accounts: $(cat "$T/body")"
[ "$(json 'j["accounts"][0]["state"]' <"$T/body")" = ok ] || fail "state: $(cat "$T/body")"
fake_state "$G" >"$T/g.json"
for tok in $(json '" ".join(j["issued_tokens"])' <"$T/g.json"); do
	grep -qF "$tok" "$T/body" && fail "GET /accounts shows a token"
	grep -qaF "$tok" "$ZPUB_HOME/zpub.db" "$ZPUB_HOME/zpub.db-wal" 2>/dev/null && fail "a token is stored in the clear"
done
[ "$(json 'all(r["has_secret"] and r["has_verifier"] for r in j["token_requests"])' <"$T/g.json")" = True ] \
	|| fail "the exchange lacked the client secret or the PKCE verifier"
"$ZPUB" auth list | grep -q '^youtube *ok' || fail "zpub auth list does not see the account"
ntok=$(json 'len(j["token_requests"])' <"$T/g.json")

# --- a replayed state: refused, nothing exchanged -------------------------------------
[ "$(browse "$LOC")" = 400 ] || fail "a replayed state was not refused"
[ "$(fake_state "$G" | json 'len(j["token_requests"])')" = "$ntok" ] || fail "a replay reached the token endpoint"

# --- a named account, started before a restart and finished after it --------------------
[ "$(req olga POST /accounts/google/start '{"name": "physics-ch"}')" = 200 ] || fail "named start: $(cat "$T/body")"
LOC2=$(authorize)
stop_daemon
start_daemon
[ "$(browse "$LOC2")" = 200 ] || fail "a sign-in across a restart: $(cat "$T/page.html")"
grep -q 'physics-ch' "$T/page.html" || fail "the page does not name the account"
[ "$(accounts olga)" = "[('youtube', ''), ('youtube', 'physics-ch')]" ] || fail "named: $(cat "$T/body")"

# --- VK ID (the callback's device_id goes with the code); its user id is the identity ---
[ "$(req olga POST /accounts/vk/start '{"name": "club"}')" = 200 ] || fail "vk start: $(cat "$T/body")"
[ "$(browse "$(authorize)")" = 200 ] || fail "vk sign-in: $(cat "$T/page.html")"
req olga GET /accounts >/dev/null
[ "$(json '[a["identity"] for a in j["accounts"] if a["provider"] == "vk"]' <"$T/body")" = "['1234567']" ] \
	|| fail "vk identity: $(cat "$T/body")"
[ "$(fake_state "$V" | json '[r["has_device_id"] for r in j["token_requests"]]')" = "[True]" ] \
	|| fail "the VK exchange lacked the device id"
[ "$(req olga DELETE /accounts/vk/club)" = 200 ] || fail "vk revoke: $(cat "$T/body")"

# --- Zoom (a user's own sign-in, exchanged by the Zoom client), then used by sync ---------
[ "$(req olga POST /accounts/zoom/start '{"name": "lect"}')" = 200 ] || fail "zoom start: $(cat "$T/body")"
[ "$(browse "$(authorize)")" = 200 ] || fail "zoom sign-in: $(cat "$T/page.html")"
grep -q 'Zoom account lect is connected' "$T/page.html" || fail "zoom page: $(cat "$T/page.html")"
accounts olga | grep -q "('zoom', 'lect')" || fail "zoom not listed: $(cat "$T/body")"
"$ZPUB" sync zoom --as lect --from 2026-10-01 --to 2026-10-31 --dry-run >"$T/sync.out" 2>&1 \
	|| fail "the Zoom account connected through the API does not work: $(cat "$T/sync.out")"
[ "$(req olga DELETE /accounts/zoom/lect)" = 200 ] || fail "zoom revoke: $(cat "$T/body")"
accounts olga | grep -q zoom && fail "zoom still listed after revoke"

# --- an expired state ----------------------------------------------------------------------
[ "$(req olga POST /accounts/youtube/start '{"name": "late"}')" = 200 ] || fail "start: $(cat "$T/body")"
LOC3=$(authorize)
python3 -c 'import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); d.execute("UPDATE oauth_pending SET expires_at = 1"); d.commit()' "$ZPUB_HOME/zpub.db"
[ "$(browse "$LOC3")" = 400 ] || fail "an expired state was not refused"
grep -q 'expired' "$T/page.html" || fail "expired page: $(cat "$T/page.html")"
accounts olga | grep -q late && fail "an expired sign-in saved an account"

# --- the provider's error, escaped ----------------------------------------------------------
[ "$(req olga POST /accounts/youtube/start '{"name": "denied"}')" = 200 ] || fail "start: $(cat "$T/body")"
ST=$(json 'j["authorization_url"]' <"$T/body" | sed 's/.*[?&]state=\([^&]*\).*/\1/')
[ "$(browse "$PUB/oauth/callback?state=$ST&error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E")" = 400 ] \
	|| fail "a provider error was not a 400 page"
grep -q 'access_denied' "$T/page.html" || fail "the page does not say the provider's error"
grep -q '<script>' "$T/page.html" && fail "the provider's text is not escaped"
grep -q '&lt;script&gt;' "$T/page.html" || fail "escaped text missing: $(cat "$T/page.html")"
accounts olga | grep -q denied && fail "a refused sign-in saved an account"

# --- tenant B ---------------------------------------------------------------------------------
[ "$(accounts boris)" = "[]" ] || fail "tenant B sees tenant A's accounts: $(cat "$T/body")"
[ "$(req boris DELETE /accounts/youtube)" = 404 ] || fail "tenant B revoked tenant A's account"
[ "$(req boris POST /accounts/youtube/start)" = 200 ] || fail "B start: $(cat "$T/body")"
[ "$(browse "$(authorize)")" = 200 ] || fail "B's sign-in: $(cat "$T/page.html")"
[ "$(accounts boris)" = "[('youtube', '')]" ] || fail "B: $(cat "$T/body")"
[ "$(accounts olga)" = "[('youtube', ''), ('youtube', 'physics-ch')]" ] || fail "A after B: $(cat "$T/body")"

# --- revoke -------------------------------------------------------------------------------------
[ "$(req vera DELETE /accounts/youtube)" = 403 ] || fail "a viewer revoked"
fake_state "$G" >"$T/g.json"
RT=$(json '[r for r in j["issued_tokens"] if r.startswith("1//")]' <"$T/g.json")
[ "$(req olga DELETE /accounts/youtube)" = 200 ] || fail "revoke: $(cat "$T/body")"
[ "$(json 'j["revoked_at_provider"]' <"$T/body")" = True ] || fail "not revoked at Google: $(cat "$T/body")"
fake_state "$G" | json 'j["revoked"]' >"$T/revoked"
python3 -c 'import ast,sys; r=ast.literal_eval(open(sys.argv[1]).read()); rt=ast.literal_eval(sys.argv[2]); sys.exit(0 if len(r)==1 and r[0] in rt else 1)' \
	"$T/revoked" "$RT" || fail "the fake did not get one of its refresh tokens: $(cat "$T/revoked")"
[ "$(accounts olga)" = "[('youtube', 'physics-ch')]" ] || fail "after revoke: $(cat "$T/body")"
[ "$(req olga DELETE /accounts/youtube)" = 404 ] || fail "a second revoke: $(cat "$T/body")"
[ "$(req olga DELETE /accounts/youtube/physics-ch)" = 200 ] || fail "named revoke: $(cat "$T/body")"
[ "$(accounts olga)" = "[]" ] || fail "after the named revoke: $(cat "$T/body")"
[ "$(accounts boris)" = "[('youtube', '')]" ] || fail "A's revoke touched B: $(cat "$T/body")"

# --- the audit log ---------------------------------------------------------------------------------
req olga GET /audit >/dev/null
for a in auth.start auth.connect auth.revoke; do
	json '" ".join(r["action"] for r in j["audit"])' <"$T/body" | grep -q "$a" || fail "no $a in the audit log"
done
json '[r["actor"] for r in j["audit"] if r["action"] == "auth.connect"]' <"$T/body" | grep -q 'api:olga' \
	|| fail "auth.connect is not olga's: $(cat "$T/body")"
stop_daemon
echo "ok"
