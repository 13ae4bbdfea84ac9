#!/usr/bin/env python3
"""Validators for the ai e2e tests (stdlib only).

  ai_check.py subs FILE LANG      strict SRT/VTT check + layout rules
  ai_check.py chapters FILE       YouTube chapter rules on a description
  ai_check.py wer REF.txt TRANSCRIPT.json   prints the word error rate
  ai_check.py topics FILE DURATION_MS       topics JSON shape and order
"""
import json
import re
import sys


def fail(msg):
    print("ai_check: " + msg, file=sys.stderr)
    sys.exit(1)


def ts(s, sep):
    m = re.fullmatch(r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)" + re.escape(sep) + r"(\d{3})", s)
    if not m:
        return None
    h = int(m.group(1) or 0)
    return ((h * 60 + int(m.group(2))) * 60 + int(m.group(3))) * 1000 + int(m.group(4))


def subs(path, lang):
    raw = open(path, "rb").read()
    text = raw.decode("utf-8")  # raises on invalid UTF-8
    vtt = path.endswith(".vtt")
    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    if vtt:
        if not re.fullmatch(r"WEBVTT([ \t].*)?", lines[0]):
            fail("%s: no WEBVTT header" % path)
        if lines[1] != "":
            fail("%s: no blank line after the header" % path)
        i = 2
    cues, n = [], 1
    while i < len(lines):
        if lines[i] == "":
            i += 1
            continue
        if not vtt:
            if lines[i] != str(n):
                fail("%s:%d: expected cue number %d" % (path, i + 1, n))
            i += 1
        m = re.fullmatch(r"(\S+) --> (\S+)", lines[i]) if i < len(lines) else None
        if not m:
            fail("%s:%d: bad timing line" % (path, i + 1))
        sep = "." if vtt else ","
        a, b = ts(m.group(1), sep), ts(m.group(2), sep)
        if a is None or b is None or b <= a:
            fail("%s:%d: bad times" % (path, i + 1))
        i += 1
        body = []
        while i < len(lines) and lines[i] != "":
            body.append(lines[i])
            i += 1
        if not body:
            fail("%s: cue %d has no text" % (path, n))
        cues.append((a, b, body))
        n += 1
    maxc = 39 if lang.startswith("ru") else 42
    prev_end = -80
    for k, (a, b, body) in enumerate(cues):
        if a < prev_end + 80:
            fail("%s: cue %d overlaps or is closer than 80 ms to the previous" % (path, k + 1))
        if b - a > 7000:
            fail("%s: cue %d lasts %d ms" % (path, k + 1, b - a))
        if len(body) > 2:
            fail("%s: cue %d has %d lines" % (path, k + 1, len(body)))
        for line in body:
            if len(line) > maxc and " " in line:
                fail("%s: cue %d line of %d characters: %r" % (path, k + 1, len(line), line))
        prev_end = b
    short = sum(1 for a, b, _ in cues if b - a < 830)
    print("%s: %d cues, %d shorter than 0.83 s" % (path, len(cues), short))
    if cues and short > len(cues) // 10:
        fail("%s: too many short cues" % path)


def chapters(path):
    text = open(path, encoding="utf-8").read()
    if len(text.encode()) > 5000 or "<" in text or ">" in text:
        fail("%s: over 5000 bytes or has < >" % path)
    times = []
    for line in text.split("\n"):
        m = re.match(r"^(?:(\d+):)?(\d{1,2}):(\d{2}) ", line)
        if m:
            times.append(((int(m.group(1) or 0) * 60 + int(m.group(2))) * 60 + int(m.group(3))))
    if times:
        if times[0] != 0 or len(times) < 3:
            fail("%s: chapters must start at 00:00 and be at least 3: %s" % (path, times))
        for x, y in zip(times, times[1:]):
            if y - x < 10:
                fail("%s: chapters closer than 10 s: %s" % (path, times))
    print("%s: %d chapters" % (path, len(times)))


def words(s):
    return [w for w in re.sub(r"[^\w' ]", " ", s.lower()).split() if w.strip("'")]


def wer(ref_path, tr_path):
    ref = words(open(ref_path, encoding="utf-8").read())
    hyp = words(" ".join(w["w"] for w in json.load(open(tr_path))["words"]))
    d = list(range(len(hyp) + 1))
    for i in range(1, len(ref) + 1):
        p, d = d, [i] + [0] * len(hyp)
        for j in range(1, len(hyp) + 1):
            d[j] = min(p[j - 1] + (ref[i - 1] != hyp[j - 1]), p[j] + 1, d[j - 1] + 1)
    print("%.3f" % (d[len(hyp)] / max(1, len(ref))))


def topics(path, duration):
    j = json.load(open(path, encoding="utf-8"))
    t = j["topics"]
    if not t or t[0]["level"] != "main":
        fail("%s: no topics or the first is not main" % path)
    prev = -1
    for x in t:
        if not (prev < x["start_ms"] < int(duration)) and not (prev == -1 and x["start_ms"] == 0):
            fail("%s: times not ascending inside the video: %s" % (path, [y["start_ms"] for y in t]))
        if not x["title"].strip() or len(x["title"]) > 80:
            fail("%s: bad title %r" % (path, x["title"]))
        prev = x["start_ms"]
    print("%s: %d topics" % (path, len(t)))


if __name__ == "__main__":
    cmd = sys.argv[1]
    {"subs": subs, "chapters": chapters, "wer": wer, "topics": topics}[cmd](*sys.argv[2:])
