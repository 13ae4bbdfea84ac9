#!/usr/bin/env python3
"""fake_google.py — Google OAuth (installed app, PKCE) and the YouTube Data API
v3 with resumable uploads, on 127.0.0.1, following ../../shared API contracts.

Paths (configure zpub's providers.google.* / providers.youtube.* with the
printed base):
  GET  /o/oauth2/v2/auth          authorize: 302 to redirect_uri?state&code&scope
  POST /token                     authorization_code (PKCE S256 + client_secret) / refresh_token
  POST /revoke                    token=...
  POST /upload/youtube/v3/videos?uploadType=resumable&part=snippet,status
  PUT  /upload/youtube/v3/videos?uploadType=resumable&upload_id=...
  POST /upload/youtube/v3/captions?part=snippet&uploadType=multipart   (multipart/related)
  POST /upload/youtube/v3/thumbnails/set?videoId=...   (again: replaces the thumbnail)
  POST /youtube/v3/playlistItems?part=snippet
  GET  /youtube/v3/videos?id=...&part=snippet,status   only the parts asked for
  PUT  /youtube/v3/videos?part=snippet[,status]   videos.update: {"id","snippet":{..}}
                       REPLACES the whole snippet: title and categoryId are
                       required (400 invalidTitle / invalidCategoryId), any field
                       left out (description, tags, defaultLanguage...) is
                       cleared; 404 videoNotFound for an unknown id
  PUT  /upload/youtube/v3/captions?part=snippet&uploadType=multipart
                       captions.update: {"id","snippet":{..}} + the new track
                       replaces the caption's content; 404 captionNotFound
  DELETE /youtube/v3/captions?id=...   204; 404 captionNotFound
  GET  /youtube/v3/captions?part=snippet&videoId=...
  GET  /youtube/v3/playlistItems?part=snippet&playlistId=...[&videoId=...]
Quota: every call is charged in /_state "quota_units" (videos.insert 1600,
captions.insert 400, captions.update 450, videos.update 50, thumbnails.set 50,
playlistItems.insert 50, captions.delete 50, list 1; invalid calls still cost
1); "update_count" counts videos.update calls, "thumbnail_current" maps a video
to its thumbnail now, "caption_log" lists caption inserts/updates/deletes.

Control (tests):
  GET  /_state                    JSON of everything received
  POST /_faults                   JSON object merged into the fault settings

Faults (also --fault key=json on the command line):
  drop_at: [bytes...]      drop the connection when the upload reaches this
                           offset (persisting only whole 256 KiB units before it)
  fail_put: [n...]         answer 503 backendError to the n-th upload PUT (1-based)
  ratelimit_put: [n...]    answer 429 + Retry-After: 1 to the n-th upload PUT
  expire_session: true     every existing upload session answers 404 (once each)
  quota: "insert"|"update"|"all"   403 quotaExceeded on videos.insert, on
                           videos.update (or on every call)
  upload_limit: true       400 uploadLimitExceeded on videos.insert
  expire_token_after: n    the access token stops working after n API calls (401)
  invalid_grant: true      refresh answers 400 invalid_grant
  deny: true               the authorize page answers error=access_denied
  expires_in: n            token lifetime in seconds (3599)
  chunk_check: true        non-final chunks must be multiples of 262144 (default on)
  put_delay: seconds       sleep before answering each upload PUT (slow link)
  static_token: "tok"      an access token that is always accepted (benchmarks)
  token_error: "code"      the code exchange answers 401 with this OAuth error
  redirect_uris: [uri...]  a Web client's registered redirect URIs, accepted
                           exactly besides any http://127.0.0.1:PORT loopback
"""
import argparse, base64, hashlib, json, os, secrets, socket, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

UNIT = 262144


