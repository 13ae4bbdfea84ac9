#!/usr/bin/env python3
# pg_schema_check.py — compares the schema of an SQLite store with that of a
# PostgreSQL one: the same tables, columns with the same names in the same
# order, types (INTEGER = bigint, TEXT = text COLLATE "C", REAL = double
# precision, BLOB = bytea), NOT NULL, defaults, indexes (columns, unique, partial),
# foreign keys (columns, target, ON DELETE), the number of CHECKs per table
# and of triggers.  Prints every difference and exits 1 when there is one.
#
#   pg_schema_check.py SQLITE_DB PG_DUMP_DIR
#
# PG_DUMP_DIR holds what `pg_schema_dump` in tests/e2e/pg_schema.sh wrote
# (tab-separated psql output): cols.tsv idx.tsv fk.tsv chk.tsv trg.tsv.
import os
import re
import sqlite3
import sys

TYPES = {"INTEGER": "bigint", "TEXT": "text", "REAL": "double precision",
         "BLOB": "bytea"}
ON_DELETE = {"NO ACTION": "a", "CASCADE": "c", "SET NULL": "n",
             "RESTRICT": "r", "SET DEFAULT": "d"}


def sqlite_schema(path):
    db = sqlite3.connect(path)
    tables = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name")]
    cols, idx, fks, chk = {}, set(), set(), {}
    for t in tables:
        info = db.execute("PRAGMA table_info(%s)" % t).fetchall()
        pk = [r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5])]
        cols[t] = [(r[1], TYPES.get(r[2].upper(), "?" + r[2]),
                    bool(r[3]) or r[1] in pk, r[4]) for r in info]
        has_pk_index = False
        for _, name, unique, origin, partial in db.execute("PRAGMA index_list(%s)" % t):
            icols = tuple(r[2] for r in db.execute("PRAGMA index_info(%s)" % name))
            idx.add((t, icols, bool(unique), bool(partial),
                     None if name.startswith("sqlite_autoindex") else name))
            has_pk_index |= origin == "pk"
        if pk and not has_pk_index:   # INTEGER PRIMARY KEY: the rowid
            idx.add((t, tuple(pk), True, False, None))
        for r in db.execute("PRAGMA foreign_key_list(%s)" % t):
            fks.add((t, r[3], r[2], r[4], ON_DELETE.get(r[6], r[6])))
        sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (t,)).fetchone()[0]
        chk[t] = len(re.findall(r"\bCHECK\s*\(", sql, re.I))
    trg = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'").fetchone()[0]
    return cols, idx, fks, chk, trg


def rows(d, name):
    with open(os.path.join(d, name), encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def pg_default(d):
    if d == "":
        return None
    return re.sub(r"::[a-z ]+$", "", d)


def pg_schema(d):
    cols, idx, fks, chk = {}, set(), set(), {}
    for t, pos, name, typ, nullable, default, ident, coll in rows(d, "cols.tsv"):
        # Text sorts byte by byte in SQLite (BINARY): COLLATE "C" here.
        if typ == "text" and coll != "C":
            typ = "text collate %s" % (coll or "default")
        cols.setdefault(t, []).append((int(pos), name, typ, nullable == "NO", pg_default(default)))
    for t in cols:
        cols[t] = [c[1:] for c in sorted(cols[t])]
        chk[t] = 0
    named = set()
    for t, name, unique, partial, icols, constraint in rows(d, "idx.tsv"):
        # An index PostgreSQL made for a constraint has a made-up name, as
        # SQLite's autoindexes do.
        idx.add((t, tuple(icols.split(",")), unique == "t", partial == "t",
                 None if constraint == "t" else name))
    for t, col, ft, fcol, on_delete in rows(d, "fk.tsv"):
        fks.add((t, col, ft, fcol, on_delete))
    for t, n in rows(d, "chk.tsv"):
        chk[t] = int(n)
    trg = int(rows(d, "trg.tsv")[0][0])
    return cols, idx, fks, chk, trg


def main():
    s_cols, s_idx, s_fks, s_chk, s_trg = sqlite_schema(sys.argv[1])
    p_cols, p_idx, p_fks, p_chk, p_trg = pg_schema(sys.argv[2])
    bad = []
    for t in sorted(set(s_cols) | set(p_cols)):
        if t not in p_cols:
            bad.append("table %s: missing in PostgreSQL" % t)
            continue
        if t not in s_cols:
            bad.append("table %s: only in PostgreSQL" % t)
            continue
        sn = [c[0] for c in s_cols[t]]
        pn = [c[0] for c in p_cols[t]]
        if sn != pn:
            bad.append("table %s: columns differ:\n  sqlite:     %s\n  postgresql: %s" %
                       (t, ", ".join(sn), ", ".join(pn)))
            continue
        for s, p in zip(s_cols[t], p_cols[t]):
            if s != p:
                bad.append("%s.%s: sqlite (type, not null, default) %r, postgresql %r" %
                           (t, s[0], s[1:], p[1:]))
        if s_chk[t] != p_chk.get(t, 0):
            bad.append("table %s: %d CHECKs in sqlite, %d in postgresql" %
                       (t, s_chk[t], p_chk.get(t, 0)))
    for i in sorted(s_idx - p_idx, key=str):
        bad.append("index missing in postgresql: %r" % (i,))
    for i in sorted(p_idx - s_idx, key=str):
        bad.append("index only in postgresql: %r" % (i,))
    for f in sorted(s_fks - p_fks):
        bad.append("foreign key missing in postgresql: %r" % (f,))
    for f in sorted(p_fks - s_fks):
        bad.append("foreign key only in postgresql: %r" % (f,))
    if s_trg != p_trg:
        bad.append("%d triggers in sqlite, %d in postgresql" % (s_trg, p_trg))
    for b in bad:
        print("schema: " + b, file=sys.stderr)
    if bad:
        sys.exit(1)
    print("schema: %d tables, %d columns, %d indexes, %d foreign keys alike" %
          (len(s_cols), sum(len(c) for c in s_cols.values()), len(s_idx), len(s_fks)))


main()
