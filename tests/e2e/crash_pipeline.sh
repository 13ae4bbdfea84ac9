#!/usr/bin/env bash
# kill -9 at random (seeded) points of `zpub run --all` over two lectures,
# with one or two runners at a time, again and again: after every kill the
# invariants hold (statuses, artefacts present with their size and SHA-256,
# no duplicates, no temporary files past a finished stage, database
# integrity) and every round ends with all recordings at the last status the
# wired stages reach.  See tests/crash/crash_harness.py; replay a failure with
# its seed: ZPUB_CRASH_SEED=N ZPUB_CRASH_KILLS=M.
. "$ZPUB_SRC/tests/lib/e2e.sh"

# A 30 s lecture of tone bursts and pauses (seconds to make).
mkdir -p "$T/gen"
ffmpeg -v error -y -f lavfi -i "testsrc=size=320x180:rate=25:duration=30" \
	-f lavfi -i "sine=f=440:d=30,volume='if(lt(mod(t\,8)\,5)\,1\,0)':eval=frame" \
	-map 0:v -map 1:a -c:v libx264 -preset ultrafast -pix_fmt yuv420p -g 50 -bf 0 \
	-c:a aac -t 30 "$T/gen/base.mp4"
# Strict: a runner that dies by itself, or a *.tmp that survives its stage,
# fails the test (both were real bugs, fixed: PocketSphinx decoders built on
# two threads at once, and debris of killed runs).
allow=()
kills=${ZPUB_CRASH_KILLS:-20}
[ -n "${ASAN_OPTIONS:-}" ] && kills=${ZPUB_CRASH_KILLS:-10}   # slower under the sanitizers
python3 "$ZPUB_SRC/tests/crash/crash_harness.py" --zpub "$ZPUB" --work "$T/crash" \
	--media "$T/gen/base.mp4" --seed "${ZPUB_CRASH_SEED:-1}" \
	--kills "$kills" --budget-s "${ZPUB_CRASH_BUDGET_S:-60}" --min-kills 3 "${allow[@]}" \
	|| fail "the crash harness found a broken invariant (see above)"

# The download stage: recordings synced from a fake Zoom whose CDN sends
# 3 MB at 6 MB/s, so kills land mid-transfer (resume from .part).
. "$ZPUB_SRC/tests/fakes/fake_zoom.sh"
export ZPUB_HOME=$T/zoomsetup
zoom_fake_start "$T/zoom" --months 1 --per-month 2 --size 3000000 --faults slow:6000000
python3 "$ZPUB_SRC/tests/crash/crash_harness.py" --zpub "$ZPUB" --work "$T/crash-zoom" \
	--zoom-api "http://127.0.0.1:$ZPORT" --until DOWNLOADED --seed "${ZPUB_CRASH_SEED:-1}" \
	--kills $((kills / 2)) --budget-s "${ZPUB_CRASH_BUDGET_S:-40}" --min-kills 3 \
	|| fail "the crash harness (download stage) found a broken invariant (see above)"
# The last round's downloads are byte-identical to Zoom's files.
export ZPUB_HOME=$T/crash-zoom/home
n=$(zoom_check_downloads) || fail "after the kills a download differs from Zoom's file"
[ "$n" = 2 ] || fail "$n recordings DOWNLOADED after the last round"
ok "after the kills, the downloads are byte-identical to Zoom's files"
