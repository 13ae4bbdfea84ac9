#!/usr/bin/env bash
# demo.sh — builds zpub and runs the bundled sample lecture through the
# pipeline on the offline defaults, in a throwaway data folder.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target zpub
export ZPUB_HOME=${ZPUB_HOME:-$(mktemp -d /tmp/zpub-demo.XXXXXX)}
echo "data folder: $ZPUB_HOME"
id=$(./build/zpub import --title "Sorting algorithms (sample lecture)" assets/sample/lecture.mp4)
./build/zpub run "$id" || true
./build/zpub show "$id"
