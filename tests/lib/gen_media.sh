#!/bin/bash
# gen_media.sh — generates test lectures with known pauses for the media tests.
#
#   gen_media.sh OUTDIR VARIANT [VIDEO_SIZE]
#
# VARIANT: base (CFR 25 fps, no B-frames, 2 s GOPs), vfr (variable frame
# rate), offset (audio starts 0.85 s after the video), bframes (x264
# ultrafast with 2 B-frames), x264vf / x264med (x264 veryfast / medium
# defaults: 3 B-frames, B-pyramid, closed GOPs of 2 s), x264open (veryfast
# with open-gop=1: recovery-point I-frames with leading B-frames;
# x264openmed the same at medium, x264opencavlc with CAVLC and 3 slices), hevc
# (x265 defaults: open GOPs, CRA keyframes, B-frames; exits 3 when this
# FFmpeg has no libx265), vp9 (smart cut must fall back), neverstop (speech
# without pauses),
# silent10h (10 hours of silence, audio only, 8 kHz), bad (the bad-media
# corpus: empty.mp4, truncated.mp4 (no index), truncated_tail.mp4 (index
# first, data cut at 60 %), notmedia.mp4, noaudio.mp4, audioonly.m4a).
#
# Writes OUTDIR/VARIANT.mp4 (or the corpus) and OUTDIR/VARIANT.truth.json:
# {"duration_ms", "audio_offset_ms", "speech":[{start_ms,end_ms}...]} where
# each speech span runs from the first to the last sample of the spoken clip
# whose level (RMS over a sliding 10 ms window) reaches -40 dBFS (the true acoustic boundary, which can lie
# inside espeak's own padding).  Uses espeak-ng, sox, ffmpeg, python3.
set -euo pipefail
out=$1
variant=$2
size=${3:-320x180}
mkdir -p "$out"
tmp=$(mktemp -d "$out/gen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
rate=48000

say() { # say N TEXT -> $tmp/sN.wav (48 kHz mono)
	espeak-ng -s 160 -w "$tmp/raw$1.wav" "$2"
	sox -q "$tmp/raw$1.wav" -r $rate -c 1 -b 16 "$tmp/s$1.wav"
}
quiet() { # quiet N SECONDS -> $tmp/qN.wav
	sox -q -n -r $rate -c 1 -b 16 "$tmp/q$1.wav" trim 0 "$2"
}
beep() { # beep N -> $tmp/bN.wav: a 0.2 s 1 kHz sync mark
	sox -q -n -r $rate -c 1 -b 16 "$tmp/b$1.wav" synth 0.2 sine 1000 vol 0.3
}

# Builds $tmp/speech.wav from "q:SECONDS" and "s:TEXT" items and writes the
# truth file.  A -60 dBFS noise floor makes the silences realistic.
build() {
	local i=0 parts=() spec=()
	for item in "$@"; do
		i=$((i + 1))
		case $item in
		q:*) quiet $i "${item#q:}"; parts+=("$tmp/q$i.wav"); spec+=("q");;
		s:*) say $i "${item#s:}"; parts+=("$tmp/s$i.wav"); spec+=("s");;
		b) beep $i; parts+=("$tmp/b$i.wav"); spec+=("b");;
		esac
	done
	sox -q "${parts[@]}" "$tmp/clean.wav"
	local secs
	secs=$(soxi -D "$tmp/clean.wav")
	sox -q -n -r $rate -c 1 -b 16 "$tmp/noise.wav" synth "$secs" whitenoise vol 0.001
	sox -q -m "$tmp/clean.wav" "$tmp/noise.wav" "$tmp/speech.wav"
	# Where each spoken clip sits (samples); truth() measures inside.
	python3 - "$tmp" "${spec[*]}" > "$tmp/regions.json" <<'PY'
import sys, wave, json
tmp, spec = sys.argv[1], sys.argv[2].split()
pos = 0; regions = []; marks = []
for i, kind in enumerate(spec, 1):
    w = wave.open(f"{tmp}/{kind}{i}.wav"); n = w.getnframes(); w.close()
    if kind == 's':
        regions.append([pos, pos + n])
    if kind == 'b':
        marks.append(pos)
    pos += n
print(json.dumps({"speech": regions, "marks": marks}))
PY
}

