#!/usr/bin/env python3
"""fake_vk.py — VK API, VK ID OAuth and VK's video upload host on 127.0.0.1,
following the API contracts.  Two ports: the API/OAuth server (printed as
PORT, written to --port-file) and the upload host (UPLOAD_PORT, in
--port-file + ".upload"), because VK uploads go to another host.

API server:
  GET  /authorize        VK ID: 302 to redirect_uri?code&state&device_id (PKCE S256)
  POST /oauth2/auth      grant_type=authorization_code | refresh_token (rotates)
  POST /method/video.save, video.addToAlbum, video.get, video.delete, video.edit
       form fields, v=5.199 required, access_token (or Bearer); errors come as
       HTTP 200 {"error":{"error_code","error_msg","request_params"}}; user
       tokens only (group_token: error 27, as VK answers community tokens)
       video.get: owner_id (default: the user), count 0..200 (default 100),
       offset; newest first -> {"response":{"count","items":[video]}}.  A
       video object as VK's schema has it (VKCOM/vk-api-schema video_video):
       id, owner_id, title, description, duration, date, adding_date, views,
       comments, player, can_edit, can_delete...; an entry that never got its
       bytes has duration 0, "processing": 1 and no "files" or "image".
       video.delete: video_id (required), owner_id -> {"response":1}; a video
       that is not there -> error 15 (access denied), as for another's video.
       video.edit: owner_id (default: the user), video_id (required), name,
       desc, privacy_view, privacy_comment, no_comments, repeat -> {"response":1};
       only the parameters given change (name <= 128, desc <= 5000, else
       error 100); a video that is not there -> error 15 (access denied).
       Each edit is logged in "edits".
  GET  /_state, POST /_faults  (tests)
Upload host:
  POST /upload.php?...   multipart, field video_file -> {video_hash,size,...}

An album holds a video once: adding it again answers error 800 ("This video
is already added"), as VK does.
Faults: errors: {"video.save": [14, 6], "video.addToAlbum": [5]} — each call
pops the next code and answers that error; group_token: true (video.save ->
27); upload_error: "text" once; upload_500: n (next n uploads answer 500);
drop_upload: n (next n uploads are cut off mid-body); deny: true;
clock_skew_s: n (VK's clock runs n seconds ahead of ours);
invalid_grant: true; static_token: "tok" is always accepted.
"""
import argparse, base64, hashlib, json, os, secrets, socket, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.faults = {}
        self.codes = {}
        self.access = {}
        self.refresh = {}
        self.videos = {}      # "owner_vid" -> {...}
        self.deleted = []     # what video.delete removed, for the tests
        self.album_adds = []
        self.edits = []
        self.calls = {}
        self.uploads = 0
        self.next_vid = 456000
        self.upload_port = 0
        self.token_requests = []

    def snapshot(self):
        return {"videos": list(self.videos.values()), "deleted": self.deleted,
                "album_adds": self.album_adds, "edits": self.edits,
                "calls": self.calls, "uploads": self.uploads,
                "token_requests": self.token_requests}


ST = State()


