#!/bin/bash
# bench/media/run.sh — the media engine against the ffmpeg program on a
# generated 60-minute 720p lecture (10 s GOPs, espeak speech with pauses of
# 0.3-20 s, a slide deck that changes every 45 s).  Not a test.
#
#   bench/media/run.sh [BUILD_DIR] [MINUTES] [KIND]
#
# KIND: nobf (default: x264 veryfast, no B-frames, fixed 10 s GOPs) or
# bframes (x264 `veryfast` defaults as screen recorders write them: High
# profile, 3 B-frames, B-pyramid, keyint 250 with scene cuts) or open (the
# same with open-gop=1: recovery points with leading B-frames, one IDR).
#
# Prints (a) our analysis time (silences, visual pauses, plan) / `ffmpeg -af
# silencedetect` (goal <= 1.0),
# (b) our whole stage (analyse + smart cut + audio chunks + thumbnails) /
# ffmpeg silencedetect + ffmpeg re-encoding the same plan (goal <= 0.2),
# (c) peak memory of each.  The lecture is cached in $BENCH_DIR.  Figures and
# how to read them: bench/media/README.md.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build}
minutes=${2:-60}
kind=${3:-nobf}
work=${BENCH_DIR:-/tmp/zpub-bench-media}
mkdir -p "$work"
case $kind in
nobf) lecture=$work/lecture_${minutes}m.mp4
	venc=(-c:v libx264 -preset veryfast -bf 0 -g 250 -keyint_min 250 -sc_threshold 0);;
bframes) lecture=$work/lecture_${minutes}m_bframes.mp4
	venc=(-c:v libx264 -preset veryfast);;
open) lecture=$work/lecture_${minutes}m_open.mp4
	venc=(-c:v libx264 -preset veryfast -x264-params open-gop=1);;
*) echo "run.sh: KIND is nobf, bframes or open" >&2; exit 2;;
esac

# --- the driver, linked against the engine library -----------------------
pkgs="ncursesw libuv sqlite3 libcurl libcjson libsodium libavformat libavcodec libavfilter libavutil libswresample libswscale"
extra=""
if pkg-config --exists pocketsphinx sphinxbase; then extra=$(pkg-config --libs pocketsphinx sphinxbase); fi
gcc -O2 -D_GNU_SOURCE $(for l in base db media net ai engine; do printf -- "-I%s " "$src/src/$l"; done) $(pkg-config --cflags $pkgs) \
    "$src/bench/media/bench_media.c" "$build/libzpubcore.a" \
    $(pkg-config --libs $pkgs) -lhttp_parser $extra -lpthread -lm -o "$work/bench_media"

# --- the lecture ---------------------------------------------------------
if [ ! -s "$lecture" ]; then
	echo "generating a ${minutes}-minute 720p lecture in $work (takes a few minutes)..." >&2
	t=$work/gen_$kind; rm -rf "$t"; mkdir -p "$t"
	i=0
	while read -r line; do
		espeak-ng -s 150 -w "$t/raw$i.wav" "$line"
		sox -q "$t/raw$i.wav" -r 48000 -c 1 -b 16 "$t/say$i.wav"
		i=$((i + 1))
	done <<'TXT'
Good morning, today we continue with signal processing and sampling.
A signal is a function of time, and we measure it at regular intervals.
The sampling theorem tells us how often we must measure.
If we sample too slowly, high frequencies fold back as aliases.
Let us look at an example on the next slide.
Here you see a sine wave and its samples drawn as dots.
Now, a question for you: what happens at exactly twice the frequency?
Right, we cannot tell the phase any more.
Filters remove what we cannot represent before we sample.
So, remember: filter first, then sample, then quantise.
TXT
	for p in 0.3 0.8 1.5 3 6 12 20; do
		sox -q -n -r 48000 -c 1 -b 16 "$t/p$p.wav" trim 0 "$p"
	done
	python3 - "$t" "$minutes" > "$t/list.txt" <<'PY'
import random, sys, wave
t, minutes = sys.argv[1], int(sys.argv[2])
random.seed(7)
total, items = 0.0, [f"{t}/p20.wav"]          # a dead head
total += 20
dur = {}
for i in range(10):
    w = wave.open(f"{t}/say{i}.wav"); dur[i] = w.getnframes() / 48000; w.close()
while total < minutes * 60 - 30:
    i = random.randrange(10); items.append(f"{t}/say{i}.wav"); total += dur[i]
    p = random.choices(["0.3", "0.8", "1.5", "3", "6", "12"], [30, 30, 15, 12, 9, 4])[0]
    items.append(f"{t}/p{p}.wav"); total += float(p)
