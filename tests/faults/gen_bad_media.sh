# gen_bad_media.sh — the bad-media corpus for tests/e2e/bad_media.sh, made
# with FFmpeg's generators only (tone bursts stand in for speech, so it takes
# seconds): deterministic, no randomness.
#
#   gen_bad_media.sh OUTDIR
#
# Writes into OUTDIR:
#   good.mp4         a normal 30 s lecture (must keep going beside the rest)
#   empty.mp4        zero bytes
#   truncated.mp4    first half of an MP4 whose index is at the end
#   notmedia.mp4     text named .mp4
#   corrupt_head.mp4 a lecture whose first 4 KiB are overwritten with 0xAA
#   corrupt_moov.mp4 a faststart lecture whose moov atom is scrambled
#   wrong_ext.wav    an MP4 lecture named .wav
#   noaudio.mp4      video only
#   audioonly.m4a    audio only
#   vfr.mp4          variable frame rate lecture
#   surround.mp4     6-channel (5.1) audio
#   silent10h.mp4    ten hours of silence (8 kHz audio, a 32x32 picture every 10 s)
#   huge.mp4         one second of 8192x8192 video with audio
set -euo pipefail
out=$1
mkdir -p "$out"
# "speech": 5 s of tone, 3 s of quiet, again and again
talk="sine=f=440:d=30,volume='if(lt(mod(t\,8)\,5)\,1\,0)':eval=frame"
v=(-c:v libx264 -preset ultrafast -pix_fmt yuv420p -g 50 -bf 0)
ffmpeg -v error -y -f lavfi -i "testsrc=size=320x180:rate=25:duration=30" -f lavfi -i "$talk" \
	-map 0:v -map 1:a "${v[@]}" -c:a aac -t 30 "$out/good.mp4"
ffmpeg -v error -y -f lavfi -i "testsrc=size=320x180:rate=25:duration=30,select='lt(mod(t\,2)\,1)+not(mod(n\,3))'" \
	-f lavfi -i "$talk" -map 0:v -map 1:a -fps_mode vfr "${v[@]}" -c:a aac -t 30 "$out/vfr.mp4"
ffmpeg -v error -y -f lavfi -i "testsrc=size=320x180:rate=25:duration=4" "${v[@]}" "$out/noaudio.mp4"
ffmpeg -v error -y -f lavfi -i "$talk" -c:a aac "$out/audioonly.m4a"
: > "$out/empty.mp4"
echo "garbage, not a video" > "$out/notmedia.mp4"
# Without its index (moov at the end), the first half is unplayable.
head -c $(( $(stat -c %s "$out/good.mp4") / 2 )) "$out/good.mp4" > "$out/truncated.mp4"
# ten hours of silence: one minute encoded, then copied 600 times (seconds)
ffmpeg -v error -y -f lavfi -i "anullsrc=r=8000:cl=mono" -t 60 -c:a aac -b:a 8k "$out/silent1m.m4a"
for i in $(seq 600); do echo "file 'silent1m.m4a'"; done > "$out/silent.txt"
ffmpeg -v error -y -f concat -safe 0 -i "$out/silent.txt" -c copy "$out/silent10h.m4a"
rm -f "$out/silent1m.m4a" "$out/silent.txt"
ffmpeg -v error -y -f lavfi -i "testsrc=size=320x180:rate=25:duration=6" \
	-f lavfi -i "sine=f=300:duration=6" -map 0:v -map 1:a "${v[@]}" -c:a aac -t 6 \
	"$out/plain.mp4"
cp "$out/plain.mp4" "$out/corrupt_head.mp4"
python3 - "$out/corrupt_head.mp4" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.write(b"\xaa" * 4096)
PY
ffmpeg -v error -y -i "$out/plain.mp4" -c copy -movflags +faststart "$out/faststart.mp4"
python3 - "$out/faststart.mp4" "$out/corrupt_moov.mp4" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
i = d.find(b"moov")
assert i > 0
# keep the atom's size and name; scramble what is inside (deterministically)
for k in range(i + 4, min(len(d), i + 4 + 2000)):
    d[k] = (d[k] * 31 + 17) & 0xff
open(sys.argv[2], "wb").write(bytes(d))
PY
rm -f "$out/faststart.mp4"
cp "$out/plain.mp4" "$out/wrong_ext.wav"
ffmpeg -v error -y -f lavfi -i "testsrc=size=320x180:rate=25:duration=6" \
	-f lavfi -i "sine=f=300:duration=6" -map 0:v -map 1:a "${v[@]}" \
	-c:a aac -ac 6 -channel_layout 5.1 -t 6 "$out/surround.mp4" 2>/dev/null || \
ffmpeg -v error -y -f lavfi -i "testsrc=size=320x180:rate=25:duration=6" \
	-f lavfi -i "sine=f=300:duration=6" -map 0:v -map 1:a "${v[@]}" \
	-c:a aac -af "pan=5.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0" -t 6 "$out/surround.mp4"
ffmpeg -v error -y -f lavfi -i "color=c=gray:size=8192x8192:rate=1:duration=1" \
	-f lavfi -i "sine=f=300:duration=1" -map 0:v -map 1:a "${v[@]}" -c:a aac -t 1 \
	"$out/huge.mp4"
# Ten hours of silence with a picture, so it gets past "no video" to the
# silence analysis: gen_media's 10 h audio under a frame every 10 s.
ffmpeg -v error -y -f lavfi -i "color=c=black:size=32x32:rate=0.1" -i "$out/silent10h.m4a" \
	-map 0:v -map 1:a -t 36000 "${v[@]}" -g 60 -c:a copy "$out/silent10h.mp4"
rm -f "$out/plain.mp4" "$out/silent10h.m4a" "$out"/*.truth.json