def video_object(v):
    """A stored video as video.get shows it (VK schema video_video_full)."""
    key = "%d_%d" % (v["owner_id"], v["video_id"])
    o = {"id": v["video_id"], "owner_id": v["owner_id"], "title": v["name"],
         "description": v["description"], "date": v["date"], "adding_date": v["date"],
         "views": 0, "comments": 0, "can_edit": 1, "can_delete": 1, "can_add": 1,
         "is_private": 0, "type": "video", "response_type": "full",
         "player": "https://vk.com/video_ext.php?oid=%d&id=%d&hash=ab12" % (v["owner_id"], v["video_id"])}
    if v["uploaded"]:
        # the fake does not decode the file: about 1 Mbit/s, at least 1 s
        o["duration"] = max(1, v["size"] // 125000)
        o["width"], o["height"] = 640, 360
        o["image"] = [{"url": "https://sun9-1.userapi.com/%s.jpg" % key, "width": 320, "height": 180}]
        o["files"] = {"mp4_360": "https://vkvd1.mycdn.me/%s_360.mp4" % key}
    else:
        o["duration"] = 0
        o["processing"] = 1
    return o


def int_param(f, key, lo, hi, default=None):
    """f[key] as an int in [lo, hi]; default when absent; None when bad."""
    if key not in f or f[key] == "":
        return default
    try:
        n = int(f[key])
    except ValueError:
        return None
    return n if lo <= n <= hi else None


def vk_error(code, msg, params=None, extra=None):
    e = {"error_code": code, "error_msg": msg, "request_params": params or []}
    e.update(extra or {})
    return {"error": e}


class Base(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send_raw(self, code, data, ctype="application/json; charset=utf-8", extra=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def send_json(self, code, obj, escape_slashes=False):
        s = json.dumps(obj, ensure_ascii=False)
        if escape_slashes:
            s = s.replace("/", "\\/")
        self.send_raw(code, s.encode())

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        data = b""
        while len(data) < n:
            b = self.rfile.read(min(1 << 20, n - len(data)))
            if not b:
                break
            data += b
        return data


class Api(Base):
    def do_GET(self):
        u = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        if u.path == "/_state":
            with ST.lock:
                return self.send_json(200, ST.snapshot())
        if u.path == "/authorize":
            need = ["client_id", "redirect_uri", "state", "code_challenge"]
            if any(not q.get(k) for k in need) or q.get("code_challenge_method") != "S256" \
                    or q.get("response_type") != "code":
                return self.send_json(400, {"error": "invalid_request"})
            # loopback, or an address registered for the app (fault "redirect_uris")
            if not (q["redirect_uri"].startswith("http://127.0.0.1:") or
                    q["redirect_uri"] in ST.faults.get("redirect_uris", [])):
                return self.send_json(400, {"error": "invalid_redirect_uri"})
            if ST.faults.get("deny"):
                loc = q["redirect_uri"] + "?" + urlencode({"error": "access_denied", "state": q["state"]})
            else:
                code = "vkc-" + secrets.token_urlsafe(10)
                dev = "dev-" + secrets.token_hex(6)
                with ST.lock:
                    ST.codes[code] = dict(q, device_id=dev)
                loc = q["redirect_uri"] + "?" + urlencode({"code": code, "state": q["state"],
                                                           "device_id": dev, "type": "code_v2"})
            self.send_response(302)
            self.send_header("Location", loc)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_json(404, {"error": "not found"})

    def issue(self, user_id, dev):
        tok = "vk1.a." + secrets.token_urlsafe(20)
        rt = "vk1.r." + secrets.token_urlsafe(20)
        ST.access[tok] = user_id
        ST.refresh[rt] = {"user_id": user_id, "device_id": dev}
        return {"access_token": tok, "refresh_token": rt, "expires_in": 3600,
                "user_id": user_id, "token_type": "Bearer", "scope": "video"}

    def token(self):
        f = {k: v[0] for k, v in parse_qs(self.read_body().decode()).items()}
        gt = f.get("grant_type")
        with ST.lock:
            ST.token_requests.append({"grant_type": gt, "has_device_id": bool(f.get("device_id"))})
            if gt == "authorization_code":
                c = ST.codes.pop(f.get("code"), None)
                if c is None:
                    return self.send_json(400, {"error": "invalid_grant", "error_description": "code is invalid"})
                v = f.get("code_verifier", "")
                ch = base64.urlsafe_b64encode(hashlib.sha256(v.encode()).digest()).rstrip(b"=").decode()
                if ch != c["code_challenge"] or f.get("device_id") != c["device_id"] \
                        or f.get("redirect_uri") != c["redirect_uri"]:
                    return self.send_json(400, {"error": "invalid_grant", "error_description": "verification failed"})
                return self.send_json(200, self.issue(1234567, c["device_id"]))
            if gt == "refresh_token":
                r = ST.refresh.pop(f.get("refresh_token"), None)   # rotation: old one dies
                if r is None or ST.faults.get("invalid_grant"):
                    return self.send_json(400, {"error": "invalid_grant", "error_description": "refresh token is invalid"})
                return self.send_json(200, self.issue(r["user_id"], r["device_id"]))
        self.send_json(400, {"error": "unsupported_grant_type"})

    def do_POST(self):
        u = urlsplit(self.path)
        if u.path == "/_faults":
            with ST.lock:
                ST.faults.update(json.loads(self.read_body() or b"{}"))
                return self.send_json(200, ST.faults)
        if u.path == "/oauth2/auth":
            return self.token()
        if not u.path.startswith("/method/"):
            self.read_body()
            return self.send_json(404, {"error": "not found"})
        method = u.path[len("/method/"):]
        ct = self.headers.get("Content-Type", "")
        raw = self.read_body()
        if ct.startswith("application/json"):
            return self.send_json(200, vk_error(8, "Invalid request: JSON body is not supported"))
        f = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        f.update({k: v[0] for k, v in parse_qs(u.query).items()})
        params = [{"key": k, "value": v} for k, v in f.items() if k != "access_token"]
        with ST.lock:
            ST.calls[method] = ST.calls.get(method, 0) + 1
            tok = f.get("access_token")
            h = self.headers.get("Authorization", "")
            if not tok and h.startswith("Bearer "):
                tok = h[7:]
            if f.get("v") != "5.199":
                return self.send_json(200, vk_error(8, "Invalid request: v is required", params))
            user = ST.access.get(tok)
            if user is None and tok and tok == ST.faults.get("static_token"):
                user = 1234567
            if user is None:
                return self.send_json(200, vk_error(5, "User authorization failed: invalid access_token (4).", params))
            queue = ST.faults.get("errors", {}).get(method) or []
            if queue:
                code = queue.pop(0)
                extra = {"captcha_sid": "5551234", "captcha_img": "https://api.vk.com/captcha.php?sid=5551234"} if code == 14 else None
                msgs = {5: "User authorization failed", 6: "Too many requests per second", 9: "Flood control",
                        10: "Internal server error", 14: "Captcha needed", 15: "Access denied"}
                if code == 5:
                    ST.access.pop(tok, None)
                return self.send_json(200, vk_error(code, msgs.get(code, "Error"), params, extra))
            if method == "video.save":
                if ST.faults.get("group_token"):
                    return self.send_json(200, vk_error(27, "Group authorization failed: method is unavailable with group auth.", params))
                name = f.get("name", "")
                if len(name) > 128 or len(f.get("description", "")) > 5000:
                    return self.send_json(200, vk_error(100, "One of the parameters specified was missing or invalid", params))
                gid = f.get("group_id")
                owner = -int(gid) if gid else user
                ST.next_vid += 1
                vid = ST.next_vid
                key = "%d_%d" % (owner, vid)
                ST.videos[key] = {"owner_id": owner, "video_id": vid, "name": name,
                                  "date": int(time.time()) + int(ST.faults.get("clock_skew_s", 0)),
                                  "description": f.get("description", ""), "group_id": gid,
                                  "privacy_view": f.get("privacy_view"), "wallpost": f.get("wallpost"),
                                  "uploaded": False, "size": 0, "sha256": None, "uploads": 0}
                up = "http://127.0.0.1:%d/upload.php?act=add_video&oid=%d&vid=%d&hash=%s" % (
                    ST.upload_port, owner, vid, secrets.token_hex(8))
                return self.send_json(200, {"response": {"upload_url": up, "video_id": vid, "owner_id": owner,
                                                         "title": name, "description": f.get("description", ""),
                                                         "access_key": secrets.token_hex(6)}},
                                      escape_slashes=True)
            if method == "video.addToAlbum":
                key = "%s_%s" % (f.get("owner_id"), f.get("video_id"))
                if key not in ST.videos or not f.get("album_id") or not f.get("target_id"):
                    return self.send_json(200, vk_error(100, "One of the parameters specified was missing or invalid", params))
                if any(a["video"] == key and a["album_id"] == f["album_id"] and a["target_id"] == f["target_id"]
                       for a in ST.album_adds):
                    return self.send_json(200, vk_error(800, "This video is already added", params))
                ST.album_adds.append({"target_id": f["target_id"], "album_id": f["album_id"], "video": key})
                return self.send_json(200, {"response": 1})
            bad = vk_error(100, "One of the parameters specified was missing or invalid", params)
            if method in ("video.get", "video.delete") and ST.faults.get("group_token"):
                return self.send_json(200, vk_error(27, "Group authorization failed: method is unavailable with group auth.", params))
            if method == "video.get":
                owner = int_param(f, "owner_id", -(1 << 53), 1 << 53, user)
                count = int_param(f, "count", 0, 200, 100)
                offset = int_param(f, "offset", 0, 1 << 31, 0)
                if owner is None or owner == 0 or count is None or offset is None or f.get("videos"):
                    return self.send_json(200, bad)
                mine = sorted((v for v in ST.videos.values() if v["owner_id"] == owner),
                              key=lambda v: (v["date"], v["video_id"]), reverse=True)
                items = [video_object(v) for v in mine[offset:offset + count]]
                return self.send_json(200, {"response": {"count": len(mine), "items": items}},
                                      escape_slashes=True)
            if method == "video.delete":
                vid = int_param(f, "video_id", 1, 1 << 53)
                owner = int_param(f, "owner_id", -(1 << 53), 1 << 53, user)
                if vid is None or owner is None or owner == 0:
                    return self.send_json(200, bad)
                key = "%d_%d" % (owner, vid)
                if key not in ST.videos:
                    return self.send_json(200, vk_error(15, "Access denied: video not found", params))
                ST.deleted.append(ST.videos.pop(key))
                ST.album_adds = [a for a in ST.album_adds if a["video"] != key]
                return self.send_json(200, {"response": 1})
            if method == "video.edit":
                vid = int_param(f, "video_id", 1, 1 << 53)
                owner = int_param(f, "owner_id", -(1 << 53), 1 << 53, user)
                if vid is None or owner is None or owner == 0 or len(f.get("name", "")) > 128 \
                        or len(f.get("desc", "")) > 5000:
                    return self.send_json(200, bad)
                key = "%d_%d" % (owner, vid)
                v = ST.videos.get(key)
                if v is None:
                    return self.send_json(200, vk_error(15, "Access denied: video not found", params))
                if "name" in f:
                    v["name"] = f["name"]
                if "desc" in f:
                    v["description"] = f["desc"]
                for k in ("privacy_view", "privacy_comment", "no_comments", "repeat"):
                    if k in f:
                        v[k] = f[k]
                ST.edits.append({"video": key, "params": {k: f[k] for k in f if k != "access_token"}})
                return self.send_json(200, {"response": 1})
        self.send_json(200, vk_error(3, "Unknown method passed", params))


class Upload(Base):
    def do_POST(self):
        u = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        key = "%s_%s" % (q.get("oid"), q.get("vid"))
        with ST.lock:
            ST.uploads += 1
            drop = ST.faults.get("drop_upload", 0)
            if drop:
                ST.faults["drop_upload"] = drop - 1
            fail500 = ST.faults.get("upload_500", 0)
            if fail500:
                ST.faults["upload_500"] = fail500 - 1
            uerr = ST.faults.pop("upload_error", None)
        if drop:
            n = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(min(n // 2, 1 << 20))
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        body = self.read_body()
        if fail500:
            return self.send_raw(500, b"<html>Internal Server Error</html>", "text/html")
        if uerr:
            return self.send_json(200, {"error": uerr})
        if key not in ST.videos:
            return self.send_json(200, {"error": "invalid hash"})
        ct = self.headers.get("Content-Type", "")
        bnd = ct.partition("boundary=")[2].strip('"')
        data = None
        for part in body.split(b"--" + bnd.encode())[1:]:
            head, _, payload = part.lstrip(b"\r\n").partition(b"\r\n\r\n")
            if b'name="video_file"' in head:
                data = payload[:-2] if payload.endswith(b"\r\n") else payload
        if data is None:
            return self.send_json(200, {"error": "no video_file field"})
        with ST.lock:
            v = ST.videos[key]
            v["uploaded"] = True
            v["size"] = len(data)
            v["sha256"] = hashlib.sha256(data).hexdigest()
            v["uploads"] += 1
        self.send_json(200, {"video_hash": secrets.token_hex(8), "size": len(data),
                             "direct_link": "https://vk.com/video%s" % key,
                             "owner_id": v["owner_id"], "video_id": v["video_id"]}, escape_slashes=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file")
    ap.add_argument("--fault", action="append", default=[])
    a = ap.parse_args()
    for f in a.fault:
        k, _, v = f.partition("=")
        ST.faults[k] = json.loads(v)
    api = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    up = ThreadingHTTPServer(("127.0.0.1", 0), Upload)
    api.daemon_threads = up.daemon_threads = True
    ST.upload_port = up.server_address[1]
    threading.Thread(target=up.serve_forever, daemon=True).start()
    port = api.server_address[1]
    if a.port_file:
        with open(a.port_file + ".upload", "w") as fp:
            fp.write(str(ST.upload_port))
        with open(a.port_file + ".tmp", "w") as fp:
            fp.write(str(port))
        os.rename(a.port_file + ".tmp", a.port_file)
    print("PORT", port, "UPLOAD_PORT", ST.upload_port, flush=True)
    try:
        api.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
