#!/usr/bin/env bash
# Account-wide Zoom ingest (providers.zoom.scope "account") against the
# fake's account: three lecturers with two pages of recordings each, routed
# by providers.zoom.hosts to the tenants their e-mails belong to, each
# recording lands once in its tenant; a host that matches no glob is
# skipped and counted; a second sync adds nothing; an inactive lecturer is
# walked only when asked; a walk killed half-way (kill -9) goes on where it
# stopped and ends the same; Zoom's 429s (per second and a daily limit with
# an ISO Retry-After) are waited out.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/fakes/fake_zoom.sh"

USERS="ann@math.uni.example,bob@math.uni.example,eve@phys.uni.example,zed@other.example"
FAKE_OPTS=(--months 1 --per-month 5 --page-size 3 --users-page-size 2
	--account-users "$USERS" --inactive-users "old@math.uni.example")
RANGE=(--from 2026-10-01 --to 2026-10-31)

account_setup() {
	"$ZPUB" tenant add math >/dev/null
	"$ZPUB" tenant add physics >/dev/null
	"$ZPUB" config set providers.zoom.scope account >/dev/null
	"$ZPUB" config set providers.zoom.hosts \
		'{"*@math.uni.example": "math", "*@*.uni.example": "physics", "*@phys.uni.example": "physics"}' >/dev/null
}

# Checks the tenants hold exactly the routed hosts' files, once each, with
# the host kept on each recording.  check_landed WANT_INACTIVE(0|1)
check_landed() {
	python3 - "$ZDIR/account_manifest.json" "$ZPUB_HOME/zpub.db" "$1" <<'PY'
import json, sqlite3, sys
man = json.load(open(sys.argv[1]))
inactive = sys.argv[3] == "1"
route = {"math.uni.example": "math", "phys.uni.example": "physics"}
want = {}
for m in man:
    dom = m["host"].split("@")[1]
    if dom not in route or (m["status"] == "inactive" and not inactive):
        continue
    want.setdefault(route[dom], {})[m["file_id"]] = m["host"]
assert sum(len(v) for v in want.values()) == (24 if inactive else 18), want
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[2], uri=True)
rows = c.execute("SELECT t.name, r.source_ref, r.host FROM recordings r"
                 " JOIN tenants t ON t.id = r.tenant_id WHERE r.source = 'zoom'").fetchall()
got = {}
for tenant, ref, host in rows:
    assert ref not in got.get(tenant, {}), ("twice", tenant, ref)
    got.setdefault(tenant, {})[ref] = host
assert got == want, (sorted((k, len(v)) for k, v in got.items()), sorted((k, len(v)) for k, v in want.items()))
PY
}

# ---- routing, once each, unrouted counted, second sync adds nothing ----------------
zoom_fake_start "$T/zoom" "${FAKE_OPTS[@]}" --qps 4 --faults qps_at:4
account_setup
expect_rc 0 "$ZPUB" sync zoom "${RANGE[@]}" --json
echo "$OUT" > "$T/sync1.json"
python3 - "$T/sync1.json" <<'PY' || fail "first account sync: $(cat "$T/sync1.json" | head -c 3000)"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["scope"] == "account", s
assert s["users"] == 4 and s["users_routed"] == 3, s
assert s["hosts_unrouted"] == 1 and [u["host"] for u in s["unrouted"]] == ["zed@other.example"], s["unrouted"]
assert len(s["created"]) == 18, len(s["created"])
for r in s["created"]:
    want = "math" if r["host"].endswith("@math.uni.example") else "physics"
    assert r["tenant"] == want, r
assert s["resumed"] is False and s["processing"] == 3, s
PY
check_landed 0 || fail "recordings did not land once each in their tenants"
id=$(python3 -c 'import json,sys; print([r for r in json.load(open(sys.argv[1]))["created"] if r["tenant"] == "physics"][0]["id"])' "$T/sync1.json")
"$ZPUB" --tenant physics show "$id" --json | python3 -c 'import json,sys
assert json.load(sys.stdin)["host"] == "eve@phys.uni.example"' || fail "zpub show does not name the host"
zoom_admin stats > "$T/stats1.json"
python3 - "$T/stats1.json" <<'PY' || fail "the walk did not list as Zoom wants"
import json, sys
st = json.load(open(sys.argv[1]))
hosts = {w[0] for w in st["user_windows"]}
assert hosts == {"ann@math.uni.example", "bob@math.uni.example", "eve@phys.uni.example"}, hosts
assert any(w[3] for w in st["user_windows"]), "no second page of recordings was asked"
assert st["users_calls"] >= 2, st["users_calls"]          # 4 users, 2 a page
assert any(r["type"] == "QPS" for r in st["ratelimited"]), st["ratelimited"]
PY
ok "3 lecturers x 2 pages land once each in their tenants; the host no glob matches is skipped and counted"

