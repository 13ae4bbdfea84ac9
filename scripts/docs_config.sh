#!/usr/bin/env bash
# docs_config.sh — the configuration reference of README.md and the
# CONFIGURATION and SECRETS sections of packaging/zpub.1, rendered by the
# built zpub from the settings schema (`zpub config keys --format md|man`)
# and spliced between their markers:
#   README.md          <!-- config:begin --> ... <!-- config:end -->
#   packaging/zpub.1   .\" config:begin ... .\" config:end
#
#   docs_config.sh render ZPUB SRC OUT   spliced copies in OUT (the normal build)
#   docs_config.sh write ZPUB SRC OUT    ... and copied over the committed files
#   docs_config.sh check ZPUB SRC OUT    exit 1 when the committed files differ
set -euo pipefail
[ $# = 4 ] || { echo "usage: $0 render|write|check ZPUB SRC OUT" >&2; exit 2; }
mode=$1 zpub=$2 src=$3 out=$4
mkdir -p "$out"

# splice FILE BEGIN END GENERATED > OUT: FILE with the lines between the
# marker lines replaced by GENERATED; each marker must be there once.
# (The markers go through the environment: awk -v would eat the \ of .\".)
splice() {
	B=$2 E=$3 GEN=$4 awk '
		BEGIN { b = ENVIRON["B"]; e = ENVIRON["E"]; gen = ENVIRON["GEN"] }
		$0 == b { nb++; print; while ((getline l < gen) > 0) print l; skip = 1; next }
		$0 == e { ne++; skip = 0 }
		!skip { print }
		END { if (nb != 1 || ne != 1) { printf "%s: wants one \"%s\" and one \"%s\" line\n", FILENAME, b, e > "/dev/stderr"; exit 1 } }
	' "$1"
}

# A data folder of its own: rendering reads only the schema, but zpub
# starts its log wherever it runs.
"$zpub" --data-dir "$out/home" config keys --format md >"$out/config.md"
"$zpub" --data-dir "$out/home" config keys --format man >"$out/config.roff"
splice "$src/README.md" '<!-- config:begin -->' '<!-- config:end -->' "$out/config.md" >"$out/README.md"
splice "$src/packaging/zpub.1" '.\" config:begin' '.\" config:end' "$out/config.roff" >"$out/zpub.1"

stale=0
for f in README.md packaging/zpub.1; do
	gen="$out/$(basename "$f")"
	cmp -s "$gen" "$src/$f" && continue
	case $mode in
	write) cp "$gen" "$src/$f"; echo "docs: rewrote $f" ;;
	check) diff -u "$src/$f" "$gen" | head -40 >&2 || true
		echo "$f: its configuration reference differs from the schema;" \
		    "run \`cmake --build build --target docs\` and commit" >&2
		stale=1 ;;
	esac
done
exit $stale
