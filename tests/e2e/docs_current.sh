#!/usr/bin/env bash
# docs_current.sh — README.md's configuration reference and the CONFIGURATION
# and SECRETS sections of packaging/zpub.1 are what the binary renders from
# the settings schema: a help string, default or key changed in
# src/base/config_schema.c without `cmake --build build --target docs` fails here.
. "$ZPUB_SRC/tests/lib/e2e.sh"

"$ZPUB_SRC/scripts/docs_config.sh" check "$ZPUB" "$ZPUB_SRC" "$T/docs" \
	|| fail "the committed reference is stale (see above)"
ok "README.md and packaging/zpub.1 match the schema"

# Every key and every secret name of the schema is in both documents.
expect_rc 0 "$ZPUB" config keys --json
keys=$(echo "$OUT" | python3 -c 'import json,sys; print("\n".join(k["key"] for k in json.load(sys.stdin)))')
[ "$(echo "$keys" | wc -l)" -gt 50 ] || fail "config keys --json listed too few keys: $keys"
for k in $keys; do
	grep -qF "| \`$k\` |" "$ZPUB_SRC/README.md" || fail "README.md lacks the key $k"
	grep -qxF ".B \\&$k" "$ZPUB_SRC/packaging/zpub.1" || fail "zpub.1 lacks the key $k"
done
for s in transcription chat zoom.client_secret google.client_secret vk.client_secret \
	oauth.zoom oauth.youtube oauth.vk; do
	grep -qF "| \`$s\` |" "$ZPUB_SRC/README.md" || fail "README.md lacks the secret $s"
	grep -qxF ".B \\&$s" "$ZPUB_SRC/packaging/zpub.1" || fail "zpub.1 lacks the secret $s"
done
ok "every key and secret name is documented in both"

# The man page still formats without warnings.
if command -v groff >/dev/null; then
	w=$(groff -k -man -Tutf8 -ww -z "$ZPUB_SRC/packaging/zpub.1" 2>&1) || fail "groff: $w"
	[ -z "$w" ] || fail "groff warns about zpub.1: $w"
	ok "zpub.1 formats cleanly"
fi

# A usage error for a format zpub does not know.
expect_rc 2 "$ZPUB" config keys --format html
expect_rc 2 "$ZPUB" config keys processing --format md
ok "config keys --format refuses what it cannot render"
