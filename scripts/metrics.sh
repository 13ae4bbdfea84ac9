#!/bin/sh
# metrics.sh — the code-health figures a closing note quotes: functions over
# 100 lines, the longest function, files over 800 lines, public functions no
# other place calls, and the duplicated blocks `duplicates` reports (when
# that tool is on PATH).  Reads the tree; writes nothing.
#
#   scripts/metrics.sh [--list]     --list also names every finding
set -eu
cd "$(dirname "$0")/.."
list=0
[ "${1:-}" = "--list" ] && list=1

files=$(git ls-files 'src/*.c' 'src/*.h' 'db/*.c' 'db/*.h' 'ui/*.c' 'ui/*.h' 2>/dev/null || true)
[ -n "$files" ] || { echo "metrics.sh: no sources found" >&2; exit 1; }

LIST=$list python3 - $files <<'PY'
import os, re, subprocess, sys
files = sys.argv[1:]
lst = os.environ.get("LIST") == "1"
srcs = [f for f in files if f.endswith(".c")]
# Function lengths from ctags (end: field), KNF puts the name at column 0.
out = subprocess.run(["ctags", "-x", "--_xformat=%N %F %n %e %{kind}",
                      "--kinds-C=f", "--fields=+ne", "-o", "-"] + srcs,
                     capture_output=True, text=True).stdout
funcs = []
for line in out.splitlines():
    p = line.split()
    if len(p) < 5 or p[4] != "function":
        continue
    name, f, a, b = p[0], p[1], int(p[2]), int(p[3])
    funcs.append((b - a + 1, name, f, a))
funcs.sort(reverse=True)
long_ = [x for x in funcs if x[0] > 100]
print("functions over 100 lines: %d" % len(long_))
if funcs:
    n, name, f, a = funcs[0]
    print("longest function: %s (%s:%d), %d lines" % (name, f, a, n))
if lst:
    for n, name, f, a in long_:
        print("   %4d %s %s:%d" % (n, name, f, a))
big = []
for f in files:
    with open(f, errors="replace") as fh:
        n = sum(1 for _ in fh)
    if n > 800:
        big.append((n, f))
big.sort(reverse=True)
print("files over 800 lines: %d" % len(big))
if lst:
    for n, f in big:
        print("   %4d %s" % (n, f))
# Public = declared in a header and defined without static; no caller =
# the name appears in no other place than its definition and declaration.
text = {}
for f in files + [t for t in subprocess.run(["git", "ls-files", "tests"],
        capture_output=True, text=True).stdout.split() if t.endswith((".c", ".h"))]:
    with open(f, errors="replace") as fh:
        text[f] = fh.read()
hdr_decl = set()
for f in files:
    if f.endswith(".h"):
        for m in re.finditer(r"\b([a-z_][a-z0-9_]*)\s*\(", text[f]):
            hdr_decl.add(m.group(1))
defs = {}
for n, name, f, a in funcs:
    defs.setdefault(name, []).append(f)
dead = []
for name, where in sorted(defs.items()):
    if name not in hdr_decl or name == "main":
        continue
    count = 0
    for f, t in text.items():
        count += len(re.findall(r"\b%s\b" % re.escape(name), t))
    # one definition + one declaration
    if count <= 2:
        dead.append((name, where[0]))
print("public functions without callers: %d" % len(dead))
if lst:
    for name, f in dead:
        print("   %s (%s)" % (name, f))
PY

if command -v duplicates >/dev/null 2>&1; then
	d=$(duplicates --seconds 120 --most 1 2>/dev/null | head -1)
	echo "duplicates: $d"
fi
