#!/usr/bin/env python3
"""fake_zoom.py — a loopback Zoom for zpub's tests: OAuth, cloud recordings
listing and downloads through a second "CDN" server, with fault modes.

Binds two servers on 127.0.0.1 (free ports): the API + OAuth host and the
CDN host that download URLs redirect to.  Writes "API <port> CDN <port>" to
stdout and the API port alone into --port-file (atomically).  --dir gets
files/<file_id> (the bytes served), manifest.json (what a correct sync
should produce) and requests.log (one JSON line per request: method, path,
range, status) for the tests to check.

Endpoints (API host):
  POST /oauth/token                 account_credentials (Basic id:secret), authorization_code
                                    (PKCE S256), refresh_token (rotates: only the newest works)
  GET  /oauth/authorize             the browser: approves at once, 302 to redirect_uri
                                    (fault deny_login: error=access_denied)
  GET  /v2/users/me/recordings      from/to (<= 31 days), page_size, next_page_token
  GET  /v2/users                    the account's users (--account-users, --inactive-users):
                                    status=active|inactive|pending, page_size (300 max, at most
                                    --users-page-size), next_page_token; {page_size,
                                    next_page_token, total_records, users: [{id, email,
                                    first_name, last_name, type, status}]}
  GET  /v2/users/<id|email>/recordings   that user's recordings, as /users/me/recordings
  GET  /rec/download/<file_id>      Bearer; 302 to the CDN
  DELETE /v2/meetings/<id>/recordings[/<file_id>]   trash
  GET  /_admin/expire_tokens        makes every issued token stale
CDN host:
  GET  /cdn/<file_id>?sig=..        the bytes, with Range (206)

Faults (--faults, comma-separated):
  page_token_expires_once   the first page token used answers code 300 (expired)
  ratelimit_once            the second listing call answers 429 with an ISO date Retry-After
  ratelimit_download:<k>    the k-th download request answers 429 with an ISO date Retry-After
  expire_mid:<k>            the k-th CDN transfer stops half-way, all tokens go stale
  stale_forbidden200        stale tokens get, alternately, 200 + a 59-byte "Forbidden"
                            body and 401 (without this fault: always 401)
  html200:<k>               the k-th download request gets 200 + an HTML error page
  drop:<k>                  the k-th CDN transfer drops the connection after 1/3 of the bytes
  no_range_once             the first Range request is answered 200 with the whole file
  no_range_drop_once        ... and that answer also breaks off half-way
  deleted:<file_id>         listed, but deleted upstream before download (404, code 3301)
  slow:<bytes_per_second>   the CDN throttles every transfer
  daily_at:<k>              the k-th account call (/v2/users, /v2/users/<id>/recordings)
                            answers 429, X-RateLimit-Type Daily-limit, Retry-After an ISO
                            date 2 s ahead
  qps_at:<k>                the k-th account call answers the per-second 429 (as --qps)
  stall_at:<k>              the k-th account call waits 30 s before it answers (a walk to
                            kill -9 half-way; /_admin/stats says "stalled": k once it waits)
Faults with a number may be given several times (expire_mid:3,expire_mid:9).
Rate limits of the account calls: --qps N answers the (N+1)-th call within one second
429 with Retry-After: 1, X-RateLimit-Type QPS, X-RateLimit-Category Medium,
X-RateLimit-Remaining 0.  --delay-ms N slows every account call (kill -9 tests).
The account's users each get their own meetings (as --months/--per-month); their
publishable files are in account_manifest.json with the host's e-mail.
  GET /_admin/delete/<file_id>   deletes a file now (between listing and download)
  GET /_admin/delete_user/<email>  deletes an account user (their listing answers 404, 1001)
  GET /_admin/rotate_urls        Zoom's download links expire: new listings carry new
                                 ones (?gen=N) and the old ones answer 403 "expired"
  GET /_admin/stats              counters: tokens issued, calls, windows listed
  GET /_admin/hook_event/<i>     a recording.completed notification of meeting i (as
                                 Zoom posts it, unsigned) with a fresh download_token
                                 that the download endpoint takes as a Bearer
  GET /_admin/hook_stats         downloads made with such download tokens
"""
import argparse, base64, hashlib, json, os, socket, sys, threading, time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

lock = threading.Lock()
S = {}  # server state


def gen_bytes(seed, n, magic):
    out = bytearray(magic)
    c = 0
    while len(out) < n:
        out += hashlib.sha256(("%s:%d" % (seed, c)).encode()).digest() * 32
        c += 1
    return bytes(out[:n])


