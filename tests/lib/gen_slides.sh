#!/bin/bash
# gen_slides.sh — generates a lecture of five distinct slides for the slide
# tests: each slide (its own background colour, a box in its own place and
# its own text) is shown for 6 s while a sentence is spoken, then the next;
# the video is a static x264 encode with the default keyint (250), so the
# encoder's scene-cut detection puts a keyframe at each change.
#
#   gen_slides.sh OUTDIR [VIDEO_SIZE] [GOP]
#
# GOP: scenecut (default; x264's default keyint and scene cuts) or long
# (a fixed 10 s GOP without scene cuts, as some screen recorders write:
# the changes at 6, 12 and 18 s fall between keyframes; written as
# OUTDIR/slides_long.mp4).
#
# Writes OUTDIR/slides.mp4, OUTDIR/slide_N.png (N = 1..5, the pictures
# shown) and OUTDIR/slides.truth.json {"duration_ms", "changes_ms":[...]}.
# Uses espeak-ng, sox, ffmpeg (its drawtext with the font fc-match names;
# without a font the slides differ by colour and box alone).
set -euo pipefail
out=$1
size=${2:-640x360}
gop=${3:-scenecut}
mkdir -p "$out"
tmp=$(mktemp -d "$out/gen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
rate=48000
secs=6
colors=(navy darkgreen maroon darkslategray indigo)
boxes=("40:40:200:120" "400:60:180:220" "60:220:520:90" "250:30:120:300" "30:30:580:60")
texts=("Lecture 3: Integrals" "Riemann sums" "The fundamental theorem" "Substitution" "Integration by parts")
font=$(fc-match -f '%{file}' 'DejaVu Sans' 2>/dev/null || true)

parts=()
for i in 0 1 2 3 4; do
	n=$((i + 1))
	vf="drawbox=x=${boxes[$i]%%:*}:y=$(cut -d: -f2 <<<"${boxes[$i]}"):w=$(cut -d: -f3 <<<"${boxes[$i]}"):h=$(cut -d: -f4 <<<"${boxes[$i]}"):color=white@0.9:t=fill"
	if [ -n "$font" ] && [ -f "$font" ]; then
		printf '%s' "${texts[$i]}" > "$tmp/t$n.txt"
		vf="$vf,drawtext=fontfile=$font:textfile=$tmp/t$n.txt:fontsize=36:fontcolor=yellow:x=(w-text_w)/2:y=h-80"
	fi
	ffmpeg -nostdin -v error -y -f lavfi -i "color=c=${colors[$i]}:s=$size:d=1" -vf "$vf" \
	    -frames:v 1 "$out/slide_$n.png"
	espeak-ng -s 160 -w "$tmp/raw$n.wav" "This is slide $n. ${texts[$i]}."
	sox -q "$tmp/raw$n.wav" -r $rate -c 1 -b 16 "$tmp/s$n.wav"
	# the sentence, then quiet up to the slide's end
	sox -q -V1 "$tmp/s$n.wav" "$tmp/p$n.wav" pad 0.3 $secs trim 0 $secs
	parts+=("$tmp/p$n.wav")
done
sox -q "${parts[@]}" "$tmp/clean.wav"
sox -q -n -r $rate -c 1 -b 16 "$tmp/noise.wav" synth $((secs * 5)) whitenoise vol 0.001
sox -q -m "$tmp/clean.wav" "$tmp/noise.wav" "$tmp/speech.wav"

inputs=()
for n in 1 2 3 4 5; do
	inputs+=(-loop 1 -framerate 25 -t $secs -i "$out/slide_$n.png")
done
ffmpeg -nostdin -v error -y "${inputs[@]}" -i "$tmp/speech.wav" \
    -filter_complex "[0:v][1:v][2:v][3:v][4:v]concat=n=5:v=1:a=0,format=yuv420p[v]" \
    -map '[v]' -map 5:a -c:v libx264 -preset veryfast -c:a aac -b:a 96k \
    -movflags +faststart "$out/slides.mp4"
if [ "$gop" = long ]; then
	ffmpeg -nostdin -v error -y "${inputs[@]}" -i "$tmp/speech.wav" \
	    -filter_complex "[0:v][1:v][2:v][3:v][4:v]concat=n=5:v=1:a=0,format=yuv420p[v]" \
	    -map '[v]' -map 5:a -c:v libx264 -preset veryfast -g 250 -keyint_min 250 \
	    -sc_threshold 0 -bf 0 -c:a aac -b:a 96k "$out/slides_long.mp4"
fi
printf '{"duration_ms": %d, "changes_ms": [%d, %d, %d, %d]}\n' $((secs * 5000)) \
    $((secs * 1000)) $((secs * 2000)) $((secs * 3000)) $((secs * 4000)) > "$out/slides.truth.json"
