# api_errors.sh — the control API's error answers as a client sees them:
# every status line carries its standard reason phrase (401 Unauthorized,
# not a made-up word), every error body is the API's JSON shape {"error":
# ...} (a body over api.max_request_bytes too), and /openapi.json names
# the address the daemon really listens on, port included.
. "$ZPUB_SRC/tests/lib/e2e.sh"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
"$ZPUB" config set api.max_request_bytes 4096 >/dev/null
"$ZPUB" config set api.rate_per_minute 1000 >/dev/null
expect_rc 0 "$ZPUB" user add olga --role owner
expect_rc 0 "$ZPUB" user token olga; tok=$OUT
expect_rc 0 "$ZPUB" user add vera --role viewer
expect_rc 0 "$ZPUB" user token vera; vtok=$OUT
"$ZPUB" --daemon --foreground --listen 127.0.0.1:$port 2>"$T/daemon.log" &
dpid=$!
trap 'kill -9 $dpid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do grep -q "control API on" "$T/daemon.log" && break; sleep 0.1; done
grep -q "control API on $base/" "$T/daemon.log" || fail "API not up: $(cat "$T/daemon.log")"

# status line and body of one request: check CODE PHRASE curl-args...
check() {
	want_code=$1 want_text=$2; shift 2
	curl -s -i --max-time 10 "$@" >"$T/resp" || true
	line=$(head -n 1 "$T/resp" | tr -d '\r')
	[ "$line" = "HTTP/1.1 $want_code $want_text" ] || fail "$*: status line '$line', want '$want_code $want_text'"
	grep -qi '^content-type: application/json' "$T/resp" || fail "$*: not JSON: $(cat "$T/resp")"
	sed '1,/^\r\{0,1\}$/d' "$T/resp" | python3 -c 'import json,sys; e=json.load(sys.stdin)["error"]; assert isinstance(e,str) and e' \
	    || fail "$*: body is not the API's JSON error: $(cat "$T/resp")"
	ok "$want_code $want_text"
}
check 401 Unauthorized "$base/recordings"
check 401 Unauthorized -H "Authorization: Bearer nope" "$base/recordings"
check 403 Forbidden -X POST -H "Authorization: Bearer $vtok" -H 'Content-Type: application/json' \
    --data '{"name":"x","match":{}}' "$base/templates"
check 404 "Not Found" -H "Authorization: Bearer $tok" "$base/nope"
check 404 "Not Found" -H "Authorization: Bearer $tok" "$base/recordings/999999"
check 405 "Method Not Allowed" -X DELETE "$base/health"
check 400 "Bad Request" -X POST -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
    --data '{not json' "$base/templates"
check 421 "Misdirected Request" -H "Host: evil.example" "$base/health"
python3 -c 'print("{\"name\": \"" + "x" * 8000 + "\"}")' >"$T/big.json"
check 413 "Content Too Large" -X POST -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
    -H 'Expect:' --data-binary @"$T/big.json" "$base/templates"

# the OpenAPI document's server is the address the daemon listens on
curl -s --max-time 10 "$base/openapi.json" >"$T/openapi.json"
url=$(jget servers.0.url <"$T/openapi.json")
[ "$url" = "$base" ] || fail "openapi servers[0].url is '$url', want '$base'"
ok "openapi servers[0].url $url"
