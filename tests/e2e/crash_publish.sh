#!/usr/bin/env bash
# kill -9 at random (seeded) points of `zpub run --all` on lectures that go
# all the way to YouTube and VK (the loopback fakes), so kills land in every
# stage including mid-upload: after every kill the crash harness's
# invariants hold, and the services themselves never hold a second copy of a
# video; at the end of each round each service holds exactly one finished
# video per recording, with the cut video's bytes.  Replay with
# ZPUB_CRASH_SEED=N ZPUB_CRASH_KILLS=M.
. "$ZPUB_SRC/tests/fakes/net_e2e_lib.sh"
net_require_command publish

start_fake fake_google G
start_fake fake_vk V
# Slow chunks so that kills land between acknowledged bytes.
fake_faults "$G" '{"put_delay": 0.15}'

# A data folder signed in to both, copied into every round's fresh one.
export ZPUB_HOME=$T/seed
configure_google "$G"
configure_vk "$V"
sign_in youtube
sign_in vk
"$ZPUB" config set output_targets '{"youtube":{"privacy":"private","playlist":"PLcrash01"},"vk":{},"folder":false}' >/dev/null
"$ZPUB" config set publish.chunk_bytes 262144 >/dev/null
"$ZPUB" config set publish.backoff_base_ms 50 >/dev/null

# A 12 s lecture of tone bursts and pauses, about 1.5 MB after the cut.
ffmpeg -v error -y -f lavfi -i "testsrc=size=480x270:rate=25:duration=12" \
	-f lavfi -i "sine=f=440:d=12,volume='if(lt(mod(t\,6)\,4)\,1\,0)':eval=frame" \
	-map 0:v -map 1:a -c:v libx264 -preset ultrafast -b:v 1M -pix_fmt yuv420p -g 50 -bf 0 \
	-c:a aac -t 12 "$T/base.mp4"

kills=${ZPUB_CRASH_KILLS:-16}
[ -n "${ASAN_OPTIONS:-}" ] && kills=${ZPUB_CRASH_KILLS:-8}
python3 "$ZPUB_SRC/tests/crash/crash_harness.py" --zpub "$ZPUB" --work "$T/crash" \
	--media "$T/base.mp4" --seed "${ZPUB_CRASH_SEED:-3}" --until READY \
	--seed-home "$T/seed" --fake "youtube=$G" --fake "vk=$V" \
	--kills "$kills" --budget-s "${ZPUB_CRASH_BUDGET_S:-75}" --min-kills 3 \
	|| fail "the crash harness found a broken invariant (see above)"
echo "ok"
