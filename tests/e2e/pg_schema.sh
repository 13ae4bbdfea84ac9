# pg_schema.sh — the migrations in PostgreSQL's dialect (src/db/migrations/pg)
# make the schema SQLite's make: on a throw-away server (tests/lib/pg.sh),
# every file applies in order as the unprivileged role zpub, one for each
# SQLite migration, and then both schemas have the same tables with the same
# columns in the same order, types, NOT NULLs, defaults, indexes, foreign
# keys and CHECKs, and text compares byte-wise in both (tests/lib/pg_schema_check.py; shown to notice a dropped
# column).  zpub_fold() folds every code point as the C text_fold does (the
# fold_text helper) and zpub_match() answers as store_ui.c's.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/lib/pg.sh"
pg_require
trap pg_stop EXIT
: "${ZPUB_FOLD_TEXT:?ZPUB_FOLD_TEXT must point at the fold_text helper}"
MIG=$ZPUB_SRC/src/db/migrations
pg_start

# Every SQLite migration has its PostgreSQL twin, and no other file is there.
diff <(cd "$MIG" && ls *.sql) <(cd "$MIG/pg" && ls *.sql) >"$T/names.diff" ||
	fail "the migrations in $MIG and $MIG/pg differ: $(cat "$T/names.diff")"
ok "$(ls "$MIG"/pg/*.sql | wc -l) migrations in both dialects"

