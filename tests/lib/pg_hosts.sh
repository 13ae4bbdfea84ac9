# pg_hosts.sh — sourced after e2e.sh and pg.sh by the tests (and the bench)
# that run several daemons, each a "host" of its own, on one PostgreSQL
# database and one storage root: the hosts' folders, the fake transcriber,
# generated recordings, and the checks every such run must pass.
#
#   hosts_setup NAME... [-- ARGS for fake_openai.py]
#                       $T/NAME is each host's --data-dir (config.json, log,
#                       pid file, vault.key: the same config and key on
#                       every host), $T/storage the storage root they share;
#                       the transcriber is tests/fakes/fake_openai.py
#   host_zpub NAME ARGS zpub as host NAME
#   host_start NAME     its daemon in the background (HPID[NAME]; log $T/NAME.log)
#   host_stop NAME      SIGTERM, and wait
#   hosts_kill          kill -9 what is left (trap it)
#   gen_recordings DIR N   N distinct short lectures (2-5 s)
#   q SQL               one query, rows as a|b|c
#   n_status STATUS     how many recordings are in STATUS
#   wait_status STATUS N SECONDS
#   check_once N        what must hold once N recordings are READY: one done
#                       run per stage, runs of a recording never overlap,
#                       one publication and one published folder each,
#                       artefacts once each and present with their size

declare -A HPID=()
FAKE_PID=
FAKE_URL=

host_zpub() {
	local h=$1
	shift
	ZPUB_HOST_ID=$h "$ZPUB" --data-dir "$T/$h" "$@"
}

hosts_setup() {
	local hosts=() h
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		hosts+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	export ZPUB_DATABASE_URL=$ZPUB_PG_URL
	mkdir -p "$T/storage"
	python3 "$ZPUB_SRC/tests/fakes/fake_openai.py" --key sk-tr "$@" >"$T/fake.port" \
	    2>"$T/fake.log" &
	FAKE_PID=$!
	for _ in $(seq 200); do grep -q PORT "$T/fake.port" 2>/dev/null && break; sleep 0.05; done
	FAKE_URL="http://127.0.0.1:$(sed -n 's/PORT //p' "$T/fake.port")/v1"
	local first=${hosts[0]}
	local kv
	for kv in "storage.root=$T/storage" daemon.tick_ms=200 daemon.workers=2 \
	    daemon.stop_timeout_ms=5000 pipeline.retry_base_ms=200 \
	    "providers.transcription.base_url=$FAKE_URL" \
	    providers.transcription.retry_base_ms=200; do
		host_zpub "$first" config set "${kv%%=*}" "${kv#*=}" >/dev/null ||
		    fail "config set $kv"
	done
	printf 'sk-tr' | host_zpub "$first" secret set transcription >/dev/null ||
	    fail "secret set transcription"
	# What an operator copies to every host: the config and the vault key.
	for h in "${hosts[@]:1}"; do
		mkdir -p "$T/$h"
		chmod 700 "$T/$h"
		cp -p "$T/$first/config.json" "$T/$first/vault.key" "$T/$h/"
	done
}

host_start() {
	ZPUB_HOST_ID=$1 "$ZPUB" --data-dir "$T/$1" --daemon --foreground 2>>"$T/$1.log" &
	HPID[$1]=$!
}

host_stop() {
	kill -TERM "${HPID[$1]}" 2>/dev/null || true
	wait "${HPID[$1]}" 2>/dev/null || true
	unset "HPID[$1]"
}

hosts_kill() {
	local h
	for h in "${!HPID[@]}"; do kill -9 "${HPID[$h]}" 2>/dev/null || true; done
	[ -z "$FAKE_PID" ] || kill "$FAKE_PID" 2>/dev/null || true
}

# Distinct bytes each (an import refuses a file it already has).
gen_recordings() {
	local dir=$1 n=$2 i
	mkdir -p "$dir"
	for i in $(seq 1 "$n"); do
		ffmpeg -v error -y -f lavfi -i "testsrc=s=160x90:r=15:d=$((2 + i % 4))" \
		    -f lavfi -i "sine=f=$((300 + 7 * i)):d=$((2 + i % 4))" -c:v libx264 \
		    -preset ultrafast -g 30 -pix_fmt yuv420p -c:a aac -shortest \
		    "$dir/lecture $(printf %02d "$i").mp4" || fail "ffmpeg"
	done
}

