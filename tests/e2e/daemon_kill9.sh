# daemon_kill9.sh — kill -9 the daemon at random moments, over and over,
# while it imports and runs recordings of two tenants; restart it each
# time.  In the end every recording reached the same final status exactly
# once: one import per file, every stage done once per recording, every
# recorded artefact present with its size and checksum, no duplicate
# publication.  Which running statuses the kills landed in is printed (and
# PROCESSING must be among them).
. "$ZPUB_SRC/tests/lib/e2e.sh"
sql() { python3 -c 'import sqlite3,sys
c=sqlite3.connect(sys.argv[1], timeout=10); print("\n".join("|".join(str(x) for x in r) for r in c.execute(sys.argv[2])))' "$ZPUB_HOME/zpub.db" "$1"; }
ITER=${ZPUB_KILL9_ITERATIONS:-24}
N=8

# Speech-like bursts with pauses, so the process stage really cuts (and takes a while).
make_lecture() { # OUT SECONDS: 3 s of tone, 2 s of silence, over and over
	ffmpeg -v error -y -f lavfi -i "testsrc=s=640x360:r=25:d=$2" \
		-f lavfi -i "aevalsrc='if(lt(mod(t,5),3),0.5*sin(440*2*PI*t),0)':s=44100:d=$2" \
		-c:v libx264 -preset ultrafast -g 50 -pix_fmt yuv420p -c:a aac -shortest "$1"
}
mkdir -p "$T/a" "$T/b"
for i in 1 2 3 4; do make_lecture "$T/a/Лекция $i.mp4" $((10 + i)); done
for i in 1 2 3 4; do make_lecture "$T/b/Lecture $i.mp4" $((14 + i)); done
touch -d '1 minute ago' "$T/a/"* "$T/b/"*
"$ZPUB" config set daemon.tick_ms 100 >/dev/null
"$ZPUB" config set daemon.workers 2 >/dev/null
"$ZPUB" config set pipeline.retry_base_ms 200 >/dev/null
# A full re-encode: longer stages, so kills land inside them more often.
"$ZPUB" config set processing.video.strategy reencode >/dev/null
expect_rc 0 "$ZPUB" tenant add b
# Each tenant may watch its own folder (the operator's allowed roots).
"$ZPUB" config set jobs.watch_roots "{\"default\": [\"$T/a\"], \"b\": [\"$T/b\"]}" >/dev/null
expect_rc 0 "$ZPUB" job add drop --schedule "every 1s" --source watch --path "$T/a" --settle 100ms
expect_rc 0 "$ZPUB" --tenant b job add drop --schedule "every 1s" --source watch --path "$T/b" --settle 100ms

# done: all N recordings exist, none running or waiting for a stage of this build.
pending() {
	sql "SELECT COUNT(*) FROM recordings" | grep -qx "$N" || return 0
	# A recording is finished when its status is the one every finished recording shares
	# and nothing ran for it in the last moment; approximate with 'no running status and
	# all statuses equal and not FAILED/DOWNLOADED'.
	local s; s=$(sql "SELECT COUNT(DISTINCT status), MIN(status) FROM recordings")
	[ "${s%%|*}" = 1 ] || return 0
	case "${s#*|}" in DOWNLOADED|DOWNLOADING|PROCESSING|PREPARING|UPLOADING|FAILED|INITIALIZED) return 0 ;; esac
	return 1
}

declare -A hit
running() { sql "SELECT DISTINCT status FROM recordings WHERE status IN ('DOWNLOADING','PROCESSING','PREPARING','UPLOADING')"; }
# wait_for STATUS SECONDS: returns once a recording is in STATUS (polling in one process).
wait_for() {
	python3 - "$ZPUB_HOME/zpub.db" "$1" "$2" <<'PY' || true
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], timeout=10); end = time.time() + float(sys.argv[3])
while time.time() < end:
    if c.execute("SELECT 1 FROM recordings WHERE status = ?", (sys.argv[2],)).fetchone():
        sys.exit(0)
    time.sleep(0.01)
sys.exit(1)
PY
}
targets=(PROCESSING PREPARING UPLOADING)
for it in $(seq 1 "$ITER"); do
	"$ZPUB" --daemon --foreground 2>>"$T/daemon.log" &
	pid=$!
	if [ $((it % 2)) = 0 ]; then
		# Aim inside a stage, each running status in turn.
		wait_for "${targets[$(( (it / 2) % 3 ))]}" 4
		sleep "$(python3 -c 'import random; print(round(random.uniform(0, 0.2), 2))')"
	else
		# Anywhere: during start-up, a job's import, a commit, between stages.
		sleep "$(python3 -c 'import random; print(round(random.uniform(0.05, 1.0), 2))')"
	fi
	for s in $(running); do hit[$s]=1; done
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	pending || break
done
echo "kills landed in: ${!hit[*]} (after $it iterations)"