# apply URL — every PostgreSQL migration in order, each in one transaction.
apply() {
	local f
	for f in "$MIG"/pg/*.sql; do
		psql -X -q -v ON_ERROR_STOP=1 -1 -f "$f" "$1" >"$T/apply.out" 2>&1 ||
			fail "$(basename "$f") does not apply on PostgreSQL: $(cat "$T/apply.out")"
	done
}
apply "$ZPUB_PG_URL"
ok "every migration applies as the role zpub"

for f in "$MIG"/*.sql; do
	sqlite3 -bail "$T/store.db" <"$f" || fail "$(basename "$f") does not apply on SQLite"
done

# pg_schema_dump URL DIR — what pg_schema_check.py compares with SQLite.
pg_schema_dump() {
	mkdir -p "$2"
	local url=$1
	q() { psql -X -q -v ON_ERROR_STOP=1 -At -F $'\t' "$url" -c "$1"; }
	q "SELECT table_name, ordinal_position, column_name, data_type, is_nullable,
	    coalesce(column_default, ''), is_identity, coalesce(collation_name, '')
	    FROM information_schema.columns WHERE table_schema = 'public'
	    ORDER BY table_name, ordinal_position" >"$2/cols.tsv"
	q "SELECT t.relname, i.relname, x.indisunique, x.indpred IS NOT NULL,
	    array_to_string(ARRAY(SELECT a.attname FROM unnest(x.indkey::int2[])
	      WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = x.indrelid
	      AND a.attnum = k.n ORDER BY k.o), ','),
	    EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
	    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
	    JOIN pg_class t ON t.oid = x.indrelid
	    WHERE t.relnamespace = 'public'::regnamespace" >"$2/idx.tsv"
	q "SELECT t.relname, a.attname, ft.relname, fa.attname, c.confdeltype
	    FROM pg_constraint c CROSS JOIN LATERAL unnest(c.conkey, c.confkey) k(col, fcol)
	    JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class ft ON ft.oid = c.confrelid
	    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col
	    JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = k.fcol
	    WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace" >"$2/fk.tsv"
	q "SELECT t.relname, count(*) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
	    WHERE c.contype = 'c' AND c.connamespace = 'public'::regnamespace
	    GROUP BY t.relname" >"$2/chk.tsv"
	q "SELECT count(*) FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid
	    WHERE NOT g.tgisinternal AND t.relnamespace = 'public'::regnamespace
	    AND g.tgname NOT LIKE 'zpub_notify_%'" >"$2/trg.tsv"	# live views: PostgreSQL's alone
}
pg_schema_dump "$ZPUB_PG_URL" "$T/pg"
python3 "$ZPUB_SRC/tests/lib/pg_schema_check.py" "$T/store.db" "$T/pg" ||
	fail "the PostgreSQL schema is not SQLite's (above)"
ok "the same tables, columns in the same order, types, defaults, indexes, keys and checks"

# The check sees a missing column, one in the wrong place, a lost index, text
# that sorts by the database's locale.
BROKEN=$(pg_newdb broken)
apply "$BROKEN"
psql -X -q -v ON_ERROR_STOP=1 "$BROKEN" -c "ALTER TABLE usage DROP COLUMN face" \
	-c "ALTER TABLE recordings DROP COLUMN title" -c "ALTER TABLE recordings ADD COLUMN title TEXT NOT NULL" \
	-c "DROP INDEX recordings_lease" \
	-c 'ALTER TABLE journal ALTER COLUMN event TYPE text COLLATE pg_catalog."default"' >/dev/null
pg_schema_dump "$BROKEN" "$T/broken"
expect_rc 1 python3 "$ZPUB_SRC/tests/lib/pg_schema_check.py" "$T/store.db" "$T/broken"
for what in "table usage: columns differ" "table recordings: columns differ" "recordings_lease" \
    "journal.event: sqlite (type, not null, default) ('text', True, None), postgresql ('text collate default'"; do
	echo "$ERR" | grep -q "$what" || fail "the check missed '$what': $ERR"
done
ok "the check notices a dropped column, a moved one, a lost index, another collation"

# The default tenant, with a creation time in epoch ms as SQLite writes it.
got=$(pg_psql -At -c "SELECT name || ' ' || (created_at % 1000 = 0 AND created_at > 1600000000000)
    FROM tenants")
[ "$got" = "default true" ] || fail "the default tenant: $got"
ok "the default tenant is there"

# zpub_fold: the example, then every code point against the C folding.
got=$(pg_psql -At -c "SELECT zpub_fold('ЁЛКА Привет ABC')")
want=$(printf 'ЁЛКА Привет ABC' | "$ZPUB_FOLD_TEXT")
[ "$want" = "елка привет abc" ] || fail "fold_text folds the example to '$want'"
[ "$got" = "$want" ] || fail "zpub_fold('ЁЛКА Привет ABC') is '$got', text_fold gives '$want'"
pg_psql -At -c "SELECT encode(convert_to(zpub_fold(string_agg(chr(i), '' ORDER BY i)), 'UTF8'), 'hex')
    FROM generate_series(1, 1114111) i WHERE i < 55296 OR i > 57343" >"$T/pg_fold.hex"
python3 - "$ZPUB_FOLD_TEXT" "$T/pg_fold.hex" <<'EOF' || fail "zpub_fold and text_fold differ (above)"
import re, subprocess, sys
cps = [c for c in range(1, 0x110000) if not 0xD800 <= c <= 0xDFFF]
src = "".join(map(chr, cps)).encode()
c_fold = subprocess.run([sys.argv[1]], input=src, capture_output=True, check=True).stdout
# text_fold writes a 2-byte letter that folds to ASCII (U+017F long s -> s)
# as an overlong 2-byte sequence, which PostgreSQL's text cannot hold:
# compare the code point it means.
overlong = re.findall(rb"[\xc0\xc1][\x80-\xbf]", c_fold)
c_fold = re.sub(rb"[\xc0\xc1][\x80-\xbf]",
                lambda m: bytes([((m[0][0] & 0x1F) << 6) | (m[0][1] & 0x3F)]), c_fold)
if overlong:
    print("note: text_fold wrote %d overlong sequences: %s" % (len(overlong), overlong), file=sys.stderr)
pg_fold = bytes.fromhex(open(sys.argv[2]).read().strip())
c, p = c_fold.decode(), pg_fold.decode()
bad = [(cp, c[i], p[i]) for i, cp in enumerate(cps) if i < min(len(c), len(p)) and c[i] != p[i]]
if len(c) != len(cps) or len(p) != len(cps) or bad:
    print("lengths %d %d %d; first differences (code point, C, PostgreSQL): %s" %
          (len(cps), len(c), len(p), [(hex(b[0]), b[1], b[2]) for b in bad[:20]]), file=sys.stderr)
    sys.exit(1)
print("ok: zpub_fold is text_fold on all %d code points (%d of them fold)" %
      (len(cps), sum(1 for i in range(len(cps)) if ord(c[i]) != cps[i])))
EOF
got=$(pg_psql -At -c "SELECT zpub_fold(NULL) IS NULL")
[ "$got" = t ] || fail "zpub_fold(NULL) is not NULL"

# zpub_match(title, folded needle): true or false, false for NULLs, '' is in everything.
got=$(pg_psql -At -F ' ' -c "SELECT zpub_match('Лекция ПО Физике', 'по физ'),
    zpub_match('ЁЖИК в тумане', 'ежик'), zpub_match('Ёжик', 'ёжик'),
    zpub_match('abc', 'x'), zpub_match(NULL, 'a'), zpub_match('a', NULL),
    zpub_match('abc', ''), zpub_match('ΣΟΦΊΑ', 'σοφία'),
    pg_typeof(zpub_match('a', 'a'))")
[ "$got" = "t t f f f f t t boolean" ] || fail "zpub_match answers: $got"
ok "zpub_match matches folded titles, false for NULLs"

pg_stop
ok "the server stopped"