class State:
    def __init__(self, store_dir):
        self.lock = threading.Lock()
        self.store_dir = store_dir
        self.faults = {"chunk_check": True, "expires_in": 3599}
        self.codes = {}        # code -> {client_id, redirect_uri, challenge, scope}
        self.access = {}       # token -> {"calls": n}
        self.refresh = {}      # refresh token -> client_id
        self.sessions = {}     # upload_id -> {...}
        self.videos = {}       # id -> {...}
        self.next_channel = 1  # each sign-in is another account (channel)
        self.captions = []
        self.thumbnails = []
        self.playlist_items = []
        self.put_count = 0
        self.insert_count = 0
        self.update_count = 0
        self.quota_units = 0
        self.thumbnail_current = {}   # video id -> {bytes, sha256}
        self.caption_log = []
        self.token_requests = []
        self.revoked = []      # tokens POST /revoke was given
        self.log = []

    def snapshot(self):
        return {
            "videos": list(self.videos.values()),
            "sessions": {k: {kk: vv for kk, vv in v.items() if kk != "path"}
                         for k, v in self.sessions.items()},
            "captions": self.captions,
            "thumbnails": self.thumbnails,
            "playlist_items": self.playlist_items,
            "put_count": self.put_count,
            "insert_count": self.insert_count,
            "update_count": self.update_count,
            "quota_units": self.quota_units,
            "thumbnail_current": self.thumbnail_current,
            "caption_log": self.caption_log,
            "token_requests": self.token_requests,
            "refresh_tokens": len(self.refresh),
            "revoked": self.revoked,
            "issued_tokens": list(self.access.keys()) + list(self.refresh.keys()),
            "log": self.log[-200:],
        }


ST = None

# Classic quota costs per call (API_CONTRACTS.md section 3 and 8).
COST = {"videos.insert": 1600, "captions.insert": 400, "captions.update": 450,
        "videos.update": 50, "thumbnails.set": 50, "playlistItems.insert": 50,
        "captions.delete": 50, "list": 1}


def charge(call, ok=True):
    with ST.lock:
        ST.quota_units += COST.get(call, 1) if ok else 1


