# pg_outage.sh — the database goes away under two daemons (two hosts) at
# work: PostgreSQL restarted twice, then stopped for a minute
# (ZPUB_PG_OUTAGE_S, default 60) and started again.  The daemons wait,
# reconnect with backoff and finish every recording, each stage done once
# with no overlapping runs; what they print names the database as
# "database zpub on 127.0.0.1:PORT" and never the password.  At start, a
# wrong password, an unparseable URL and a closed port are each one
# sentence and a non-zero exit, from the CLI and from the daemon.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/lib/pg.sh"
. "$ZPUB_SRC/tests/lib/pg_hosts.sh"
pg_require
trap 'hosts_kill; pg_stop' EXIT
N=10
OUTAGE_S=${ZPUB_PG_OUTAGE_S:-60}
t_start=$SECONDS
pg_start
NAME="database zpub on 127.0.0.1:$ZPUB_PG_PORT"

# ---- bad URLs at start: one sentence, no password, no crash ----
mkdir -p "$T/bad"
# one_sentence WHAT URL PATTERN SECRET: the CLI and the daemon both fail with one
# line matching PATTERN and without SECRET (the URL's password).
one_sentence() {
	local what=$1 url=$2 pat=$3 secret=$4 args
	for args in "list" "--daemon --foreground"; do
		set +e
		ZPUB_DATABASE_URL=$url timeout 30 "$ZPUB" --data-dir "$T/bad" $args >"$T/out" 2>"$T/err"
		local rc=$?
		set -e
		[ $rc != 0 ] && [ $rc != 124 ] && [ $rc -lt 128 ] ||
			fail "$what: 'zpub $args' exited $rc: $(cat "$T/err")"
		[ "$(wc -l <"$T/err")" = 1 ] || fail "$what: 'zpub $args' said: $(cat "$T/err")"
		grep -q -- "$pat" "$T/err" || fail "$what: 'zpub $args' said: $(cat "$T/err")"
		[ -z "$secret" ] || ! grep -qF -- "$secret" "$T/err" "$T/out" || fail "$what: the password shows: $(cat "$T/err")"
	done
	ok "$what: $(cat "$T/err")"
}
one_sentence "a wrong password" "postgresql://zpub:Wr0ngPassw0rd@127.0.0.1:$ZPUB_PG_PORT/zpub" \
	"$NAME refused the connection: password authentication failed" Wr0ngPassw0rd
one_sentence "an unparseable URL" "postgresql://%zz" "the database URL is not valid (invalid percent-encoded token: \"%zz\"); write it as" ""
one_sentence "a password that is not a valid URL" "postgresql://zpub:pa%zzss@127.0.0.1:$ZPUB_PG_PORT/zpub" \
	"the database URL is not valid; write it as" "pa%zzss"
closed=$(pg__free_port)
one_sentence "a closed port" "postgresql://zpub:$ZPUB_PG_PASSWORD@127.0.0.1:$closed/zpub" \
	"cannot reach the database zpub on 127.0.0.1:$closed: Connection refused" "$ZPUB_PG_PASSWORD"

# ---- two hosts at work while the database restarts and goes away ----
# The transcriber takes 3 s: stages are in flight whenever the server goes.
# The leases (twice the outage, at least 2 minutes) outlast it, so nobody
# takes over; the driver waits up to ZPUB_DB_WAIT_S (default 300 s).
hosts_setup hostA hostB -- --then slow --slow-seconds 3
lease_ms=$((OUTAGE_S * 2000))
[ $lease_ms -ge 120000 ] || lease_ms=120000
export ZPUB_DB_WAIT_S=$((OUTAGE_S * 2 + 60))
host_zpub hostA config set pipeline.lease_ms $lease_ms >/dev/null
cp -p "$T/hostA/config.json" "$T/hostB/"
gen_recordings "$T/in" "$N"
expect_rc 0 host_zpub hostA import "$T/in/"*.mp4
host_start hostA
host_start hostB
in_flight() { q "SELECT count(*) FROM recordings WHERE status IN ('PROCESSING', 'PREPARING', 'UPLOADING')"; }
wait_flight() {
	for _ in $(seq 150); do [ "$(in_flight)" -gt 0 ] && return 0; sleep 0.2; done
	fail "nothing in flight: $(q "SELECT status, count(*) FROM recordings GROUP BY 1")"
}
wait_flight
pg_restart
ok "restarted the server with $(in_flight) stage(s) in flight"
wait_status READY 2 120 || fail "no progress after the first restart: $(tail -5 "$T/hostA.log")"
wait_flight
pg_restart
ok "restarted it again at $(n_status READY) READY with $(in_flight) in flight"
wait_status READY 4 120 || fail "no progress after the second restart: $(tail -5 "$T/hostA.log")"
wait_flight
flight=$(in_flight)
ready=$(n_status READY)
pg_pause
t0=$SECONDS
ok "stopped the server for $OUTAGE_S s at $ready READY with $flight in flight"
sleep "$OUTAGE_S"
for h in hostA hostB; do
	kill -0 "${HPID[$h]}" 2>/dev/null || fail "$h died while the database was away: $(tail -5 "$T/$h.log")"
done
pg_resume
wait_status READY "$N" 300 || fail "$(n_status READY) of $N READY: $(q \
    "SELECT id, status, lease_owner, detail FROM recordings WHERE status <> 'READY'");
    $(tail -10 "$T/hostA.log")"
ok "all $N READY, $((SECONDS - t0)) s after the server went away"
for h in hostA hostB; do
	t1=$(date +%s%3N)
	kill -TERM "${HPID[$h]}"
	rc=0
	wait "${HPID[$h]}" || rc=$?
	unset "HPID[$h]"
	[ $rc = 0 ] || fail "$h exited $rc: $(tail -5 "$T/$h.log")"
	[ $(($(date +%s%3N) - t1)) -lt 8000 ] || fail "$h took long to stop"
done

check_once "$N"
ok "each recording processed, transcribed and published once; no overlapping runs"
bad=$(q "SELECT count(*) FROM stage_runs WHERE state <> 'done'")
[ "$bad" = 0 ] || fail "runs interrupted by the outage: $(q \
    "SELECT recording_id, stage, state, owner, error FROM stage_runs WHERE state <> 'done'")"
tr=$(curl -sf "$FAKE_URL/stats" | jget transcriptions)
[ "$tr" = "$N" ] || fail "$tr transcription requests for $N recordings"
ok "no run lost or repeated: $N transcription requests, every run done"

# What they printed: the database by host and name, never the password.
cat "$T/hostA.log" "$T/hostB.log" "$T"/host*/zpub.log >"$T/all.log"
grep -q "cannot reach the $NAME: .*; trying again in [0-9.]* s" "$T/all.log" ||
	fail "no retry names the database: $(grep -i database "$T/all.log" | head -5)"
grep -q "connected to the $NAME again" "$T/all.log" || fail "no reconnection said"
! grep -qF "$ZPUB_PG_PASSWORD" "$T/all.log" || fail "the password shows: $(grep -F "$ZPUB_PG_PASSWORD" "$T/all.log" | head -3)"
! grep -q "postgresql://" "$T/all.log" || fail "a URL shows: $(grep "postgresql://" "$T/all.log" | head -3)"
ok "the daemons named the $NAME, $(grep -c "trying again" "$T/all.log") retries, no password ($((SECONDS - t_start)) s)"