# SIGTERM while a stage runs: the stage is asked to stop (its lease goes
# back, or it finishes) and the daemon exits within daemon.stop_timeout_ms.
"$ZPUB" config set daemon.stop_timeout_ms 5000 >/dev/null
"$ZPUB" --daemon --foreground 2>>"$T/daemon.log" &
pid=$!
for _ in $(seq 1 100); do [ -n "$(running)" ] && break; sleep 0.05; done
t0=$(date +%s%N)
kill -TERM $pid
wait $pid || fail "SIGTERM exit code $?"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ $ms -lt 6000 ] || fail "SIGTERM took $ms ms"
ok "SIGTERM during a stage: exit in $ms ms"

"$ZPUB" --daemon --foreground 2>>"$T/daemon.log" &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do pending || break; sleep 0.5; done
sleep 1.5
kill -TERM $pid; wait $pid || true
trap - EXIT
pending && fail "not finished: $(sql 'SELECT id,status,attempts,detail FROM recordings'); $(tail -20 "$T/daemon.log")"
final=$(sql "SELECT MIN(status) FROM recordings")
ok "all $N recordings reached $final through kill -9 and restarts"

[ "$(sql "SELECT COUNT(DISTINCT source_ref) FROM recordings")" = $N ] || fail "duplicate imports"
dups=$(sql "SELECT recording_id, stage, COUNT(*) FROM stage_runs WHERE state='done' GROUP BY 1,2 HAVING COUNT(*) <> 1")
[ -z "$dups" ] || fail "stages done more than once: $dups"
stages=$(sql "SELECT stage, COUNT(*) FROM stage_runs WHERE state='done' GROUP BY stage")
for line in $stages; do [ "${line#*|}" = $N ] || fail "a stage did not run for every recording: $stages"; done
ok "every stage done exactly once per recording ($(echo $stages | tr '\n' ' '))"

python3 - "$ZPUB_HOME" <<'PY' || fail "artefacts"
import hashlib, os, sqlite3, sys
home = sys.argv[1]
c = sqlite3.connect(os.path.join(home, "zpub.db"))
n = 0
for rid, kind, path, size, sha in c.execute("SELECT recording_id, kind, path, bytes, sha256 FROM artifacts"):
    p = path if path.startswith("/") else os.path.join(home, path)
    assert os.path.exists(p), f"recording {rid}: {kind} {p} is missing"
    assert os.path.getsize(p) == size, f"{p}: size {os.path.getsize(p)} != {size}"
    if sha:
        h = hashlib.sha256(open(p, "rb").read()).hexdigest()
        assert h == sha, f"{p}: checksum differs"
    n += 1
pubs = list(c.execute("SELECT recording_id, platform, target, COUNT(*) FROM publications WHERE state='done' GROUP BY 1,2,3 HAVING COUNT(*) > 1"))
assert not pubs, pubs
ready = [r for (r,) in c.execute("SELECT id FROM recordings WHERE status='READY'")]
if ready:
    done = {r for (r,) in c.execute("SELECT recording_id FROM publications WHERE state='done'")}
    assert done == set(ready), f"published {sorted(done)} but READY {sorted(ready)}"
    pub = os.path.join(home, "published")
    if os.path.isdir(pub):
        dirs = sorted(os.listdir(pub))
        assert dirs == sorted(str(r) for r in ready), f"folder target holds {dirs}"
print(f"{n} artefacts verified")
PY
ok "no lost or corrupt artefact, no duplicate publication"
# Every stage long enough to be caught must have been: process, and
# transcribe when this build has it (publishing to a folder can be too quick).
[ -n "${hit[PROCESSING]:-}" ] || fail "no kill landed in PROCESSING (landed in: ${!hit[*]}); raise ZPUB_KILL9_ITERATIONS"
if [ -n "$(sql "SELECT 1 FROM stage_runs WHERE stage='transcribe' LIMIT 1")" ]; then
	[ -n "${hit[PREPARING]:-}" ] || fail "no kill landed in PREPARING (landed in: ${!hit[*]})"
fi
ok "kills landed in ${!hit[*]}"