truth() { # truth FILE OFFSET_MS
	# The true boundaries are measured on the file itself, decoded by the
	# ffmpeg program: the level is the RMS over a sliding 10 ms window
	# centred on each sample, and a clip's speech runs from the first to the
	# last sample where it reaches -40 dBFS (within 300 ms of the clip).
	ffmpeg -v error -y -i "$1" -vn -ac 1 -ar $rate -f s16le "$tmp/dec.raw"
	python3 - "$1" "$2" "$tmp/regions.json" "$tmp/dec.raw" <<'PY'
import sys, json, subprocess, array
f, off, reg = sys.argv[1], int(sys.argv[2]), json.load(open(sys.argv[3]))
regions = reg["speech"] + [[m, m + 9600] for m in reg["marks"]]
x = array.array('h'); x.frombytes(open(sys.argv[4], 'rb').read())
# The decoded audio's first sample sits at the audio stream's start time
# (with -itsoffset 0.85 that is 0.85 s less the AAC priming the decoder
# keeps here).
st = subprocess.check_output(["ffprobe", "-v", "error", "-select_streams", "a:0",
    "-show_entries", "stream=start_time", "-of", "csv=p=0", f]).decode().strip()
first_ms = float(st) * 1000 if st not in ("", "N/A") else 0.0
n = len(x); half = 240
thr = (32768 * 10 ** (-40 / 20)) ** 2 * (2 * half)
speech = []
# The decoded audio starts at the audio stream's start (off ms into the
# file): index it in its own samples, report on the file's timeline.
for a, b in regions:
    lo, hi = max(0, a - 14400), min(n, b + 14400)
    c = [0] * (hi - lo + 1); acc = 0
    for k in range(lo, hi):
        acc += x[k] * x[k]; c[k - lo + 1] = acc
    m = hi - lo
    loud = [k for k in range(m) if c[min(m, k + half)] - c[max(0, k - half)] >= thr]
    if loud:
        speech.append({"start_ms": round(first_ms + (lo + loud[0]) / 48),
                       "end_ms": round(first_ms + (lo + loud[-1] + 1) / 48)})
d = float(subprocess.check_output(["ffprobe", "-v", "error", "-show_entries",
    "format=duration", "-of", "csv=p=0", f]).decode().strip())
# Sync marks: a 0.2 s beep in a pause and a white video frame at the same
# moment of the file's timeline.
marks = [round(off + m / 48) for m in reg["marks"]]
speech.sort(key=lambda s: s["start_ms"])
json.dump({"duration_ms": round(d * 1000), "audio_offset_ms": off, "speech": speech,
           "marks_ms": marks},
          open(f.rsplit(".", 1)[0] + ".truth.json", "w"), indent=1)
PY
}

# A lecture: silent head, short and long pauses, two sync marks (beeps in
# kept pauses, after the first cuts), silent tail.
lecture() {
	build q:2.5 "s:Good morning everyone. Today we talk about signals." q:0.4 \
	    "s:First, what is a sample?" q:4 \
	    "s:A sample is a number that says how loud the air is." q:0.6 b q:0.6 \
	    "s:Second, the window." q:6.2 "s:Thank you, and see you next week." q:0.6 b q:0.6 \
	    "s:Bye." q:3
}
# The flashes that go with the beeps: white frames for 0.2 s.
flashes() { # flashes OFFSET_MS -> a drawbox filter chain
	python3 - "$tmp/regions.json" "$1" <<'PY'
import sys, json
reg = json.load(open(sys.argv[1])); off = int(sys.argv[2]) / 1000
print(",".join(f"drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='between(t,{off + m / 48000:.4f},{off + m / 48000 + 0.2:.4f})'"
               for m in reg["marks"]) or "null")
PY
}

# video encoder settings shared by the variants
venc=(-c:v libx264 -preset ultrafast -pix_fmt yuv420p -g 50 -keyint_min 50 -sc_threshold 0)

case $variant in
hevc|vp9)
	enc=$([ "$variant" = hevc ] && echo libx265 || echo libvpx-vp9)
	encoders=$(ffmpeg -hide_banner -encoders 2>/dev/null || true)
	if ! grep -q " $enc " <<<"$encoders"; then
		echo "gen_media.sh: this ffmpeg has no $enc" >&2
		exit 3
	fi;;
esac

