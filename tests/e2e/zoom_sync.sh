#!/usr/bin/env bash
# `zpub sync zoom` against the loopback fake: three months over several
# pages (a page token that expires, a 429 with an ISO date in Retry-After)
# create exactly one recording per publishable file; a second sync creates
# nothing; hostile topics become safe titles and nothing outside the
# tenant's folder; every download is byte-identical to Zoom's file; a
# recording deleted here stays deleted, in its tenant only.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/fakes/fake_zoom.sh"

zoom_fake_start "$T/zoom" --hostile --page-size 3 --faults page_token_expires_once,ratelimit_once

# Usage errors are caught before anything is asked of Zoom.
expect_rc 2 "$ZPUB" sync
expect_rc 2 "$ZPUB" sync youtube
expect_rc 2 "$ZPUB" sync zoom --from 2026-13-01
expect_rc 2 "$ZPUB" sync zoom --from 2026-10-02 --to 2026-10-01
ok "usage errors"

# Not connected yet: a sentence that says what to do.
"$ZPUB" config set providers.zoom.account_id "" >/dev/null
expect_rc 1 "$ZPUB" sync zoom --from 2026-08-01 --to 2026-10-31
echo "$ERR" | grep -q "providers.zoom.account_id" || fail "no hint on connecting Zoom: $ERR"
"$ZPUB" config set providers.zoom.account_id zoom-account >/dev/null
ok "an unconnected account says how to connect it"

# Dry run: lists, writes nothing.
expect_rc 0 "$ZPUB" sync zoom --from 2026-08-01 --to 2026-10-31 --dry-run --json
echo "$OUT" > "$T/dry.json"
[ "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["created"]))' "$T/dry.json")" = 18 ] \
	|| fail "dry run should report 18 new recordings: $OUT"
"$ZPUB" status --json > "$T/status.json"
[ "$(jget total < "$T/status.json")" = 0 ] || fail "dry run created recordings"
ok "dry run creates nothing"

expect_rc 0 "$ZPUB" sync zoom --from 2026-08-01 --to 2026-10-31 --json
echo "$OUT" > "$T/sync1.json"
python3 - "$T/sync1.json" "$ZDIR/manifest.json" <<'PY' || fail "first sync: wrong recordings"
import json, sys
s = json.load(open(sys.argv[1])); man = json.load(open(sys.argv[2]))
got = sorted(r["file_id"] for r in s["created"])
want = sorted(m["file_id"] for m in man)
assert got == want, "created %s\nwanted %s" % (got, want)
assert s["processing"] == 1, s["processing"]
assert s["windows"] == 3, s["windows"]
types = {m["file_id"]: m["file_type"] for m in man}
for r in s["created"]:
    assert r["file_type"] == types[r["file_id"]], r
    assert r["status"] == "INITIALIZED", r
PY
ok "first sync: one recording per publishable file (18), MP4 preferred, M4A fallback, processing left"

# The fake saw windows of at most one month and the expired page token.
zoom_admin stats > "$T/stats.json"
python3 - "$T/stats.json" "$ZDIR/requests.log" <<'PY' || fail "listing did not behave"
import json, sys
from datetime import date
st = json.load(open(sys.argv[1]))
for f, t in st["windows"]:
    d = (date.fromisoformat(t) - date.fromisoformat(f)).days
    assert 0 <= d <= 31, (f, t)
log = [json.loads(l) for l in open(sys.argv[2])]
codes = [l["status"] for l in log if l["path"] == "/v2/users/me/recordings"]
assert 429 in codes and 400 in codes, codes
PY
ok "month windows, 429 with a date honoured, expired page token restarted the window"

expect_rc 0 "$ZPUB" sync zoom --from 2026-08-01 --to 2026-10-31 --json
echo "$OUT" > "$T/sync2.json"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["created"]==[] and s["existing"]==18, s' \
	"$T/sync2.json" || fail "second sync is not a no-op: $OUT"
"$ZPUB" status --json > "$T/status.json"
[ "$(jget total < "$T/status.json")" = 18 ] || fail "second sync changed the count"
ok "second sync creates nothing"

