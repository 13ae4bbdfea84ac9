#!/usr/bin/env bash
# Secrets audit: every secret goes in through `zpub secret set` (and, when
# `zpub auth` is wired, OAuth tokens through the real sign-in against the
# fakes); then after imports, a verbose pipeline run, config and journal
# reads, no secret or token appears in any file under the data folder
# (database, WAL, shared memory, log, config, media), in what zpub prints,
# in the operations journal, or in /proc/*/cmdline of running zpub
# processes; a core dump of a zpub holding secrets (when the machine writes
# cores to the working directory) carries none either.  The vault key,
# database, log and config are 0600 and every folder 0700; no file is group-
# or world-writable.  The sign-in listener binds 127.0.0.1 only, and its
# callback cannot be used twice.
. "$ZPUB_SRC/tests/lib/e2e.sh"
pids=()   # fakes this test starts; stopped on exit (with fake_zoom.sh's)

# main.c turns core dumps off (RLIMIT_CORE 0, PR_SET_DUMPABLE 0), so a core
# holding a token fails the test; ZPUB_AUDIT_CORE=report only reports it
# (for a build that has to allow cores while debugging).
CORE_CHECK=${ZPUB_AUDIT_CORE:-strict}
core_fail() {
	if [ "$CORE_CHECK" = strict ]; then fail "$@"; fi
	echo "REPORT ONLY (ZPUB_AUDIT_CORE=$CORE_CHECK): $*"
	core_open=1
}
core_open=0

# Canaries: unmistakable values, one per secret name.
declare -A canary=(
	[transcription]="sk-CANARYtranscr1pt10nKey0001"
	[chat]="sk-CANARYchatKey000000000002"
	[google.client_secret]="GOCSPX-CANARYgoogleSecret03"
	[vk.client_secret]="CANARY-p@ss word;4'\"&<>vkClientSecret"
	[zoom.client_secret]="CANARYzoomClientSecret005"
)
# Only the names zpub uses are stored (the schema's list); others are refused.
printf 'CANARYbogus' | "$ZPUB" secret set smtp.password >"$T/set.out" 2>"$T/set.err" \
	&& fail "secret set accepted a name zpub does not use"
grep -q "the secrets are: transcription, chat" "$T/set.err" || fail "no list: $(cat "$T/set.err")"
for name in "${!canary[@]}"; do
	printf '%s' "${canary[$name]}" | "$ZPUB" secret set "$name" >"$T/set.out" 2>"$T/set.err" \
		|| fail "secret set $name: $(cat "$T/set.err")"
	cat "$T/set.out" "$T/set.err" >> "$T/printed.txt"
done
"$ZPUB" secret list --json >> "$T/printed.txt" 2>&1
"$ZPUB" secret list >> "$T/printed.txt" 2>&1
ok "${#canary[@]} secrets stored"