case $variant in
base|bframes|offset|vfr|x264vf|x264med|x264open|x264openmed|x264opencavlc|hevc|vp9)
	lecture
	secs=$(soxi -D "$tmp/speech.wav")
	off=0
	ain=(-i "$tmp/speech.wav")
	bf=(-bf 0)
	vf="testsrc=size=$size:rate=25"
	vopt=()
	fl_off=0
	case $variant in
	bframes) bf=(-bf 2);;
	# The encoders' own defaults (B-frames, B-pyramid, scene cuts), with
	# 2 s GOPs so a short lecture has several.
	x264vf) bf=(); venc=(-c:v libx264 -preset veryfast -pix_fmt yuv420p -g 50);;
	x264med) bf=(); venc=(-c:v libx264 -preset medium -pix_fmt yuv420p -g 50);;
	x264open) bf=(); venc=(-c:v libx264 -preset veryfast -pix_fmt yuv420p -g 50
		-x264-params open-gop=1);;
	# Open GOPs with B-pyramid, 3 references and weighted prediction;
	# and with CAVLC and three slices a picture.
	x264openmed) bf=(); venc=(-c:v libx264 -preset medium -pix_fmt yuv420p -g 50
		-x264-params open-gop=1);;
	x264opencavlc) bf=(); venc=(-c:v libx264 -preset veryfast -pix_fmt yuv420p -g 50
		-x264-params open-gop=1:cabac=0:slices=3);;
	hevc) bf=(); venc=(-c:v libx265 -preset veryfast -pix_fmt yuv420p -g 50
		-x265-params log-level=error);;
	vp9) bf=(); venc=(-c:v libvpx-vp9 -deadline realtime -cpu-used 8 -pix_fmt yuv420p -g 50);;
	offset) off=850; fl_off=850; ain=(-itsoffset 0.85 -i "$tmp/speech.wav")
		secs=$(python3 -c "print($secs + 0.85)");;
	vfr) vopt=(-fps_mode vfr);;
	esac
	fl=$(flashes $fl_off)
	if [ "$variant" = vfr ]; then
		fl="$fl,select='lt(mod(t\,2)\,1)+not(mod(n\,3))'"
	fi
	ffmpeg -v error -y -f lavfi -i "$vf:duration=$secs,$fl" "${ain[@]}" \
	    -map 0:v -map 1:a "${vopt[@]}" "${venc[@]}" "${bf[@]}" \
	    -c:a aac -b:a 96k -ar $rate -t "$secs" "$out/$variant.mp4"
	truth "$out/$variant.mp4" $off
	;;
neverstop)
	build "s:One two three four five six seven eight nine ten eleven twelve"
	secs=$(soxi -D "$tmp/speech.wav")
	# Loop the talk back to back with a 0.3 s breath: no pause to cut.
	sox -q "$tmp/speech.wav" "$tmp/speech.wav" "$tmp/speech.wav" "$tmp/talk.wav"
	ffmpeg -v error -y -f lavfi -i "testsrc=size=$size:rate=25" -i "$tmp/talk.wav" \
	    -map 0:v -map 1:a "${venc[@]}" -bf 0 -c:a aac -b:a 96k -shortest "$out/neverstop.mp4"
	;;
silent10h)
	# Ten hours of digital silence, audio only, at a low rate so it stays
	# small (about 10 MB of AAC) and fast to make.
	ffmpeg -v error -y -f lavfi -i "anullsrc=r=8000:cl=mono" -t 36000 \
	    -c:a aac -b:a 8k "$out/silent10h.m4a"
	;;
bad)
	lecture
	: > "$out/empty.mp4"
	ffmpeg -v error -y -f lavfi -i "testsrc=size=$size:rate=25:duration=4" \
	    "${venc[@]}" "$out/noaudio.mp4"
	ffmpeg -v error -y -i "$tmp/speech.wav" -c:a aac -b:a 96k "$out/audioonly.m4a"
	truth "$out/audioonly.m4a" 0
	ffmpeg -v error -y -f lavfi -i "testsrc=size=$size:rate=25:duration=6" \
	    -i "$tmp/speech.wav" -map 0:v -map 1:a "${venc[@]}" -c:a aac -t 6 "$out/full.mp4"
	# Without its index (moov at the end), the first half is unplayable.
	head -c $(( $(stat -c %s "$out/full.mp4") / 2 )) "$out/full.mp4" > "$out/truncated.mp4"
	# With its index first (faststart), it opens but the data stops at 60 %.
	ffmpeg -v error -y -i "$out/full.mp4" -c copy -movflags +faststart "$tmp/fs.mp4"
	head -c $(( $(stat -c %s "$tmp/fs.mp4") * 6 / 10 )) "$tmp/fs.mp4" > "$out/truncated_tail.mp4"
	rm -f "$out/full.mp4"
	echo "garbage, not a video" > "$out/notmedia.mp4"
	;;
*)
	echo "gen_media.sh: unknown variant '$variant'" >&2
	exit 2
	;;
esac
