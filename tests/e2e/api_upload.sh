# api_upload.sh — uploads through the control API on a real daemon: a
# 200 MB recording sent resumably (cut off mid-way by killing curl, resumed
# from the offset GET /uploads/{id} says) arrives byte for byte and is
# imported; a wrong START is refused with the offset, a wrong checksum
# discards the upload, an oversized one is refused before any byte is
# written, an anonymous one before its body; another tenant's token gets
# 404 on the upload and on the recording's artefact URLs; artefacts
# download with Range (206, 416); POST /recordings takes a file in one go;
# stale uploads expire.
. "$ZPUB_SRC/tests/lib/e2e.sh"
dpid=
cleanup() { [ -z "$dpid" ] || kill -9 "$dpid" 2>/dev/null || true; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
B=http://127.0.0.1:$port
"$ZPUB" config set daemon.tick_ms 200 >/dev/null
"$ZPUB" config set api.rate_per_minute 1000 >/dev/null
"$ZPUB" config set api.max_upload_mb 300 >/dev/null
"$ZPUB" config set api.idle_timeout_ms 2000 >/dev/null
expect_rc 0 "$ZPUB" user add olga --role editor
expect_rc 0 "$ZPUB" user token olga; TA=$OUT
expect_rc 0 "$ZPUB" user add vera --role viewer
expect_rc 0 "$ZPUB" user token vera; TV=$OUT
expect_rc 0 "$ZPUB" tenant add other
expect_rc 0 "$ZPUB" --tenant other user add bob --role owner
expect_rc 0 "$ZPUB" --tenant other user token bob; TB=$OUT
expect_rc 0 "$ZPUB" tenant quota other --storage 1M

# ~200 MB: raw video and PCM sound, quick to make and incompressible
F=$T/big.mkv
ffmpeg -v error -y -f lavfi -i "testsrc=s=320x180:r=25:d=93" -f lavfi -i "sine=f=440:d=93" \
	-c:v rawvideo -pix_fmt yuv420p -c:a pcm_s16le -shortest "$F"
SIZE=$(stat -c %s "$F")
SHA=$(sha256sum "$F" | cut -d' ' -f1)
[ "$SIZE" -gt 200000000 ] || fail "the test file is only $SIZE bytes"
make_mp4 "$T/small.mp4" 2

"$ZPUB" --daemon --foreground --listen 127.0.0.1:$port 2>"$T/daemon.log" &
dpid=$!
for _ in $(seq 1 100); do grep -q "control API on" "$T/daemon.log" && break; sleep 0.1; done
grep -q "control API on" "$T/daemon.log" || fail "API not up: $(cat "$T/daemon.log")"
UPDIR=$ZPUB_HOME/media/default/.uploads

# call METHOD PATH TOKEN [curl args...] -> $CODE and $BODY
call() {
	local m=$1 p=$2 tok=$3; shift 3
	local auth=()
	[ -z "$tok" ] || auth=(-H "Authorization: Bearer $tok")
	CODE=$(curl -s -o "$T/body" -w '%{http_code}' -X "$m" "${auth[@]}" "$@" "$B$p")
	BODY=$(cat "$T/body")
}

# ---- refused before any byte: anonymous, viewer, oversized ----
start=$(date +%s)
call PUT /uploads/123456789012345 "" -H "Content-Range: bytes 0-$((SIZE-1))/$SIZE" \
	-H "Expect:" --limit-rate 2M -T "$F"
[ "$CODE" = 401 ] || fail "anonymous PUT: $CODE $BODY"
[ $(( $(date +%s) - start )) -lt 20 ] || fail "anonymous PUT was answered only after its body"
call POST "/recordings?name=x.mkv" "" -H "Expect:" --limit-rate 2M -T "$F"
[ "$CODE" = 401 ] || fail "anonymous POST /recordings: $CODE $BODY"
[ $(( $(date +%s) - start )) -lt 40 ] || fail "anonymous POST was answered only after its body"
[ ! -d "$UPDIR" ] || [ -z "$(ls -A "$UPDIR")" ] || fail "anonymous requests left files: $(ls "$UPDIR")"
# with Expect: 100-continue (curl's own for large bodies) the refusal
# comes instead of the go-ahead
start=$(date +%s)
call POST "/recordings?name=x.mkv" "" --limit-rate 2M -T "$F"
[ "$CODE" = 401 ] && [ $(( $(date +%s) - start )) -lt 20 ] || fail "anonymous with Expect: $CODE"
ok "anonymous uploads refused before the body"

call POST /uploads "$TV" -d "{\"name\":\"a.mkv\",\"size\":$SIZE}"
[ "$CODE" = 403 ] || fail "viewer POST /uploads: $CODE $BODY"
call POST /uploads "$TA" -d '{"name":"a.mkv","size":400000000}'
[ "$CODE" = 413 ] && echo "$BODY" | grep -q max_upload_mb || fail "oversized upload: $CODE $BODY"
# a one-shot body announced too large: answered from its head alone
python3 - "$port" "$TA" >"$T/raw" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(("POST /recordings?name=big.mkv HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n"
           "Authorization: Bearer %s\r\nContent-Length: 400000000\r\n\r\n" % (sys.argv[1], sys.argv[2])).encode())
print(s.recv(4096).decode(errors="replace").split("\r\n")[0])
PY
grep -q " 413 " "$T/raw" || fail "oversized POST /recordings: $(cat "$T/raw")"
[ -z "$(ls -A "$UPDIR" 2>/dev/null)" ] || fail "oversized requests left files: $(ls "$UPDIR")"
call POST /uploads "$TA" -d '{"name":"a\u0001.mkv","size":10}'
[ "$CODE" = 400 ] || fail "control character in name: $CODE $BODY"
call POST /uploads "$TA" -d '{"name":"a.mkv","size":10,"sha256":"xyz"}'
[ "$CODE" = 400 ] || fail "bad sha256: $CODE $BODY"
call POST /uploads "$TA" -d '{"name":"a.mkv","size":-1}'
[ "$CODE" = 400 ] || fail "negative size: $CODE $BODY"
call POST /uploads "$TA" -d '{"name":"a.mkv","size":10,"path":"/etc/passwd"}'
[ "$CODE" = 400 ] || fail "unknown field: $CODE $BODY"
# tenant B's storage quota (1 MB), at creation and from a one-shot's head
call POST /uploads "$TB" -d '{"name":"b.mkv","size":2000000}'
[ "$CODE" = 413 ] && echo "$BODY" | grep -q "storage quota" || fail "over B's quota: $CODE $BODY"
call POST "/recordings?name=b.mkv" "$TB" -H "Expect:" --limit-rate 2M -T "$F"
[ "$CODE" = 413 ] && echo "$BODY" | grep -q "storage quota" || fail "one-shot over B's quota: $CODE $BODY"
[ -z "$(ls -A "$ZPUB_HOME/media/other/.uploads" 2>/dev/null)" ] || fail "B's refused uploads left files"
ok "viewer, oversized, over-quota and malformed uploads refused"

# ---- the resumable upload ----
call POST /uploads "$TA" -H 'Content-Type: application/json' \
	-d "{\"name\":\"Лекция 1.mkv\",\"size\":$SIZE,\"sha256\":\"$SHA\"}"
[ "$CODE" = 201 ] || fail "POST /uploads: $CODE $BODY"
ID=$(echo "$BODY" | jget id)
[ "$(echo "$BODY" | jget offset)" = 0 ] || fail "new upload's offset: $BODY"
ls "$UPDIR" | grep -q "^$ID.part$" || fail "the upload's file is not named by its id: $(ls "$UPDIR")"

for m in GET DELETE; do
	call $m /uploads/$ID "$TB"
	[ "$CODE" = 404 ] || fail "tenant B $m /uploads/$ID: $CODE $BODY"
done
call PUT /uploads/$ID "$TB" -H "Content-Range: bytes 0-9/$SIZE" --data-binary 0123456789
[ "$CODE" = 404 ] || fail "tenant B PUT /uploads/$ID: $CODE $BODY"
ok "tenant B cannot see or write tenant A's upload"

# cut off mid-way: curl killed while sending
curl -s -o /dev/null -X PUT -H "Authorization: Bearer $TA" -H "Expect:" \
	-H "Content-Range: bytes 0-$((SIZE-1))/$SIZE" --limit-rate 25M -T "$F" "$B/uploads/$ID" &
cpid=$!
sleep 3
kill "$cpid" 2>/dev/null || fail "curl ended before it was killed"
wait "$cpid" 2>/dev/null || true
sleep 0.5
call GET /uploads/$ID "$TA"
[ "$CODE" = 200 ] || fail "GET /uploads/$ID: $CODE $BODY"
OFF=$(echo "$BODY" | jget offset)
[ "$OFF" -gt 0 ] && [ "$OFF" -lt "$SIZE" ] || fail "offset after the cut: $OFF of $SIZE"
[ "$(stat -c %s "$UPDIR/$ID.part")" = "$OFF" ] || fail "offset $OFF is not the bytes on disk"
cmp -n "$OFF" "$F" "$UPDIR/$ID.part" || fail "the first $OFF bytes differ"
ok "cut off after $OFF bytes, kept on disk"

# a body that stalls is cut after api.idle_timeout_ms; what came stays
call POST /uploads "$TA" -d '{"name":"stall.bin","size":5000}'
IDS=$(echo "$BODY" | jget id)
python3 - "$port" "$TA" "$IDS" >"$T/raw" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=15)
s.sendall(("PUT /uploads/%s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nAuthorization: Bearer %s\r\n"
           "Content-Range: bytes 0-4999/5000\r\nContent-Length: 5000\r\n\r\n"
           % (sys.argv[3], sys.argv[1], sys.argv[2])).encode() + b"x" * 1000)