q() { pg_psql -At -F '|' -c "$1"; }
n_status() { q "SELECT count(*) FROM recordings WHERE status = '$1'"; }

wait_status() {
	local end=$((SECONDS + $3))
	while [ "$(n_status "$1")" -lt "$2" ]; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.2
	done
}

check_once() {
	local n=$1 bad
	[ "$(n_status READY)" = "$n" ] || fail "$(n_status READY) of $n READY: $(q \
	    "SELECT id, status, detail FROM recordings WHERE status <> 'READY'")"
	bad=$(q "SELECT recording_id, stage, count(*) FILTER (WHERE state = 'done')
	    FROM stage_runs GROUP BY 1, 2 HAVING count(*) FILTER (WHERE state = 'done') <> 1")
	[ -z "$bad" ] || fail "stages not done exactly once (recording|stage|done): $bad"
	bad=$(q "SELECT stage, count(*) FROM stage_runs WHERE state = 'done' GROUP BY 1
	    HAVING count(*) <> $n")
	[ -z "$bad" ] || fail "a stage did not run for every recording: $bad"
	bad=$(q "SELECT id, recording_id, stage, state, owner FROM stage_runs
	    WHERE state NOT IN ('done', 'interrupted') OR finished_at IS NULL")
	[ -z "$bad" ] || fail "runs failed or left running: $bad"
	# One recording's runs follow each other: none starts before the one
	# before it ended (an interrupted run ends when another host takes it over).
	bad=$(q "SELECT * FROM (SELECT recording_id, stage, owner, state, finished_at,
	    lead(started_at) OVER w AS next_start, lead(stage) OVER w AS next_stage,
	    lead(owner) OVER w AS next_owner FROM stage_runs
	    WINDOW w AS (PARTITION BY recording_id ORDER BY started_at, id)) x
	    WHERE next_start < finished_at")
	[ -z "$bad" ] || fail "runs of one recording overlapped: $bad"
	bad=$(q "SELECT recording_id, platform, count(*) FROM publications GROUP BY 1, 2
	    HAVING count(*) <> 1 OR bool_or(state <> 'done')")
	[ -z "$bad" ] || fail "publications: $bad; $(q "SELECT recording_id, platform, state, error FROM publications LIMIT 3")"
	[ "$(q "SELECT count(*) FROM publications WHERE state = 'done'")" = "$n" ] ||
	    fail "$(q "SELECT count(*) FROM publications") publications for $n recordings"
	# The folder target: one folder per recording under the storage root,
	# nothing half-built beside them.
	local want got
	want=$(q "SELECT id FROM recordings ORDER BY id" | sort)
	got=$(ls -A "$T/storage/published" | sort)
	[ "$want" = "$got" ] || fail "published folders: $(echo $got) (wanted $(echo $want))"
	for r in $want; do
		[ -s "$T/storage/published/$r/video.mp4" ] && [ -s "$T/storage/published/$r/metadata.json" ] ||
		    fail "published/$r: $(ls "$T/storage/published/$r")"
	done
	bad=$(q "SELECT recording_id, kind, path, count(*) FROM artifacts GROUP BY 1, 2, 3
	    HAVING count(*) > 1")
	[ -z "$bad" ] || fail "artefacts registered twice: $bad"
	q "SELECT recording_id, kind, path, bytes FROM artifacts" | python3 -c '
import os, sys
root = sys.argv[1]
n = 0
for line in sys.stdin:
    rid, kind, path, size = line.rstrip("\n").split("|")
    p = path if path.startswith("/") else os.path.join(root, path)
    assert os.path.exists(p), f"recording {rid}: {kind} {p} is missing"
    assert os.path.getsize(p) == int(size), f"{p}: {os.path.getsize(p)} bytes, not {size}"
    n += 1
assert n > 0, "no artefacts"
' "$T/storage" || fail "artefacts"
}
