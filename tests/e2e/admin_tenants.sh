# admin_tenants.sh — `zpub tenant`, `zpub usage`, `zpub audit`, `zpub user`:
# tenants with quotas and their own config layer, usage grouped and costed
# per month, audit rows for every change (who, what, when, from where), and
# API users whose token is shown once and stored only as a hash.
. "$ZPUB_SRC/tests/lib/e2e.sh"
sql() { python3 -c 'import sqlite3,sys
c=sqlite3.connect(sys.argv[1]); print("\n".join("|".join(str(x) for x in r) for r in c.execute(sys.argv[2])))' "$ZPUB_HOME/zpub.db" "$1"; }

expect_rc 0 "$ZPUB" tenant add chemistry
expect_rc 1 "$ZPUB" tenant add chemistry
echo "$ERR" | grep -q "exists already" || fail "duplicate tenant: $ERR"
expect_rc 2 "$ZPUB" tenant add ../evil
expect_rc 0 "$ZPUB" tenant quota chemistry --storage 1.5G --minutes 600 --concurrent 2 --retention-days 30
expect_rc 2 "$ZPUB" tenant quota chemistry --storage lots
expect_rc 0 "$ZPUB" tenant show chemistry --json
[ "$(echo "$OUT" | jget quota.storage_bytes)" = 1610612736 ] || fail "storage quota: $OUT"
[ "$(echo "$OUT" | jget quota.minutes_month)" = 600 ] || fail "minutes quota: $OUT"
expect_rc 0 "$ZPUB" tenant quota chemistry --concurrent unlimited
expect_rc 0 "$ZPUB" tenant show chemistry --json
[ "$(echo "$OUT" | jget quota.concurrent)" = 0 ] || fail "unlimited: $OUT"
[ "$(echo "$OUT" | jget quota.retention_days)" = 30 ] || fail "quota edit touched others: $OUT"
expect_rc 0 "$ZPUB" tenant config chemistry templates.no_match skip
[ "$(echo "$OUT" | jget config.templates.no_match)" = skip ] || fail "tenant config: $OUT"
expect_rc 0 "$ZPUB" tenant list --json
[ "$(echo "$OUT" | python3 -c 'import json,sys; print(",".join(t["name"] for t in json.load(sys.stdin)))')" = "chemistry,default" ] \
	|| fail "tenant list: $OUT"
expect_rc 1 "$ZPUB" tenant show physics
ok "tenants: add, quotas (sizes, unlimited), config layer, list, show"

# A tenant whose templates skip what they do not match.
make_mp4 "$T/Семинар.mp4" 2
expect_rc 0 "$ZPUB" --tenant chemistry template add lectures --match '{"title": "Лекция*"}'
expect_rc 0 "$ZPUB" --tenant chemistry import "$T/Семинар.mp4"
"$ZPUB" config set jobs.watch_roots "{\"chemistry\": [\"$T\"]}" >/dev/null
expect_rc 0 "$ZPUB" --tenant chemistry job add none --schedule "every 1h" --source watch --path "$T"
"$ZPUB" config set daemon.tick_ms 100 >/dev/null
"$ZPUB" --daemon --foreground 2>"$T/daemon.log" &
dpid=$!
for _ in $(seq 1 50); do [ "$(sql "SELECT status FROM recordings")" = SKIPPED ] && break; sleep 0.1; done
kill -TERM $dpid; wait $dpid || true
[ "$(sql "SELECT status || '|' || detail FROM recordings")" = "SKIPPED|no template of tenant 'chemistry' matches 'Семинар'" ] \
	|| fail "no-match policy: $(sql 'SELECT status, detail FROM recordings')"
ok "no template matched and the tenant says skip: SKIPPED with the reason"

# Retention: a READY recording published longer ago than the tenant's
# retention loses its source file (the record stays, EXPIRED); a newer one keeps it.
make_mp4 "$T/old.mp4" 3
make_mp4 "$T/new.mp4" 4
expect_rc 0 "$ZPUB" --tenant chemistry import "$T/old.mp4" "$T/new.mp4"
old=$(echo "$OUT" | head -1); new=$(echo "$OUT" | tail -1)
oldsrc=$(sql "SELECT path FROM artifacts WHERE recording_id=$old AND kind='source'")
newsrc=$(sql "SELECT path FROM artifacts WHERE recording_id=$new AND kind='source'")
python3 - "$ZPUB_HOME/zpub.db" "$old" "$new" <<'PY'
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1]); now = int(time.time() * 1000)
c.execute("UPDATE recordings SET status='READY', published_at=? WHERE id=?", (now - 31 * 86400000, int(sys.argv[2])))
c.execute("UPDATE recordings SET status='READY', published_at=? WHERE id=?", (now - 29 * 86400000, int(sys.argv[3])))
c.commit()
PY
"$ZPUB" --daemon --foreground 2>>"$T/daemon.log" &
dpid=$!
for _ in $(seq 1 50); do [ "$(sql "SELECT status FROM recordings WHERE id=$old")" = EXPIRED ] && break; sleep 0.1; done
kill -TERM $dpid; wait $dpid || true
[ "$(sql "SELECT status FROM recordings WHERE id=$old")" = EXPIRED ] || fail "old recording not EXPIRED: $(tail -5 "$T/daemon.log")"
[ "$(sql "SELECT status FROM recordings WHERE id=$new")" = READY ] || fail "new recording expired too early"
case "$oldsrc" in /*) ;; *) oldsrc="$ZPUB_HOME/$oldsrc"; newsrc="$ZPUB_HOME/$newsrc" ;; esac
[ ! -e "$oldsrc" ] || fail "expired source still on disk: $oldsrc"
[ -e "$newsrc" ] || fail "the newer source was deleted"
[ -z "$(sql "SELECT id FROM artifacts WHERE recording_id=$old AND kind='source'")" ] || fail "source artefact row kept"
ok "retention: sources past 30 days deleted, the record kept as EXPIRED"

# Usage: grouped per tenant, kind and provider, costed with the price table, per month.
python3 - "$ZPUB_HOME/zpub.db" <<'PY'
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1]); now = int(time.time() * 1000)
rows = [(1, "transcription_minutes", "fireworks", 30, 0.027, now), (1, "transcription_minutes", "fireworks", 10, 0.009, now),
        (1, "llm_tokens", "deepseek", 12000, 0.004, now), (2, "processing_minutes", "", 45, 0, now),
        (1, "transcription_minutes", "fireworks", 99, 1, 1700000000000)]   # Nov 2023
c.executemany("INSERT INTO usage (tenant_id, kind, provider, amount, cost, at) VALUES (?,?,?,?,?,?)", rows)
c.commit()
PY
expect_rc 0 "$ZPUB" usage --json
python3 - "$OUT" <<'PY' || fail "usage: $OUT"
import json, sys
r = json.loads(sys.argv[1])
rows = {(x["tenant"], x["kind"], x["provider"]): x for x in r["rows"]}
assert rows[("default", "transcription_minutes", "fireworks")]["amount"] == 40
assert rows[("default", "transcription_minutes", "fireworks")]["entries"] == 2
assert rows[("chemistry", "processing_minutes", "")]["amount"] == 45
assert abs(r["total_cost"] - 0.040) < 1e-9, r["total_cost"]
PY
expect_rc 0 "$ZPUB" usage --tenant chemistry --json
[ "$(echo "$OUT" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["rows"]))')" = 1 ] || fail "tenant filter: $OUT"
expect_rc 0 "$ZPUB" usage --month 2023-11 --json
[ "$(echo "$OUT" | jget rows.0.amount)" = 99 ] || fail "month filter: $OUT"
expect_rc 2 "$ZPUB" usage --month 2023-13
expect_rc 0 "$ZPUB" usage
echo "$OUT" | grep -q "total cost 0.0400" || fail "text usage: $OUT"
ok "usage per tenant, kind, provider and month, with costs"

# Users and tokens.
expect_rc 0 "$ZPUB" user add alice --role editor
expect_rc 2 "$ZPUB" user add bob --role admin
expect_rc 1 "$ZPUB" user add alice
expect_rc 0 "$ZPUB" user token alice
tok=$OUT
[[ "$tok" =~ ^zpub_[A-Za-z0-9_-]{43}$ ]] || fail "token shape: $tok"
hash=$(sql "SELECT token_hash FROM users WHERE name='alice'")
[ ${#hash} = 64 ] || fail "no hash stored: $hash"
grep -rq "$tok" "$ZPUB_HOME" && fail "the token itself was stored somewhere"
expect_rc 0 "$ZPUB" user token alice
[ "$OUT" != "$tok" ] || fail "a new token must differ"
[ "$(sql "SELECT token_hash FROM users WHERE name='alice'")" != "$hash" ] || fail "old token still valid"
expect_rc 0 "$ZPUB" user list --json
[ "$(echo "$OUT" | jget 0.role)" = editor ] || fail "user list: $OUT"
[ "$(echo "$OUT" | jget 0.has_token)" = True ] || fail "user list: $OUT"
expect_rc 0 "$ZPUB" user remove alice
expect_rc 1 "$ZPUB" user remove alice
ok "users: roles checked, token shown once and kept as a hash, rotated, removed"

expect_rc 0 "$ZPUB" audit --all-tenants --json
python3 - "$OUT" <<'PY' || fail "audit: $OUT"
import json, sys
rows = json.loads(sys.argv[1])
acts = [r["action"] for r in rows]
for a in ("tenant.add", "tenant.quota", "tenant.config", "template.add", "job.add", "user.add",
          "user.token", "user.remove"):
    assert a in acts, (a, acts)
for r in rows:
    assert r["actor"] and r["origin"] == "cli" and r["at"].endswith("Z"), r
assert all(tok not in json.dumps(rows) for tok in ["zpub_"]), "a token leaked into the audit log"
PY
expect_rc 0 "$ZPUB" --tenant chemistry audit --json
[ "$(echo "$OUT" | python3 -c 'import json,sys; print(all(r["tenant"]=="chemistry" for r in json.load(sys.stdin)))')" = True ] \
	|| fail "audit of one tenant shows others: $OUT"
ok "audit rows for every change; per tenant unless --all-tenants"
