#!/usr/bin/env bash
# config_schema.sh — every setting of the schema (`zpub config keys --json`)
# through every face that writes a configuration layer: for each key a valid
# value, a value of the wrong type and (where ranged or listed) one out of
# range go through `zpub config set`, `zpub tenant config` (tenant keys;
# operator keys are refused there whatever the value), a template's
# processing_config from the CLI (`template add`) and from the API (POST
# and PATCH /templates as an editor); exactly the valid ones are stored,
# each refusal is a sentence naming the key.  Then the reproductions of the
# old unchecked `config set` (threshold 50, thumbnails 100000, 1e400, a
# whole section set to 5, ...) and `secret set bogus_name`, and a grep of
# the sources: every key the code reads is in the schema.
. "$ZPUB_SRC/tests/lib/e2e.sh"

expect_rc 0 "$ZPUB" config keys --json
echo "$OUT" > "$T/keys.json"
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/keys.json")
[ "$n" -gt 100 ] || fail "only $n keys in the schema"
expect_rc 0 "$ZPUB" config keys processing.thumbnails
echo "$OUT" | grep -q "processing.thumbnails.count" || fail "keys PREFIX: $OUT"
echo "$OUT" | grep -q "providers" && fail "keys PREFIX listed other keys: $OUT"
expect_rc 1 "$ZPUB" config keys no.such.prefix
ok "config keys lists $n settings"

# --- the API first: its daemon reads api.* once at start, and the CLI part
# below sets them to their edges.
expect_rc 0 "$ZPUB" user add egor --role editor
expect_rc 0 "$ZPUB" user token egor; echo "$OUT" > "$T/tok.egor"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$ZPUB" config set api.rate_per_minute 100000 >/dev/null
"$ZPUB" config set api.rate_per_hour 1000000 >/dev/null
"$ZPUB" --daemon --foreground --listen 127.0.0.1:$port 2>"$T/daemon.log" &
dpid=$!
trap 'kill -9 $dpid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do grep -q "control API on" "$T/daemon.log" && break; sleep 0.1; done
grep -q "control API on" "$T/daemon.log" || fail "API not up: $(cat "$T/daemon.log")"

cat > "$T/cases.py" <<'PY'
"""Valid, wrong-type and out-of-range values for each key of the schema."""
import json


def concrete(key, i):
    """The key with each <pattern> segment given a name of its own."""
    if key == "ui.keys.<action>":   # checked against the app's actions and keys
        return "ui.keys.down"
    return ".".join(f"{s[1:-1]}{i}" if s.startswith("<") else s for s in key.split("."))


def cases(k):
    """[(kind, json value)]: kind is valid, type or range."""
    t, ch = k["type"], k.get("choices")
    out = []
    if t == "int":
        lo, hi = k["min"], k["max"]
        out += [("valid", int(lo + 1 if lo + 1 <= hi else lo)), ("type", "abc"),
                ("range", int(hi) + 1 if k["key"].endswith("_ms") else int(lo) - 1)]
    elif t == "number":
        out += [("valid", (k["min"] + k["max"]) / 2), ("type", "abc"), ("range", k["max"] + 1)]
    elif t == "bool":
        out += [("valid", True), ("type", "maybe")]
    elif t == "string" and ch == ["@abspath"]:   # "" keeps media in the data folder
        out += [("valid", ""), ("type", [1]), ("range", "relative/media")]
    elif t == "string" and ch == ["@pgurl"]:     # "" keeps SQLite; never a password
        out += [("valid", ""), ("type", [1]), ("range", "postgresql://zpub:secret@127.0.0.1:9/zpub"),
                ("range", "mysql://127.0.0.1/zpub")]
    elif t == "string" and ch == ["@email"]:
        out += [("valid", "zpub@x.example"), ("type", [1]), ("range", "Zpub <zpub@x.example>")]
    elif t == "string":
        out += [("valid", "default" if k["key"] == "tenant" else "j z" if k["key"] == "ui.keys.<action>"
                 else "abc"), ("type", [1]),
                ("range", "x" * (int(k["max"]) + 1))]
    elif t == "url" and ch:    # other schemes (smtp, smtps), never a password in it
        out += [("valid", f"{ch[0]}://127.0.0.1:9"), ("type", 5),
                ("range", "http://127.0.0.1:9/x"), ("range", f"{ch[0]}://u:p@127.0.0.1:9")]
    elif t == "url":
        out += [("valid", "http://127.0.0.1:9/x"), ("type", 5), ("range", "ftp://127.0.0.1/x")]
    elif t == "enum":
        out += [("valid", ch[-1]), ("type", 7), ("range", "bogus-choice")]
    elif t == "list":
        item = "ru" if ch == ["@lang"] else "a@x.example" if ch == ["@email"] else \
            ch[0] if ch else "tag"
        bad = [["xx"]] if ch == ["@lang"] else [["a@x.example>"]] if ch == ["@email"] else \
            [["dropbox"]] if ch else []
        out += [("valid", [item]), ("type", 5)] + [("range", b) for b in bad]
        out.append(("range", [item] * (int(k["max"]) + 1)))
    elif t == "id":
        out += [("valid", 12), ("type", [1])]
    elif t == "language":
        out += [("valid", "ru"), ("type", 5), ("range", "xx")]
    elif t == "object":
        out += [("valid", {}), ("type", 5), ("range", {"no_such_field": 1})]
    elif t == "map":
        out += [("valid", {"*@x.example": "t"}), ("type", 5), ("range", {"*@x.example": 5})]
    else:
        raise SystemExit(f"the test does not know type {t} of {k['key']}")
    return out