t = time.time()
print(s.recv(4096).decode(errors="replace").split("\r\n")[0], round(time.time() - t))
PY
grep -q " 408 " "$T/raw" || fail "a stalled body: $(cat "$T/raw")"
call GET /uploads/$IDS "$TA"
[ "$(echo "$BODY" | jget offset)" = 1000 ] || fail "after the stall: $BODY"
call PUT /uploads/$IDS "$TA" -H "Content-Range: bytes 1000-4999/5000" --data-binary @<(head -c 4000 /dev/zero)
[ "$CODE" = 422 ] && echo "$BODY" | grep -q "not a media file" || fail "non-media upload: $CODE $BODY"
ok "a stalled body is cut with 408 and its bytes kept; a finished non-media upload is 422"

# a wrong START is refused with the offset
call PUT /uploads/$ID "$TA" -H "Content-Range: bytes 0-9/$SIZE" --data-binary 0123456789
[ "$CODE" = 409 ] || fail "wrong START: $CODE $BODY"
[ "$(echo "$BODY" | jget offset)" = "$OFF" ] || fail "409 does not say the offset: $BODY"
call PUT /uploads/$ID "$TA" -H "Content-Range: bytes */$SIZE"
[ "$CODE" = 200 ] && [ "$(echo "$BODY" | jget offset)" = "$OFF" ] || fail "Content-Range */SIZE: $CODE $BODY"
call PUT /uploads/$ID "$TA" --data-binary 0123456789
[ "$CODE" = 400 ] || fail "PUT without Content-Range: $CODE $BODY"
ok "wrong START refused with the offset"

