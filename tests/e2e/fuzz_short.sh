#!/usr/bin/env bash
# A short, seeded libFuzzer run of every target in tests/fuzz/ (listener
# requests, schedules, template globs and rules, API JSON answers, YouTube's,
# VK's and the chat service's answers, subtitle layout, the time map, Zoom
# titles, log redaction, H.264 open-GOP rewriting), each from its checked-in seed corpus, with ASan and
# UBSan: any crash, sanitizer report, leak or broken invariant fails the test
# and prints the input (base64) to reproduce with
#   tests/fuzz/build.sh && build-fuzz/bin/TARGET crash-file
# Skips (exit 0 with a message) when clang's fuzzer runtime is not installed.
# Each target makes a fixed number of executions (about 4 s each here) from a
# fixed seed, so a run is reproducible on a given tree; ZPUB_FUZZ_SCALE
# multiplies the counts (e.g. 10 for a longer local run), ZPUB_FUZZ_SEED
# changes the seed.  A target stops after 30 s whatever its count.
. "$ZPUB_SRC/tests/lib/e2e.sh"

# The targets carry their own ASan+UBSan: the sanitizer suite
# (ZPUB_SANITIZE=1 scripts/check.sh) would only repeat the same runs.
if [ -n "${ASAN_OPTIONS:-}" ] && [ -z "${ZPUB_FUZZ_FORCE:-}" ]; then
	echo "SKIP: the fuzz targets are sanitized already; they run in the plain suite"
	exit 0
fi
scale=${ZPUB_FUZZ_SCALE:-1}
seed=${ZPUB_FUZZ_SEED:-1}
declare -A runs=( [fuzz_api_json]=120000 [fuzz_listener]=8000 [fuzz_schedule]=300000
	[fuzz_subtitles]=25000 [fuzz_template]=30000 [fuzz_timemap]=2500 [fuzz_zoom]=100000 [fuzz_log_redact]=20000
	[fuzz_youtube]=200000 [fuzz_vk]=300000 [fuzz_chat]=200000 [fuzz_h264]=6000 )
# A target built but missing from this table is listed as "not run" below.
bdir=${ZPUB_FUZZ_BUILD:-$ZPUB_SRC/build-fuzz}
# The fuzz build carries its own sanitizers; the suite's ASan settings (and
# LD_PRELOADs) are not meant for it.
unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
set +e
bash "$ZPUB_SRC/tests/fuzz/build.sh" "$bdir" >"$T/build.log" 2>&1
rc=$?
set -e
if [ $rc = 77 ]; then
	echo "SKIP: $(tail -1 "$T/build.log")"
	exit 0
fi
[ $rc = 0 ] || fail "the fuzz targets do not build: $(tail -30 "$T/build.log")"
cat "$T/build.log" | grep -v '^build.sh: compiling' || true

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
n=0
for bin in "$bdir"/bin/fuzz_*; do
	name=$(basename "$bin")
	if [ -z "${runs[$name]:-}" ]; then
		echo "not run (not in this script's table yet): $name"
		continue
	fi
	work="$T/$name"
	mkdir -p "$work/corpus"
	set +e
	want=$(( ${runs[$name]} * scale ))
	start=$(date +%s%N)
	(cd "$work" && "$bin" -seed="$seed" -runs="$want" -max_total_time=$((30 * scale)) -max_len=4096 -timeout=10 \
		-rss_limit_mb=1024 -print_final_stats=1 corpus "$ZPUB_SRC/tests/fuzz/corpus/$name") \
		>"$work/log" 2>&1
	rc=$?
	set -e
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	done_runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
	if [ $rc != 0 ]; then
		grep -E 'ERROR|SUMMARY|runtime error|^ *#[0-9]+ .* in |\.c:[0-9]+|refused|not|Base64' "$work/log" | head -40 >&2
		fail "$name found a problem after ${done_runs:-?} runs (seed $seed); reproduce with: $bin $work/crash-*"
	fi
	ok "$name: ${done_runs} executions in ${ms} ms (seed $seed), no crash"
	n=$((n + 1))
done
[ "$n" -ge 1 ] || fail "no fuzz target was built"
echo "fuzz_short: $n targets passed"
