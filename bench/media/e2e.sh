#!/bin/bash
# bench/media/e2e.sh — a lecture from import to READY with the real binary:
# the transcriber and the chat model are tests/fakes/fake_openai.py on
# loopback, the only publish target is a folder.  Not a test.
#
#   bench/media/e2e.sh [BUILD_DIR] [LECTURE]
#
# LECTURE defaults to the 60-minute B-frame lecture that
# `bench/media/run.sh BUILD 60 bframes` generates.  Prints the wall and CPU
# time of `zpub import` + `zpub run` to READY, its ratio to the lecture's
# length (goal <= 1/30), and the process stage's summary.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build}
work=${BENCH_DIR:-/tmp/zpub-bench-media}
lecture=${2:-$work/lecture_60m_bframes.mp4}
zpub=$build/zpub
[ -s "$lecture" ] || { echo "e2e.sh: no $lecture (bench/media/run.sh BUILD 60 bframes makes it)" >&2; exit 2; }
home=$work/e2e_home
rm -rf "$home"; mkdir -p "$home"
export ZPUB_HOME=$home NO_COLOR=1
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
python3 "$src/tests/fakes/fake_openai.py" --key sk-bench > "$work/fake.out" 2> "$work/fake.log" &
pids+=($!)
for _ in $(seq 100); do grep -q PORT "$work/fake.out" 2>/dev/null && break; sleep 0.05; done
url="http://127.0.0.1:$(sed -n 's/PORT //p' "$work/fake.out")/v1"
"$zpub" config set providers.transcription.base_url "$url" >/dev/null
"$zpub" config set providers.chat.base_url "$url" >/dev/null
"$zpub" config set output_targets '{"folder":{}}' >/dev/null
"$zpub" config set publish.folder.path "$work/e2e_published" >/dev/null
printf 'sk-bench' | "$zpub" secret set transcription >/dev/null 2>&1
printf 'sk-bench' | "$zpub" secret set chat >/dev/null 2>&1
cat "$lecture" > /dev/null   # warm page cache, as for run.sh

load0=$(cut -d' ' -f1-3 /proc/loadavg)
/usr/bin/time -f "%e %U %S %M" -o "$work/e2e.time" bash -c '
	id=$("$1" import --title "Bench lecture" "$2") && "$1" run "$id" >/dev/null && echo "$id" > "$3"
' _ "$zpub" "$lecture" "$work/e2e.id"
id=$(cat "$work/e2e.id")
read -r wall user sys peak < "$work/e2e.time"
status=$("$zpub" show "$id" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
secs=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$lecture")
"$zpub" show "$id" --json | python3 -c '
import json, sys
a = [x for x in json.load(sys.stdin)["artifacts"] if x["kind"] == "cut_video"][0]
print("cut video: %s, %.0f s copied, %.0f s re-encoded" % (a["strategy"], a["copied_s"], a["reencoded_s"]))'
echo "load average before: $load0; after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "import -> $status: ${wall} s wall, $(python3 -c "print(round($user + $sys, 1))") s CPU, peak ${peak} KB"
python3 -c "print(f'lecture {$secs:.0f} s; wall / length = 1/{$secs / $wall:.1f} (goal 1/30); CPU / length = 1/{$secs / ($user + $sys):.1f}')"