# resumed from the offset (the rest from a pipe: chunked)
call PUT /uploads/$ID "$TA" -H "Expect: 100-continue" \
	-H "Content-Range: bytes $OFF-$((SIZE-1))/$SIZE" -T - < <(tail -c +$((OFF + 1)) "$F")
[ "$CODE" = 201 ] || fail "resumed PUT: $CODE $BODY"
RID=$(echo "$BODY" | jget recording.id)
[ "$(echo "$BODY" | jget recording.title)" = "Лекция 1" ] || fail "title: $BODY"
[ ! -e "$UPDIR/$ID.part" ] || fail "the finished upload's file stayed"
call GET /uploads/$ID "$TA"
[ "$CODE" = 404 ] || fail "finished upload still answers: $CODE"
ok "resumed and imported as recording $RID"

# ---- artefacts ----
call GET /recordings/$RID/artifacts "$TA"
[ "$CODE" = 200 ] || fail "artifacts list: $CODE $BODY"
echo "$BODY" | python3 -c '
import json, sys
a = json.load(sys.stdin)["artifacts"]
src = [x for x in a if x["kind"] == "source"]
assert src and src[0]["sha256"] == sys.argv[1], a
assert all("path" not in x for x in a), "a path leaked: %r" % a
' "$SHA" || fail "artifacts list: $BODY"
curl -s -D "$T/h" -o "$T/part" -H "Authorization: Bearer $TA" -H "Range: bytes=100-199" \
	"$B/recordings/$RID/artifacts/source"