def yt_error(code, reason, message):
    return code, {"error": {"code": code, "message": message,
                            "errors": [{"domain": "youtube.quota" if "uota" in reason else "global",
                                        "reason": reason, "message": message}]}}


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    # ---- plumbing ----
    def send_json(self, code, obj, extra=None):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def send_empty(self, code, extra=None):
        self.send_response(code)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        data = b""
        while len(data) < n:
            b = self.rfile.read(n - len(data))
            if not b:
                break
            data += b
        return data

    def drain(self):
        n = int(self.headers.get("Content-Length") or 0)
        while n > 0:
            b = self.rfile.read(min(n, 1 << 20))
            if not b:
                break
            n -= len(b)

    def split(self):
        u = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query, keep_blank_values=True).items()}
        return u.path, q

    def bearer(self):
        """None if ok, else sends 401 and returns True."""
        h = self.headers.get("Authorization", "")
        tok = h[7:] if h.startswith("Bearer ") else None
        with ST.lock:
            info = ST.access.get(tok)
            if info is None and tok and tok == ST.faults.get("static_token"):
                info = ST.access[tok] = {"calls": 0}
            if info is not None:
                info["calls"] += 1
                lim = ST.faults.get("expire_token_after")
                if lim is not None and info["calls"] > int(lim):
                    info["expired"] = True
                if info.get("expired"):
                    info = None
        if info is None:
            self.send_json(401, {"error": {"code": 401, "message": "Request had invalid authentication credentials.",
                                           "errors": [{"domain": "global", "reason": "authError"}]}},
                           {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'})
            return True
        return None

    # ---- dispatch ----
    def do_GET(self):
        path, q = self.split()
        if path == "/_state":
            with ST.lock:
                return self.send_json(200, ST.snapshot())
        if path == "/o/oauth2/v2/auth":
            return self.authorize(q)
        if path == "/youtube/v3/videos":
            if self.bearer():
                return
            charge("list")
            parts = [p for p in q.get("part", "").split(",") if p]
            if not parts:
                return self.send_json(*yt_error(400, "missingRequiredParameter", "No filter selected. Expected one of: part"))
            with ST.lock:
                items = [dict({"kind": v["kind"], "id": v["id"]},
                              **{p: v[p] for p in parts if p in v})
                         for k, v in ST.videos.items() if k in q.get("id", "").split(",")]
            return self.send_json(200, {"kind": "youtube#videoListResponse", "items": items})
        if path == "/youtube/v3/captions":
            if self.bearer():
                return
            charge("list")
            with ST.lock:
                ST.log.append({"list": "captions", "videoId": q.get("videoId")})
                items = [{"kind": "youtube#caption", "id": c["id"],
                          "snippet": {"videoId": c["videoId"], "language": c["language"],
                                      "name": c["name"]}}
                         for c in ST.captions if c["videoId"] == q.get("videoId")]
            return self.send_json(200, {"kind": "youtube#captionListResponse", "items": items})
        if path == "/youtube/v3/playlistItems":
            if self.bearer():
                return
            with ST.lock:
                ST.log.append({"list": "playlistItems", "playlistId": q.get("playlistId")})
                items = [{"kind": "youtube#playlistItem", "id": p["id"],
                          "snippet": {"playlistId": p["playlistId"],
                                      "resourceId": {"kind": "youtube#video", "videoId": p["videoId"]}}}
                         for p in ST.playlist_items if p["playlistId"] == q.get("playlistId")
                         and q.get("videoId") in (None, p["videoId"])]
            return self.send_json(200, {"kind": "youtube#playlistItemListResponse", "items": items})
        self.send_json(404, {"error": "not found"})

    def do_POST(self):
        path, q = self.split()
        if path == "/_faults":
            body = json.loads(self.read_body() or b"{}")
            with ST.lock:
                ST.faults.update(body)
            return self.send_json(200, ST.faults)
        if path == "/token":
            return self.token()
        if path == "/revoke":
            body = parse_qs(self.read_body().decode())
            tok = (body.get("token") or [q.get("token")])[0]
            with ST.lock:
                ST.refresh.pop(tok, None)
                ST.access.pop(tok, None)
                ST.revoked.append(tok)
            return self.send_json(200, {})
        if path == "/upload/youtube/v3/videos":
            return self.insert(q)
        if path == "/upload/youtube/v3/captions":
            return self.caption(q)
        if path == "/upload/youtube/v3/thumbnails/set":
            return self.thumbnail(q)
        if path == "/youtube/v3/playlistItems":
            return self.playlist_item(q)
        self.drain()
        self.send_json(404, {"error": "not found"})

    def do_PUT(self):
        path, q = self.split()
        if path == "/upload/youtube/v3/videos" and "upload_id" in q:
            return self.put(q["upload_id"])
        if path == "/youtube/v3/videos":
            return self.update(q)
        if path == "/upload/youtube/v3/captions":
            return self.caption_update(q)
        self.drain()
        self.send_json(404, {"error": "not found"})

    def do_DELETE(self):
        path, q = self.split()
        self.drain()
        if path == "/youtube/v3/captions":
            if self.bearer():
                return
            with ST.lock:
                e = self.quota("all")
                c = next((c for c in ST.captions if c["id"] == q.get("id")), None)
                if e is None and c is not None:
                    ST.captions.remove(c)
                    ST.caption_log.append({"delete": c["id"], "language": c["language"]})
            charge("captions.delete", e is None and c is not None)
            if e:
                return self.send_json(*e)
            if c is None:
                return self.send_json(*yt_error(404, "captionNotFound", "The caption track could not be found."))
            return self.send_empty(204)
        self.send_json(404, {"error": "not found"})

    # ---- OAuth ----
    def authorize(self, q):
        need = ["client_id", "redirect_uri", "response_type", "scope", "code_challenge",
                "code_challenge_method", "state"]
        missing = [k for k in need if not q.get(k)]
        if missing or q["response_type"] != "code" or q["code_challenge_method"] != "S256":
            return self.send_json(400, {"error": "invalid_request", "missing": missing})
        # Desktop clients: any loopback port; Web clients: only the exact
        # redirect URIs registered for the client (fault "redirect_uris").
        if not (q["redirect_uri"].startswith("http://127.0.0.1:") or
                q["redirect_uri"] in ST.faults.get("redirect_uris", [])):
            return self.send_json(400, {"error": "redirect_uri_mismatch"})
        sep = "&" if "?" in q["redirect_uri"] else "?"
        if ST.faults.get("deny"):
            loc = q["redirect_uri"] + sep + urlencode({"error": "access_denied", "state": q["state"]})
        else:
            code = "code-" + secrets.token_urlsafe(12)
            with ST.lock:
                ST.codes[code] = {"client_id": q["client_id"], "redirect_uri": q["redirect_uri"],
                                  "challenge": q["code_challenge"], "scope": q["scope"],
                                  "channel": ST.next_channel}
                ST.next_channel += 1
            state = ST.faults.get("wrong_state") or q["state"]
            loc = q["redirect_uri"] + sep + urlencode({"state": state, "code": code, "scope": q["scope"]})
        self.send_response(302)
        self.send_header("Location", loc)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def issue(self, client_id, scope, with_refresh, channel=1):
        tok = "ya29." + secrets.token_urlsafe(24)
        out = {"access_token": tok, "expires_in": int(ST.faults.get("expires_in", 3599)),
               "scope": scope, "token_type": "Bearer"}
        ST.access[tok] = {"calls": 0, "channel": channel}
        if with_refresh:
            rt = "1//" + secrets.token_urlsafe(24)
            ST.refresh[rt] = {"client_id": client_id, "scope": scope, "channel": channel}
            out["refresh_token"] = rt
        return out

    def token(self):
        f = {k: v[0] for k, v in parse_qs(self.read_body().decode()).items()}
        gt = f.get("grant_type")
        with ST.lock:
            ST.token_requests.append({"grant_type": gt, "has_secret": bool(f.get("client_secret")),
                                      "has_verifier": bool(f.get("code_verifier"))})
            if not f.get("client_id"):
                return self.send_json(400, {"error": "invalid_request", "error_description": "client_id missing"})
            if not f.get("client_secret"):
                return self.send_json(400, {"error": "invalid_request", "error_description": "client_secret is missing."})
            if gt == "authorization_code" and ST.faults.get("token_error"):
                return self.send_json(401, {"error": ST.faults["token_error"],
                                            "error_description": "The OAuth client was not found."})
            if gt == "authorization_code":
                c = ST.codes.pop(f.get("code"), None)
                if c is None:
                    return self.send_json(400, {"error": "invalid_grant", "error_description": "Malformed auth code."})
                if c["redirect_uri"] != f.get("redirect_uri"):
                    return self.send_json(400, {"error": "redirect_uri_mismatch", "error_description": "Bad Request"})
                v = f.get("code_verifier", "")
                ch = base64.urlsafe_b64encode(hashlib.sha256(v.encode()).digest()).rstrip(b"=").decode()
                if ch != c["challenge"]:
                    return self.send_json(400, {"error": "invalid_grant", "error_description": "Invalid code verifier."})
                return self.send_json(200, self.issue(f["client_id"], c["scope"], True, c["channel"]))
            if gt == "refresh_token":
                r = ST.refresh.get(f.get("refresh_token"))
                if r is None or ST.faults.get("invalid_grant"):
                    return self.send_json(400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
                return self.send_json(200, self.issue(f["client_id"], r["scope"], False,
                                                      r.get("channel", 1)))
        self.send_json(400, {"error": "unsupported_grant_type"})

    # ---- YouTube ----
    def quota(self, call):
        q = ST.faults.get("quota")
        if q == "all" or q == call:
            return yt_error(403, "quotaExceeded", "The request cannot be completed because you have exceeded your quota.")
        return None

    def insert(self, q):
        body = self.read_body()
        if self.bearer():
            return
        if q.get("uploadType") != "resumable":
            return self.send_json(*yt_error(400, "mediaBodyRequired", "resumable only in this fake"))
        charge("videos.insert")
        with ST.lock:
            ST.insert_count += 1
            e = self.quota("insert")
            if e is None and ST.faults.get("upload_limit"):
                e = yt_error(400, "uploadLimitExceeded", "The user has exceeded the number of videos they may upload.")
        if e:
            return self.send_json(*e)
        try:
            meta = json.loads(body)
        except ValueError:
            return self.send_json(*yt_error(400, "parseError", "Parse Error"))
        sn = meta.get("snippet") or {}
        title = sn.get("title", "")
        if not title or len(title) > 100 or "<" in title or ">" in title:
            return self.send_json(*yt_error(400, "invalidTitle", "The request metadata specifies an invalid or empty video title."))
        desc = sn.get("description", "")
        if len(desc.encode()) > 5000 or "<" in desc or ">" in desc:
            return self.send_json(*yt_error(400, "invalidDescription", "The request metadata specifies an invalid video description."))
        if "categoryId" in sn and not isinstance(sn["categoryId"], str):
            return self.send_json(*yt_error(400, "invalidCategoryId", "categoryId must be a string"))
        total = self.headers.get("X-Upload-Content-Length")
        if total is None or not self.headers.get("X-Upload-Content-Type", "").startswith("video/"):
            return self.send_json(*yt_error(400, "badRequest", "X-Upload-Content-Length and X-Upload-Content-Type required"))
        uid = secrets.token_urlsafe(16)
        path = os.path.join(ST.store_dir, "upload-" + uid)
        open(path, "wb").close()
        h = self.headers.get("Authorization", "")
        with ST.lock:
            ch = (ST.access.get(h[7:]) or {}).get("channel", 1)
            ST.sessions[uid] = {"total": int(total), "received": 0, "meta": meta, "path": path,
                                "done": False, "video_id": None, "expired": False, "channel": ch}
        host = self.headers.get("Host")
        loc = "http://%s/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status&upload_id=%s" % (host, uid)
        self.send_empty(200, {"Location": loc, "X-GUploader-UploadID": uid})

    def range_hdr(self, s):
        return {"Range": "bytes=0-%d" % (s["received"] - 1)} if s["received"] > 0 else {}

    def put(self, uid):
        with ST.lock:
            ST.put_count += 1
            n = ST.put_count
            s = ST.sessions.get(uid)
            fail = n in ST.faults.get("fail_put", [])
            rl = n in ST.faults.get("ratelimit_put", [])
            if s is not None and ST.faults.get("expire_session") and not s["expired"] and not s["done"]:
                s["expired"] = True
        if s is None or s["expired"]:
            self.drain()
            return self.send_json(404, {"error": {"code": 404, "message": "upload session not found"}})
        if self.bearer_optional_fail():
            return
        if fail:
            self.drain()
            return self.send_json(*yt_error(503, "backendError", "Backend Error"))
        if rl:
            self.drain()
            return self.send_json(*yt_error(429, "rateLimitExceeded", "Too many requests"), extra={"Retry-After": "1"})
        if ST.faults.get("put_delay"):
            time.sleep(float(ST.faults["put_delay"]))
        cr = self.headers.get("Content-Range", "")
        length = int(self.headers.get("Content-Length") or 0)
        if not cr.startswith("bytes "):
            self.drain()
            return self.send_json(400, {"error": "Content-Range required"})
        spec, _, tot = cr[6:].partition("/")
        if spec == "*":
            self.drain()
            ST.log.append({"put": n, "status_query": True, "received": s["received"]})
            if s["done"]:
                return self.send_json(200, ST.videos[s["video_id"]])
            return self.send_empty(308, self.range_hdr(s))
        if s["done"]:
            self.drain()
            return self.send_json(200, ST.videos[s["video_id"]])
        a, _, b = spec.partition("-")
        a, b, tot = int(a), int(b), int(tot)
        if tot != s["total"] or b - a + 1 != length or a != s["received"]:
            self.drain()
            ST.log.append({"put": n, "bad_range": cr, "received": s["received"]})
            return self.send_json(400, {"error": "bad Content-Range %s (have %d)" % (cr, s["received"])})
        final = b + 1 == tot
        if not final and ST.faults.get("chunk_check", True) and length % UNIT != 0:
            self.drain()
            return self.send_json(400, {"error": "chunk size must be a multiple of 262144"})
        drops = sorted(d for d in ST.faults.get("drop_at", []) if a <= d <= b)
        ST.log.append({"put": n, "range": cr, "upload_id": uid})
        with open(s["path"], "r+b") as f:
            f.seek(a)
            got = 0
            while got < length:
                want = min(1 << 20, length - got)
                if drops and a + got + want > drops[0]:
                    want = drops[0] - (a + got)
                    if want == 0:
                        # drop here: keep whole units only, then cut the line
                        keep = ((a + got) // UNIT) * UNIT
                        f.truncate(keep)
                        with ST.lock:
                            s["received"] = keep
                            ST.faults["drop_at"] = [d for d in ST.faults["drop_at"] if d != drops[0]]
                            ST.log.append({"dropped_at": a + got, "kept": keep})
                        self.close_connection = True
                        try:
                            self.connection.shutdown(socket.SHUT_RDWR)
                        except OSError:
                            pass
                        return
                buf = self.rfile.read(want)
                if not buf:
                    f.truncate(((a + got) // UNIT) * UNIT)
                    with ST.lock:
                        s["received"] = ((a + got) // UNIT) * UNIT
                    return
                f.write(buf)
                got += len(buf)
        with ST.lock:
            s["received"] = b + 1
            if not final:
                return self.send_empty(308, self.range_hdr(s))
            vid = "vid" + secrets.token_hex(5)
            h = hashlib.sha256()
            with open(s["path"], "rb") as f:
                for blk in iter(lambda: f.read(1 << 20), b""):
                    h.update(blk)
            meta = s["meta"]
            st = dict(meta.get("status") or {})
            st["uploadStatus"] = "uploaded"
            st.setdefault("privacyStatus", "private")
            sn = dict(meta.get("snippet") or {})
            sn["channelId"] = "UCfakechannel%04d" % s.get("channel", 1)   # the signed-in account's
            v = {"kind": "youtube#video", "id": vid, "snippet": sn, "status": st,
                 "size": s["total"], "sha256": h.hexdigest(), "upload_id": uid}
            ST.videos[vid] = v
            s["done"] = True
            s["video_id"] = vid
        return self.send_json(200, v)

    def bearer_optional_fail(self):
        # the session URI is the credential; a bearer, if sent, must be valid
        if self.headers.get("Authorization"):
            return self.bearer()
        return None

    def parse_related(self, body):
        ct = self.headers.get("Content-Type", "")
        if not ct.startswith("multipart/related"):
            return None
        bnd = None
        for p in ct.split(";"):
            p = p.strip()
            if p.startswith("boundary="):
                bnd = p[9:].strip('"')
        if not bnd:
            return None
        parts = []
        for chunk in body.split(b"--" + bnd.encode())[1:]:
            if chunk.startswith(b"--"):
                break
            head, _, data = chunk.lstrip(b"\r\n").partition(b"\r\n\r\n")
            if data.endswith(b"\r\n"):
                data = data[:-2]
            parts.append((head.decode(errors="replace"), data))
        return parts

    def caption(self, q):
        body = self.read_body()
        if self.bearer():
            return
        with ST.lock:
            e = self.quota("all")
        if e:
            return self.send_json(*e)
        parts = self.parse_related(body)
        if not parts or len(parts) != 2:
            return self.send_json(400, {"error": "multipart/related with 2 parts required"})
        meta = json.loads(parts[0][1])
        sn = meta.get("snippet") or {}
        if sn.get("videoId") not in ST.videos:
            return self.send_json(*yt_error(404, "videoNotFound", "video not found"))
        cid = "cap" + secrets.token_hex(4)
        charge("captions.insert")
        with ST.lock:
            ST.captions.append({"id": cid, "videoId": sn["videoId"], "language": sn.get("language"),
                                "name": sn.get("name"), "bytes": len(parts[1][1]),
                                "sha256": hashlib.sha256(parts[1][1]).hexdigest()})
            ST.caption_log.append({"insert": cid, "language": sn.get("language")})
        self.send_json(200, {"kind": "youtube#caption", "id": cid, "snippet": sn})

    def thumbnail(self, q):
        body = self.read_body()
        if self.bearer():
            return
        if q.get("videoId") not in ST.videos:
            return self.send_json(*yt_error(404, "videoNotFound", "video not found"))
        if len(body) > 2 * 1024 * 1024:
            return self.send_json(400, {"error": "too large"})
        if ST.faults.get("no_custom_thumbnails"):
            return self.send_json(*yt_error(403, "forbidden", "custom thumbnails not allowed"))
        charge("thumbnails.set")
        with ST.lock:
            ST.thumbnails.append({"videoId": q["videoId"], "bytes": len(body),
                                  "content_type": self.headers.get("Content-Type")})
            ST.thumbnail_current[q["videoId"]] = {"bytes": len(body),
                                                  "sha256": hashlib.sha256(body).hexdigest()}
        self.send_json(200, {"kind": "youtube#thumbnailSetResponse", "items": [{"default": {"url": "x"}}]})

    def update(self, q):
        """videos.update: the snippet sent replaces the stored one whole."""
        body = self.read_body()
        if self.bearer():
            return
        parts = [p for p in q.get("part", "").split(",") if p]
        with ST.lock:
            ST.update_count += 1
            e = self.quota("update") or self.quota("all")
        if e:
            charge("videos.update", False)
            return self.send_json(*e)
        try:
            meta = json.loads(body)
            vid = meta["id"]
        except (ValueError, KeyError, TypeError):
            charge("videos.update", False)
            return self.send_json(*yt_error(400, "parseError", "Parse Error"))
        if "snippet" not in parts:
            charge("videos.update", False)
            return self.send_json(*yt_error(400, "invalidPart", "part must name snippet"))
        with ST.lock:
            v = ST.videos.get(vid)
        if v is None:
            charge("videos.update", False)
            return self.send_json(*yt_error(404, "videoNotFound", "The video that you are trying to update cannot be found."))
        sn = meta.get("snippet")
        bad = None
        if not isinstance(sn, dict):
            bad = yt_error(400, "invalidRequest", "snippet required")
        elif not sn.get("title") or len(sn["title"]) > 100 or "<" in sn["title"] or ">" in sn["title"]:
            bad = yt_error(400, "invalidTitle", "The request metadata specifies an invalid or empty video title.")
        elif not isinstance(sn.get("categoryId"), str) or not sn["categoryId"]:
            bad = yt_error(400, "invalidCategoryId", "The snippet.categoryId property specifies an invalid category ID. Use the videoCategories.list method to retrieve supported categories.")
        elif len(sn.get("description", "").encode()) > 5000 or "<" in sn.get("description", "") \
                or ">" in sn.get("description", ""):
            bad = yt_error(400, "invalidDescription", "The request metadata specifies an invalid video description.")
        elif sum(len(t) + (2 if " " in t else 0) for t in sn.get("tags", [])) + \
                max(0, len(sn.get("tags", [])) - 1) > 500:
            bad = yt_error(400, "invalidTags", "The request metadata specifies invalid video keywords.")
        if bad:
            charge("videos.update", False)
            return self.send_json(*bad)
        charge("videos.update")
        with ST.lock:
            v["snippet"] = dict(sn)   # whole: what was left out is gone
            if "status" in parts and isinstance(meta.get("status"), dict):
                st = dict(meta["status"])
                st["uploadStatus"] = v["status"].get("uploadStatus", "uploaded")
                v["status"] = st
            ST.log.append({"update": vid, "parts": parts})
            out = dict({"kind": v["kind"], "id": vid}, **{p: v[p] for p in parts if p in v})
        return self.send_json(200, out)

    def caption_update(self, q):
        """captions.update: a new track for an existing caption id."""
        body = self.read_body()
        if self.bearer():
            return
        with ST.lock:
            e = self.quota("all")
        if e:
            charge("captions.update", False)
            return self.send_json(*e)
        parts = self.parse_related(body)
        if not parts or len(parts) != 2:
            charge("captions.update", False)
            return self.send_json(400, {"error": "multipart/related with 2 parts required"})
        try:
            meta = json.loads(parts[0][1])
            cid = meta["id"]
        except (ValueError, KeyError, TypeError):
            charge("captions.update", False)
            return self.send_json(*yt_error(400, "parseError", "Parse Error"))
        with ST.lock:
            c = next((c for c in ST.captions if c["id"] == cid), None)
            if c is not None:
                sn = meta.get("snippet") or {}
                c["bytes"] = len(parts[1][1])
                c["sha256"] = hashlib.sha256(parts[1][1]).hexdigest()
                if "name" in sn:
                    c["name"] = sn["name"]
                ST.caption_log.append({"update": cid, "language": c["language"]})
                out = {"kind": "youtube#caption", "id": cid,
                       "snippet": {"videoId": c["videoId"], "language": c["language"], "name": c["name"]}}
        charge("captions.update", c is not None)
        if c is None:
            return self.send_json(*yt_error(404, "captionNotFound", "The caption track could not be found."))
        self.send_json(200, out)

    def playlist_item(self, q):
        body = self.read_body()
        if self.bearer():
            return
        try:
            sn = json.loads(body)["snippet"]
            vid = sn["resourceId"]["videoId"]
            pl = sn["playlistId"]
        except (ValueError, KeyError, TypeError):
            return self.send_json(400, {"error": "bad playlistItem"})
        if vid not in ST.videos:
            return self.send_json(*yt_error(404, "videoNotFound", "video not found"))
        pid = "pli" + secrets.token_hex(4)
        charge("playlistItems.insert")
        with ST.lock:
            ST.playlist_items.append({"id": pid, "playlistId": pl, "videoId": vid})
        self.send_json(200, {"kind": "youtube#playlistItem", "id": pid, "snippet": sn})


def main():
    global ST
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--store-dir")
    ap.add_argument("--fault", action="append", default=[], help="key=json")
    a = ap.parse_args()
    store = a.store_dir or "/tmp/zpub-fake-google-%d" % os.getpid()
    os.makedirs(store, exist_ok=True)
    ST = State(store)
    for f in a.fault:
        k, _, v = f.partition("=")
        ST.faults[k] = json.loads(v)
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), H)
    srv.daemon_threads = True
    port = srv.server_address[1]
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as fp:
            fp.write(str(port))
        os.rename(a.port_file + ".tmp", a.port_file)
    print("PORT", port, flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
