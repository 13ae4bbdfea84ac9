# lib.sh — sourced by tests/e2e/faults_*.sh after tests/lib/e2e.sh: starts
# tests/fakes/faultproxy.py in front of a fake and reads what it did.
#
# proxy_start NAME ROUTE=PORT... -- [--fault SPEC]...
#   starts a proxy (log in $T/NAME.proxy.log), sets PROXY_<ROUTE> to its
#   ports; stops the previous proxy of that NAME.
#   Faults can be (re)armed later with proxy_arm NAME SPEC... (connection
#   numbers start again at 1).
# proxy_stop NAME
# proxy_events NAME  the JSON lines of its log (one per connection)
declare -A PROXY_PIDS
proxy_start() {
	local name=$1 routes=() faults=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do routes+=(--route "$1"); shift; done
	[ $# -gt 0 ] && shift
	while [ $# -gt 0 ]; do faults+=(--fault "$1"); shift; done
	proxy_stop "$name"
	rm -f "$T/$name.proxy.ports" "$T/$name.proxy.log"
	: > "$T/$name.proxy.faults"
	python3 "$ZPUB_SRC/tests/fakes/faultproxy.py" "${routes[@]}" "${faults[@]}" --rewrite \
		--fault-file "$T/$name.proxy.faults" \
		--port-file "$T/$name.proxy.ports" --log "$T/$name.proxy.log" \
		>"$T/$name.proxy.out" 2>"$T/$name.proxy.err" &
	PROXY_PIDS[$name]=$!
	local i
	for i in $(seq 100); do [ -s "$T/$name.proxy.ports" ] && break; sleep 0.05; done
	[ -s "$T/$name.proxy.ports" ] || fail "faultproxy did not start: $(cat "$T/$name.proxy.err")"
	eval "$(python3 -c 'import json,sys
for k, v in json.load(open(sys.argv[1])).items(): print(f"PROXY_{k.upper()}={v}")' "$T/$name.proxy.ports")"
	touch "$T/$name.proxy.log"
}
proxy_arm() {
	local name=$1
	shift
	printf '%s\n' "$@" > "$T/$name.proxy.faults.new"
	mv "$T/$name.proxy.faults.new" "$T/$name.proxy.faults"
	: > "$T/$name.proxy.log"
}
proxy_stop() {
	local p=${PROXY_PIDS[$1]:-}
	if [ -n "$p" ]; then kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; fi
	PROXY_PIDS[$1]=
}
proxy_stop_all() {
	local k
	for k in "${!PROXY_PIDS[@]}"; do proxy_stop "$k"; done
}
proxy_events() { cat "$T/$1.proxy.log"; }
# proxy_fired NAME — how many connections a fault actually hit (a fault
# that matched a connection but never took effect, such as a drop past the
# end of a short answer, does not count).  A connection is logged when it
# ends, a moment after the client let go: wait until the log holds still.
proxy_fired() {
	python3 - "$T/$1.proxy.log" <<'PY'
import json, os, sys, time
log, last, still = sys.argv[1], None, 0
for _ in range(40):
    n = os.path.getsize(log)
    still = still + 1 if n == last else 0
    if still >= 2:
        break
    last = n
    time.sleep(0.05)
print(sum(1 for l in open(log) if json.loads(l).get("fired")))
PY
}

# The sanitizer suite runs a subset of the cases (the same code paths, less
# waiting); every case runs in the plain suite.  ZPUB_FAULTS_QUICK=0/1
# overrides; ZPUB_FAULTS_ONLY=REGEX runs only the cases whose names match.
quick=0
[ -n "${ASAN_OPTIONS:-}" ] && quick=1
[ -n "${ZPUB_FAULTS_QUICK:-}" ] && quick=$ZPUB_FAULTS_QUICK
full_only() { [ "$quick" = 1 ] && { echo "skip (sanitizer subset): $*"; return 1; }; return 0; }
wanted() { [ -z "${ZPUB_FAULTS_ONLY:-}" ] || [[ $1 =~ $ZPUB_FAULTS_ONLY ]]; }