expect_rc 0 "$ZPUB" sync zoom "${RANGE[@]}" --json
echo "$OUT" | python3 -c 'import json,sys; s=json.load(sys.stdin)
assert s["created"] == [] and s["existing"] == 18 and s["hosts_unrouted"] == 1, s' \
	|| fail "second sync is not a no-op: $OUT"
check_landed 0  || fail "second sync changed the tenants"
expect_rc 0 "$ZPUB" sync zoom "${RANGE[@]}"
echo "$OUT" | grep -q "1 host skipped (no glob of providers.zoom.hosts matches" \
	|| fail "the summary does not count the skipped host: $OUT"
ok "a second sync adds nothing"

# A glob that names a tenant that does not exist: that host is skipped with
# a sentence saying how to create it; a dry run keeps no walk progress.
"$ZPUB" config set providers.zoom.hosts \
	'{"*@math.uni.example": "math", "*@*.uni.example": "physics", "*@other.example": "nosuch"}' >/dev/null
expect_rc 0 "$ZPUB" sync zoom "${RANGE[@]}" --dry-run --json
echo "$OUT" | python3 -c 'import json,sys; s=json.load(sys.stdin)
assert s["created"] == [] and s["existing"] == 18 and s["hosts_unrouted"] == 1, s
assert "zpub tenant add nosuch" in s["unrouted"][0]["reason"], s["unrouted"]' \
	|| fail "a host routed to a missing tenant: $OUT"
python3 -c 'import sqlite3,sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
assert c.execute("SELECT count(*) FROM zoom_walks").fetchone()[0] == 0' "$ZPUB_HOME/zpub.db" \
	|| fail "a dry run or a finished walk left walk progress behind"
"$ZPUB" config set providers.zoom.hosts \
	'{"*@math.uni.example": "math", "*@*.uni.example": "physics", "*@phys.uni.example": "physics"}' >/dev/null
ok "a host routed to a tenant that does not exist is skipped with the command that creates it"

"$ZPUB" config set providers.zoom.include_inactive true >/dev/null
expect_rc 0 "$ZPUB" sync zoom "${RANGE[@]}" --json
echo "$OUT" | python3 -c 'import json,sys; s=json.load(sys.stdin)
assert s["users"] == 5 and len(s["created"]) == 6 and all(r["host"] == "old@math.uni.example" for r in s["created"]), s' \
	|| fail "include_inactive did not walk the inactive lecturer: $OUT"
check_landed 1  || fail "the inactive lecturer's recordings did not land in math"
ok "providers.zoom.include_inactive walks the inactive users too"

# ---- a walk killed half-way goes on where it stopped ---------------------------------
zoom_fake_stop
export ZPUB_HOME="$T/home2"
zoom_fake_start "$T/zoom2" "${FAKE_OPTS[@]}" --faults stall_at:6
account_setup
# Calls 1-2 list the users (two a page), 3-4 ann's two pages, 5 bob's first;
# the 6th (bob's second page) hangs: the walk is killed there.
"$ZPUB" sync zoom "${RANGE[@]}" --json >"$T/killed.out" 2>"$T/killed.err" &
pid=$!
for _ in $(seq 300); do
	[ "$(zoom_admin stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["stalled"])')" = 6 ] && break
	sleep 0.1
