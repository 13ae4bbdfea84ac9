# pg_daemons.sh — three daemons, each a host of its own (ZPUB_HOST_ID, its
# own --data-dir), on one PostgreSQL database and one storage root take 24
# imported recordings to READY on the folder target.  Half-way one host is
# killed with kill -9 and another stopped with SIGTERM (it exits cleanly in
# time); the third, and a fourth host started later, finish the work.  The
# killed host's leases are taken over by another host only once they
# expired.  Every recording is processed, transcribed and published once:
# one done run per stage, no two runs of a recording at the same time, one
# publication and one published folder each, every artefact once.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/lib/pg.sh"
. "$ZPUB_SRC/tests/lib/pg_hosts.sh"
pg_require
trap 'hosts_kill; pg_stop' EXIT
N=${ZPUB_PG_DAEMONS_N:-24}
LEASE_MS=4000
t_start=$SECONDS
pg_start

# The transcriber answers after a second: work that holds leases while hosts go.
hosts_setup hostA hostB hostC hostD -- --then slow --slow-seconds 1
host_zpub hostA config set pipeline.lease_ms $LEASE_MS >/dev/null
for h in hostB hostC hostD; do cp -p "$T/hostA/config.json" "$T/$h/"; done
gen_recordings "$T/in" "$N"
expect_rc 0 host_zpub hostA import "$T/in/"*.mp4
[ "$(n_status DOWNLOADED)" = "$N" ] || fail "imported $(n_status DOWNLOADED) of $N"
ok "$N recordings imported through hostA's CLI"

for h in hostA hostB hostC; do host_start $h; done
wait_status READY $((N / 3)) 120 || fail "not a third READY: $(q \
    "SELECT status, count(*) FROM recordings GROUP BY 1"); $(tail -5 "$T/hostA.log")"
# kill -9 hostA while it holds a lease (it almost always does).
for _ in $(seq 50); do
	[ "$(q "SELECT count(*) FROM recordings WHERE lease_owner LIKE 'daemon@hostA:%'")" -gt 0 ] &&
		break
	sleep 0.1
done
kill -9 "${HPID[hostA]}"
wait "${HPID[hostA]}" 2>/dev/null || true
unset "HPID[hostA]"
t_kill=$(date +%s%3N)
q "SELECT id, lease_until FROM recordings WHERE lease_owner LIKE 'daemon@hostA:%'" >"$T/a_leases"
[ -s "$T/a_leases" ] || fail "hostA held no lease when it was killed: $(q \
    "SELECT id, status, lease_owner FROM recordings WHERE lease_owner IS NOT NULL")"
ready_at_kill=$(n_status READY)
# SIGTERM hostB: its running stages go back and it exits within
# daemon.stop_timeout_ms (5 s).
t0=$(date +%s%3N)
kill -TERM "${HPID[hostB]}"
rc=0
wait "${HPID[hostB]}" || rc=$?
ms=$(($(date +%s%3N) - t0))
unset "HPID[hostB]"
[ $rc = 0 ] || fail "hostB exited $rc after SIGTERM: $(tail -5 "$T/hostB.log")"
[ $ms -lt 7000 ] || fail "hostB took $ms ms to stop"
grep -q "stopped cleanly" "$T/hostB.log" || fail "hostB: no clean stop: $(tail -5 "$T/hostB.log")"
ok "at $ready_at_kill READY: hostA killed with $(wc -l <"$T/a_leases") lease(s), hostB stopped cleanly in $ms ms"

host_start hostD
wait_status READY "$N" 150 || fail "$(n_status READY) of $N READY: $(q \
    "SELECT id, status, lease_owner, detail FROM recordings WHERE status <> 'READY'");
    $(tail -5 "$T/hostC.log")"
ok "all $N READY after the kill and the stop ($((SECONDS - t_start)) s)"
host_stop hostC
host_stop hostD

check_once "$N"
ok "each recording processed, transcribed and published once; no overlapping runs; artefacts once"

# Each of hostA's leases ended as an interrupted run, ended by another host
# when the lease was over, not before.
while IFS='|' read -r id until; do
	row=$(q "SELECT r.finished_at, n.owner FROM stage_runs r JOIN stage_runs n
	    ON n.recording_id = r.recording_id AND n.stage = r.stage AND n.id > r.id
	    WHERE r.recording_id = $id AND r.owner LIKE 'daemon@hostA:%'
	    AND r.state = 'interrupted' ORDER BY n.id LIMIT 1")
	[ -n "$row" ] || fail "recording $id: hostA's run was not interrupted and run again: $(q \
	    "SELECT stage, state, owner, started_at, finished_at FROM stage_runs WHERE recording_id = $id")"
	[ "${row%%|*}" -ge "$until" ] || fail "recording $id: taken over at ${row%%|*}, its lease ran to $until"
	case ${row#*|} in daemon@hostA:*) fail "recording $id: hostA took its own lease over" ;; esac
done <"$T/a_leases"
ok "hostA's leases were taken over by other hosts after they expired"

hosts=$(q "SELECT split_part(split_part(owner, '@', 2), ':', 1), count(*) FROM stage_runs
    WHERE state = 'done' GROUP BY 1 ORDER BY 1")
[ "$(echo "$hosts" | wc -l)" -ge 3 ] || fail "the work was not shared: $hosts"
for h in hostA hostB hostC hostD; do
	[ ! -e "$T/$h/media" ] && [ ! -e "$T/$h/published" ] || fail "$h keeps media in its own folder"
	! grep -q "$ZPUB_PG_PASSWORD" "$T/$h.log" 2>/dev/null || fail "$h's log shows the password"
done
stats=$(curl -sf "$FAKE_URL/stats")
tr=$(echo "$stats" | jget transcriptions)
intr=$(q "SELECT count(*) FROM stage_runs WHERE stage = 'transcribe' AND state = 'interrupted'")
[ "$tr" -ge "$N" ] && [ "$tr" -le $((N + intr)) ] ||
	fail "$tr transcription requests for $N recordings and $intr interrupted runs"
ok "done runs per host: $(echo $hosts | tr ' ' ','); $tr transcription requests ($intr interrupted); $((SECONDS - t_start)) s"
