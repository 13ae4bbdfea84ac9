#!/bin/bash
# gen_visual.sh — generates lectures whose long pauses differ in what the
# picture does, for the content-aware pause tests.
#
#   gen_visual.sh OUTDIR VARIANT [VIDEO_SIZE]
#
# VARIANT: slides — a slide lecture (a small box moving about all the time)
# with three 12 s pauses between sentences: in the first, six lines of text
# are written one by one; in the second, the slide changes 3 s in; the
# third is still.  camera — the same speech over a full-frame picture that
# sways and shimmers all the time, as a talking head filling the frame does.
#
# Writes OUTDIR/VARIANT.mp4 and OUTDIR/VARIANT.truth.json:
# {"duration_ms", "pauses":[{"kind":"writing"|"slide"|"still",
#  "start_ms","end_ms","change_ms"(slide only)}]} with the pauses as the
# quiet clips were laid out.  Uses espeak-ng, sox, ffmpeg, python3.
set -euo pipefail
out=$1
variant=$2
size=${3:-640x360}
mkdir -p "$out"
tmp=$(mktemp -d "$out/gen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
rate=48000
pause=12

say() { # say N TEXT -> $tmp/sN.wav
	espeak-ng -s 160 -w "$tmp/raw$1.wav" "$2"
	sox -q "$tmp/raw$1.wav" -r $rate -c 1 -b 16 "$tmp/s$1.wav"
}
say 1 "Good morning. Today we solve a linear equation on the board."
say 2 "That is the whole derivation. Now the next slide."
say 3 "Here is the plot of the solution."
say 4 "Thank you, see you next week."
sox -q -n -r $rate -c 1 -b 16 "$tmp/q.wav" trim 0 $pause
sox -q -n -r $rate -c 1 -b 16 "$tmp/head.wav" trim 0 1.5
sox -q "$tmp/head.wav" "$tmp/s1.wav" "$tmp/q.wav" "$tmp/s2.wav" "$tmp/q.wav" \
    "$tmp/s3.wav" "$tmp/q.wav" "$tmp/s4.wav" "$tmp/head.wav" "$tmp/clean.wav"
secs=$(soxi -D "$tmp/clean.wav")
# A -60 dBFS noise floor, as a room has.
sox -q -n -r $rate -c 1 -b 16 "$tmp/noise.wav" synth "$secs" whitenoise vol 0.001
sox -q -m "$tmp/clean.wav" "$tmp/noise.wav" "$tmp/speech.wav"

# Where the pauses lie, and the video filters that go with them.
python3 - "$tmp" "$pause" "$secs" "$variant" "$out/$variant.truth.json" > "$tmp/vf.txt" <<'PY'
import sys, wave, json
tmp, pause, secs, variant, truth = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
def dur(name):
    w = wave.open(f"{tmp}/{name}.wav"); n = w.getnframes() / w.getframerate(); w.close(); return n
t = dur("head") + dur("s1")
pauses = []
for i, kind in enumerate(["writing", "slide", "still"]):
    pauses.append({"kind": kind, "start_ms": round(t * 1000), "end_ms": round((t + pause) * 1000)})
    t += pause + dur(f"s{i + 2}")
w0 = pauses[0]["start_ms"] / 1000
change = pauses[1]["start_ms"] / 1000 + 3
pauses[1]["change_ms"] = round(change * 1000)
json.dump({"duration_ms": round(secs * 1000), "pauses": pauses}, open(truth, "w"))
if variant == "camera":
    # Sways and shimmers all over: nothing ever stays put.
    print("smptehdbars=s=SIZE:r=25:d=SECS,rotate=a='0.08*sin(2*PI*0.7*t)':c=gray,"
          "noise=alls=12:allf=t")
    sys.exit(0)
f = ["color=c=0xf4f4f0:s=SIZE:r=25:d=SECS",
     "drawtext=text='Linear equations':fontsize=h/12:x=w/16:y=h/14:enable='lt(t,%.3f)'" % change]
# Six lines of a derivation, one every 1.5 s from 1 s into the first pause.
lines = ["3x + 5 = 20", "3x = 20 - 5", "3x = 15", "x = 15 / 3", "x = 5", "so 3*5 + 5 = 20"]
for k, line in enumerate(lines):
    f.append("drawtext=text='%s':fontsize=h/14:x=w/10:y=h/5+%d*h/10:enable='gte(t,%.3f)*lt(t,%.3f)'"
             % (line, k, w0 + 1 + 1.5 * k, change))
# The next slide: another background, a title and a plot.
f.append("drawbox=x=0:y=0:w=iw:h=ih:color=0x203040:t=fill:enable='gte(t,%.3f)'" % change)
f.append("drawtext=text='The solution':fontsize=h/12:fontcolor=white:x=w/16:y=h/14:enable='gte(t,%.3f)'" % change)
f.append("drawbox=x=iw/8:y=ih/3:w=iw*3/4:h=ih/2:color=0xe0c040:t=6:enable='gte(t,%.3f)'" % change)
f.append("drawbox=x=iw/8:y=ih/3+ih/4:w=iw*3/4:h=4:color=0xe0c040:t=fill:enable='gte(t,%.3f)'" % change)
# The pointer-sized box that moves about all the time (under 2 % of the frame).
f.append("drawbox=x='iw/2+iw/3*sin(0.9*t)':y='ih/2+ih/4*sin(1.7*t)':w=iw/12:h=iw/12:color=red:t=fill")
print(",".join(f))
PY
vf=$(sed -e "s/SIZE/$size/" -e "s/SECS/$secs/" "$tmp/vf.txt")
ffmpeg -v error -y -f lavfi -i "$vf" -i "$tmp/speech.wav" -map 0:v -map 1:a \
    -c:v libx264 -preset ultrafast -pix_fmt yuv420p -g 50 -keyint_min 50 -sc_threshold 0 -bf 0 \
    -c:a aac -b:a 96k -t "$secs" "$out/$variant.mp4"