# Hostile topics: titles shown safely.
"$ZPUB" list --json > "$T/list.json"
python3 - "$T/list.json" <<'PY' || fail "unsafe titles"
import json, sys, unicodedata
recs = json.load(open(sys.argv[1]))
titles = [r["title"] for r in recs]
for t in titles:
    assert len(t) <= 200, len(t)
    for ch in t:
        assert unicodedata.category(ch) not in ("Cc", "Cf"), (t[:50], hex(ord(ch)))
assert any(t.startswith("../../etc/passwd") for t in titles)
assert any(t.endswith("…") and t.startswith("ЖЖЖ") for t in titles)
assert any("evil RTL iso lecture" in t for t in titles)
PY
expect_rc 0 "$ZPUB" list
if printf '%s' "$OUT" | LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]'; then fail "control characters in 'zpub list'"; fi
ok "hostile topics: no control or bidi characters, capped at 200 characters"

# Downloads: every file byte-identical, nothing outside the tenant folder.
touch "$T/before"
expect_rc 0 "$ZPUB" run --all --until DOWNLOADED
n=$(zoom_check_downloads) || fail "downloads differ from Zoom's files"
[ "$n" = 18 ] || fail "$n recordings DOWNLOADED, wanted 18"
outside=$(find "$T" -mindepth 2 -newer "$T/before" -type f ! -path "$ZPUB_HOME/*" ! -path "$ZDIR/*" | head)
[ -z "$outside" ] || fail "files written outside zpub's home: $outside"
bad=$(find "$ZPUB_HOME/media" -type f | grep -Ev "^$ZPUB_HOME/media/default/[0-9]+/(source\.(mp4|m4a)|zoom_transcript\.vtt)$" || true)
[ -z "$bad" ] || fail "unexpected media files: $bad"
[ -z "$(find "$ZPUB_HOME" -name '*.part')" ] || fail "temporary .part files survive"
ok "18 downloads byte-identical to Zoom's, all inside media/default/<id>/"

# Zoom's transcripts came along as zoom_transcript artefacts.
python3 - "$T/list.json" "$ZDIR" "$ZPUB" <<'PY' || fail "transcripts"
import hashlib, json, subprocess, sys
man = {m["file_id"]: m for m in json.load(open(sys.argv[2] + "/manifest.json"))}
n = 0
for r in json.load(open(sys.argv[1])):
    show = json.loads(subprocess.check_output([sys.argv[3], "show", str(r["id"]), "--json"]))
    src = [a for a in show["artifacts"] if a["kind"] == "source"][0]
    tr = [a for a in show["artifacts"] if a["kind"] == "zoom_transcript"]
    want = man[src["zoom_file_id"]]["transcript_id"]
    if want is None:
        assert not tr, r["id"]
        continue
    data = open(sys.argv[2] + "/files/" + want, "rb").read()
    assert len(tr) == 1 and tr[0]["sha256"] == hashlib.sha256(data).hexdigest(), (r["id"], tr)
    n += 1
assert n == 9, n
PY
ok "Zoom's transcripts kept beside the sources"

# Deleted upstream between sync and download; and one deleted before a sync.
zoom_fake_stop
export ZPUB_HOME="$T/home2"
zoom_fake_start "$T/zoom2" --months 1 --per-month 3
expect_rc 0 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31 --json
echo "$OUT" > "$T/sync3.json"
read -r id_a fid_a id_b fid_b <<<"$(python3 -c 'import json,sys
c=json.load(open(sys.argv[1]))["created"]; print(c[0]["id"], c[0]["file_id"], c[1]["id"], c[1]["file_id"])' "$T/sync3.json")"
zoom_admin "delete/$fid_a" >/dev/null
expect_rc 1 "$ZPUB" run "$id_a" --until DOWNLOADED
"$ZPUB" show "$id_a" --json > "$T/show.json"
[ "$(jget status < "$T/show.json")" = EXPIRED ] || fail "deleted upstream: $(jget status < "$T/show.json")"
jget detail < "$T/show.json" | grep -q "deleted upstream" || fail "no reason: $(jget detail < "$T/show.json")"
zoom_admin "delete/$fid_b" >/dev/null
expect_rc 0 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31 --json
"$ZPUB" show "$id_b" --json > "$T/show.json"
[ "$(jget status < "$T/show.json")" = EXPIRED ] || fail "not listed any more: $(jget status < "$T/show.json")"
jget detail < "$T/show.json" | grep -q "deleted in Zoom" || fail "no reason: $(jget detail < "$T/show.json")"
ok "deleted upstream -> EXPIRED with the reason (at download and at sync)"