MAGIC = {
    "MP4": b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41",
    "M4A": b"\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00M4A mp42isom",
    "TRANSCRIPT": b"WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\nHello.\n\n",
    "CHAT": b"10:00:01\t From A : hi\n",
    "TIMELINE": b'{"timeline":[]}',
    "CC": b"WEBVTT\n\n",
}


def build_account(months, per_month, size, hostile, media=None, prefix="", host=None,
                  topics_over=None):
    """Meetings spread over `months` months ending 2026-10-31; prefix keeps the
    ids of one account user's meetings apart from the others'; topics_over
    replaces the first meetings' topics."""
    meetings = []
    starts = []
    first = datetime(2026, 11 - months, 1, tzinfo=timezone.utc)
    for m in range(months):
        month_start = datetime(2026, 11 - months + m, 1, tzinfo=timezone.utc)
        for i in range(per_month):
            starts.append(month_start + timedelta(days=2 + i * 5, hours=9 + i % 3))
    topics = ["Лекция %d: линейная алгебра" % (i + 1) for i in range(len(starts))]
    for i, t in enumerate((topics_over or [])[:len(topics)]):
        topics[i] = t
    if hostile:
        topics[1] = "../../etc/passwd"
        topics[2] = "Ж" * 10000
        topics[3] = "Bell\x07\x1b[31mred\x1b[0m\r\nline\ttab"
        topics[4] = "\u202eevil\u202c \u200fRTL\u200e \u2066iso\u2069 lecture"
    man = []
    fid = 0
    for i, st in enumerate(starts):
        kind = i % 5   # 0,1,3: MP4 (+ views); 2: audio only; 4: two segments
        mid = 90000000000 + i + (int(hashlib.md5(prefix.encode()).hexdigest()[:6], 16) * 1000 if prefix else 0)
        uuid = base64.b64encode(hashlib.md5((prefix + "m%d" % i).encode()).digest()).decode()
        files = []

        def add(ftype, rtype, seg_start, seg_min, status="completed", sz=None, keep_id=True):
            nonlocal fid
            fid += 1
            f_id = "%sf%04d-%s" % (prefix, fid, hashlib.md5((prefix + "f%d" % fid).encode()).hexdigest()[:12])
            n = sz if sz is not None else (size + (fid * 7919) % (size // 3 + 1) if ftype in ("MP4", "M4A") else 600)
            data = media if media is not None and ftype in ("MP4", "M4A") else gen_bytes(f_id, n, MAGIC[ftype])
            ext = {"MP4": "MP4", "M4A": "M4A", "TRANSCRIPT": "VTT", "CHAT": "TXT",
                   "TIMELINE": "JSON", "CC": "VTT"}[ftype]
            rec = {"meeting_id": uuid, "recording_start": seg_start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "recording_end": (seg_start + timedelta(minutes=seg_min)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "file_type": ftype, "file_extension": ext, "recording_type": rtype,
                   "play_url": "https://example.invalid/play/%s" % f_id}
            if keep_id or ftype not in ("CC", "TIMELINE"):
                rec["id"] = f_id
                rec["status"] = status
                rec["file_size"] = len(data)
            rec["_fid"] = f_id
            rec["_data"] = data
            files.append(rec)
            return rec

        if kind == 2:
            a = add("M4A", "audio_only", st, 80)
            man.append((a, i))
            add("CHAT", "chat_file", st, 80)
        elif kind == 4:
            s2 = st + timedelta(minutes=50)
            v1 = add("MP4", "shared_screen_with_speaker_view", st, 45)
            add("M4A", "audio_only", st, 45)
            v2 = add("MP4", "shared_screen_with_speaker_view", s2, 40)
            add("M4A", "audio_only", s2, 40)
            add("TIMELINE", "timeline", st, 90, keep_id=False)
            man.append((v1, i))
            man.append((v2, i))
        else:
            v = add("MP4", "shared_screen_with_speaker_view", st, 90)
            add("MP4", "speaker_view", st, 90)
            add("M4A", "audio_only", st, 90)
            t = add("TRANSCRIPT", "audio_transcript", st, 90)
            add("CHAT", "chat_file", st, 90)
            add("CC", "closed_caption", st, 90, keep_id=False)
            v["_transcript"] = t["_fid"]
            man.append((v, i))
        meetings.append({"uuid": uuid, "id": mid, "account_id": "acc", "host_id": prefix or "host",
                         "host_email": host or "owner@uni.example",
                         "topic": topics[i], "type": 2,
                         "start_time": st.strftime("%Y-%m-%dT%H:%M:%SZ"), "timezone": "Europe/Moscow",
                         "duration": 90, "recording_count": len(files),
                         "_files": files})
    # one meeting whose video is still processing: nothing publishable yet
    st = datetime(2026, 10, 29, 15, 0, tzinfo=timezone.utc)
    fid += 1
    pf = {"id": "%sp%04d" % (prefix, fid), "meeting_id": prefix + "procmeeting", "recording_start": st.strftime("%Y-%m-%dT%H:%M:%SZ"),
          "recording_end": st.strftime("%Y-%m-%dT%H:%M:%SZ"), "file_type": "MP4", "file_extension": "MP4",
          "file_size": 0, "status": "processing", "recording_type": "shared_screen_with_speaker_view",
          "_fid": "%sp%04d" % (prefix, fid), "_data": b""}
    meetings.append({"uuid": prefix + "procmeeting", "id": 91000000000, "topic": "Still processing",
                     "start_time": pf["recording_start"], "duration": 60, "recording_count": 1,
                     "_files": [pf]})
    return meetings, man


class Api(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def note(self, status, extra=None):
        d = {"host": self.server.role, "method": self.command, "path": self.path.split("?")[0],
             "range": self.headers.get("Range"), "status": status, "t": time.time()}
        if extra:
            d.update(extra)
        with lock:
            with open(os.path.join(S["dir"], "requests.log"), "a") as f:
                f.write(json.dumps(d) + "\n")

    def send(self, code, data=b"", ctype="application/json", extra=None):
        self.note(code)
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def sendj(self, code, obj, extra=None):
        self.send(code, json.dumps(obj).encode(), extra=extra)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def bearer_state(self):
        """'ok', 'stale' (issued, then expired) or 'bad'."""
        h = self.headers.get("Authorization", "")
        if not h.startswith("Bearer "):
            return "bad"
        tok = h[7:]
        with lock:
            exp = S["tokens"].get(tok)
        if exp is None and tok in S["dl_tokens"] and self.path.startswith("/rec/download/"):
            with lock:
                S["dl_token_uses"] += 1
            return "ok"
        if exp is None:
            return "bad"
        return "ok" if exp > time.time() else "stale"

    def auth_fail(self, state):
        with lock:
            S["stale_answers"] += 1
            alt = S["stale_answers"] % 2 == 1
        if state == "stale" and "stale_forbidden200" in S["faults"] and alt:
            body = b"<html><body>Forbidden</body></html>".ljust(59, b" ")
            return self.send(200, body, "application/octet-stream")
        return self.sendj(401, {"code": 124, "message": "Access token is expired." if state == "stale"
                               else "Invalid access token."})

    # ---- API ----
    def do_POST(self):
        u = urlsplit(self.path)
        body = self.read_body().decode()
        if u.path == "/oauth/token":
            q = parse_qs(u.query)
            q.update(parse_qs(body))
            auth = self.headers.get("Authorization", "")
            want = "Basic " + base64.b64encode(("%s:%s" % (S["client_id"], S["client_secret"])).encode()).decode()
            if auth != want:
                return self.sendj(401, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"})
            grant = q.get("grant_type", [""])[0]
            if grant == "authorization_code":
                return self.grant_code(q)
            if grant == "refresh_token":
                return self.grant_refresh(q)
            if grant != "account_credentials":
                return self.sendj(400, {"reason": "Unsupported grant type", "error": "unsupported_grant_type"})
            if q.get("account_id", [""])[0] != S["account_id"]:
                return self.sendj(400, {"reason": "Invalid account_id", "error": "invalid_request"})
            with lock:
                S["issued"] += 1
                tok = "zt-%d-%s" % (S["issued"], hashlib.sha256(os.urandom(8)).hexdigest()[:20])
                S["tokens"][tok] = time.time() + S["token_ttl"]
            return self.sendj(200, {"access_token": tok, "token_type": "bearer",
                                    "expires_in": int(S["token_ttl"]), "scope": "recording:read:admin"})
        self.sendj(404, {"code": 404, "message": "no such endpoint"})

    def issue(self, with_refresh):
        with lock:
            S["issued"] += 1
            tok = "zt-%d-%s" % (S["issued"], hashlib.sha256(os.urandom(8)).hexdigest()[:20])
            S["tokens"][tok] = time.time() + S["token_ttl"]
            out = {"access_token": tok, "token_type": "bearer", "expires_in": int(S["token_ttl"]),
                   "scope": "recording:read"}
            if with_refresh:
                rt = "zr-%s" % hashlib.sha256(os.urandom(8)).hexdigest()[:24]
                S["refresh"] = rt          # rotation: only the newest one works
                out["refresh_token"] = rt
        return self.sendj(200, out)

    def grant_code(self, q):
        code = q.get("code", [""])[0]
        with lock:
            ent = S["codes"].pop(code, None)
        if ent is None:
            return self.sendj(400, {"reason": "Invalid authorization code", "error": "invalid_grant"})
        verifier = q.get("code_verifier", [""])[0].encode()
        chal = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).decode().rstrip("=")
        if chal != ent["challenge"] or q.get("redirect_uri", [""])[0] != ent["redirect_uri"]:
            return self.sendj(400, {"reason": "Invalid code_verifier or redirect_uri", "error": "invalid_grant"})
        return self.issue(True)

    def grant_refresh(self, q):
        rt = q.get("refresh_token", [""])[0]
        with lock:
            ok = rt and rt == S.get("refresh")
        if not ok:
            return self.sendj(400, {"reason": "Invalid Token!", "error": "invalid_grant"})
        return self.issue(True)

    def authorize(self, q):
        """The browser's visit: approves at once and redirects back."""
        for k in ("response_type", "client_id", "redirect_uri", "state", "code_challenge",
                  "code_challenge_method"):
            if not q.get(k):
                return self.sendj(400, {"error": "invalid_request", "reason": "missing " + k})
        if q["client_id"] != S["client_id"] or q["code_challenge_method"] != "S256" \
                or not (q["redirect_uri"].startswith("http://127.0.0.1:")
                        or q["redirect_uri"] in S.get("redirect_uris", ())):
            return self.sendj(400, {"error": "invalid_request", "reason": "bad client or redirect"})
        from urllib.parse import quote
        if "deny_login" in S["faults"]:
            loc = "%s?error=access_denied&state=%s" % (q["redirect_uri"], quote(q["state"]))
        else:
            code = hashlib.sha256(os.urandom(8)).hexdigest()[:16]
            with lock:
                S["codes"][code] = {"challenge": q["code_challenge"], "redirect_uri": q["redirect_uri"]}
            loc = "%s?code=%s&state=%s" % (q["redirect_uri"], code, quote(q["state"]))
        return self.send(302, b"", "text/html", extra={"Location": loc})

    def do_DELETE(self):
        st = self.bearer_state()
        if st != "ok":
            return self.sendj(401, {"code": 124, "message": "Invalid access token."})
        u = urlsplit(self.path)
        p = u.path.strip("/").split("/")
        if len(p) >= 4 and p[0] == "v2" and p[1] == "meetings" and p[3] == "recordings":
            from urllib.parse import unquote
            uuid = unquote(p[2])
            if "%" in uuid:            # double-encoded (UUIDs with '/' or '//')
                uuid = unquote(uuid)
            elif uuid.startswith("/") or "//" in uuid:
                return self.sendj(404, {"code": 3301, "message": "This recording does not exist."})
            with lock:
                S["trashed"].append({"uuid": uuid, "file": p[4] if len(p) > 4 else None,
                                     "action": parse_qs(u.query).get("action", [""])[0]})
            return self.send(204)
        self.sendj(404, {"code": 404, "message": "no such endpoint"})

    def do_GET(self):
        if self.server.role == "cdn":
            return self.cdn()
        u = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        if u.path == "/_admin/expire_tokens":
            with lock:
                for t in S["tokens"]:
                    S["tokens"][t] = 0
            return self.sendj(200, {"ok": True})
        if u.path == "/oauth/authorize":
            return self.authorize(q)
        if u.path.startswith("/_admin/delete/"):
            with lock:
                S["deleted"].add(u.path.rsplit("/", 1)[1])
            return self.sendj(200, {"ok": True})
        if u.path.startswith("/_admin/delete_user/"):
            with lock:
                S["users"] = [x for x in S["users"] if x["email"] != u.path.rsplit("/", 1)[1]]
            return self.sendj(200, {"ok": True})
        if u.path == "/_admin/rotate_urls":
            with lock:
                S["url_gen"] += 1
            return self.sendj(200, {"url_gen": S["url_gen"]})
        if u.path == "/_admin/stats":
            with lock:
                st = {k: S[k] for k in ("issued", "list_calls", "dl_calls", "cdn_calls", "windows",
                                        "stale_answers", "trashed", "account_calls", "users_calls",
                                        "user_windows", "ratelimited", "stalled")}
            return self.sendj(200, st)
        if u.path.startswith("/_admin/hook_"):
            return self.hook_admin(u.path)
        if u.path == "/v2/users/me/recordings":
            return self.listing(q, S["meetings"])
        if u.path == "/v2/users":
            return self.users(q)
        p = u.path.split("/")
        if len(p) == 5 and p[1] == "v2" and p[2] == "users" and p[4] == "recordings":
            return self.user_listing(p[3], q)
        if u.path.startswith("/rec/download/"):
            return self.download(u.path.rsplit("/", 1)[1], q)
        self.sendj(404, {"code": 404, "message": "no such endpoint"})

    def account_gate(self):
        """Token, slowness and rate limits of the account calls: True when answered."""
        st = self.bearer_state()
        if st != "ok":
            self.sendj(401, {"code": 124, "message": "Invalid access token."})
            return True
        if S["delay_ms"]:
            time.sleep(S["delay_ms"] / 1000.0)
        now = time.time()
        with lock:
            S["account_calls"] += 1
            k = S["account_calls"]
            sec = int(now)
            if S["qps_sec"] != sec:
                S["qps_sec"], S["qps_used"] = sec, 0
            S["qps_used"] += 1
            over = (S["qps"] and S["qps_used"] > S["qps"]) or k in S["faults"].get("qps_at", ())
        if k in S["faults"].get("stall_at", ()):
            with lock:
                S["stalled"] = k
            time.sleep(30)   # the test kills the client meanwhile
        if k in S["faults"].get("daily_at", ()):
            with lock:
                S["ratelimited"].append({"call": k, "type": "Daily-limit", "t": now})
            at = (datetime.now(timezone.utc) + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
            self.sendj(429, {"code": 429, "message": "You have reached the maximum daily rate limit for this API."},
                       extra={"Retry-After": at, "X-RateLimit-Type": "Daily-limit",
                              "X-RateLimit-Category": "Medium", "X-RateLimit-Remaining": "0"})
            return True
        if over:
            with lock:
                S["ratelimited"].append({"call": k, "type": "QPS", "t": now})
            self.sendj(429, {"code": 429, "message": "You have exceeded the per-second rate limit for this API."},
                       extra={"Retry-After": "1", "X-RateLimit-Type": "QPS",
                              "X-RateLimit-Category": "Medium", "X-RateLimit-Remaining": "0"})
            return True
        return False

    def users(self, q):
        if self.account_gate():
            return
        status = q.get("status", "active")
        if status not in ("active", "inactive", "pending"):
            return self.sendj(400, {"code": 300, "message": "Invalid field: status."})
        sel = [x for x in S["users"] if x["status"] == status]
        size = max(1, min(int(q.get("page_size", 30)), 300, S["users_page_size"]))
        offset = 0
        tok = q.get("next_page_token", "")
        if tok:
            with lock:
                ent = S["page_tokens"].get(tok)
            if ent is None or ent["exp"] < time.time() or ent["win"] != ("users", status):
                return self.sendj(400, {"code": 300, "message": "The next page token is invalid or expired."})
            offset = ent["offset"]
        nxt = ""
        if offset + size < len(sel):
            nxt = hashlib.sha256(os.urandom(8)).hexdigest()[:32]
            with lock:
                S["page_tokens"][nxt] = {"offset": offset + size, "exp": time.time() + 900,
                                         "win": ("users", status)}
        with lock:
            S["users_calls"] += 1
        page = [{k: v for k, v in x.items() if not k.startswith("_")} for x in sel[offset:offset + size]]
        return self.sendj(200, {"page_count": (len(sel) + size - 1) // size, "page_number": offset // size + 1,
                                "page_size": size, "total_records": len(sel), "next_page_token": nxt,
                                "users": page})

    def user_listing(self, who, q):
        from urllib.parse import unquote
        who = unquote(who)
        if who == "me":
            return self.listing(q, S["meetings"])
        user = next((x for x in S["users"] if who in (x["id"], x["email"])), None)
        with lock:
            S["user_windows"].append([user["email"] if user else who, q.get("from"), q.get("to"),
                                      q.get("next_page_token", "")])
        if self.account_gate():
            return
        if user is None:
            return self.sendj(404, {"code": 1001, "message": "User does not exist: %s." % who})
        return self.listing(q, user["_meetings"], gated=True)

    def listing(self, q, meetings, gated=False):
        st = self.bearer_state()
        if st != "ok":
            return self.sendj(401, {"code": 124, "message": "Invalid access token."})
        with lock:
            S["list_calls"] += 1
            n = S["list_calls"]
        if "ratelimit_once" in S["faults"] and n == 2 and not gated:
            at = (datetime.now(timezone.utc) + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
            return self.sendj(429, {"code": 429, "message": "You have reached the maximum daily rate limit."},
                              extra={"Retry-After": at, "X-RateLimit-Type": "Daily-limit",
                                     "X-RateLimit-Category": "Medium"})
        try:
            fr = datetime.strptime(q["from"], "%Y-%m-%d").replace(tzinfo=timezone.utc)
            to = datetime.strptime(q["to"], "%Y-%m-%d").replace(tzinfo=timezone.utc)
        except (KeyError, ValueError):
            return self.sendj(400, {"code": 300, "message": "from and to must be yyyy-mm-dd"})
        if to < fr or (to - fr).days > 31:
            return self.sendj(400, {"code": 300, "message": "The range of from and to can't be more than one month."})
        with lock:
            S["windows"].append([q["from"], q["to"]])
        size = min(int(q.get("page_size", 30)), 300, S["page_size"])
        offset = 0
        tok = q.get("next_page_token", "")
        if tok:
            with lock:
                ent = S["page_tokens"].get(tok)
                once = "page_token_expires_once" in S["faults"] and not S["page_token_expired"]
                if once:
                    S["page_token_expired"] = True
            if ent is None or ent["exp"] < time.time() or once or ent["win"] != (q["from"], q["to"]):
                return self.sendj(400, {"code": 300, "message": "The next page token is invalid or expired."})
            offset = ent["offset"]
        end = to + timedelta(days=1)
        sel = [m for m in meetings if fr <= datetime.strptime(m["start_time"], "%Y-%m-%dT%H:%M:%SZ")
               .replace(tzinfo=timezone.utc) < end]
        sel.sort(key=lambda m: m["start_time"], reverse=True)
        page = sel[offset:offset + size]
        nxt = ""
        if offset + size < len(sel):
            nxt = hashlib.sha256(os.urandom(8)).hexdigest()[:32]
            with lock:
                S["page_tokens"][nxt] = {"offset": offset + size, "exp": time.time() + 900,
                                         "win": (q["from"], q["to"])}
        base = "http://127.0.0.1:%d" % S["api_port"]
        out = []
        for m in page:
            mm = {k: v for k, v in m.items() if not k.startswith("_")}
            files = []
            for f in m["_files"]:
                if f["_fid"] in S["deleted"]:
                    continue
                ff = {k: v for k, v in f.items() if not k.startswith("_")}
                ff["download_url"] = "%s/rec/download/%s" % (base, f["_fid"])
                if S["url_gen"]:
                    ff["download_url"] += "?gen=%d" % S["url_gen"]
                files.append(ff)
            mm["recording_files"] = files
            mm["total_size"] = sum(f.get("file_size", 0) for f in files)
            out.append(mm)
        return self.sendj(200, {"from": q["from"], "to": q["to"], "page_count": (len(sel) + size - 1) // size,
                                "page_size": size, "total_records": len(sel), "next_page_token": nxt,
                                "meetings": out})

    def download(self, fid, q):
        with lock:
            S["dl_calls"] += 1
            k = S["dl_calls"]
        if int(q.get("gen", "0") or 0) != S["url_gen"]:
            return self.sendj(403, {"code": 403, "message": "The download link has expired."})
        if k in S["faults"].get("ratelimit_download", ()):
            at = (datetime.now(timezone.utc) + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
            return self.sendj(429, {"code": 429, "message": "Too many requests"},
                              extra={"Retry-After": at, "X-RateLimit-Type": "QPS"})
        st = self.bearer_state()
        if st != "ok":
            return self.auth_fail(st)
        if fid in S["deleted"] or fid not in S["files"]:
            return self.sendj(404, {"code": 3301, "message": "This recording does not exist."})
        if k in S["faults"].get("html200", ()):
            page = b"<!DOCTYPE html><html><head><title>Error - Zoom</title></head><body>" \
                   b"<h1>Sorry, you do not have access to this recording.</h1></body></html>"
            return self.send(200, page, "text/html;charset=utf-8")
        sig = hashlib.sha256(("sig:" + fid).encode()).hexdigest()[:16]
        return self.send(302, b"", "text/html",
                         extra={"Location": "http://127.0.0.1:%d/cdn/%s?sig=%s" % (S["cdn_port"], fid, sig)})

    def hook_admin(self, path):
        """recording.completed as Zoom sends it, for the webhook tests."""
        if path == "/_admin/hook_stats":
            return self.sendj(200, {"dl_token_uses": S["dl_token_uses"]})
        m = S["meetings"][int(path.rsplit("/", 1)[1])]
        base = "http://127.0.0.1:%d" % S["api_port"]
        obj = {k: v for k, v in m.items() if not k.startswith("_")}
        obj["host_email"] = "lecturer@uni.example"
        obj["recording_files"] = [dict({k: v for k, v in f.items() if not k.startswith("_")},
                                       download_url="%s/rec/download/%s" % (base, f["_fid"]))
                                  for f in m["_files"]]
        tok = "zdl-%s" % hashlib.sha256(os.urandom(8)).hexdigest()[:24]
        with lock:
            S["dl_tokens"].add(tok)
        return self.sendj(200, {"event": "recording.completed", "event_ts": int(time.time() * 1000),
                                "payload": {"account_id": S["account_id"], "object": obj},
                                "download_token": tok})

    # ---- CDN ----
    def cdn(self):
        u = urlsplit(self.path)
        fid = u.path.rsplit("/", 1)[1]
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        if q.get("sig") != hashlib.sha256(("sig:" + fid).encode()).hexdigest()[:16] or fid not in S["files"]:
            return self.send(403, b"<html>AccessDenied</html>", "text/html")
        data = S["files"][fid]
        with lock:
            S["cdn_calls"] += 1
            k = S["cdn_calls"]
        rng = self.headers.get("Range")
        start = 0
        code = 200
        drop_whole = False
        if rng and rng.startswith("bytes="):
            with lock:
                ignore = ("no_range_once" in S["faults"] or "no_range_drop_once" in S["faults"]) \
                    and not S["no_range_done"]
                drop_whole = ignore and "no_range_drop_once" in S["faults"]
                if ignore:
                    S["no_range_done"] = True
            if not ignore:
                start = int(rng[6:].split("-")[0])
                if start >= len(data):
                    return self.send(416, b"", "text/plain", extra={"Content-Range": "bytes */%d" % len(data)})
                code = 206
        body = data[start:]
        stop_at = None
        stale = False
        if drop_whole:
            stop_at = len(body) // 2
        if k in S["faults"].get("expire_mid", ()):
            stop_at, stale = len(body) // 2, True
        if k in S["faults"].get("drop", ()):
            stop_at = len(body) // 3
        self.note(code, {"cdn_call": k, "stop_at": stop_at})
        self.send_response(code)
        self.send_header("Content-Type", "video/mp4" if fid and data[4:8] == b"ftyp" else "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        if code == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        rate = S["slow"]
        sent = 0
        chunk = 16384
        t0 = time.time()
        try:
            while sent < len(body):
                n = min(chunk, len(body) - sent)
                if stop_at is not None and sent + n > stop_at:
                    n = stop_at - sent
                    if n > 0:
                        self.wfile.write(body[sent:sent + n])
                        sent += n
                    self.wfile.flush()
                    if stale:
                        with lock:
                            for t in S["tokens"]:
                                S["tokens"][t] = 0
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.wfile.write(body[sent:sent + n])
                sent += n
                if rate:
                    ahead = sent / rate - (time.time() - t0)
                    if ahead > 0:
                        time.sleep(ahead)
        except (BrokenPipeError, ConnectionResetError):
            pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port-file")
    ap.add_argument("--months", type=int, default=3)
    ap.add_argument("--per-month", type=int, default=5)
    ap.add_argument("--size", type=int, default=200000, help="typical media file size")
    ap.add_argument("--page-size", type=int, default=4, help="largest page the fake serves")
    ap.add_argument("--token-ttl", type=float, default=3599)
    ap.add_argument("--hostile", action="store_true")
    ap.add_argument("--media", help="serve this real media file for every MP4/M4A")
    ap.add_argument("--topics", help="JSON list of topics for the first meetings")
    ap.add_argument("--faults", default="")
    ap.add_argument("--client-id", default="zoom-client")
    ap.add_argument("--redirect-uri", action="append", default=[],
                    help="a redirect URI registered for the app (besides any loopback one)")
    ap.add_argument("--client-secret", default="zoom-secret")
    ap.add_argument("--account-id", default="zoom-account")
    ap.add_argument("--account-users", default="", help="e-mails of the account's active users")
    ap.add_argument("--inactive-users", default="", help="e-mails of the account's inactive users")
    ap.add_argument("--users-page-size", type=int, default=300, help="largest page of users served")
    ap.add_argument("--qps", type=int, default=0, help="account calls allowed per second (0: no limit)")
    ap.add_argument("--delay-ms", type=int, default=0, help="slowness of every account call")
    a = ap.parse_args()
    os.makedirs(os.path.join(a.dir, "files"), exist_ok=True)
    faults = {}
    deleted = set()
    slow = 0
    for f in filter(None, a.faults.split(",")):
        k, _, v = f.partition(":")
        if k == "deleted":
            deleted.add(v)
        elif k == "slow":
            slow = int(v)
        elif v:
            faults.setdefault(k, set()).add(int(v))
        else:
            faults[k] = True
    media = open(a.media, "rb").read() if a.media else None
    meetings, man = build_account(a.months, a.per_month, a.size, a.hostile, media,
                                  topics_over=json.loads(a.topics) if a.topics else None)
    files = {}
    for m in meetings:
        for f in m["_files"]:
            files[f["_fid"]] = f["_data"]
            if f["_data"]:
                with open(os.path.join(a.dir, "files", f["_fid"]), "wb") as fp:
                    fp.write(f["_data"])
    manifest = []
    for f, i in man:
        manifest.append({"file_id": f["_fid"], "file_type": f["file_type"], "size": len(f["_data"]),
                         "sha256": hashlib.sha256(f["_data"]).hexdigest(), "topic": meetings[i]["topic"],
                         "meeting_uuid": meetings[i]["uuid"], "transcript_id": f.get("_transcript")})
    with open(os.path.join(a.dir, "manifest.json"), "w") as fp:
        json.dump(manifest, fp, indent=1)
    users, acc_manifest = [], []
    emails = [(e, "active") for e in filter(None, a.account_users.split(","))] + \
        [(e, "inactive") for e in filter(None, a.inactive_users.split(","))]
    for n, (email, status) in enumerate(emails):
        uid = "u%d%s" % (n, hashlib.md5(email.encode()).hexdigest()[:10])
        um, uman = build_account(a.months, a.per_month, a.size, False, media, prefix=uid + "-", host=email)
        for m in um:
            m["host_id"] = uid
            for f in m["_files"]:
                files[f["_fid"]] = f["_data"]
                if f["_data"]:
                    with open(os.path.join(a.dir, "files", f["_fid"]), "wb") as fp:
                        fp.write(f["_data"])
        for f, i in uman:
            acc_manifest.append({"file_id": f["_fid"], "file_type": f["file_type"], "size": len(f["_data"]),
                                 "sha256": hashlib.sha256(f["_data"]).hexdigest(), "topic": um[i]["topic"],
                                 "host": email, "status": status})
        first, _, dom = email.partition("@")
        users.append({"id": uid, "email": email, "first_name": first.capitalize(), "last_name": dom,
                      "type": 2, "status": status, "pmi": 1000000000 + n, "timezone": "Europe/Moscow",
                      "dept": "", "created_at": "2025-09-01T08:00:00Z", "_meetings": um})
    with open(os.path.join(a.dir, "account_manifest.json"), "w") as fp:
        json.dump(acc_manifest, fp, indent=1)
    S.update(redirect_uris=a.redirect_uri)
    S.update(dir=a.dir, faults=faults, deleted=deleted, slow=slow, meetings=meetings, files=files,
             tokens={}, issued=0, page_tokens={}, page_token_expired=False, list_calls=0, dl_calls=0,
             cdn_calls=0, url_gen=0, stale_answers=0, codes={}, no_range_done=False, windows=[], trashed=[], page_size=a.page_size,
             token_ttl=a.token_ttl, client_id=a.client_id, client_secret=a.client_secret,
             account_id=a.account_id, dl_tokens=set(), dl_token_uses=0,
             users=users, users_page_size=a.users_page_size, qps=a.qps,
             qps_sec=0, qps_used=0, delay_ms=a.delay_ms, account_calls=0, users_calls=0,
             user_windows=[], ratelimited=[], stalled=0)
    api = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    cdn = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    api.role, cdn.role = "api", "cdn"
    api.daemon_threads = cdn.daemon_threads = True
    S["api_port"], S["cdn_port"] = api.server_address[1], cdn.server_address[1]
    threading.Thread(target=cdn.serve_forever, daemon=True).start()
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write(str(S["api_port"]))
        os.rename(a.port_file + ".tmp", a.port_file)
    print("API", S["api_port"], "CDN", S["cdn_port"], flush=True)
    api.serve_forever()


if __name__ == "__main__":
    main()
