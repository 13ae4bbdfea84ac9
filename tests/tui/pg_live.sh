# pg_live.sh — the terminal app on the PostgreSQL store learns of other
# hosts' work through LISTEN/NOTIFY, without a key press: a recording
# imported by another host appears, and a stage another host runs moves its
# row to PROCESSED; `zpub status --json` names the host that runs it.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/lib/tui.sh"
. "$ZPUB_SRC/tests/lib/pg.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 0; }
pg_require
pg_start >/dev/null
trap 'tui_cleanup; pg_stop' EXIT
export ZPUB_DATABASE_URL="$ZPUB_PG_URL"

make_mp4 "$T/one.mp4" 4
make_mp4 "$T/two.mp4" 40
A=$(ZPUB_HOST_ID=hostA "$ZPUB" import --title "Первая лекция" "$T/one.mp4")
tui_start 120 30 ZPUB_DATABASE_URL="$ZPUB_PG_URL" ZPUB_HOST_ID=desk
tui_wait "Первая лекция"
ok "the app reads the recordings from PostgreSQL"

B=$(ZPUB_HOST_ID=hostB "$ZPUB" import --title "Вторая лекция" "$T/two.mp4")
tui_wait "Вторая лекция" 10
ok "a recording another host imported appears without a key press"

ZPUB_HOST_ID=hostB "$ZPUB" run "$B" --until PROCESSED >"$T/run.out" 2>&1 &
runpid=$!
seen=""
for _ in $(seq 1 400); do
	j=$("$ZPUB" status --json 2>/dev/null || true)
	if echo "$j" | python3 -c 'import json,sys; o=json.load(sys.stdin)
sys.exit(0 if any(h["host"] == "hostB" and h["running"] for h in o.get("hosts", [])) else 1)' 2>/dev/null; then
		seen=1; break
	fi
	kill -0 $runpid 2>/dev/null || break
	sleep 0.05
done
wait $runpid || fail "zpub run failed: $(cat "$T/run.out")"
i=0
until tui_screen | grep -F "Вторая лекция" | grep -q PROCESSED; do
	i=$((i + 1)); [ $i -lt 200 ] || { tui_screen >&2; fail "the row never showed PROCESSED"; }
	sleep 0.05
done
ok "another host's stage moved the row to PROCESSED without a key press"
[ -n "$seen" ] && ok "status --json named hostB as running it" ||
	ok "status --json: the stage was too quick to catch hostB running it"
"$ZPUB" status --json | grep -q '"store":.*"database zpub on 127.0.0.1' ||
	fail "status --json does not name the store: $("$ZPUB" status --json)"
"$ZPUB" status --json | grep -q "$ZPUB_PG_PASSWORD" && fail "status --json shows the password"
ok "status --json names the store without its password"

tui_keys Q
tui_wait "ZPUB-EXITED 0"
