#!/usr/bin/env bash
# The Zoom client (listing, OAuth token, downloads through the CDN redirect)
# behind tests/fakes/faultproxy.py, one fault per case: connections dropped,
# reset or stalled mid-transfer, a slow link, garbage instead of HTTP, 429 and
# 5xx storms within the retry policy, and faults that outlast it (every call
# 503, the service unreachable).  Within the policy every download ends
# byte-identical to Zoom's file; beyond it the recording is FAILED with a
# sentence naming Zoom and the cause, a retry is scheduled, nothing partial is
# taken for a download, and once the fault is gone `zpub retry` finishes it.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/fakes/fake_zoom.sh"
. "$ZPUB_SRC/tests/faults/lib.sh"
trap 'proxy_stop_all; zoom_fake_stop' EXIT

passed=0
retry_failed() { # zpub retry on every FAILED recording
	local ids
	ids=$("$ZPUB" list --json | python3 -c 'import json,sys
print(" ".join(str(r["id"]) for r in json.load(sys.stdin) if r["status"] == "FAILED"))')
	[ -n "$ids" ] || fail "nothing to retry"
	expect_rc 0 "$ZPUB" retry $ids
}
# new_case NAME [N]: a fresh home and fake with N (2) recordings; zpub talks
# to the fake only through the proxy (the download URLs it keeps point there).
new_case() {
	proxy_stop_all
	zoom_fake_stop
	export ZPUB_HOME="$T/home-$1"
	NREC=${2:-2}
	zoom_fake_start "$T/zoom-$1" --months 1 --per-month "$NREC" --size 400000
	read -r _ API _ CDN < "$ZDIR/fake.out"
	[ "$API" = "$ZPORT" ] || fail "fake_zoom said: $(cat "$ZDIR/fake.out")"
	proxy_start zoom "api=$API" "cdn=$CDN"
	"$ZPUB" config set providers.zoom.api_base "http://127.0.0.1:$PROXY_API/v2" >/dev/null
	"$ZPUB" config set providers.zoom.oauth_base "http://127.0.0.1:$PROXY_API" >/dev/null
}
via_proxy() { # via_proxy FAULT... : arm the faults (connection numbers from 1)
	proxy_arm zoom "$@"
}
sync_direct() { # the listing through the clean proxy
	expect_rc 0 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31
}
downloads_ok() { # downloads_ok CASE: both recordings DOWNLOADED, byte-identical
	local n
	n=$(zoom_check_downloads) || fail "$1: a download differs from Zoom's file"
	[ "$n" = "$NREC" ] || fail "$1: $n recordings DOWNLOADED, wanted $NREC: $("$ZPUB" list)"
	[ -z "$(find "$ZPUB_HOME" -name '*.part' -o -name '*.tmp')" ] || fail "$1: partial files survive"
	[ "$(proxy_fired zoom)" -ge 1 ] || fail "$1: the fault never fired: $(proxy_events zoom)"
}
recovers() { # recovers CASE FAULT...: the run succeeds through the fault
	local case=$1
	shift
	wanted "$case" || return 0
	new_case "$case"
	sync_direct
	via_proxy "$@"
	expect_rc 0 "$ZPUB" run --all --until DOWNLOADED
	downloads_ok "$case"
	ok "$case: recovered ($(proxy_fired zoom) faulty connections): $*"
	passed=$((passed + 1))
}

# tolerates CASE FAULT...: either recovers at once, or (a fault the client
# does not retry inline) the affected recordings are FAILED with a sentence
# naming Zoom, and `zpub retry` finishes them once the fault is gone.  Whether
# a retry was scheduled by itself is printed (a garbage answer currently is
# not retried by itself: see the issue 9 report).
tolerates() {
	local case=$1
	shift
	wanted "$case" || return 0
	new_case "$case"
	sync_direct
	via_proxy "$@"
	set +e
	"$ZPUB" run --all --until DOWNLOADED >"$T/out" 2>"$T/err.case"
	local rc=$?
	set -e
	if [ $rc = 0 ]; then
		downloads_ok "$case"
		ok "$case: recovered inline: $*"
	else
		"$ZPUB" list --json > "$T/list.json"
		python3 - "$T/list.json" > "$T/sched" <<'PY' || fail "$case: $(cat "$T/err.case") $(cat "$T/list.json")"
import json, sys
for r in json.load(open(sys.argv[1])):
    if r["status"] == "DOWNLOADED":
        continue
    assert r["status"] == "FAILED" and r["failed_stage"] == "download", r
    assert "Zoom" in r["error"], r["error"]
    print("retry scheduled" if r["next_retry_at"] else "no automatic retry")
PY
		[ "$(proxy_fired zoom)" -ge 1 ] || fail "$case: the fault never fired"
		proxy_arm zoom
		retry_failed
		expect_rc 0 "$ZPUB" run --all --until DOWNLOADED
		local n
		n=$(zoom_check_downloads) || fail "$case: after retry a download differs"
		[ "$n" = 2 ] || fail "$case: after retry $n recordings DOWNLOADED"
		ok "$case: FAILED ($(sort -u "$T/sched" | tr '\n' ' ')) with '$(head -c 160 "$T/err.case")', recovered by retry: $*"
	fi
	passed=$((passed + 1))
}

# --- within the policy -----------------------------------------------------------
recovers drop_mid_transfer    'cdn#1:drop_at=150000' 'cdn#2:drop_at=1000'
full_only reset_mid_transfer && \
	recovers reset_mid_transfer   'cdn#1:reset_at=90000'
full_only stall_3s && \
	recovers stall_3s             'cdn#1:stall_at=120000,stall_s=3'
full_only slow_link && \
	recovers slow_link            'cdn#*:slow=600000'
tolerates garbage_not_http     'api#1:garbage_at=0'
full_only garbage_mid_headers && \
	tolerates garbage_mid_headers  'api#1-2:garbage_at=40'
recovers storm_429            'api#1-3:http=429,retry_after=1'
full_only storm_503 && \
	recovers storm_503            'api#1-2:http=503' 'cdn#1:http=502'
full_only cdn_refused_once && \
	recovers cdn_refused_once     'cdn#1:refuse'

# The listing and the token go through the proxy too: transient faults are
# retried, garbage instead of HTTP included; garbage that never ends stops
# the sync with a sentence, and running it again finds each recording once.
new_case listing_faults
via_proxy 'api#1:http=429,retry_after=1' 'api#2:drop_at=180' 'api#3:http=503'
expect_rc 0 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31
[ "$(proxy_fired zoom)" -ge 3 ] || fail "listing faults did not fire: $(proxy_events zoom)"
expect_rc 0 "$ZPUB" list --json
[ "$(echo "$OUT" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 2 ] \
	|| fail "listing under faults found: $OUT"
ok "listing_faults: 429, a drop and a 503 during sync; both recordings found once"
passed=$((passed + 1))

new_case listing_garbage_once
via_proxy 'api#1-2:garbage_at=0'
expect_rc 0 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31
[ "$(proxy_fired zoom)" -ge 2 ] || fail "listing_garbage_once: the fault never fired: $(proxy_events zoom)"
expect_rc 0 "$ZPUB" list --json
[ "$(echo "$OUT" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 2 ] \
	|| fail "listing_garbage_once: found $OUT"
ok "listing_garbage_once: two garbage answers are retried; both recordings found once"
passed=$((passed + 1))

new_case listing_garbage
via_proxy 'api#*:garbage_at=0'
expect_rc 0 "$ZPUB" config set providers.zoom.max_attempts 3
expect_rc 0 "$ZPUB" config set providers.zoom.retry_cap_ms 400
expect_rc 1 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31
why=$ERR
echo "$why" | grep -q "Zoom" || fail "listing_garbage: no sentence naming Zoom: $why"
echo "$why" | grep -qi "run it again\|try again\|retry" || fail "listing_garbage: no advice: $why"
via_proxy
expect_rc 0 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31
expect_rc 0 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31
expect_rc 0 "$ZPUB" list --json
[ "$(echo "$OUT" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 2 ] \
	|| fail "listing_garbage: after two syncs: $OUT"
ok "listing_garbage: the sync stops with '$(echo "$why" | head -c 120)', the next finds both recordings once"
passed=$((passed + 1))

# --- beyond the policy: FAILED with the reason, then recovery --------------------
beyond() { # beyond CASE REASON_REGEX FAULT...
	local case=$1 why=$2
	shift 2
	wanted "$case" || return 0
	new_case "$case" 1 # a permanent fault costs the client's whole retry policy
	sync_direct
	via_proxy "$@"
	expect_rc 0 "$ZPUB" config set providers.zoom.max_attempts 3
	expect_rc 0 "$ZPUB" config set providers.zoom.retry_cap_ms 400
	expect_rc 0 "$ZPUB" config set providers.zoom.max_wait_ms 3000
	# the download's own policy, shortened the same way (7 retries by default)
	expect_rc 0 "$ZPUB" config set providers.zoom.download_retries 3
	expect_rc 1 "$ZPUB" run --all --until DOWNLOADED
	expect_rc 0 "$ZPUB" list --json
	echo "$OUT" > "$T/failed.json"
	python3 - "$T/failed.json" "$why" <<'PY' || fail "$case: $(cat "$T/failed.json")"
import json, re, sys
recs = json.load(open(sys.argv[1]))
assert recs, "no recordings"
for r in recs:
    assert r["status"] == "FAILED", (r["id"], r["status"])
    assert r["failed_stage"] == "download", r
    assert "Zoom" in r["error"] and re.search(sys.argv[2], r["error"]), r["error"]
    assert r["next_retry_at"], ("a network failure is retried later", r)
PY
	# nothing partial is taken for a download: no source artefact, and a
	# partial file (kept to resume) only under a temporary name
	for id in $(python3 -c 'import json,sys; print(" ".join(str(r["id"]) for r in json.load(open(sys.argv[1]))))' "$T/failed.json"); do
		"$ZPUB" show "$id" --json | python3 -c 'import json,sys
j = json.load(sys.stdin)
assert not [a for a in j["artifacts"] if a["kind"] == "source"], j["artifacts"]' \
			|| fail "$case: FAILED recording $id has a source artefact"
	done
	if [ -d "$ZPUB_HOME/media" ]; then
		odd=$(find "$ZPUB_HOME/media" -type f ! -name '*.part' ! -name '*.tmp')
		[ -z "$odd" ] || fail "$case: a FAILED download left files under final names: $odd"
	fi
	# the fault goes away: retry finishes the job
	proxy_arm zoom
	retry_failed
	expect_rc 0 "$ZPUB" run --all --until DOWNLOADED
	local n
	n=$(zoom_check_downloads) || fail "$case: after recovery a download differs"
	[ "$n" = 1 ] || fail "$case: after recovery $n recordings DOWNLOADED"
	ok "$case: FAILED with '$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["error"][:140])' "$T/failed.json")', then recovered"
	passed=$((passed + 1))
}
beyond storm_503_forever '503|unavailable|try again' 'api#*:http=503'
full_only unreachable && \
	beyond unreachable       'connect|refused|reach|connection|broke' 'api#*:refuse' 'cdn#*:drop_at=2000'

echo "faults_zoom: $passed cases passed"