items.append(f"{t}/p20.wav")                  # a dead tail
print("\n".join(items))
PY
	# sox takes the list in pieces to keep the command line short.
	split -l 400 "$t/list.txt" "$t/part."
	for f in "$t"/part.*; do mapfile -t parts < "$f"; sox -q "${parts[@]}" "$f.wav"; done
	sox -q "$t"/part.*.wav "$t/speech.wav"
	secs=$(soxi -D "$t/speech.wav")
	ffmpeg -v error -y -f lavfi -i "color=c=0xf4f4f0:s=1280x720:r=25:d=$secs,drawtext=text='Slide %{eif\:floor(t/45)+1\:d}':fontsize=64:x=80:y=80,drawtext=text='%{pts\:hms}':fontsize=28:x=1000:y=660,drawbox=x='mod(floor(t/45)*97\,900)':y=260:w=280:h=200:color=0x3060a0:t=fill" \
	    -i "$t/speech.wav" -map 0:v -map 1:a "${venc[@]}" -pix_fmt yuv420p \
	    -c:a aac -b:a 64k -ac 1 "$lecture"
	rm -rf "$t"
fi

# On a shared machine wall time depends on the neighbours; CPU time (user +
# system) much less, so both are printed.
measure() { # measure NAME CMD... -> T_NAME (wall s), C_NAME (CPU s), M_NAME (peak MB)
	local name=$1; shift
	/usr/bin/time -f "%e %M %U %S" "$@" > "$work/$name.out" 2> "$work/$name.err"
	read -r t m u s <<<"$(tail -1 "$work/$name.err")"
	printf -v "T_$name" "%s" "$t"
	printf -v "C_$name" "%s" "$(python3 -c "print(round($u + $s, 2))")"
	printf -v "M_$name" "%s" "$((m / 1024))"
}

echo "lecture: $lecture ($(du -h "$lecture" | cut -f1))"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
# Warm the page cache so neither side pays the first read.
cat "$lecture" > /dev/null

# (a) analysis, side by side
measure ff_sd ffmpeg -nostdin -v info -i "$lecture" -vn -sn -dn -af silencedetect=n=-40dB:d=1 -f null -
measure zp_an "$work/bench_media" analyse "$lecture"

# (b) whole stage vs silencedetect + re-encode of the same plan
rm -rf "$work/stage"; mkdir -p "$work/stage"
measure zp_st "$work/bench_media" stage "$lecture" "$work/stage"
sel=$(python3 - "$work/stage/time_map.json" <<'PY'
import json, sys
tm = json.load(open(sys.argv[1]))
t = [f"between(t,{g['src_start_ms']/1000:.3f},{g['src_end_ms']/1000 - 0.0005:.4f})" for g in tm["segments"]]
# FFmpeg's expression parser takes about 100 terms in a row: group by ten.
print("+".join("(" + "+".join(t[k:k + 10]) + ")" for k in range(0, len(t), 10)))
PY
)
printf '%s' "select='$sel',setpts=N/FRAME_RATE/TB" > "$work/vf.txt"
printf '%s' "aselect='$sel',asetpts=N/SR/TB" > "$work/af.txt"
measure ff_re ffmpeg -nostdin -v error -y -i "$lecture" -filter_script:v "$work/vf.txt" \
    -filter_script:a "$work/af.txt" -c:v libx264 -preset veryfast -crf 23 -c:a aac "$work/ffmpeg_cut.mp4"

ratio() { python3 -c "print(f'{($1) / ($2):.3f}')"; }
echo
echo "load average before: $load0; after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "analysis:  zpub ${T_zp_an} s wall, ${C_zp_an} s CPU, peak ${M_zp_an} MB"
echo "           ffmpeg -af silencedetect ${T_ff_sd} s wall, ${C_ff_sd} s CPU, peak ${M_ff_sd} MB"
echo "           (a) ratio $(ratio "$T_zp_an" "$T_ff_sd") wall, $(ratio "$C_zp_an" "$C_ff_sd") CPU   goal <= 1.0 (with visual pauses)"
echo "stage:     zpub ${T_zp_st} s wall, ${C_zp_st} s CPU, peak ${M_zp_st} MB"
echo "           $(cat "$work/zp_st.out")"
echo "baseline:  ffmpeg silencedetect + re-encode of the same plan ${T_ff_sd} + ${T_ff_re} s wall, ${C_ff_sd} + ${C_ff_re} s CPU, peak ${M_ff_re} MB"
echo "           (b) ratio $(ratio "$T_zp_st" "$T_ff_sd + $T_ff_re") wall, $(ratio "$C_zp_st" "$C_ff_sd + $C_ff_re") CPU   goal <= 0.2"
echo "memory:    (c) peak RSS: zpub analysis ${M_zp_an} MB, zpub stage ${M_zp_st} MB, ffmpeg re-encode ${M_ff_re} MB"
