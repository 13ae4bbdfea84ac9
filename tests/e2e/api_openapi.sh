#!/bin/bash
# api_openapi.sh — /openapi.json against the routes, both ways.  The
# document is OpenAPI 3.1 (openapi-spec-validator when python has it), every
# "{param}" of a path is declared and every declared path parameter is in
# the path, bearer is the security scheme and every operation has a
# summary; every row of src/engine/api.c's API_ROUTES is in the document
# and every path+method of the document is in API_ROUTES; and a live daemon
# answers every path+method of the document with something other than "no
# such endpoint" (404) or "not allowed" (405).  Generated from the table and
# the document, so routes added later are covered without touching this.
. "$ZPUB_SRC/tests/lib/e2e.sh"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$ZPUB" config set api.rate_per_minute 100000 >/dev/null
"$ZPUB" config set api.rate_per_hour 1000000 >/dev/null
expect_rc 0 "$ZPUB" user add olga --role owner
expect_rc 0 "$ZPUB" user token olga; echo "$OUT" >"$T/tok.olga"
"$ZPUB" --daemon --foreground --listen 127.0.0.1:$port 2>"$T/daemon.log" &
dpid=$!
trap 'kill -9 $dpid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q "control API on" "$T/daemon.log" && break; sleep 0.1; done
grep -q "control API on" "$T/daemon.log" || fail "API not up: $(cat "$T/daemon.log")"

python3 - "$port" "$T/tok.olga" "$ZPUB_SRC/src/engine/api.c" <<'PY' || fail "the document and the routes disagree"
import json, re, sys, urllib.request, urllib.error
base = "http://127.0.0.1:" + sys.argv[1]
tok = open(sys.argv[2]).read().strip()
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

def call(method, path, auth=True):
    h = {"Authorization": "Bearer " + tok} if auth else {}
    req = urllib.request.Request(base + path, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()

s, b = call("GET", "/openapi.json", auth=False)
assert s == 200, s
doc = json.loads(b)
assert doc["openapi"] == "3.1.0", doc["openapi"]
try:
    from openapi_spec_validator import validate
    validate(doc)
except ImportError:
    print("note: openapi-spec-validator is not installed; structural checks only")
sch = doc["components"]["securitySchemes"]["bearer"]
assert sch == {"type": "http", "scheme": "bearer"}, sch

# the route table, read from the source: X("METHOD", "/path", ...
src = open(sys.argv[3], encoding="utf-8").read()
m = re.search(r"#define API_ROUTES\(X\)((?:.*\\\n)*.*\n)", src)
assert m, "no API_ROUTES in api.c"
table = set((mm.group(1).lower(), mm.group(2))
            for mm in re.finditer(r'X\("([A-Z]+)",\s*"([^"]+)"', m.group(1)))
assert len(table) >= 20, table
documented = set((meth, p) for p, item in doc["paths"].items() for meth in item if meth in METHODS)
assert table - documented == set(), "routes missing from the document: %s" % sorted(table - documented)
assert documented - table == set(), "documented but not in the table: %s" % sorted(documented - table)

fill = {"id": "1", "provider": "youtube", "name": "nobody"}
for (meth, path) in sorted(documented):
    op = doc["paths"][path][meth]
    assert op.get("summary"), (meth, path)
    in_path = re.findall(r"\{([^}]+)\}", path)
    declared = [p["name"] for p in op.get("parameters", []) if p.get("in") == "path"]
    assert sorted(in_path) == sorted(declared), (meth, path, in_path, declared)
    for p in op.get("parameters", []):
        if p.get("in") == "path":
            assert p.get("required") is True and "schema" in p, (meth, path, p)
    if op.get("security"):
        assert op["security"] == [{"bearer": []}], (meth, path, op["security"])
    url = re.sub(r"\{([^}]+)\}", lambda g: fill.get(g.group(1), "x"), path)
    s, b = call(meth.upper(), url)
    text = b.decode("utf-8", "replace")
    assert s != 405, "%s %s answered 405: %s" % (meth.upper(), url, text)
    assert not (s == 404 and "no such endpoint" in text), \
        "%s %s is documented but not routed: %s" % (meth.upper(), url, text)
    print("ok: %s %s -> %d" % (meth.upper(), url, s))
# and the check can tell: an undocumented path is "no such endpoint"
s, b = call("GET", "/no/such/route")
assert s == 404 and b"no such endpoint" in b, (s, b)
PY
ok "/openapi.json is OpenAPI 3.1 and matches the route table and the live routes both ways"
