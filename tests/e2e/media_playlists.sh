#!/usr/bin/env bash
# Media is opened as media.  An HLS playlist or an FFmpeg concat script —
# named .mp4 — that lists another tenant's recording (or any file on the
# disk) would have FFmpeg read that file as this one's: its frames would
# come out in this tenant's video.  Such a file is refused at import with
# the user's own file name and the detected format; planted directly as a
# recording's source, it fails the process stage with a reason naming the
# format (no retry, no cut video).  A plain MPEG-TS file still imports.
. "$ZPUB_SRC/tests/lib/e2e.sh"

# The victim: tenant physics has a lecture; a real TS segment cut from it.
make_mp4 "$T/victim.mp4" 4
expect_rc 0 "$ZPUB" tenant add physics
expect_rc 0 "$ZPUB" --tenant physics import --title "Physics secret" "$T/victim.mp4"
victim_src=$ZPUB_HOME/media/physics/$OUT/source.mp4
[ -f "$victim_src" ] || fail "no victim source at $victim_src"
ffmpeg -v error -y -i "$T/victim.mp4" -c copy -f mpegts "$T/seg.ts"
playlist() { # playlist FILE ENTRY
	printf '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:4.0,\n%s\n#EXT-X-ENDLIST\n' "$2" > "$1"
}
mkdir -p "$T/evil"
playlist "$T/evil/hls_segment.mp4" "$T/seg.ts"
playlist "$T/evil/hls_other_tenant.mp4" "$victim_src"
playlist "$T/evil/lecture.m3u8" "$T/seg.ts"
cp "$T/victim.mp4" "$T/evil/next.mp4"
printf "ffconcat version 1.0\nfile 'next.mp4'\n" > "$T/evil/concat_relative.mp4"
printf "ffconcat version 1.0\nfile '%s'\n" "$victim_src" > "$T/evil/concat_other_tenant.mp4"

# 1. Refused at import, naming the user's file and the format.
for f in hls_segment.mp4:hls hls_other_tenant.mp4:hls lecture.m3u8:hls \
    concat_relative.mp4:concat concat_other_tenant.mp4:concat; do
	name=${f%%:*} format=${f##*:}
	expect_rc 1 "$ZPUB" import "$T/evil/$name"
	echo "$ERR" | grep -q "cannot import '$T/evil/$name'" || fail "$name: not named: $ERR"
	echo "$ERR" | grep -q "(format '$format'), not a media file" || fail "$name: format not named: $ERR"
	ok "$name refused at import: $ERR"
done
expect_rc 0 "$ZPUB" list --json
[ "$(echo "$OUT" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 0 ] \
	|| fail "refused imports left recordings: $OUT"
[ -z "$(find "$ZPUB_HOME/media/default" -type f 2>/dev/null)" ] \
	|| fail "refused imports left files: $(find "$ZPUB_HOME/media/default" -type f)"
# A plain MPEG-TS file is media.
expect_rc 0 "$ZPUB" import "$T/seg.ts"
ok "a plain MPEG-TS file imports (recording $OUT)"

# 2. Planted as a recording's source after import: FAILED at process.
plant() { # plant TITLE FILE -> id; a good lecture imported, then its source replaced
	ffmpeg -v error -y -i "$T/victim.mp4" -c copy -metadata comment="$1" "$T/$1.mp4"
	expect_rc 0 "$ZPUB" import --title "$1" "$T/$1.mp4"
	cp "$2" "$ZPUB_HOME/media/default/$OUT/source.mp4"
}
# (the old code cut the TS segment's frames into this recording's video)
plant planted_hls_ts "$T/evil/hls_segment.mp4"
id_ts=$OUT
plant planted_hls "$T/evil/hls_other_tenant.mp4"
id_hls=$OUT
plant planted_concat "$T/evil/concat_other_tenant.mp4"
id_concat=$OUT
for c in $id_ts:hls:"an HLS playlist" $id_hls:hls:"an HLS playlist" \
    $id_concat:concat:"an FFmpeg concat script"; do
	IFS=: read -r id format what <<<"$c"
	set +e
	"$ZPUB" run "$id" --until PROCESSED >"$T/run.out" 2>"$T/run.err"
	rc=$?
	set -e
	[ "$rc" = 1 ] || fail "planted $format: run exited $rc: $(cat "$T/run.err")"
	"$ZPUB" show "$id" --json > "$T/show.json"
	python3 - "$T/show.json" "$format" "$what" <<'PY' || fail "planted $format: $(cat "$T/show.json")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["status"] == "FAILED", j["status"]
assert j["failed_stage"] == "process", j["failed_stage"]
# named after the user's own file, never the internal source.mp4
want = "'%s.mp4' is %s (format '%s'), not a media file" % (j["title"], sys.argv[3], sys.argv[2])
assert want in (j["error"] or ""), (want, j["error"])
assert "source." not in j["error"], j["error"]
assert j["next_retry_at"] is None, "refused media must not be retried by itself"
assert not [a for a in j["artifacts"] if a["kind"] == "cut_video"], "a cut video was made"
PY
	grep -q "(format '$format')" "$T/run.err" || fail "planted $format: not printed: $(cat "$T/run.err")"
	[ ! -e "$ZPUB_HOME/media/default/$id/cut.mp4" ] || fail "planted $format: cut.mp4 exists"
	ok "planted $format source: FAILED at process: $(jget error < "$T/show.json")"
done