# Work that logs: import and run a lecture verbosely, read config and journal.
make_mp4 "$T/lecture.mp4" 6
"$ZPUB" -v import "$T/lecture.mp4" >> "$T/printed.txt" 2>&1 || fail "import"
"$ZPUB" -v run --all --until PROCESSED >> "$T/printed.txt" 2>&1 &
runner=$!
# While it runs: no zpub process carries a secret on its command line.
scan_cmdlines() {
	local f pid
	for f in /proc/[0-9]*/cmdline; do
		pid=${f#/proc/}; pid=${pid%/cmdline}
		{ tr '\0' ' ' < "$f" > "$T/cmd.$pid"; } 2>/dev/null || continue
		grep -q zpub "$T/cmd.$pid" || { rm -f "$T/cmd.$pid"; continue; }
		for name in "${!canary[@]}"; do
			if grep -qF -- "${canary[$name]}" "$T/cmd.$pid"; then
				fail "process $pid has secret '$name' on its command line: $(cat "$T/cmd.$pid")"
			fi
		done
		echo "$pid" >> "$T/scanned.pids"
		rm -f "$T/cmd.$pid"
	done
}
scan_cmdlines
wait "$runner" || true   # the lecture's fate is not the point here
"$ZPUB" config get providers >> "$T/printed.txt" 2>&1 || true
"$ZPUB" journal --json >> "$T/printed.txt" 2>&1 || fail "journal"
"$ZPUB" show 1 --json >> "$T/printed.txt" 2>&1 || fail "show"

# OAuth, when the net helper's `zpub auth` is wired: sign in to the fakes,
# collect every token they issued, check the listener.
tokens=()
if "$ZPUB" help auth >/dev/null 2>&1; then
	trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
	start() { # start NAME VAR
		python3 "$ZPUB_SRC/tests/fakes/$1.py" --port-file "$T/$1.port" >/dev/null 2>"$T/$1.log" &
		pids+=($!)
		for i in $(seq 200); do [ -s "$T/$1.port" ] && break; sleep 0.05; done
		[ -s "$T/$1.port" ] || fail "$1 did not start"
		printf -v "$2" 'http://127.0.0.1:%s' "$(cat "$T/$1.port")"
	}
	start fake_google G
	start fake_vk V
	"$ZPUB" config set providers.google.auth_url "$G/o/oauth2/v2/auth" >/dev/null
	"$ZPUB" config set providers.google.token_url "$G/token" >/dev/null
	"$ZPUB" config set providers.google.revoke_url "$G/revoke" >/dev/null
	"$ZPUB" config set providers.google.client_id "cid-123.apps.googleusercontent.com" >/dev/null
	"$ZPUB" config set providers.vk.oauth_base "$V" >/dev/null
	"$ZPUB" config set providers.vk.api_base "$V/method" >/dev/null
	"$ZPUB" config set providers.vk.client_id "51234567" >/dev/null
	for prov in youtube vk; do
		"$ZPUB" auth "$prov" --no-browser --timeout 30 >"$T/auth.out" 2>"$T/auth.err" &
		ap=$!
		for i in $(seq 200); do grep -q '^http' "$T/auth.out" 2>/dev/null && break; sleep 0.05; done
		url=$(grep '^http' "$T/auth.out" | head -n1)
		[ -n "$url" ] || fail "zpub auth $prov printed no URL: $(cat "$T/auth.err")"
		# the listener is on loopback only
		ss -ltnpH > "$T/ss.txt"
		grep "pid=$ap," "$T/ss.txt" > "$T/ss.mine" || fail "zpub auth $prov listens nowhere: $(cat "$T/ss.txt")"
		if grep -v '127\.0\.0\.1:' "$T/ss.mine"; then fail "the sign-in listener binds beyond loopback"; fi
		scan_cmdlines
		loc=$(curl -s -o /dev/null -w '%{redirect_url}' "$url")
		case "$loc" in http://127.0.0.1:*) ;; *) fail "no loopback redirect for $prov: $loc";; esac
		code=$(curl -s -o /dev/null -w '%{http_code}' "$loc")
		[ "$code" = 200 ] || fail "$prov callback answered $code"
		wait "$ap" || fail "zpub auth $prov failed: $(cat "$T/auth.err")"
		cat "$T/auth.out" "$T/auth.err" >> "$T/printed.txt"
		# a second use of the same callback is refused
		code=$(curl -s -o /dev/null -w '%{http_code}' "$loc" || true)
		[ "$code" != 200 ] || fail "$prov: the callback worked twice"
		ok "$prov signed in; listener on 127.0.0.1 only; the callback cannot be replayed ($code)"
	done
	for f in G V; do
		curl -sf "${!f}/_state" | python3 -c 'import json,sys
j=json.load(sys.stdin)
for t in j.get("issued_tokens", []): print(t)' >> "$T/tokens.txt" || true
	done
	mapfile -t tokens < "$T/tokens.txt"
	[ "${#tokens[@]}" -ge 1 ] || fail "the fakes issued no tokens to look for"
	"$ZPUB" auth list >> "$T/printed.txt" 2>&1 || true
else
	echo "note: 'zpub auth' is not wired yet; OAuth tokens are not part of this run"
fi

# Zoom, connected for real: the fake only accepts the canary client secret;
# sync, then a download (slowed down) during which zpub holds the secret and
# an access token.  The fake's tokens look like zt-N-<20 hex>.
. "$ZPUB_SRC/tests/fakes/fake_zoom.sh"
trap 'zoom_fake_stop; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
zoom_fake_start "$T/zoom" --months 1 --per-month 1 --size 4000000 --faults slow:1000000 \
	--client-secret "${canary[zoom.client_secret]}"
printf '%s' "${canary[zoom.client_secret]}" | "$ZPUB" secret set zoom.client_secret >/dev/null 2>&1 \
	|| fail "secret set zoom.client_secret"
"$ZPUB" -v sync zoom --from 2026-10-01 --to 2026-10-31 >> "$T/printed.txt" 2>&1 \
	|| fail "sync with the canary secret failed: $(tail -3 "$T/printed.txt")"
zid=$("$ZPUB" list --json | python3 -c 'import json,sys; print([r["id"] for r in json.load(sys.stdin) if r["source"] == "zoom"][0])')
core_ok=0
[ "$(cat /proc/sys/kernel/core_pattern)" = core ] && [ -z "${ASAN_OPTIONS:-}" ] && core_ok=1
mkdir -p "$T/core"
(
	cd "$T/core"
	[ $core_ok = 1 ] && ulimit -c unlimited 2>/dev/null
	exec "$ZPUB" -v run "$zid" --until DOWNLOADED
) >> "$T/printed.txt" 2>&1 &
dl=$!
sleep 1.5
scan_cmdlines
grep -q "pid=$dl\b" /dev/null || true
aborted=0
if [ $core_ok = 1 ] && kill -0 "$dl" 2>/dev/null; then
	# mid-download: zpub holds the client secret's token; make it dump core
	kill -ABRT "$dl" && aborted=1
fi
wait "$dl" 2>/dev/null || true
found_core=0
for c in "$T"/core/core*; do
	[ -e "$c" ] || continue
	found_core=1
	for name in "${!canary[@]}"; do
		if grep -qaF -- "${canary[$name]}" "$c"; then
			core_fail "a core dump of zpub holds secret '$name': zpub should not dump core (setrlimit RLIMIT_CORE 0 and prctl PR_SET_DUMPABLE 0 at start)"
		fi
	done
	if grep -qaE 'zt-[0-9]+-[0-9a-f]{20}' "$c"; then
		core_fail "a core dump of zpub holds a Zoom access token: zpub should not dump core"
	fi
	rm -f "$c"
	[ $core_open = 1 ] || ok "a core dump of zpub mid-download holds no secret and no token"
done
if [ $aborted = 1 ] && [ $found_core = 0 ]; then ok "zpub left no core dump when aborted (core dumps are off)"; fi
[ $core_ok = 1 ] || echo "note: cores are not written to the working directory here (or under ASan); core check skipped"
[ $core_ok = 0 ] || [ $aborted = 1 ] || fail "the download ended before it could be aborted; make it slower"
# finish the download for the file scan below
expect_rc 0 "$ZPUB" run "$zid" --until DOWNLOADED

# Every file zpub wrote, and everything it printed.
all=("${canary[@]}" "${tokens[@]}")
if grep -rqaE 'zt-[0-9]+-[0-9a-f]{20}' "$ZPUB_HOME" "$T/printed.txt"; then
	fail "a Zoom access token is readable in $(grep -rlaE 'zt-[0-9]+-[0-9a-f]{20}' "$ZPUB_HOME" "$T/printed.txt" | head -3)"
fi
while IFS= read -r -d '' f; do
	for s in "${all[@]}"; do
		[ -n "$s" ] || continue
		if grep -qaF -- "$s" "$f"; then
			fail "a secret or token is readable in $f"
		fi
	done
done < <(find "$ZPUB_HOME" -type f -print0)
for s in "${all[@]}"; do
	[ -n "$s" ] || continue
	if grep -qaF -- "$s" "$T/printed.txt"; then fail "zpub printed a secret or token"; fi
done
n=$(find "$ZPUB_HOME" -type f | wc -l)
[ -s "$ZPUB_HOME/zpub.db" ] || fail "no database at $ZPUB_HOME/zpub.db"
ok "no secret in $n files (database, WAL, log, config, media) nor in zpub's output"

# Modes.
bad_dirs=$(find "$ZPUB_HOME" -type d ! -perm 700)
[ -z "$bad_dirs" ] || fail "folders not 0700: $(stat -c '%a %n' $bad_dirs)"
strict=$(find "$ZPUB_HOME" -maxdepth 2 -type f \( -name 'zpub.db*' -o -name '*.log' -o -name '*key*' \
	-o -name 'config.json' \) ! -perm 600)
[ -z "$strict" ] || fail "key/database/log/config files not 0600: $(stat -c '%a %n' $strict)"
writable=$(find "$ZPUB_HOME" -type f -perm /022)
[ -z "$writable" ] || fail "files writable by group or others: $(stat -c '%a %n' $writable)"
wide=$(find "$ZPUB_HOME" -type f -perm /044)
[ -z "$wide" ] || echo "note: readable by group/others inside 0700 folders: $(stat -c '%a %n' $wide | tr '\n' ' ')"
keys=$(find "$ZPUB_HOME" -maxdepth 2 -type f -name '*key*' | wc -l)
[ "$keys" -ge 1 ] || fail "no vault key file found under $ZPUB_HOME"
ok "modes: folders 0700, key/database/log/config 0600"
echo "secrets_audit: passed ($(sort -u "$T/scanned.pids" 2>/dev/null | wc -l) zpub processes scanned)"
