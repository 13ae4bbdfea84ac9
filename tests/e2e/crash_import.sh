#!/usr/bin/env bash
# kill -9 of `zpub import` while it copies a large file leaves no half
# recording: after the next start the recording is either complete (row,
# file, size and checksum) or absent, and no temporary file survives.
. "$ZPUB_SRC/tests/lib/e2e.sh"

make_mp4 "$T/head.mp4" 2
# A valid MP4 followed by 300 MB of zeros: probes as media, copies slowly.
cp "$T/head.mp4" "$T/big.mp4"
truncate -s 300M "$T/big.mp4"
size=$(stat -c %s "$T/big.mp4")

# How long a whole import takes here; then kill at points across it.
start=$(date +%s%N)
"$ZPUB" import "$T/big.mp4" >/dev/null
full_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "a full import takes ${full_ms} ms"
delays=""
for pct in 10 50 95 150; do
	delays="$delays $(python3 -c "print($full_ms * $pct / 100000)")"
done
complete=0
for delay in $delays; do
	rm -rf "$ZPUB_HOME"
	"$ZPUB" import "$T/big.mp4" >"$T/out" 2>"$T/err" &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	# The next start sweeps; then check the invariants.
	"$ZPUB" status --json > "$T/status.json"
	total=$(jget total < "$T/status.json")
	left=$(find "$ZPUB_HOME" -name '*.tmp' | wc -l)
	[ "$left" = 0 ] || fail "delay $delay: temporary files survive: $(find "$ZPUB_HOME" -name '*.tmp')"
	if [ "$total" = 0 ]; then
		n=$(find "$ZPUB_HOME/media" -type f 2>/dev/null | wc -l)
		[ "$n" = 0 ] || fail "delay $delay: no recording but files: $(find "$ZPUB_HOME/media" -type f)"
		ok "delay $delay: killed before commit, nothing left"
	else
		[ "$total" = 1 ] || fail "delay $delay: $total recordings"
		"$ZPUB" show 1 --json > "$T/show.json"
		p=$(jget artifacts.0.path < "$T/show.json")
		[ "$(stat -c %s "$p")" = "$size" ] || fail "delay $delay: committed but short"
		[ "$(jget artifacts.0.sha256 < "$T/show.json")" = "$(sha256sum "$T/big.mp4" | cut -d' ' -f1)" ] \
			|| fail "delay $delay: checksum"
		complete=$((complete + 1))
		ok "delay $delay: complete recording"
	fi
done
[ "$complete" -ge 1 ] || fail "no run completed: the late kills should have found a finished import"
echo "crash_import: all passed"
