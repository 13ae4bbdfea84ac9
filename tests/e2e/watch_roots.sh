# watch_roots.sh — a watch job reads only folders the operator allows its
# tenant (jobs.watch_roots in the operator's config, plus the tenant's inbox
# <data>/inbox/<tenant>).  Refused on save, from the CLI and the API: a
# folder outside the roots (/etc/ssh), another tenant's root, a link or
# ".." that leads out, the data folder even when the operator lists it, and
# roots a tenant writes into its own config layer.  Refused at every run: a
# folder saved legitimately that later became a link to another tenant's
# media (the run fails, says why, imports nothing), and a link inside the
# folder to another tenant's source.mp4 (skipped, with the reason in the
# report).  An editor's dry run of /etc/ssh is refused.  The default inbox
# works end to end through the daemon.
. "$ZPUB_SRC/tests/lib/e2e.sh"
sql() { python3 -c 'import sqlite3,sys
c=sqlite3.connect(sys.argv[1], timeout=10); print("\n".join("|".join(str(x) for x in r) for r in c.execute(sys.argv[2])))' "$ZPUB_HOME/zpub.db" "$1"; }
# api USER METHOD PATH [JSON]: prints "STATUS BODY"
api() { python3 - "$port" "$(cat "$T/tok.$1")" "$2" "$3" "${4:-}" <<'PY'
import sys, urllib.request, urllib.error
port, tok, method, path, body = sys.argv[1:6]
req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body.encode() if body else None,
                             method=method, headers={"Authorization": "Bearer " + tok,
                                                     "Content-Type": "application/json"})
try:
    with urllib.request.urlopen(req, timeout=10) as r:
        print(r.status, r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
PY
}
count_default() { sql "SELECT COUNT(*) FROM recordings r JOIN tenants t ON t.id=r.tenant_id WHERE t.name='default'"; }

# Another tenant, physics, with a recording: the file a thief would want.
expect_rc 0 "$ZPUB" tenant add physics
make_mp4 "$T/Physics secret.mp4" 5   # unlike any file of default
expect_rc 0 "$ZPUB" --tenant physics import "$T/Physics secret.mp4"
pid=$OUT
secret="$ZPUB_HOME/media/physics/$pid/source.mp4"
[ -f "$secret" ] || fail "no $secret"
secret_sha=$(sha256sum "$secret" | cut -d' ' -f1)
for u in olga:owner egor:editor; do
	expect_rc 0 "$ZPUB" user add "${u%%:*}" --role "${u#*:}"
	expect_rc 0 "$ZPUB" user token "${u%%:*}"; echo "$OUT" >"$T/tok.${u%%:*}"
done
mkdir -p "$T/lectures/drop" "$T/lectures/keep" "$T/shared" "$T/elsewhere"

# A job with no path watches the tenant's inbox, made 0700 on save.
expect_rc 0 "$ZPUB" job add first --schedule "every 1h" --source watch
[ "$(stat -c %a "$ZPUB_HOME/inbox/default")" = 700 ] || fail "inbox mode $(stat -c %a "$ZPUB_HOME/inbox/default")"
expect_rc 0 "$ZPUB" job delete first
ok "a job with no path is saved; the tenant's inbox is made 0700"

# No operator roots: only the inbox.
expect_rc 1 "$ZPUB" job add etc --schedule "every 1h" --source watch --path /etc/ssh
echo "$ERR" | grep -q "/etc/ssh is outside the folders tenant 'default' may watch: its inbox $ZPUB_HOME/inbox/default" \
	|| fail "refusal does not name the folder and the inbox: $ERR"
ok "with no roots listed, /etc/ssh is refused on save, naming the folder and the inbox"

roots="{\"default\": [\"$T/lectures\"], \"*\": [\"$T/shared\"]}"
"$ZPUB" config set jobs.watch_roots "$roots" >/dev/null
expect_rc 0 "$ZPUB" job add lec --schedule "every 1h" --source watch --path "$T/lectures/drop"
lec=$(echo "$OUT" | jget id)
expect_rc 0 "$ZPUB" --tenant physics job add shared --schedule "every 1h" --source watch --path "$T/shared"
expect_rc 1 "$ZPUB" --tenant physics job add theirs --schedule "every 1h" --source watch --path "$T/lectures/drop"
echo "$ERR" | grep -q "tenant 'physics' may watch" || fail "physics used default's root: $ERR"
expect_rc 1 "$ZPUB" job add away --schedule "every 1h" --source watch --path "$T/elsewhere"
echo "$ERR" | grep -q "$T/elsewhere is outside.*$T/lectures, $T/shared (config key jobs.watch_roots)" \
	|| fail "refusal does not list the allowed roots: $ERR"
expect_rc 1 "$ZPUB" job add up --schedule "every 1h" --source watch --path "$T/lectures/../elsewhere"
ok "operator roots per tenant and for \"*\"; another tenant's root and '..' out of a root are refused"

ln -s /etc/ssh "$T/lectures/ssh"
expect_rc 1 "$ZPUB" job add ssh --schedule "every 1h" --source watch --path "$T/lectures/ssh"
echo "$ERR" | grep -q "$T/lectures/ssh (it leads to /etc/ssh) is outside" || fail "link not resolved: $ERR"
ln -s "$ZPUB_HOME/media/physics" "$T/lectures/theirs"
expect_rc 1 "$ZPUB" job add theirs --schedule "every 1h" --source watch --path "$T/lectures/theirs"
expect_rc 1 "$ZPUB" job edit lec --path "$T/lectures/theirs/$pid"
ok "a job path that is a link out of the roots is refused on add and on edit"

# A tenant's own config layer cannot widen its roots: refused when set, and
# ignored when an older store still holds it.
expect_rc 1 "$ZPUB" tenant config default jobs.watch_roots '{"default": ["/etc"], "*": ["/etc"]}'
echo "$ERR" | grep -q "jobs.watch_roots.* is the operator's setting" || fail "tenant config: $ERR"
sqlite3 "$ZPUB_HOME/zpub.db" "UPDATE tenants SET config = '{\"jobs\":{\"watch_roots\":{\"default\":[\"/etc\"],\"*\":[\"/etc\"]}}}' WHERE name = 'default'"
expect_rc 1 "$ZPUB" job add etc --schedule "every 1h" --source watch --path /etc/ssh
echo "$ERR" | grep -q "/etc/ssh is outside" || fail "tenant layer: $ERR"
ok "jobs.watch_roots in the tenant's layer is ignored"

# The data folder is never a root, even when the operator lists it (or a folder holding it).
"$ZPUB" config set jobs.watch_roots "{\"*\": [\"$T\", \"$ZPUB_HOME\", \"$ZPUB_HOME/media/physics\"]}" >/dev/null
for p in "$ZPUB_HOME" "$ZPUB_HOME/media/physics/$pid" "$ZPUB_HOME/media" "$ZPUB_HOME/inbox/physics"; do
	mkdir -p "$ZPUB_HOME/inbox/physics"
	expect_rc 1 "$ZPUB" job add data --schedule "every 1h" --source watch --path "$p"
	echo "$ERR" | grep -q "data folder is never watched" || fail "data folder $p: $ERR"
done
expect_rc 0 "$ZPUB" job add fine --schedule "every 1h" --source watch --path "$T/elsewhere"
expect_rc 0 "$ZPUB" job delete fine
"$ZPUB" config set jobs.watch_roots "$roots" >/dev/null
ok "the data folder (and another tenant's inbox in it) is refused even when listed"

# A link inside the watch folder to another tenant's source.mp4 is skipped
# with the reason; a link to a file inside the root is fine.
mkdir -p "$T/lectures/drop2"
make_mp4 "$T/lectures/drop2/Лекция 1.mp4" 2
make_mp4 "$T/lectures/keep/Лекция 2.mp4" 3
ln -s "$T/lectures/keep/Лекция 2.mp4" "$T/lectures/drop2/Лекция 2.mp4"
ln -s "$secret" "$T/lectures/drop2/steal.mp4"
touch -h -d '1 minute ago' "$T/lectures/drop2/"* "$T/lectures/keep/"*
expect_rc 0 "$ZPUB" job add files --schedule "every 1h" --source watch --path "$T/lectures/drop2" --action sync
expect_rc 0 "$ZPUB" job run files --dry-run --json
echo "$OUT" >"$T/dry.json"
expect_rc 0 "$ZPUB" job run files --json
echo "$OUT" >"$T/run.json"
python3 - "$T/dry.json" "$T/run.json" <<'PY' || fail "link to another tenant's file: $(cat "$T/run.json")"
import json, sys
dry, run = (json.load(open(p)) for p in sys.argv[1:3])
assert dry["would_import"] == 2 and dry["refused"] == 1, dry
assert run["imported"] == 2 and run["refused"] == 1, run
items = {i["title"]: i for i in run["items"]}
assert items["steal"]["action"] == "refused", items["steal"]
assert "leads outside the folders tenant 'default' may watch" in items["steal"]["reason"], items["steal"]
assert "duration_ms" not in items["steal"], items["steal"]
assert items["Лекция 1"]["action"] == items["Лекция 2"]["action"] == "import", items
PY
[ "$(count_default)" = 2 ] || fail "default has $(count_default) recordings"
[ "$(sql "SELECT COUNT(*) FROM recordings WHERE source_ref='sha256:$secret_sha'")" = 1 ] \
	|| fail "physics' source.mp4 was imported by default"
expect_rc 0 "$ZPUB" job show files
echo "$OUT" | jget last_result | grep -q "1 refused" || fail "last_result: $OUT"
ok "a link inside the folder to another tenant's source.mp4 is refused with the reason; the others import"

# A folder saved legitimately that later became a link to another tenant's media.
rmdir "$T/lectures/drop"
ln -s "$ZPUB_HOME/media/physics/$pid" "$T/lectures/drop"
expect_rc 1 "$ZPUB" job run lec --json
echo "$ERR" | grep -q "job 'lec' imported nothing: the watch folder $T/lectures/drop (it leads to $ZPUB_HOME/media/physics/$pid) is outside" \
	|| fail "swapped folder: $ERR"
expect_rc 1 "$ZPUB" job run lec --dry-run
[ "$(count_default)" = 2 ] || fail "the swapped folder imported something"
# The same for a root that became a link.
mv "$T/shared" "$T/shared.old"
ln -s "$ZPUB_HOME/media/default" "$T/shared"
expect_rc 1 "$ZPUB" --tenant physics job run shared
echo "$ERR" | grep -q "imported nothing" || fail "swapped root: $ERR"
ok "a folder or root that became a link out of the roots fails the run, importing nothing"

# The daemon and the API.
mkdir -p "$ZPUB_HOME/inbox/default/course"
expect_rc 0 "$ZPUB" job add course --schedule "every 1s" --source watch --path course --settle 100ms --action sync
# A job saved before the roots existed (or while the operator allowed /etc).
python3 - "$ZPUB_HOME/zpub.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("""INSERT INTO jobs (tenant_id, name, schedule, config, next_run_at, created_at)
             VALUES (1, 'old', 'every 1h', '{"source":"watch","path":"/etc/ssh"}', 4102444800000, 0)""")
c.commit()
PY
old=$(sql "SELECT id FROM jobs WHERE name='old'")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$ZPUB" config set daemon.tick_ms 200 >/dev/null
"$ZPUB" --daemon --foreground --listen 127.0.0.1:$port 2>"$T/daemon.log" &
dpid=$!
trap 'kill -9 $dpid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do grep -q "control API on" "$T/daemon.log" && break; sleep 0.1; done

r=$(api olga POST /jobs '{"name": "etc", "schedule": "@daily", "config": {"source": "watch", "path": "/etc/ssh"}}')
[ "${r%% *}" = 400 ] && echo "$r" | grep -q "/etc/ssh is outside" || fail "API add /etc/ssh: $r"
r=$(api olga POST /jobs "{\"name\": \"ssh\", \"schedule\": \"@daily\", \"config\": {\"source\": \"watch\", \"path\": \"$T/lectures/ssh\"}}")
[ "${r%% *}" = 400 ] && echo "$r" | grep -q "leads to /etc/ssh" || fail "API add link: $r"
r=$(api olga PATCH "/jobs/$lec" '{"config": {"source": "watch", "path": "/etc"}}')
[ "${r%% *}" = 400 ] || fail "API edit to /etc: $r"
ok "API: a folder outside the roots or a link out is refused with 400 on create and edit"

r=$(api egor POST "/jobs/$old/dry-run")
[ "${r%% *}" = 400 ] && echo "$r" | grep -q "/etc/ssh is outside" || fail "editor's dry run of /etc/ssh: $r"
echo "$r" | grep -q "sshd_config\|moduli\|ssh_config" && fail "the dry run listed /etc/ssh: $r"
expect_rc 1 "$ZPUB" job run old --dry-run
ok "an editor's dry run of a job on /etc/ssh is refused (API and CLI)"

r=$(api olga POST "/jobs/$lec/run")
[ "${r%% *}" = 202 ] || fail "run lec: $r"
for _ in $(seq 1 50); do
	r=$(api olga GET "/jobs/$lec"); echo "$r" | grep -q '"last_result":"failed' && break; sleep 0.2
done
echo "$r" | grep -q '"last_result":"failed: job '"'"'lec'"'"' imported nothing: the watch folder' \
	|| fail "the daemon's run of the swapped folder: $r"
[ "$(count_default)" = 2 ] || fail "the daemon imported from the swapped folder"
ok "the daemon's run of the swapped folder fails with the reason in last_result, importing nothing"

# The default inbox end to end: a job with no path watches <data>/inbox/<tenant>.
r=$(api olga POST /jobs '{"name": "inbox", "schedule": "every 1s", "config": {"source": "watch", "action": "sync", "settle_ms": 100}}')
[ "${r%% *}" = 201 ] || fail "API inbox job: $r"
mkdir -p "$T/new"
make_mp4 "$T/new/Inbox lecture.mp4" 4
make_mp4 "$T/new/Course lecture.mp4" 6
mv "$T/new/Inbox lecture.mp4" "$ZPUB_HOME/inbox/default/"
mv "$T/new/Course lecture.mp4" "$ZPUB_HOME/inbox/default/course/"
for _ in $(seq 1 100); do
	[ "$(sql "SELECT COUNT(*) FROM recordings WHERE title IN ('Inbox lecture', 'Course lecture')")" = 2 ] && break
	sleep 0.2
done
[ "$(sql "SELECT COUNT(*) FROM recordings r JOIN tenants t ON t.id=r.tenant_id WHERE t.name='default' AND r.source='watch' AND r.title IN ('Inbox lecture', 'Course lecture')")" = 2 ] \
	|| fail "the inbox files were not imported: $(sql 'SELECT id, tenant_id, title, status FROM recordings'); $(tail -5 "$T/daemon.log")"
ok "files dropped in <data>/inbox/default (and a relative folder in it) are imported by the daemon"

kill -TERM $dpid
wait $dpid || fail "daemon exit $?"
trap - EXIT
