#!/usr/bin/env bash
# layers.sh — the one-way layers of src/ hold (CMakeLists.txt, ZPUB_LAYERS).
# Each layer compiles with only its own folder and the folders of the layers
# it may see (build/layers.txt, written by CMake), and headers are included
# by name.  This test proves the build would refuse a wrong include: for
# every pair of layers it preprocesses a probe that includes one header of
# the other layer with the first layer's flags — it must compile where the
# table allows it and fail where it does not (a net/ file including store.h,
# a db/ file including pipeline.h, ...).  It also refuses includes that
# name a path ("../", "db/store.h"), which would walk around the table, and
# two headers of one name in two layers.
. "$ZPUB_SRC/tests/lib/e2e.sh"

build=$(cd "$(dirname "$ZPUB")" && pwd)
table="$build/layers.txt"
[ -s "$table" ] || fail "no $table: the build did not write the layer table"
src="$ZPUB_SRC/src"
CC=${CC:-cc}
pc=$(pkg-config --cflags libcjson libuv sqlite3 libcurl libsodium libavformat libavcodec \
	libavutil 2>/dev/null || true)

# The layers, in order, and what each sees.
declare -A sees order
layers=()
n=0
while read -r layer dirs; do
	layers+=("$layer")
	order[$layer]=$n
	n=$((n + 1))
	s=""
	for d in $dirs; do s="$s $(basename "$d")"; done
	sees[$layer]="$s"
done <"$table"
[ ${#layers[@]} -ge 8 ] || fail "the layer table names ${#layers[@]} layers: $(cat "$table")"

# A row may see only rows above it: no cycle, no face under the engine.
for l in "${layers[@]}"; do
	for s in ${sees[$l]}; do
		[ "$s" = "$l" ] && continue
		[ -n "${order[$s]:-}" ] || fail "layer $l sees $s, which is no layer"
		[ "${order[$s]}" -lt "${order[$l]}" ] ||
			fail "layer $l sees $s, which is not below it (a cycle or a leak upward)"
	done
done
ok "the table is one-way: every layer sees only layers below it"

# One header name, one layer; includes name a header, never a path.
dup=$(find "$src" -name '*.h' -printf '%f\n' | sort | uniq -d)
[ -z "$dup" ] || fail "header names used by two layers: $dup"
bad=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"[^"]*/' "$src" || true)
[ -z "$bad" ] || fail "includes that name a path (walk around the layer table): $bad"
ok "headers are included by name, and each name is in one layer"

# Probes: one header of every layer, preprocessed with each layer's flags.
probe_header() { # the first header of a layer, by name
	find "$src/$1" -maxdepth 1 -name '*.h' -printf '%f\n' | sort | head -1
}
refused=0
allowed=0
for l in "${layers[@]}"; do
	flags=""
	for s in ${sees[$l]}; do flags="$flags -I$src/$s"; done
	for other in "${layers[@]}"; do
		[ "$other" = "$l" ] && continue
		h=$(probe_header "$other")
		[ -n "$h" ] || continue
		printf '#include "%s"\n' "$h" >"$T/probe.c"
		want=refuse
		for s in ${sees[$l]}; do [ "$s" = "$other" ] && want=compile; done
		# shellcheck disable=SC2086
		if $CC -E -D_GNU_SOURCE $flags $pc "$T/probe.c" -o /dev/null 2>"$T/cc.err"; then
			[ $want = compile ] ||
				fail "a $l/ file including $other's $h compiles; the table forbids it"
			allowed=$((allowed + 1))
		else
			grep -q "$h" "$T/cc.err" ||
				fail "probe of $h from $l failed for another reason: $(cat "$T/cc.err")"
			[ $want = refuse ] ||
				fail "a $l/ file cannot include $other's $h, which the table allows: $(cat "$T/cc.err")"
			refused=$((refused + 1))
		fi
	done
done
ok "$refused forbidden includes fail to compile, $allowed allowed ones compile"

# The named cases of the design, spelled out.
must_refuse() { # must_refuse LAYER HEADER
	local flags=""
	for s in ${sees[$1]}; do flags="$flags -I$src/$s"; done
	printf '#include "%s"\n' "$2" >"$T/probe.c"
	# shellcheck disable=SC2086
	if $CC -E $flags $pc "$T/probe.c" -o /dev/null 2>/dev/null; then
		fail "a $1/ file may include $2"
	fi
}
if [ "${ZPUB_LAYERS_STRICT:-1}" = 1 ]; then
	must_refuse net store.h
	must_refuse net vault.h
	must_refuse db pipeline.h
	must_refuse media store.h
	must_refuse engine cmd.h
	must_refuse ui cmd.h
	must_refuse base store.h
	ok "net/ cannot include store.h or vault.h; db/ cannot include pipeline.h; no face sees cmd.h"
fi
