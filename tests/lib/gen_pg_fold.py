#!/usr/bin/env python3
# gen_pg_fold.py — prints the body of PostgreSQL's zpub_fold() (the
# translate() lists in src/db/migrations/pg/001_init.sql) from the folding
# table in src/base/text.c, so the two fold alike.  Run it after changing
# fold_runs and paste its output; e2e/pg_schema compares every code point.
import re
import sys

src = open(sys.argv[1] if len(sys.argv) > 1 else "src/base/text.c").read()
body = src[src.index("fold_runs[] = {"):]
body = body[:body.index("};")]
runs = [tuple(int(x, 0) for x in m.groups()) for m in re.finditer(
    r"\{\s*(0x[0-9A-Fa-f]+),\s*(0x[0-9A-Fa-f]+),\s*(-?\d+),\s*(\d+)\s*\}", body)]
fold = {}
for lo, hi, delta, step in runs:
    for c in range(lo, hi + 1, step):
        fold[c] = c + delta
frm, to = [], []
for c in range(1, 0x110000):
    if 0xD800 <= c <= 0xDFFF:
        continue
    f = fold.get(c, c)
    if f == 0x451:          # TEXT_FOLD_SEARCH: ё -> е
        f = 0x435
    if f != c:
        frm.append(chr(c))
        to.append(chr(f))
W = 40
def lit(chars):
    return "\n".join("    '%s'" % "".join(chars[i:i + W]) for i in range(0, len(chars), W))
print("  SELECT translate($1,\n%s,\n%s)" % (lit(frm), lit(to)))
