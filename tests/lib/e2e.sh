# e2e.sh — sourced by the end-to-end tests: a private ZPUB_HOME, the binary,
# and small assertions that say what failed.
set -euo pipefail
: "${ZPUB:?ZPUB must point at the zpub binary}"
: "${ZPUB_SRC:?ZPUB_SRC must point at the source tree}"
T=${ZPUB_TESTTMP:-$(mktemp -d)}
rm -rf "$T"
mkdir -p "$T"
export ZPUB_HOME="$T/home"
export NO_COLOR=1
unset XDG_DATA_HOME XDG_CONFIG_HOME

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
# expect_rc CODE CMD... — runs CMD, checks its exit code, keeps its output in $OUT/$ERR.
expect_rc() {
	local want=$1; shift
	set +e
	"$@" >"$T/out" 2>"$T/err"
	local got=$?
	set -e
	OUT=$(cat "$T/out"); ERR=$(cat "$T/err")
	[ "$got" = "$want" ] || fail "'$*' exited $got, wanted $want; stderr: $ERR; stdout: $OUT"
}
# jq-free JSON field access through python3.
jget() { python3 -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v if not isinstance(v,(dict,list)) else json.dumps(v))' "$1"; }
# A short real lecture-like MP4 (tone bursts and silence over a test pattern).
make_mp4() { # make_mp4 OUT SECONDS
	ffmpeg -v error -y -f lavfi -i "testsrc=s=320x180:r=25:d=$2" \
		-f lavfi -i "sine=f=440:d=$2" -c:v libx264 -preset ultrafast -g 50 -pix_fmt yuv420p \
		-c:a aac -shortest "$1"
}