done
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
zoom_admin stats > "$T/stats_killed.json"
[ "$(jget stalled < "$T/stats_killed.json")" = 6 ] || fail "the walk never reached the stalled call"
partial=$(python3 -c 'import sqlite3,sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
print(c.execute("SELECT count(*) FROM recordings").fetchone()[0])' "$ZPUB_HOME/zpub.db")
expect_rc 0 "$ZPUB" sync zoom "${RANGE[@]}" --json
echo "$OUT" > "$T/resume.json"
python3 - "$T/resume.json" "$partial" <<'PY' || fail "the resumed walk: $(head -c 3000 "$T/resume.json")"
import json, sys
s = json.load(open(sys.argv[1])); partial = int(sys.argv[2])
assert s["resumed"] is True, s
assert len(s["created"]) + partial == 18, (len(s["created"]), partial)
PY
zoom_admin stats > "$T/stats2.json"
python3 - "$T/stats_killed.json" "$T/stats2.json" <<'PY' || fail "the resumed walk listed done work again"
import json, sys
before, after = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert after["users_calls"] == before["users_calls"] == 2, ("users listed again", before["users_calls"], after["users_calls"])
new = after["user_windows"][len(before["user_windows"]):]
hosts = [w[0] for w in new]
assert "ann@math.uni.example" not in hosts, ("a finished lecturer listed again", new)
assert hosts.count("bob@math.uni.example") == 2 and hosts.count("eve@phys.uni.example") == 2, new
PY
check_landed 0  || fail "after the resume the tenants differ from an uninterrupted walk"
expect_rc 0 "$ZPUB" sync zoom "${RANGE[@]}" --json
echo "$OUT" | python3 -c 'import json,sys; s=json.load(sys.stdin)
assert s["created"] == [] and s["existing"] == 18 and s["resumed"] is False, s' \
	|| fail "after the resumed walk another sync is not a no-op: $OUT"
ok "a walk killed half-way (kill -9) resumes without listing the users or done windows again, same result"

# ---- Zoom's daily limit: 429 with an ISO date in Retry-After is waited out ------------
zoom_fake_stop
export ZPUB_HOME="$T/home3"
zoom_fake_start "$T/zoom3" "${FAKE_OPTS[@]}" --faults daily_at:3,daily_at:6
account_setup
t0=$(date +%s)
expect_rc 0 "$ZPUB" sync zoom "${RANGE[@]}" --json
t1=$(date +%s)
echo "$OUT" | python3 -c 'import json,sys; s=json.load(sys.stdin); assert len(s["created"]) == 18, s' \
	|| fail "the walk did not complete after the 429s: $OUT"
zoom_admin stats | python3 -c 'import json,sys; s=json.load(sys.stdin)
d = [r for r in s["ratelimited"] if r["type"] == "Daily-limit"]
assert len(d) == 2, s["ratelimited"]' || fail "the fake did not answer 429 twice"
[ $((t1 - t0)) -ge 2 ] || fail "the walk did not wait for Retry-After ($((t1 - t0)) s)"
check_landed 0  || fail "after the 429s the tenants differ"
ok "429 with Retry-After (an ISO date) is honoured: the walk waits and completes"

# A lecturer deleted in Zoom while a walk was cut short: the resumed walk
# skips them (Zoom answers 404) instead of stopping there for ever.
zoom_fake_stop
export ZPUB_HOME="$T/home4"
zoom_fake_start "$T/zoom4" "${FAKE_OPTS[@]}" --faults stall_at:5
account_setup
"$ZPUB" sync zoom "${RANGE[@]}" --json >"$T/killed4.out" 2>"$T/killed4.err" &
pid=$!
for _ in $(seq 300); do
	[ "$(zoom_admin stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["stalled"])')" = 5 ] && break
	sleep 0.1
done
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
zoom_admin delete_user/bob@math.uni.example >/dev/null
expect_rc 0 "$ZPUB" sync zoom "${RANGE[@]}" --json
echo "$OUT" | python3 -c 'import json,sys; s=json.load(sys.stdin)
assert s["resumed"] is True and s["users_gone"] == 1, s
assert {r["host"] for r in s["created"]} == {"eve@phys.uni.example"} and len(s["created"]) == 6, s["created"]' \
	|| fail "a user deleted in Zoom during a cut walk: $OUT"
expect_rc 0 "$ZPUB" sync zoom "${RANGE[@]}" --json
echo "$OUT" | python3 -c 'import json,sys; s=json.load(sys.stdin)
assert s["resumed"] is False and s["users"] == 3 and s["created"] == [] and s["users_gone"] == 0, s' \
	|| fail "the walk after: $OUT"
ok "a user deleted in Zoom while the walk was cut short is skipped when it resumes"

echo "zoom_account: all passed"
