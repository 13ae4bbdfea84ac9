#!/usr/bin/env bash
# make_sample.sh — rebuilds assets/sample/lecture.mp4, the bundled sample
# lecture: espeak-ng speech with a dead head and tail and long pauses, over
# a still slide.  Needs espeak-ng, sox, ffmpeg and the DejaVu fonts.
#   bash assets/sample/make_sample.sh [OUT.mp4]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/lecture.mp4}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rate=48000
parts=()
n=0
say() {
	n=$((n + 1))
	espeak-ng -s 170 -w "$tmp/raw$n.wav" "$1"
	sox -q "$tmp/raw$n.wav" -r $rate -c 1 -b 16 "$tmp/p$n.wav"
	parts+=("$tmp/p$n.wav")
}
pause() {
	n=$((n + 1))
	sox -q -n -r $rate -c 1 -b 16 "$tmp/p$n.wav" trim 0 "$1"
	parts+=("$tmp/p$n.wav")
}
pause 2.5
say "Welcome to the lecture on sorting algorithms. Today we compare three ways to put data in order."
pause 1
say "First, insertion sort. It takes each element and inserts it into the sorted part of the array."
pause 4
say "It is fast for small arrays, but slow on large ones."
pause 1
say "Second, merge sort. Merge sort splits the array in halves, sorts each half, and merges the results."
pause 4
say "Merge sort runs in n log n time, but it needs extra memory."
pause 1
say "Let us take a short break before the last part."
pause 4
say "Third, quick sort. Quick sort picks a pivot and partitions the array around it."
pause 1
say "On average quick sort is the fastest of the three. Thank you for your attention."
pause 3
sox -q "${parts[@]}" "$tmp/clean.wav"
secs=$(soxi -D "$tmp/clean.wav")
# A faint noise floor, as a real room has.
sox -q -n -r $rate -c 1 -b 16 "$tmp/noise.wav" synth "$secs" whitenoise vol 0.002
sox -q -m "$tmp/clean.wav" "$tmp/noise.wav" "$tmp/speech.wav"
font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
ffmpeg -v error -y -f lavfi -i "color=c=0x1d3557:s=1280x720:r=25:d=$secs" -i "$tmp/speech.wav" \
	-vf "drawtext=fontfile=$font:text='Sorting algorithms':fontcolor=white:fontsize=72:x=(w-tw)/2:y=220,drawtext=fontfile=$font:text='insertion  ·  merge  ·  quick':fontcolor=0xf1faee:fontsize=40:x=(w-tw)/2:y=360,drawtext=fontfile=$font:text='zpub sample lecture':fontcolor=0xa8dadc:fontsize=28:x=(w-tw)/2:y=600" \
	-c:v libx264 -preset veryslow -tune stillimage -crf 30 -g 125 -bf 0 -pix_fmt yuv420p \
	-c:a aac -b:a 48k -ac 1 -movflags +faststart -shortest "$tmp/out.mp4"
mv "$tmp/out.mp4" "$out"
echo "wrote $out ($(stat -c %s "$out") bytes, ${secs}s)"
