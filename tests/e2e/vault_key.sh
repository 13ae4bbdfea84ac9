#!/usr/bin/env bash
# vault_key.sh — a missing vault key is an error, never a silent reset.  A
# fresh install makes its key silently; once secrets exist, a key file that
# is missing, damaged or not theirs makes every command that needs the vault
# fail with a sentence that names the file, the backup to restore and the
# reset command; `secret list` marks what cannot be decrypted; restoring the
# file brings everything back; `secret reset` shows, and with --yes deletes
# the undecryptable secrets (every tenant's) and makes a new key.
. "$ZPUB_SRC/tests/lib/e2e.sh"
KEY="$ZPUB_HOME/vault.key"

# A fresh install: no secrets, the key is made silently, 0600.
expect_rc 0 "$ZPUB" secret list
[ -z "$OUT$ERR" ] || fail "fresh secret list printed: $OUT $ERR"
printf 'sk-trans' | "$ZPUB" secret set transcription 2>/dev/null
[ "$(stat -c %a "$KEY")" = 600 ] || fail "the first key is not 0600"
printf 'sk-chat' | "$ZPUB" secret set chat 2>/dev/null
expect_rc 0 "$ZPUB" tenant add physics
printf 'sk-phys' | "$ZPUB" --tenant physics secret set chat 2>/dev/null
expect_rc 0 "$ZPUB" secret list --json
[ "$(echo "$OUT" | jget 0.state)/$(echo "$OUT" | jget 1.state)" = ok/ok ] || fail "list: $OUT"
cp -p "$KEY" "$T/key.backup"
ok "a fresh install makes its key silently"

# lost KIND: every command that needs the vault fails and says what to do.
lost() {
	expect_rc 1 "$ZPUB" secret list --json
	[ "$(echo "$OUT" | jget 0.state)/$(echo "$OUT" | jget 1.state)" = undecryptable/undecryptable ] \
		|| fail "$1: secret list does not tell the truth: $OUT"
	for cmd in "secret list" "secret set chat" "sync zoom --dry-run" "auth revoke youtube" \
	    "auth youtube --no-browser --timeout 1"; do
		# shellcheck disable=SC2086
		expect_rc 1 "$ZPUB" $cmd </dev/null
		echo "$ERR" | grep -q "$1" || fail "$1: '$cmd' does not say what happened: $ERR"
		echo "$ERR" | grep -qF "put the key file back at $KEY from a backup" \
			|| fail "$1: '$cmd' does not say how to restore: $ERR"
		echo "$ERR" | grep -qF "zpub secret reset --yes" || fail "$1: '$cmd' has no way out: $ERR"
	done
	expect_rc 1 "$ZPUB" --tenant physics secret list
	echo "$OUT" | grep -q "chat  *undecryptable" || fail "$1: physics list: $OUT"
}
rm "$KEY"
lost "the vault key $KEY is missing, and the database holds 3 encrypted secrets"
[ ! -e "$KEY" ] || fail "a new key was made over secrets the old one encrypted"
ok "a missing key: every vault command fails with restore and reset, no new key"
head -c 10 /dev/urandom >"$KEY"; chmod 600 "$KEY"
lost "the vault key $KEY is damaged (it must be exactly 32 bytes)"
[ "$(stat -c %s "$KEY")" = 10 ] || fail "the damaged key was replaced"
ok "a damaged key: the same"

# Put back from the backup: everything works again.
cp -p "$T/key.backup" "$KEY"
expect_rc 0 "$ZPUB" secret list --json
[ "$(echo "$OUT" | jget 0.state)/$(echo "$OUT" | jget 1.state)" = ok/ok ] || fail "restored: $OUT"
ok "the restored key opens every secret"

# Another valid key (a key file from elsewhere): list tells the truth.
head -c 32 /dev/urandom >"$KEY"; chmod 600 "$KEY"
expect_rc 1 "$ZPUB" secret list
echo "$OUT" | grep -q "transcription  *undecryptable" || fail "wrong key: $OUT"
echo "$ERR" | grep -q "cannot be decrypted with the vault key $KEY" || fail "wrong key: $ERR"
ok "a key that is not theirs: list says undecryptable"

# The way out: reset shows first, then with --yes deletes every tenant's
# undecryptable secrets; with a missing key it also makes a new one.
rm "$KEY"
expect_rc 2 "$ZPUB" secret reset
echo "$OUT" | grep -q "would delete secret 'chat' of tenant physics" || fail "reset preview: $OUT"
echo "$OUT" | grep -q "would make a new vault key at $KEY" || fail "reset preview: $OUT"
echo "$ERR" | grep -q "nothing changed" || fail "reset preview: $ERR"
[ ! -e "$KEY" ] || fail "the reset preview made a key"
expect_rc 1 "$ZPUB" secret list
expect_rc 0 "$ZPUB" secret reset --yes
[ "$(echo "$OUT" | grep -c "^deleted secret")" = 3 ] || fail "reset: $OUT"
[ "$(stat -c %a "$KEY")" = 600 ] || fail "the new key is not 0600"
expect_rc 0 "$ZPUB" secret list
[ -z "$OUT" ] || fail "secrets left after the reset: $OUT"
expect_rc 0 "$ZPUB" --tenant physics secret list
[ -z "$OUT" ] || fail "physics secrets left after the reset: $OUT"
printf 'sk-new' | "$ZPUB" secret set transcription 2>/dev/null
expect_rc 0 "$ZPUB" secret list
echo "$OUT" | grep -q "transcription  *ok" || fail "after the reset: $OUT"
expect_rc 0 "$ZPUB" secret reset --yes
echo "$OUT" | grep -q "nothing to reset" || fail "a working vault was reset: $OUT"
expect_rc 0 "$ZPUB" audit --all-tenants
echo "$OUT" | grep -q "secret.reset.*3 undecryptable secrets deleted, new key" || fail "audit: $OUT"
ok "secret reset: a preview, then every tenant's undecryptable secrets and a new key"
echo "vault_key: all passed"
