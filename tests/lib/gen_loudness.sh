#!/bin/bash
# gen_loudness.sh — a lecture recorded at a given loudness, for the loudness
# tests.
#
#   gen_loudness.sh OUTFILE LUFS [CHANNELS]
#
# Writes OUTFILE (MP4: 320x180 25 fps H.264 with 2 s GOPs, AAC 48 kHz) of
# about 30 s: espeak-ng sentences separated by short and long pauses (so the
# cut has work to do) over a -60 dBFS noise floor, the whole scaled so
# `ffmpeg -af ebur128` measures LUFS integrated (within 0.5 LU).  CHANNELS 2
# writes the same speech on both channels.  Uses espeak-ng, sox, ffmpeg.
set -euo pipefail
out=$1
lufs=$2
ch=${3:-1}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/genloud.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
rate=48000

i=0
parts=()
for item in "q:1.5" "s:Good morning. Today we measure how loud a lecture is." "q:0.5" \
    "s:A loudness meter listens the way people do." "q:4" \
    "s:It weighs the high frequencies more than the low ones." "q:0.7" \
    "s:Then it gates away the pauses, so silence does not count." "q:5" \
    "s:Broadcasters publish at minus twenty three, video sites near minus fourteen." "q:0.6" \
    "s:Thank you, see you next week." "q:2"; do
	i=$((i + 1))
	case $item in
	q:*) sox -q -n -r $rate -c 1 -b 16 "$tmp/p$i.wav" trim 0 "${item#q:}";;
	s:*) espeak-ng -s 160 -w "$tmp/raw$i.wav" "${item#s:}"
		sox -q "$tmp/raw$i.wav" -r $rate -c 1 -b 16 "$tmp/p$i.wav";;
	esac
	parts+=("$tmp/p$i.wav")
done
sox -q "${parts[@]}" -e floating-point -b 32 "$tmp/clean.wav"
secs=$(soxi -D "$tmp/clean.wav")
sox -q -n -r $rate -c 1 -e floating-point -b 32 "$tmp/noise.wav" synth "$secs" whitenoise vol 0.001
sox -q -m "$tmp/clean.wav" "$tmp/noise.wav" -e floating-point -b 32 "$tmp/speech.wav"

# The wanted loudness, measured the way the test checks it: a gain, and a
# limiter at -1 dBFS as a hot recording chain has (espeak speaks with 19 dB
# between its loudness and its peaks), a few rounds until they agree.
measure() { # measure WAV -> integrated LUFS
	ffmpeg -nostdin -hide_banner -i "$1" -af ebur128 -f null - 2>&1 |
		awk '/Integrated loudness:/ {f=1} f && /I:/ {print $2; exit}'
}
gain=0
for round in 1 2 3 4 5 6 7 8 9 10; do
	ffmpeg -nostdin -v error -y -i "$tmp/speech.wav" \
		-af "volume=${gain}dB,alimiter=limit=0.89:level=false:attack=1:release=50" \
		-c:a aac -b:a 128k -ac "$ch" "$tmp/level.m4a"
	m=$(measure "$tmp/level.m4a"); echo "gen_loudness: gain $gain dB -> $m LUFS" >&2
	python3 -c "import sys; sys.exit(0 if abs($lufs - ($m)) < 0.2 else 1)" && break
	# The limiter takes back part of each step: step by the secant.
	cur=$gain
	gain=$(python3 -c "
g, m, pg, pm = $gain, $m, ${pg:-None}, ${pm:-None}
k = 1 if pg is None or m == pm else min(4, max(1, (g - pg) / (m - pm)))
print(round(g + k * ($lufs - m), 2))")
	pg=$cur pm=$m
done
ffmpeg -nostdin -v error -y -f lavfi -i "color=c=0xf4f4f0:s=320x180:r=25:d=$secs,drawbox=x='mod(t*40\,280)':y=60:w=40:h=40:color=0x3060a0:t=fill" \
	-i "$tmp/level.m4a" -map 0:v -map 1:a \
	-c:v libx264 -preset ultrafast -pix_fmt yuv420p -g 50 -keyint_min 50 -sc_threshold 0 \
	-c:a copy -shortest "$out"
