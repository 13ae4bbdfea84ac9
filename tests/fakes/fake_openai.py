#!/usr/bin/env python3
"""Loopback fake of OpenAI-compatible transcription and chat services.

Answers POST .../audio/transcriptions (multipart, verbose_json with words and
segments, like Fireworks/OpenAI/Groq) and POST .../chat/completions (DeepSeek
shape, JSON mode, usage with cache fields).  Binds 127.0.0.1 on --port (0 =
any free port) and prints "PORT <n>" on stdout.  Stdlib only.

Faults are scripted per endpoint, one entry per request, then --then:
  ok        a normal answer
  429       429 with Retry-After: 1 (seconds)
  429date   429 with Retry-After as an HTTP date 2 s ahead
  500       500 Internal Server Error
  503       503 with Retry-After: 1
  402       402 insufficient balance (chat)
  400       400 bad request
  slow      waits --slow-seconds, then answers
  invalid   200 with a body that is not JSON (transcription) / content that is not JSON (chat)
  badtopics chat content whose topics go backwards and past the end
  empty     chat content "" (finish_reason stop)
  blank     leading blank lines before a normal body
GET /stats returns {"transcriptions": n, "chat": n, "by_status": {...},
"audio_seconds": the audio the transcriptions answered were sent,
"models": how many transcription requests named each model}.
"""
import argparse
import email.utils
import json
import re
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATS = {"transcriptions": 0, "chat": 0, "ok_transcriptions": 0, "ok_chat": 0, "by_status": {},
         "audio_seconds": 0.0, "models": {}}
SCRIPTS = {"transcribe": [], "chat": []}
ARGS = None

TEXT = ("Good morning everyone. Today we talk about sorting algorithms and why they matter. "
        "Merge sort splits the list into halves and merges them. Quick sort picks a pivot. "
        "Now we move on to computer networks. Packets travel through routers to an address. "
        "Finally we discuss security: passwords should be long and software up to date.")


def next_action(kind):
    with LOCK:
        if SCRIPTS[kind]:
            return SCRIPTS[kind].pop(0)
        return ARGS.then


def flac_duration(data):
    """Seconds of audio in a FLAC file (STREAMINFO), or None."""
    i = data.find(b"fLaC")
    if i < 0 or len(data) < i + 4 + 4 + 18:
        return None
    si = data[i + 8:i + 8 + 18]
    sample_rate = (si[10] << 12) | (si[11] << 4) | (si[12] >> 4)
    total = ((si[13] & 0x0F) << 32) | struct.unpack(">I", si[14:18])[0]
    if sample_rate == 0:
        return None
    return total / sample_rate


