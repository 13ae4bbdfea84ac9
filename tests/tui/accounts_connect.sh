# "Connect" in the Accounts screen: the OAuth flow runs through the
# loopback listener (a `zpub auth` child) and the screen shows the URL to
# open; the test plays the browser against the fake Google and the row
# turns "connected".
. "$ZPUB_SRC/tests/fakes/net_e2e_lib.sh"
. "$ZPUB_SRC/tests/lib/tui.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 0; }
net_require_command auth
ok() { echo "ok: $*"; }

start_fake fake_google G
configure_google "$G"

tui_start 120 30
tui_wait "recordings"
tui_keys A
tui_wait "YouTube (Google account)"
tui_screen | grep -F "YouTube (Google account)" | grep -q "not connected" || fail "youtube row is not 'not connected'"
tui_keys Enter
tui_wait "Open this address in a browser"
# The URL is wrapped over several rows: join them back.
URL=$(tui_screen | awk '/Open this address/ {on=1; next} on && NF == 0 {exit} on {gsub(/^ +| +$/, ""); printf "%s", $0}')
case "$URL" in "$G/o/oauth2/v2/auth?"*code_challenge_method=S256*) ;; *) fail "bad URL on screen: $URL";; esac
LOC=$(curl -s -o /dev/null -w '%{redirect_url}' "$URL")
case "$LOC" in http://127.0.0.1:*/callback\?*) ;; *) fail "no redirect to the loopback listener: $LOC";; esac
code=$(curl -s -o /dev/null -w '%{http_code}' "$LOC")
[ "$code" = 200 ] || fail "callback answered $code"
i=0
until tui_screen | grep -F "YouTube (Google account)" | grep -q " connected"; do
	i=$((i + 1)); [ $i -lt 200 ] || { tui_screen >&2; fail "the row never turned connected"; }
	sleep 0.05
done
tui_gone "Open this address"
ok "connect showed the sign-in URL, the loopback listener took the answer, the row says connected"
# One more YouTube account, under a name: `c` (new) asks for it.
browse() { # plays the browser for the URL on screen
	local url loc
	url=$(tui_screen | awk '/Open this address/ {on=1; next} on && NF == 0 {exit} on {gsub(/^ +| +$/, ""); printf "%s", $0}')
	loc=$(curl -s -o /dev/null -w '%{redirect_url}' "$url")
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$loc")" = 200 ] || fail "named callback failed"
}
tui_keys c
tui_wait "name of the new youtube account"
tui_keys "../x" Enter
tui_wait "an account name is"
tui_keys c
tui_wait "name of the new youtube account"
tui_keys physics Enter
tui_wait "Open this address in a browser"
browse
i=0
until tui_screen | grep -F "YouTube account 'physics'" | grep -q " connected"; do
	i=$((i + 1)); [ $i -lt 200 ] || { tui_screen >&2; fail "the named row never turned connected"; }
	sleep 0.05
done
"$ZPUB" auth list --json | json '[a.get("name") for a in j if a["provider"] == "youtube"]' | grep -q "physics" \
	|| fail "auth list lacks the named account"
ok "c (new) connected a second YouTube account under a name; a name like ../x is refused"
# A sign-in left open when the TUI quits does not linger.
tui_keys Enter
tui_wait "Open this address in a browser"
pgrep -f "$ZPUB_HOME.* auth youtube" >/dev/null || fail "no sign-in child running"
tui_keys Q
tui_wait "ZPUB-EXITED 0"
i=0
while pgrep -f "$ZPUB_HOME.* auth youtube" >/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "the sign-in child outlived the TUI"
	sleep 0.05
done
ok "quitting ends a sign-in that was still waiting"
