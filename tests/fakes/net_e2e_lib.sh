# net_e2e_lib.sh — shared by tests/e2e/auth_*.sh and publish_*.sh: starts the
# loopback fakes, points zpub's provider URLs at them, small assertions.
# Sourced, not run.  Needs ZPUB, ZPUB_SRC, ZPUB_TESTTMP (set by ctest).
set -euo pipefail
: "${ZPUB:?}" "${ZPUB_SRC:?}" "${ZPUB_TESTTMP:?}"
rm -rf "$ZPUB_TESTTMP"
mkdir -p "$ZPUB_TESTTMP"
export ZPUB_HOME="$ZPUB_TESTTMP/home"
T="$ZPUB_TESTTMP"
NET_PIDS=()

net_cleanup() {
	local p
	for p in "${NET_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
}
trap net_cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# The lead wires commands into src/cmd/cmd.h; until then there is nothing to test.
net_require_command() {
	if ! "$ZPUB" help "$1" >/dev/null 2>&1; then
		echo "SKIP: 'zpub $1' is not in the command table yet"
		exit 0
	fi
}

# start_fake NAME VAR [ARGS...]: starts tests/fakes/NAME.py, sets VAR to its base URL.
start_fake() {
	local name=$1 var=$2 pf="$T/$1.port"
	shift 2
	rm -f "$pf"
	python3 "$ZPUB_SRC/tests/fakes/$name.py" --port-file "$pf" "$@" >/dev/null 2>"$T/$name.log" &
	NET_PIDS+=($!)
	local i
	for i in $(seq 200); do
		[ -s "$pf" ] && break
		sleep 0.05
	done
	[ -s "$pf" ] || fail "$name did not start"
	printf -v "$var" 'http://127.0.0.1:%s' "$(cat "$pf")"
}

# json EXPR < file: evaluates a Python expression on the parsed JSON `j`.
json() {
	python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"
}

fake_state() { curl -sf "$1/_state"; }
fake_faults() { curl -sf -X POST -H 'Content-Type: application/json' -d "$2" "$1/_faults" >/dev/null; }

configure_google() {
	local g=$1
	"$ZPUB" config set providers.google.auth_url "$g/o/oauth2/v2/auth" >/dev/null
	"$ZPUB" config set providers.google.token_url "$g/token" >/dev/null
	"$ZPUB" config set providers.google.revoke_url "$g/revoke" >/dev/null
	"$ZPUB" config set providers.google.client_id "cid-123.apps.googleusercontent.com" >/dev/null
	"$ZPUB" config set providers.youtube.api_base "$g/youtube/v3" >/dev/null
	"$ZPUB" config set providers.youtube.upload_base "$g/upload/youtube/v3" >/dev/null
	printf 'g-client-secret' | "$ZPUB" secret set google.client_secret >/dev/null
}

configure_vk() {
	local v=$1
	"$ZPUB" config set providers.vk.oauth_base "$v" >/dev/null
	"$ZPUB" config set providers.vk.api_base "$v/method" >/dev/null
	"$ZPUB" config set providers.vk.client_id "51234567" >/dev/null
}

# sign_in PROVIDER [ARGS...]: runs `zpub auth PROVIDER --no-browser ARGS`
# (e.g. --as NAME) and plays the browser: follows the printed URL to the
# fake and on to the loopback listener.
sign_in() {
	local prov=$1 tag
	shift
	tag=$prov$(printf '%s' "$*" | tr -c 'A-Za-z0-9' _)
	local out="$T/auth-$tag.out" err="$T/auth-$tag.err" url i
	"$ZPUB" auth "$prov" --no-browser --timeout 30 "$@" >"$out" 2>"$err" &
	local pid=$!
	for i in $(seq 200); do
		grep -q '^http' "$out" 2>/dev/null && break
		sleep 0.05
	done
	url=$(grep '^http' "$out" | head -n1)
	[ -n "$url" ] || fail "zpub auth $prov printed no URL: $(cat "$err")"
	local code
	code=$(curl -sL -o "$T/page-$prov.html" -w '%{http_code}' "$url")
	[ "$code" = 200 ] || fail "sign-in page answered $code"
	wait "$pid" || fail "zpub auth $prov failed: $(cat "$err")"
}