grep -q "^HTTP/1.1 206" "$T/h" || fail "Range: $(cat "$T/h")"
grep -qi "^Content-Range: bytes 100-199/$SIZE" "$T/h" || fail "Content-Range: $(cat "$T/h")"
grep -qi "^Content-Type: video/x-matroska" "$T/h" || fail "Content-Type: $(cat "$T/h")"
cmp "$T/part" <(head -c 200 "$F" | tail -c 100) || fail "bytes 100-199 differ"
curl -s -D "$T/h" -o "$T/part" -H "Authorization: Bearer $TA" -H "Range: bytes=-10" \
	"$B/recordings/$RID/artifacts/source"
cmp "$T/part" <(tail -c 10 "$F") || fail "the last 10 bytes differ"
grep -qi "^Content-Range: bytes $((SIZE-10))-$((SIZE-1))/$SIZE" "$T/h" || fail "suffix range: $(cat "$T/h")"
call GET /recordings/$RID/artifacts/source "$TA" -H "Range: bytes=$SIZE-"
[ "$CODE" = 416 ] || fail "unsatisfiable range: $CODE"
curl -s -D "$T/h" -H "Authorization: Bearer $TA" "$B/recordings/$RID/artifacts/source" |
	sha256sum | grep -q "^$SHA " || fail "the whole download differs"
grep -q "^HTTP/1.1 200" "$T/h" && grep -qi "^Accept-Ranges: bytes" "$T/h" || fail "whole: $(cat "$T/h")"
call GET /recordings/$RID/artifacts/vtt "$TA"
[ "$CODE" = 404 ] || fail "missing kind: $CODE $BODY"
call GET "/recordings/$RID/artifacts/..%2F..%2Fetc" "$TA"
[ "$CODE" = 404 ] || fail "a path as kind: $CODE $BODY"
for p in /recordings/$RID/artifacts /recordings/$RID/artifacts/source /recordings/$RID; do
	call GET "$p" "$TB"
	[ "$CODE" = 404 ] || fail "tenant B GET $p: $CODE $BODY"
done
ok "artefacts listed and downloaded with Range; tenant B gets 404"

# ---- wrong checksum: refused, discarded ----
SS=$(stat -c %s "$T/small.mp4")
call POST /uploads "$TA" -d "{\"name\":\"small.mp4\",\"size\":$SS,\"sha256\":\"$(printf '0%.0s' $(seq 64))\"}"
[ "$CODE" = 201 ] || fail "POST /uploads small: $CODE $BODY"
ID2=$(echo "$BODY" | jget id)
call PUT /uploads/$ID2 "$TA" -H "Content-Range: bytes 0-$((SS-1))/$SS" --data-binary @"$T/small.mp4"
[ "$CODE" = 422 ] && echo "$BODY" | grep -q "checksum mismatch" || fail "wrong checksum: $CODE $BODY"
call GET /uploads/$ID2 "$TA"
[ "$CODE" = 404 ] || fail "the mismatched upload stayed: $CODE"
ok "wrong checksum refused and discarded"

# ---- one shot, a duplicate, a bad checksum header ----
SSHA=$(sha256sum "$T/small.mp4" | cut -d' ' -f1)
call POST "/recordings?name=%D0%9B%D0%B5%D0%BA%D1%86%D0%B8%D1%8F%202.mp4" "$TA" \
	-H "X-Zpub-Sha256: $SSHA" --data-binary @"$T/small.mp4"