# Templates decide: no match + templates.no_match=skip -> SKIPPED with the reason.
zoom_fake_stop
export ZPUB_HOME="$T/home3"
zoom_fake_start "$T/zoom3" --months 1 --per-month 3
"$ZPUB" tenant config default templates.no_match skip >/dev/null
"$ZPUB" template add lectures --match '{"title": "лекция 1*"}' >/dev/null
expect_rc 0 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31 --json
echo "$OUT" > "$T/sync4.json"
python3 - "$T/sync4.json" <<'PY' || fail "templates did not decide: $OUT"
import json, sys
s = json.load(open(sys.argv[1]))
assert [r["title"] for r in s["created"]] == ["Лекция 1: линейная алгебра"], s["created"]
assert s["created"][0]["template"] == "lectures", s["created"][0]
assert len(s["skipped"]) == 2 and all("no template" in r["reason"] for r in s["skipped"]), s["skipped"]
PY
expect_rc 0 "$ZPUB" list --status SKIPPED --json
[ "$(echo "$OUT" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 2 ] || fail "SKIPPED not kept"
ok "templates: matching recording INITIALIZED with its template, the others SKIPPED with the reason"

# Zoom's download links expire: a download retried days after the first
# sync must not ask the first sync's address.  A re-sync refreshes address
# and size of the recordings not downloaded yet (FAILED ones included) and
# leaves a downloaded one alone; the retried download then succeeds.
zoom_fake_stop
export ZPUB_HOME="$T/home5"
zoom_fake_start "$T/zoom5" --months 1 --per-month 3
expect_rc 0 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31 --json
echo "$OUT" > "$T/sync5.json"
read -r id_a id_b id_c <<<"$(python3 -c 'import json,sys
c=json.load(open(sys.argv[1]))["created"]; print(c[0]["id"], c[1]["id"], c[2]["id"])' "$T/sync5.json")"
expect_rc 0 "$ZPUB" run "$id_a" --until DOWNLOADED
meta() { python3 -c 'import sqlite3,sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
print(c.execute("SELECT source_meta FROM recordings WHERE id = ?", (int(sys.argv[2]),)).fetchone()[0])' \
	"$ZPUB_HOME/zpub.db" "$1"; }
meta_a=$(meta "$id_a")
zoom_admin rotate_urls >/dev/null
expect_rc 1 "$ZPUB" run "$id_b" --until DOWNLOADED
echo "$ERR" | grep -q "zpub sync zoom" || fail "a dead download link: no hint to sync again: $ERR"
"$ZPUB" show "$id_b" --json > "$T/show.json"
[ "$(jget status < "$T/show.json")" = FAILED ] || fail "dead link: status $(jget status < "$T/show.json")"
expect_rc 0 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31
echo "$OUT" | grep -q ": 0 new, .*(2 with new download links)" \
	|| fail "the re-sync did not say it refreshed the two recordings not downloaded: $OUT"
[ "$(meta "$id_a")" = "$meta_a" ] || fail "the re-sync rewrote a downloaded recording's source data"
for id in "$id_b" "$id_c"; do
	meta "$id" | python3 -c 'import json,sys
m = json.load(sys.stdin)
man = {x["file_id"]: x for x in json.load(open(sys.argv[1]))}
f = m["file"]
assert f["download_url"].endswith("?gen=1"), f["download_url"]
assert f["file_size"] == man[f["id"]]["size"], (f["file_size"], man[f["id"]]["size"])' "$ZDIR/manifest.json" \
		|| fail "recording $id: download data not refreshed: $(meta "$id")"
done
expect_rc 0 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31 --json
echo "$OUT" | python3 -c 'import json,sys; s=json.load(sys.stdin); assert s["refreshed"] == 0, s' \
	|| fail "an unchanged listing rewrote recordings: $OUT"
expect_rc 0 "$ZPUB" retry "$id_b"
expect_rc 0 "$ZPUB" run "$id_b" --until DOWNLOADED
expect_rc 0 "$ZPUB" run "$id_c" --until DOWNLOADED
n=$(zoom_check_downloads) || fail "downloads after the refresh differ from Zoom's files"
[ "$n" = 3 ] || fail "$n recordings DOWNLOADED after the refresh, wanted 3"
ok "expired download links: the re-sync refreshes them for recordings not downloaded; the retry downloads"

# Deleted here stays deleted: the next sync (and the daemon's) does not
# bring a deleted Zoom recording back, says so, and leaves other tenants
# alone; --include-deleted brings it back once, a dry run of it writes nothing.
zoom_fake_stop
export ZPUB_HOME="$T/home6"
zoom_fake_start "$T/zoom6" --months 1 --per-month 3
forgotten_rows() { python3 -c 'import sqlite3,sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
print(c.execute("SELECT count(*) FROM forgotten_refs").fetchone()[0])' "$ZPUB_HOME/zpub.db"; }
expect_rc 0 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31 --json
echo "$OUT" > "$T/sync6.json"
read -r id_d fid_d <<<"$(python3 -c 'import json,sys
c=json.load(open(sys.argv[1]))["created"]; print(c[0]["id"], c[0]["file_id"])' "$T/sync6.json")"
expect_rc 0 "$ZPUB" delete "$id_d"
echo "$OUT" | grep -q "came from Zoom.*will not bring it back.*--include-deleted" \
	|| fail "delete does not say the Zoom recording stays deleted: $OUT"
expect_rc 0 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31
echo "$OUT" | grep -q ": 0 new, .*, 1 deleted here (kept out" || fail "the summary does not say what was kept out: $OUT"
expect_rc 0 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31 --json
echo "$OUT" | python3 -c 'import json,sys; s=json.load(sys.stdin)
assert s["created"] == [] and s["existing"] == 2 and s["forgotten"] == 1, s' \
	|| fail "a deleted Zoom recording came back: $OUT"
"$ZPUB" status --json > "$T/status.json"
[ "$(jget total < "$T/status.json")" = 2 ] || fail "sync recreated the deleted recording"
ok "a deleted Zoom recording stays deleted: sync skips it, says so, --json counts it as forgotten"

expect_rc 0 "$ZPUB" tenant add physics
printf 'zoom-secret' | "$ZPUB" --tenant physics secret set zoom.client_secret >/dev/null 2>&1
expect_rc 0 "$ZPUB" --tenant physics sync zoom --from 2026-10-01 --to 2026-10-31 --json
echo "$OUT" | python3 -c 'import json,sys; s=json.load(sys.stdin)
assert len(s["created"]) == 3 and s["forgotten"] == 0, s
assert sys.argv[1] in [r["file_id"] for r in s["created"]], s' "$fid_d" \
	|| fail "a deletion in tenant default hid the recording from tenant physics: $OUT"
ok "another tenant still gets the recording deleted in the first"

expect_rc 0 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31 --dry-run --include-deleted --json
echo "$OUT" | python3 -c 'import json,sys; s=json.load(sys.stdin)
assert [(r["file_id"], r["deleted_here"]) for r in s["created"]] == [(sys.argv[1], True)], s
assert s["forgotten"] == 0, s' "$fid_d" || fail "dry run with --include-deleted: $OUT"
[ "$(forgotten_rows)" = 1 ] || fail "a dry run changed the deleted recordings it remembers"
"$ZPUB" status --json > "$T/status.json"
[ "$(jget total < "$T/status.json")" = 2 ] || fail "a dry run with --include-deleted created recordings"
expect_rc 0 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31 --include-deleted --json
echo "$OUT" | python3 -c 'import json,sys; s=json.load(sys.stdin)
assert [r["file_id"] for r in s["created"]] == [sys.argv[1]] and s["existing"] == 2, s' "$fid_d" \
	|| fail "--include-deleted did not bring the deleted recording back: $OUT"
[ "$(forgotten_rows)" = 0 ] || fail "--include-deleted kept the memory of what it re-created"
expect_rc 0 "$ZPUB" sync zoom --from 2026-10-01 --to 2026-10-31 --include-deleted --json
echo "$OUT" | python3 -c 'import json,sys; s=json.load(sys.stdin)
assert s["created"] == [] and s["existing"] == 3 and s["forgotten"] == 0, s' \
	|| fail "the recording brought back was created twice: $OUT"
ok "--dry-run --include-deleted writes nothing; --include-deleted re-creates it once and forgets the deletion"

echo "zoom_sync: all passed"
