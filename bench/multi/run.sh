#!/bin/bash
# bench/multi/run.sh — recordings per hour with 1, 2 and 3 daemons on this
# machine, each a host of its own (ZPUB_HOST_ID, its own --data-dir), on one
# throw-away PostgreSQL (tests/lib/pg.sh) and one storage root, against the
# fake transcriber answering after a fixed latency (tests/fakes/fake_openai.py
# --then slow); the process stage is real on short generated lectures and the
# folder is the only target.  Printed as a ratio to one daemon: the stage
# that waits on the network should scale even on 2 cores.
#
# usage: bench/multi/run.sh [BUILD_DIR] [RECORDINGS]   (defaults: build, 12)
#   BENCH_DAEMONS="1 2 3"   the daemon counts to measure
#   BENCH_LATENCY_S=2       the transcriber's answer time per request
#   BENCH_WORKERS=2         daemon.workers of each daemon
#   BENCH_ROUNDS=2          rounds over the counts, alternating; the best of each counts
#   BENCH_VERBOSE=1         print every stage run (ms from the first start)
# Each run has a fresh database and storage root; its time is the span of
# the stage runs in the database (first start to last finish).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$SRC/build}
N=${2:-12}
DAEMONS=${BENCH_DAEMONS:-1 2 3}
LATENCY=${BENCH_LATENCY_S:-2}
WORKERS=${BENCH_WORKERS:-2}
ROUNDS=${BENCH_ROUNDS:-2}
[ -x "$BUILD/zpub" ] || { echo "no $BUILD/zpub; build first" >&2; exit 1; }
export ZPUB=$BUILD/zpub ZPUB_SRC=$SRC
WORK=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/zpub-bench-multi.XXXXXX")
export ZPUB_TESTTMP=$WORK/t
. "$SRC/tests/lib/e2e.sh"
. "$SRC/tests/lib/pg.sh"
. "$SRC/tests/lib/pg_hosts.sh"
set +u	# pg_hosts' arrays
pg_have || { echo "bench/multi: no PostgreSQL server binaries (initdb, pg_ctl, postgres)" >&2; exit 1; }
trap 'hosts_kill; pg_stop; rm -rf "$WORK"' EXIT
pg_start
MEDIA=$WORK/in
gen_recordings "$MEDIA" "$N"
BASE_URL=$ZPUB_PG_URL

declare -A PER_HOUR=()
for round in $(seq 1 "$ROUNDS"); do
for k in $DAEMONS; do
	T=$WORK/r${k}_$round
	mkdir -p "$T"
	ZPUB_PG_URL=$(pg_newdb "bench_${k}_$round")
	hosts=()
	for i in $(seq 1 "$k"); do hosts+=("host$i"); done
	hosts_setup "${hosts[@]}" -- --then slow --slow-seconds "$LATENCY"
	host_zpub host1 config set daemon.workers "$WORKERS" >/dev/null
	for h in "${hosts[@]:1}"; do cp -p "$T/host1/config.json" "$T/$h/"; done
	host_zpub host1 import "$MEDIA"/*.mp4 >/dev/null
	for h in "${hosts[@]}"; do host_start "$h"; done
	wait_status READY "$N" 1800 || fail "$k daemon(s): $(n_status READY) of $N READY"
	for h in "${hosts[@]}"; do host_stop "$h"; done
	check_once "$N"
	span_ms=$(q "SELECT max(finished_at) - min(started_at) FROM stage_runs")
	[ -z "${BENCH_VERBOSE:-}" ] || q "SELECT recording_id, stage, owner, started_at - t0, finished_at - t0
	    FROM stage_runs, (SELECT min(started_at) AS t0 FROM stage_runs) x ORDER BY started_at"
	per_hour=$(python3 -c "print(round($N * 3600000 / $span_ms))")
	[ "${PER_HOUR[$k]:-0}" -ge "$per_hour" ] || PER_HOUR[$k]=$per_hour
	byhost=$(q "SELECT split_part(split_part(owner, '@', 2), ':', 1), count(*) FROM stage_runs
	    WHERE state = 'done' GROUP BY 1 ORDER BY 1" | tr '\n' ' ')
	printf '%d daemon(s): %d recordings in %.1f s: %s recordings/hour (stages by host: %s)\n' \
	    "$k" "$N" "$(python3 -c "print($span_ms / 1000)")" "$per_hour" "$byhost"
	hosts_kill
	HPID=()
	ZPUB_PG_URL=$BASE_URL
done
done

first=${DAEMONS%% *}
echo
echo "recordings/hour (best of $ROUNDS), $N recordings of 2-5 s, transcriber latency ${LATENCY} s, $WORKERS workers per daemon, $(nproc) cores:"
for k in $DAEMONS; do
	printf '  %d daemon(s): %6d /h  x%s\n' "$k" "${PER_HOUR[$k]}" \
	    "$(python3 -c "print(round(${PER_HOUR[$k]} / ${PER_HOUR[$first]}, 2))")"
done
