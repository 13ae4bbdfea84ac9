#!/bin/bash
# gen_stop.sh — a lecture whose process stage is long and the rest short,
# for the stop tests: SECONDS of a small test pattern (160x90, 10 fps, so it
# is quick to make) with a spoken-length tone at the start and silence after
# it.  The process stage reads all of it; the cut keeps the few seconds of
# tone, so transcription and publishing after it take little time.
#
#   gen_stop.sh OUT.mp4 SECONDS
set -euo pipefail
out=$1
secs=$2
ffmpeg -v error -y -f lavfi -i "testsrc=s=160x90:r=10:d=$secs" \
	-f lavfi -i "sine=f=440:d=6,apad=whole_dur=$secs" \
	-c:v libx264 -preset ultrafast -g 20 -pix_fmt yuv420p -c:a aac -b:a 32k -shortest "$out"
