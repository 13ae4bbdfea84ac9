#!/usr/bin/env bash
# build.sh — builds the libFuzzer targets (tests/fuzz/fuzz_*.c) with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer, straight from the sources
# (no CMake, so the main build never depends on clang).
#
#   tests/fuzz/build.sh [BUILD_DIR]      default: build-fuzz/ at the top
#
# The engine sources (src/**, minus main.c and the terminal app) become one static archive,
# rebuilt per object only when the source or any header is newer, so a second
# call costs seconds.  A target may #include an engine .c file to reach its
# static parsers; the archive member of that file is then never pulled in.
# Exits 77 when clang or its fuzzer runtime is missing (callers skip).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$src/build-fuzz}
CC=${FUZZ_CC:-}
if [ -z "$CC" ]; then
	for c in clang clang-16 clang-15 clang-14; do
		command -v "$c" >/dev/null 2>&1 && { CC=$c; break; }
	done
fi
[ -n "$CC" ] || { echo "build.sh: no clang found" >&2; exit 77; }
mkdir -p "$out/obj" "$out/bin"
# The fuzzer runtime ships apart from clang on Debian (libclang-rt-NN-dev).
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n){(void)d;(void)n;return 0;}' > "$out/probe.c"
if ! "$CC" -fsanitize=fuzzer "$out/probe.c" -o "$out/probe" 2>/dev/null; then
	echo "build.sh: $CC has no libFuzzer runtime (install libclang-rt-dev)" >&2
	exit 77
fi

# float-cast-overflow is on: every JSON number reaches an integer through
# src/base/jnum.h's range checks.  ZPUB_FUZZ_FLOAT_CAST=0 turns it off (to chase
# another finding first).
float_cast=
[ "${ZPUB_FUZZ_FLOAT_CAST:-1}" = 0 ] && float_cast=-fno-sanitize=float-cast-overflow
if [ "$(cat "$out/float_cast.flag" 2>/dev/null)" != "x$float_cast" ]; then
	rm -rf "$out/obj" "$out/bin" "$out/libzpubfuzz.a"
	mkdir -p "$out/obj" "$out/bin"
fi
echo "x$float_cast" > "$out/float_cast.flag"

pkgs="libuv sqlite3 libpq libcurl libcjson libsodium libavformat libavcodec libavfilter libavutil libswresample libswscale"
cflags=(-g -O1 -std=c17 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -fno-omit-frame-pointer
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined $float_cast
	-DZPUB_VERSION='"fuzz"' -DZPUB_HAVE_POCKETSPHINX=0 -DZPUB_PS_MODELDIR='""'
	$(for l in base db media net ai engine cmd; do printf -- '-I%s ' "$src/src/$l"; done)
	-I"$out" $(pkg-config --cflags $pkgs)
	-Wno-unused-command-line-argument)
libs=($(pkg-config --libs $pkgs) -lhttp_parser -lpthread -lm)

# Embedded migrations and default config, as the CMake build makes them.
migs=$(ls "$src"/src/db/migrations/*.sql | sort | paste -sd'|')
migs_pg=$(ls "$src"/src/db/migrations/pg/*.sql | sort | paste -sd'|')
cmake -DOUT="$out/embedded.c" "-DMIGRATIONS=$migs" "-DMIGRATIONS_PG=$migs_pg" \
	-P "$src/cmake/embed.cmake"

# Newest header: any change rebuilds everything (coarse but safe).
hdr_t=$(find "$src/src" -name '*.h' -printf '%T@\n' | sort -n | tail -1)
touch -d "@$hdr_t" "$out/headers.stamp"
mapfile -t sources < <(find "$src/src" -name '*.c' ! -path "$src/src/main.c" ! -path "$src/src/ui/*" | sort)
sources+=("$out/embedded.c")
todo=()
for s in "${sources[@]}"; do
	o="$out/obj/$(echo "${s#$src/}" | tr / _).o"
	if [ ! -e "$o" ] || [ "$s" -nt "$o" ] || [ "$out/headers.stamp" -nt "$o" ]; then
		todo+=("$s")
	fi
done
compile_one() { # compile_one SRC (uses exported CC, CFLAGS_STR, OUT, SRC_ROOT)
	local o="$OUT/obj/$(echo "${1#$SRC_ROOT/}" | tr / _).o"
	eval "$CC $CFLAGS_STR -c \"\$1\" -o \"\$o.tmp\"" && mv "$o.tmp" "$o"
}
export -f compile_one
export CC OUT="$out" SRC_ROOT="$src" CFLAGS_STR="$(printf '%q ' "${cflags[@]}")"
if [ ${#todo[@]} -gt 0 ]; then
	echo "build.sh: compiling ${#todo[@]} engine sources with $CC"
	printf '%s\0' "${todo[@]}" | xargs -0 -n1 -P"$(nproc)" bash -c 'compile_one "$0"'
	rm -f "$out/libzpubfuzz.a"
fi
# Objects of sources that no longer exist must not linger in the archive.
if [ ! -e "$out/libzpubfuzz.a" ]; then
	objs=()
	for s in "${sources[@]}"; do objs+=("$out/obj/$(echo "${s#$src/}" | tr / _).o"); done
	ar rcs "$out/libzpubfuzz.a" "${objs[@]}"
fi

# Targets: a target whose engine sources have not landed yet is skipped
# (its first line names them: "/* needs: src/engine/template.c */").
built=0
for t in "$src"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$t" .c)
	need=$(sed -n '1,5s/.*needs: \(.*\) \*\/.*/\1/p' "$t")
	missing=""
	for f in $need; do [ -e "$src/$f" ] || missing="$missing $f"; done
	if [ -n "$missing" ]; then
		echo "build.sh: skipping $name (not yet in the tree:$missing)"
		rm -f "$out/bin/$name"
		continue
	fi
	if [ ! -e "$out/bin/$name" ] || [ "$t" -nt "$out/bin/$name" ] || \
	   [ "$out/libzpubfuzz.a" -nt "$out/bin/$name" ] || \
	   [ -n "$(find "$src/tests/fuzz" -maxdepth 1 -name '*.h' -newer "$out/bin/$name")" ]; then
		"$CC" "${cflags[@]}" -fsanitize=fuzzer -I"$src/tests/fuzz" "$t" \
			"$out/libzpubfuzz.a" "${libs[@]}" -o "$out/bin/$name.tmp"
		mv "$out/bin/$name.tmp" "$out/bin/$name"
	fi
	built=$((built + 1))
done
echo "build.sh: $built targets in $out/bin"