def multipart_fields(body, ctype):
    m = re.search(r'boundary="?([^";]+)"?', ctype or "")
    fields, files = {}, {}
    if not m:
        return fields, files
    boundary = b"--" + m.group(1).encode()
    for part in body.split(boundary):
        if b"\r\n\r\n" not in part:
            continue
        head, _, data = part.partition(b"\r\n\r\n")
        if data.endswith(b"\r\n"):
            data = data[:-2]
        name = re.search(rb'name="([^"]*)"', head)
        if not name:
            continue
        key = name.group(1).decode()
        if b"filename=" in head:
            files[key] = data
        else:
            fields.setdefault(key, []).append(data.decode("utf-8", "replace"))
    return fields, files


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        if ARGS.verbose:
            sys.stderr.write("fake_openai: " + (fmt % a) + "\n")

    def send(self, status, body, headers=None, blank=False):
        if isinstance(body, (dict, list)):
            body = json.dumps(body, ensure_ascii=False)
        data = body.encode() if isinstance(body, str) else body
        if blank:
            data = b"\n\n\n" + data
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        with LOCK:
            STATS["by_status"][str(status)] = STATS["by_status"].get(str(status), 0) + 1

    def error(self, status, message, code=None, headers=None):
        self.send(status, {"error": {"message": message, "type": "fake", "code": code or status}},
                  headers)

    def fault(self, action):
        """Answers a scripted fault; returns True when it did."""
        if action == "429":
            self.error(429, "rate limited", headers={"Retry-After": "1"})
        elif action == "429date":
            when = email.utils.formatdate(time.time() + 2, usegmt=True)
            self.error(429, "rate limited", headers={"Retry-After": when})
        elif action == "500":
            self.error(500, "internal error")
        elif action == "503":
            self.error(503, "overloaded", headers={"Retry-After": "1"})
        elif action == "402":
            self.error(402, "Insufficient Balance")
        elif action == "400":
            self.error(400, "bad request")
        else:
            return False
        return True

    def do_GET(self):
        if self.path.rstrip("/").endswith("/stats"):
            with LOCK:   # a copy: send() takes the lock itself
                stats = json.loads(json.dumps(STATS))
            self.send(200, stats)
            return
        self.error(404, "not found")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if ARGS.key and self.headers.get("Authorization") != "Bearer " + ARGS.key:
            self.error(401, "invalid api key")
            return
        if self.path.endswith("/audio/transcriptions"):
            with LOCK:
                STATS["transcriptions"] += 1
            self.transcription(body)
        elif self.path.endswith("/chat/completions"):
            with LOCK:
                STATS["chat"] += 1
            self.chat(body)
        else:
            self.error(404, "no such endpoint")

    def transcription(self, body):
        action = next_action("transcribe")
        if self.fault(action):
            return
        if action == "slow":
            time.sleep(ARGS.slow_seconds)
        fields, files = multipart_fields(body, self.headers.get("Content-Type"))
        if "file" not in files:
            self.error(400, "file is required")
            return
        with LOCK:
            m = fields.get("model", [""])[0]
            STATS["models"][m] = STATS["models"].get(m, 0) + 1
        if fields.get("response_format", ["json"])[0] != "verbose_json":
            self.send(200, {"text": TEXT})
            return
        if action == "invalid":
            self.send(200, "<html>not json</html>")
            return
        dur = flac_duration(files["file"]) or 30.0
        words, segments, t = [], [], 0.3
        src = (ARGS.text or TEXT).split()
        k = 0
        seg_start, seg_words = t, []
        while t + 0.35 < dur:
            w = src[k % len(src)]
            k += 1
            words.append({"word": w, "start": round(t, 3), "end": round(t + 0.3, 3)})
            seg_words.append(w)
            t += 0.4
            if w.endswith(".") or len(seg_words) >= 20:
                segments.append({"id": len(segments), "start": round(seg_start, 3),
                                 "end": round(t - 0.1, 3), "text": " " + " ".join(seg_words)})
                seg_words, seg_start = [], t
        if seg_words:
            segments.append({"id": len(segments), "start": round(seg_start, 3),
                             "end": round(t - 0.1, 3), "text": " " + " ".join(seg_words)})
        with LOCK:
            STATS["ok_transcriptions"] += 1
            STATS["audio_seconds"] += dur
        self.send(200, {"task": "transcribe", "language": ARGS.language, "duration": dur,
                        "text": " ".join(w["word"] for w in words), "segments": segments,
                        "words": words}, blank=(action == "blank"))

    def translate(self, req, msgs, action):
        try:
            lines = json.loads(msgs[-1]["content"])["lines"]
        except (ValueError, KeyError, TypeError):
            lines = None
        if lines is None:
            # a corrective turn: find the original request
            for m in msgs:
                try:
                    lines = json.loads(m["content"])["lines"]
                    break
                except (ValueError, KeyError, TypeError):
                    continue
        out = [pseudo_russian(x) for x in (lines or [])]
        if action == "invalid":
            out = out[:-1]
        content = json.dumps({"lines": out}, ensure_ascii=False)
        with LOCK:
            STATS["ok_chat"] += 1
        self.send(200, {"id": "chatcmpl-fake", "object": "chat.completion",
                        "choices": [{"index": 0, "message": {"role": "assistant",
                                                             "content": content},
                                     "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 500, "completion_tokens": 500,
                                  "total_tokens": 1000}})

    def chat(self, body):
        action = next_action("chat")
        if self.fault(action):
            return
        if action == "slow":
            time.sleep(ARGS.slow_seconds)
        try:
            req = json.loads(body)
        except ValueError:
            self.error(400, "body is not JSON")
            return
        msgs = req.get("messages") or []
        prompt = "\n".join(m.get("content", "") for m in msgs)
        if msgs and "translate" in msgs[0].get("content", "").lower():
            self.translate(req, msgs, action)
            return
        if "json" not in prompt.lower():
            self.error(400, "Prompt must contain the word 'json' in some form to use "
                       "'response_format' of type 'json_object'.")
            return
        stamps = re.findall(r"^\[(\d\d:\d\d:\d\d)\]", msgs[-1].get("content", "")
                            if msgs else "", re.M)
        if not stamps:
            stamps = re.findall(r"^\[(\d\d:\d\d:\d\d)\]", prompt, re.M)
        topics = []
        if stamps:
            topics.append({"start": "00:00:00", "level": "main", "title": "Introduction"})
            picks = sorted(set([stamps[len(stamps) // 3], stamps[2 * len(stamps) // 3]]))
            for i, s in enumerate(picks):
                if s != "00:00:00":
                    topics.append({"start": s, "level": "main", "title": "Part %d" % (i + 2)})
        content = json.dumps({"topics": topics, "breaks": [],
                              "summary": "A lecture in %d parts." % len(topics)})
        if action == "invalid":
            content = "Sure! Here are the topics: Introduction, Part 2"
        elif action == "badtopics":
            content = json.dumps({"topics": [
                {"start": "00:00:00", "level": "main", "title": "Introduction"},
                {"start": "99:00:00", "level": "main", "title": "Far too late"},
                {"start": "00:00:20", "level": "detail", "title": ""}], "breaks": []})
        elif action == "empty":
            content = ""
        answer = {
            "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
            "model": req.get("model", "deepseek-chat"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1000, "completion_tokens": 100, "total_tokens": 1100,
                      "prompt_cache_hit_tokens": 200, "prompt_cache_miss_tokens": 800},
        }
        if action not in ("invalid", "badtopics", "empty"):
            with LOCK:
                STATS["ok_chat"] += 1
        self.send(200, answer, blank=(action == "blank"))


def pseudo_russian(line):
    """A stand-in translation: Cyrillic words, a little longer than the original."""
    out = []
    for w in line.split():
        tail = w[-1] if w[-1] in ".,!?:;" else ""
        out.append("слово" * (1 + len(w) // 6) + tail)
    return " ".join(out)


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--transcribe-script", default="", help="comma list, e.g. 429,500,ok")
    ap.add_argument("--chat-script", default="")
    ap.add_argument("--then", default="ok", help="action after a script runs out")
    ap.add_argument("--key", default="", help="require this bearer token")
    ap.add_argument("--language", default="english")
    ap.add_argument("--text", default="")
    ap.add_argument("--slow-seconds", type=float, default=2.0)
    ap.add_argument("--verbose", action="store_true")
    ARGS = ap.parse_args()
    SCRIPTS["transcribe"] = [a for a in ARGS.transcribe_script.split(",") if a]
    SCRIPTS["chat"] = [a for a in ARGS.chat_script.split(",") if a]
    srv = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    srv.daemon_threads = True
    print("PORT %d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