[ "$CODE" = 201 ] && [ "$(echo "$BODY" | jget recording.title)" = "Лекция 2" ] || fail "POST /recordings: $CODE $BODY"
call POST "/recordings?name=again.mp4" "$TA" --data-binary @"$T/small.mp4"
[ "$CODE" = 200 ] && [ "$(echo "$BODY" | jget existed)" = True ] || fail "duplicate POST /recordings: $CODE $BODY"
call POST "/recordings?name=bad.mp4" "$TA" -H "X-Zpub-Sha256: $SHA" --data-binary @"$T/small.mp4"
[ "$CODE" = 422 ] || fail "POST /recordings with a wrong checksum: $CODE $BODY"
call POST "/recordings" "$TA" --data-binary @"$T/small.mp4"
[ "$CODE" = 400 ] || fail "POST /recordings without a name: $CODE $BODY"
call POST "/recordings?name=x.mp4" "$TA" --data-binary 'not a video at all'
[ "$CODE" = 422 ] || fail "POST /recordings with no media: $CODE $BODY"
[ -z "$(ls -A "$UPDIR")" ] || fail "one-shot uploads left files: $(ls "$UPDIR")"
ok "POST /recordings in one go, duplicates found, bad checksums and media refused"

# every byte on disk but the answer lost: "bytes */SIZE" with no body finishes it
make_mp4 "$T/third.mp4" 3
S3=$(stat -c %s "$T/third.mp4")
call POST /uploads "$TA" -d "{\"name\":\"third.mp4\",\"size\":$S3}"
ID5=$(echo "$BODY" | jget id)
cat "$T/third.mp4" >>"$UPDIR/$ID5.part"
call PUT /uploads/$ID5 "$TA" -H "Content-Range: bytes */$S3"
[ "$CODE" = 201 ] && [ "$(echo "$BODY" | jget recording.title)" = third ] || fail "finishing a complete upload: $CODE $BODY"
ok "a complete upload whose answer was lost is finished by bytes */SIZE"

# a one-shot upload cut off leaves nothing behind (nothing could resume it)
curl -s -o /dev/null -X POST -H "Authorization: Bearer $TA" -H "Expect:" --limit-rate 25M \
	-T "$F" "$B/recordings?name=cut.mkv" &
cpid=$!
sleep 1.5
[ -n "$(ls -A "$UPDIR")" ] || fail "the one-shot upload is not on disk while it streams"
kill "$cpid" 2>/dev/null || fail "curl ended before it was killed"
wait "$cpid" 2>/dev/null || true
sleep 0.5
[ -z "$(ls -A "$UPDIR")" ] || fail "a cut-off one-shot upload left files: $(ls "$UPDIR")"
ok "a cut-off POST /recordings leaves nothing"

# ---- abandon, expire ----
call POST /uploads "$TA" -d '{"name":"gone.mp4","size":1000}'
ID3=$(echo "$BODY" | jget id)
call DELETE /uploads/$ID3 "$TA"
[ "$CODE" = 200 ] || fail "DELETE /uploads: $CODE $BODY"
call GET /uploads/$ID3 "$TA"
[ "$CODE" = 404 ] || fail "abandoned upload: $CODE"
call POST /uploads "$TA" -d '{"name":"stale.mp4","size":1000}'
ID4=$(echo "$BODY" | jget id)
touch -d '2 days ago' "$UPDIR/$ID4.part"
call POST /uploads "$TA" -d '{"name":"fresh.mp4","size":1000}'
call GET /uploads/$ID4 "$TA"
[ "$CODE" = 404 ] || fail "a stale upload did not expire: $CODE $BODY"
ok "abandoned and stale uploads removed"

# the openapi document names the new routes
call GET /openapi.json ""
for p in /uploads /uploads/{id} /recordings/{id}/artifacts/{kind}; do
	echo "$BODY" | python3 -c 'import json,sys; assert sys.argv[1] in json.load(sys.stdin)["paths"]' "$p" ||
		fail "openapi lacks $p"
done
kill "$dpid"; wait "$dpid" 2>/dev/null || true; dpid=
ok "api_upload"