def nest(key, v):
    d = v
    for s in reversed(key.split(".")):
        d = {s: d}
    return d


def merge(dst, key, v):
    """What `config set` does: objects merge, anything else replaces."""
    parts = key.split(".")
    cur = dst
    for s in parts[:-1]:
        cur = cur.setdefault(s, {})
    last = parts[-1]
    if isinstance(v, dict) and isinstance(cur.get(last), dict):
        cur[last].update(v)
    else:
        cur[last] = v


def arg(v):
    """The command-line text of a value (strings bare, as a person types them)."""
    return v if isinstance(v, str) else json.dumps(v)
PY

python3 - "$port" "$T" <<'PY' || fail "API template checks"
import json, sys, urllib.request, urllib.error
sys.path.insert(0, sys.argv[2])
from cases import cases, concrete, nest
T = sys.argv[2]
base = f"http://127.0.0.1:{sys.argv[1]}"
tok = open(f"{T}/tok.egor").read().strip()
def call(method, path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method=method,
        headers={"Authorization": "Bearer " + tok, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())
keys = json.load(open(f"{T}/keys.json"))
s, b = call("POST", "/templates", {"name": "api-base", "processing_config": {}})
assert s in (200, 201), (s, b)
tid = b["id"]
counts = {"stored": 0, "refused": 0}
for i, k in enumerate(keys):
    key = concrete(k["key"], i)
    for kind, v in cases(k):
        layer = nest(key, v)
        want = kind == "valid" and k["owner"] == "tenant"
        s, b = call("POST", "/templates", {"name": f"api-{i}-{kind}", "processing_config": layer})
        s2, b2 = call("PATCH", f"/templates/{tid}", {"processing_config": layer})
        if want:
            assert s in (200, 201) and b["processing_config"] == layer, (key, v, s, b)
            assert s2 == 200 and b2["processing_config"] == layer, (key, v, s2, b2)
            counts["stored"] += 1
        else:
            for st, body in ((s, b), (s2, b2)):
                assert st == 400, (key, kind, v, st, body)
                assert key in body["error"] or k["key"] in body["error"], (key, body)
                if kind == "valid":
                    assert "is the operator's setting" in body["error"], (key, body)
            counts["refused"] += 1
s, b = call("GET", f"/templates/{tid}", None) if False else (None, None)
print("API:", counts)
PY
kill $dpid; wait $dpid 2>/dev/null || true
trap - EXIT
ok "API POST/PATCH /templates: tenant keys' valid values stored, everything else 400 naming the key"

# --- the CLI faces, each on its own thread (they keep separate state: the
# user file, the tenant's config, one template per case)
python3 - "$ZPUB" "$T" <<'PY' || fail "CLI checks"
import json, os, subprocess, sys, threading
sys.path.insert(0, sys.argv[2])
from cases import cases, concrete, nest, merge, arg
Z, T = sys.argv[1], sys.argv[2]
home = os.environ["ZPUB_HOME"]
def z(*a):
    r = subprocess.run([Z, *a], capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout, r.stderr
keys = json.load(open(f"{T}/keys.json"))
want_user, want_tenant, want_tpl = {}, {}, {}
n = {"config": 0, "tenant": 0, "template": 0, "refused": 0}
errors = []

def refused(rc, err, key, k, kind, v, face):
    ok = rc != 0 and (key in err or k["key"] in err)
    if ok and kind == "valid" and face != "config":
        ok = "is the operator's setting" in err
    if not ok:
        errors.append((face, key, kind, v, rc, err))
    else:
        n["refused"] += 1

def face_config():
    for i, k in enumerate(keys):
        key = concrete(k["key"], i)
        for kind, v in cases(k):
            rc, out, err = z("config", "set", key, arg(v))
            if kind == "valid":
                if rc != 0:
                    errors.append(("config", key, v, err))
                merge(want_user, key, v)
                n["config"] += 1
            else:
                refused(rc, err, key, k, kind, v, "config")

def face_tenant():
    for i, k in enumerate(keys):
        key = concrete(k["key"], i)
        # an operator key is refused whatever its value: its valid one shows it
        for kind, v in cases(k) if k["owner"] == "tenant" else cases(k)[:1]:
            rc, out, err = z("tenant", "config", "default", key, arg(v))
            if kind == "valid" and k["owner"] == "tenant":
                if rc != 0:
                    errors.append(("tenant", key, v, err))
                merge(want_tenant, key, v)
                n["tenant"] += 1
            else:
                refused(rc, err, key, k, kind, v, "tenant")

def face_template():
    for i, k in enumerate(keys):
        key = concrete(k["key"], i)
        for j, (kind, v) in enumerate(cases(k) if k["owner"] == "tenant" else cases(k)[:1]):
            layer = nest(key, v)
            name = f"t{i}-{j}"
            rc, out, err = z("template", "add", name, "--processing", json.dumps(layer))
            if kind == "valid" and k["owner"] == "tenant":
                if rc != 0:
                    errors.append(("template", key, v, err))
                want_tpl[name] = layer
                n["template"] += 1
            else:
                refused(rc, err, key, k, kind, v, "template")

threads = [threading.Thread(target=f) for f in (face_config, face_tenant, face_template)]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert not errors, errors[:5]
user = json.load(open(f"{home}/config.json"))
assert user == want_user, ("the config file holds other than the valid values",
                           json.dumps(user, sort_keys=True)[:3000], json.dumps(want_user, sort_keys=True)[:3000])
rc, out, err = z("tenant", "show", "default", "--json")
assert rc == 0, err
assert json.loads(out)["config"] == want_tenant, (json.loads(out)["config"], want_tenant)
rc, out, err = z("template", "list", "--json")
got = {t["name"]: t["processing_config"] for t in json.loads(out) if not t["name"].startswith("api-")}
assert got == want_tpl, ("templates stored other than the valid ones", sorted(set(got) ^ set(want_tpl)))
print("CLI:", n)
PY
ok "config set / tenant config / template add: exactly the valid values stored"

# --- the reproductions of the unchecked `config set`, each refused by name
export ZPUB_HOME="$T/home2"
repro() { # repro KEY VALUE EXPECTED-IN-MESSAGE
	expect_rc 1 "$ZPUB" config set "$1" "$2"
	echo "$ERR" | grep -qF -- "$3" || fail "config set $1 $2: $ERR"
}
repro processing.thumbnails.count 100000 "processing.thumbnails.count cannot be 100000: it takes a whole number from 0 to 20"
repro processing.video.threshold_db 50 "processing.video.threshold_db cannot be 50: it takes a number from -90 to 0"
repro processing.video.min_silence_ms -5 "processing.video.min_silence_ms cannot be -5"
repro processing.video.strategy bogus 'processing.video.strategy cannot be "bogus": it takes one of smart|reencode'
repro processing.transcription.language xx 'processing.transcription.language cannot be "xx"'
repro pipeline.max_attempts -1 "pipeline.max_attempts cannot be -1: it takes a whole number from 1 to 100"
repro nonexistent.key 5 "'nonexistent.key' is not a zpub setting"
repro processing.video.treshold_db -30 "did you mean 'processing.video.threshold_db'"
repro ui.keys '{"down":' "ui.keys is a section, not a value"
repro processing.video.threshold_db 1e400 "the number does not fit"
repro processing 5 "processing is a section, not a value: it cannot be 5"
repro processing '{"video": {"crf": 20, "threshold_db": 50}}' "processing.video.threshold_db cannot be 50"
[ ! -e "$ZPUB_HOME/config.json" ] || fail "a refused set wrote the file: $(cat "$ZPUB_HOME/config.json")"
# a whole section whose leaves are all valid is merged in; the defaults stay under it
expect_rc 0 "$ZPUB" config set processing '{"video": {"crf": 20}, "thumbnails": {"count": 3}}'
expect_rc 0 "$ZPUB" config get processing.video
[ "$(echo "$OUT" | jget crf)" = 20 ] && [ "$(echo "$OUT" | jget threshold_db)" = -40 ] || fail "section: $OUT"
# keys the code reads that had no default are known now
expect_rc 0 "$ZPUB" config get templates.no_match
[ "$OUT" = default ] || fail "templates.no_match: $OUT"
expect_rc 0 "$ZPUB" config get daemon.workers
expect_rc 0 "$ZPUB" config get processing.zoom.trash_after_publish
# templates: the bad values of the issue
expect_rc 1 "$ZPUB" template add t1 --processing '{"video":{"threshold_db":"loud"}}'
echo "$ERR" | grep -q 'processing.video.threshold_db cannot be "loud"' || fail "loud: $ERR"
expect_rc 1 "$ZPUB" template add t2 --targets '{"dropbox": {}}'
echo "$ERR" | grep -q "'output_targets.dropbox' is not a zpub setting" || fail "dropbox: $ERR"
expect_rc 1 "$ZPUB" template add t3 --metadata '{"titel": "x"}'
echo "$ERR" | grep -q "did you mean 'metadata.title'" || fail "titel: $ERR"
expect_rc 0 "$ZPUB" template list --json
[ "$OUT" = "[]" ] || fail "refused templates were stored: $OUT"
# secrets: only the names zpub uses
expect_rc 1 "$ZPUB" secret set bogus_name < /dev/null
echo "$ERR" | grep -q "'bogus_name' is not a secret zpub uses; the secrets are: transcription, chat, zoom.client_secret, api.metrics_token, notify.<name>, notify.email.<name>, zoom.webhook_secret, google.client_secret, vk.client_secret" || fail "secret: $ERR"
printf 'k' | "$ZPUB" secret set transcription 2>/dev/null || fail "secret set transcription"
ok "the reproductions are refused with the allowed values; secret names checked"

# --- every key the sources read is in the schema
python3 - "$ZPUB_SRC" "$T/keys.json" <<'PY' || fail "a key read by the code is not in the schema"
import json, re, subprocess, sys
src, keys = sys.argv[1], json.load(open(sys.argv[2]))
pats = [re.compile("^" + re.sub(r"<[^>]+>", "[^.]+", re.escape(k["key"]).replace(r"\<", "<").replace(r"\>", ">")) + "$") for k in keys]
def known(key):
    return any(p.match(key) for p in pats) or any(k["key"].startswith(key + ".") for k in keys)
out = subprocess.run(["grep", "-rhoE", r'config_(int|str|double|bool|find)\([^,]+, *"[^"]+"',
                      f"{src}/src", f"{src}/ui", f"{src}/db"], capture_output=True, text=True).stdout
read = set()
for line in out.splitlines():
    first = line.split("(", 1)[1].split(",", 1)[0].strip()
    key = line.rsplit('"', 2)[1]
    # dotted keys are settings; a job's own fields (job.c's job_keys) and
    # report fields are read bare from their own objects
    if ("." in key and not key.startswith("used.")) or first == "cli->config":
        read.add(key)
# relative reads on a publish target object are output_targets.<target>.<field>
for line in out.splitlines():
    first = line.split("(", 1)[1].split(",", 1)[0].strip()
    if first in ("t", "j->item->target", "item->target", "t->item.target"):
        f = line.rsplit('"', 2)[1]
        if not any(known(f"output_targets.{p}.{f}") for p in ("youtube", "vk")):
            read.add("output_targets.?." + f)
# keys built with snprintf: providers.%s.<field>
for m in re.finditer(r'"providers\.%s\.([a-z_]+)"', open(f"{src}/src/engine/stage_transcribe.c").read()):
    for p in ("transcription", "chat"):
        read.add(f"providers.{p}.{m.group(1)}")
for m in re.finditer(r'X\((\w+), +\d', open(f"{src}/src/net/zoom.c").read()):
    read.add("providers.zoom." + m.group(1))
missing = sorted(k for k in read if not known(k) or k.startswith("output_targets.?"))
print(f"{len(read)} keys read by the sources; missing from the schema: {missing}")
sys.exit(1 if missing else 0)
PY
ok "every config key the sources read is in the schema"
echo "config_schema: all passed"
