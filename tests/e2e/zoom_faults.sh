#!/usr/bin/env bash
# Zoom downloads under fire: tokens that go stale before and in the middle
# of transfers (answered with 401 or a 59-byte "Forbidden" 200), an HTML
# error page with 200, a dropped connection, a server that ignores Range.
# The token is refreshed, the transfer resumes, and no recording ever
# reaches DOWNLOADED with a wrong size or a body that is not media.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/fakes/fake_zoom.sh"

zoom_fake_start "$T/zoom" --months 1 --per-month 5 \
	--faults expire_mid:2,expire_mid:5,stale_forbidden200,html200:6,drop:7,no_range_once,ratelimit_download:9
expect_rc 0 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31
# The cached token goes stale before the batch starts.
zoom_admin expire_tokens >/dev/null
expect_rc 0 "$ZPUB" run --all --until DOWNLOADED
n=$(zoom_check_downloads) || fail "a download differs from Zoom's file"
[ "$n" = 6 ] || fail "$n recordings DOWNLOADED, wanted 6"
zoom_admin stats > "$T/stats.json"
python3 - "$T/stats.json" "$ZDIR/requests.log" <<'PY' || fail "the faults were not exercised"
import json, sys
st = json.load(open(sys.argv[1]))
log = [json.loads(l) for l in open(sys.argv[2])]
assert st["stale_answers"] >= 3, st          # forbidden-200 and 401 both served
assert st["issued"] >= 4, st                 # and each earned a new token
cdn = [l for l in log if l["host"] == "cdn"]
assert any(l["status"] == 206 and l["range"] for l in cdn), "no resume with Range"
assert any(l["range"] and l["status"] == 200 for l in cdn), "the Range-ignoring answer was not served"
assert any(l["status"] == 200 and l["path"].startswith("/rec/download/") for l in log), "no HTML 200"
i = [k for k, l in enumerate(log) if l["status"] == 429 and l["path"].startswith("/rec/download/")]
assert i, "no 429 on a download"
after = [l for l in log[i[0] + 1:] if l["path"] == log[i[0]]["path"]]
assert after and after[0]["t"] - log[i[0]]["t"] >= 0.9, "Retry-After date not honoured"
PY
[ -z "$(find "$ZPUB_HOME" -name '*.part')" ] || fail "temporary .part files survive"
"$ZPUB" journal --json > "$T/journal.json"
grep -q "token was refreshed" "$T/journal.json" || fail "token refreshes not journaled"
ok "stale tokens mid-batch, HTML 200, dropped connection, ignored Range, 429 with a date: 6 byte-identical downloads"

# A resume answered with the whole file that then breaks off: the bytes
# must not be appended to the partial file.
zoom_fake_stop
export ZPUB_HOME="$T/home3"
zoom_fake_start "$T/zoom3" --months 1 --per-month 1 --faults drop:1,no_range_drop_once
expect_rc 0 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31
expect_rc 0 "$ZPUB" run 1 --until DOWNLOADED
n=$(zoom_check_downloads) || fail "a whole-file answer to a Range request corrupted the download"
[ "$n" = 1 ] || fail "$n recordings DOWNLOADED"
grep -q '"range": "bytes=[0-9]*-", "status": 200' "$ZDIR/requests.log" || fail "fault not exercised"
ok "a whole file answered to a Range request and then cut off is not appended"

# A service that keeps answering an HTML page: FAILED (retryable) with the
# reason, never DOWNLOADED, nothing of the page kept.
zoom_fake_stop
export ZPUB_HOME="$T/home2"
faults=$(seq -s, -f 'html200:%g' 1 30)
zoom_fake_start "$T/zoom2" --months 1 --per-month 1 --faults "$faults"
expect_rc 0 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31
expect_rc 1 "$ZPUB" run 1 --until DOWNLOADED
"$ZPUB" show 1 --json > "$T/show.json"
[ "$(jget status < "$T/show.json")" = FAILED ] || fail "status $(jget status < "$T/show.json")"
jget detail < "$T/show.json" | grep -qi "html" || fail "reason: $(jget detail < "$T/show.json")"
[ "$(jget next_retry_at < "$T/show.json")" != None ] || fail "an HTML answer should be retried later"
[ -z "$(find "$ZPUB_HOME/media" -type f)" ] || fail "files kept: $(find "$ZPUB_HOME/media" -type f)"
ok "an HTML page instead of the file: FAILED with the reason, retry scheduled, nothing kept"

# The download's retry limits are config (providers.zoom.download_retries,
# download_max_requests), validated: a value zpub cannot use fails the
# stage with a sentence naming the key, and download_retries 1 gives up
# after the second failed request in a row, with the reason.
zoom_fake_stop
export ZPUB_HOME="$T/home4"
zoom_fake_start "$T/zoom4" --months 1 --per-month 1 \
	--faults ratelimit_download:1,ratelimit_download:2,ratelimit_download:3
expect_rc 0 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31
# `config set` refuses them by the schema; a hand-edited config file still
# reaches the client, which refuses them by name too.
expect_rc 1 "$ZPUB" config set providers.zoom.download_retries '"many"'
echo "$ERR" | grep -q 'providers.zoom.download_retries cannot be "many": it takes a whole number from 0 to 100' \
	|| fail "config set took a bad download_retries: $ERR"
expect_rc 1 "$ZPUB" config set providers.zoom.download_retries 2.5
hand_set() { # hand_set KEY-UNDER-providers.zoom JSON-VALUE: edits config.json as a person would
	python3 - "$ZPUB_HOME/config.json" "$1" "$2" <<'PY'
import json, os, sys
p, k, v = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
c = json.load(open(p)) if os.path.exists(p) else {}
c.setdefault("providers", {}).setdefault("zoom", {})[k] = v
json.dump(c, open(p, "w"))
PY
}
hand_set download_retries '"many"'
expect_rc 1 "$ZPUB" run 1 --until DOWNLOADED
echo "$ERR" | grep -q "providers.zoom.download_retries is \"many\".*whole number" \
	|| fail "a bad download_retries was not refused by name: $ERR"
hand_set download_retries 2.5
expect_rc 0 "$ZPUB" retry 1
expect_rc 1 "$ZPUB" run 1 --until DOWNLOADED
echo "$ERR" | grep -q "providers.zoom.download_retries is 2.5" || fail "2.5 retries accepted: $ERR"
[ "$(zoom_admin stats | jget dl_calls)" = 0 ] || fail "a download started with a bad config"
expect_rc 0 "$ZPUB" config set providers.zoom.download_retries 1
expect_rc 0 "$ZPUB" retry 1
expect_rc 1 "$ZPUB" run 1 --until DOWNLOADED
echo "$ERR" | grep -q "HTTP 429" || fail "no reason after the retries ran out: $ERR"
[ "$(zoom_admin stats | jget dl_calls)" = 2 ] || fail "download_retries 1: $(zoom_admin stats)"
expect_rc 0 "$ZPUB" config set providers.zoom.download_retries 3
expect_rc 0 "$ZPUB" retry 1
expect_rc 0 "$ZPUB" run 1 --until DOWNLOADED
n=$(zoom_check_downloads) || fail "the download after the retries differs from Zoom's file"
[ "$n" = 1 ] || fail "$n recordings DOWNLOADED"
ok "download retries from providers.zoom: bad values refused by name; 1 retry = 2 requests; 3 retries finish"

echo "zoom_faults: all passed"
