#!/usr/bin/env bash
# check.sh — builds zpub and runs the whole test suite.
#   scripts/check.sh            normal build in build/
#   ZPUB_SANITIZE=1 scripts/check.sh   ASan+UBSan build in build-asan/
# Extra arguments go to ctest (for example -R unit/ or -j2).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${ZPUB_SANITIZE:-0}" = 1 ]; then
	dir=build-asan
	flags=(-DZPUB_WERROR=ON -DZPUB_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo)
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
	export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp}
	# The sanitizer pass runs every test, with the long loops (kill -9
	# iterations, generated media lengths) at their small settings; the
	# fuzzers build their own sanitized binaries, so they run once, above.
	export ZPUB_TEST_QUICK=1
	skip=(-E 'e2e/fuzz_short')
else
	dir=build
	flags=(-DZPUB_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo)
	skip=()
fi
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)"
ctest --test-dir "$dir" --output-on-failure -j2 "${skip[@]}" "$@"
