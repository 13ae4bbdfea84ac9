#!/usr/bin/env python3
"""fake_smtp.py — an SMTP server on loopback for the e2e tests (RFC 5321).

Speaks EHLO/HELO, AUTH PLAIN and AUTH LOGIN (when --user is given, MAIL is
refused before a good sign-in), MAIL FROM, RCPT TO, DATA (dot-stuffing
undone, the message ends at CRLF.CRLF), RSET, NOOP, QUIT.  Each accepted
message is one JSON line in --log: envelope sender and recipients, the
signed-in user, the raw message.  Every command line the client sent
(AUTH payloads included) goes to --transcript, so a test can prove what
did or did not cross the wire.

--fail-for S: for the first S seconds (--fail-while F: while file F exists)
--fail-mode 451 (default) answers 451 to MAIL FROM (a temporary local
error), 421 closes each connection at the greeting (service not available).  --max-size N refuses bigger messages.

    fake_smtp.py --port-file F --log L [--user U --password P]
                 [--fail-for S | --fail-while F] [--fail-mode 451|421]
                 [--transcript T]
"""
import argparse, base64, json, os, socketserver, threading, time

ap = argparse.ArgumentParser()
ap.add_argument("--port-file", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--transcript")
ap.add_argument("--user")
ap.add_argument("--password")
ap.add_argument("--fail-for", type=float, default=0)
ap.add_argument("--fail-while")
ap.add_argument("--fail-mode", choices=["451", "421"], default="451")
ap.add_argument("--max-size", type=int, default=1 << 20)
a = ap.parse_args()
start = time.time()
lock = threading.Lock()


def failing():
    if a.fail_while:
        return os.path.exists(a.fail_while)
    return time.time() - start < a.fail_for


def note(line):
    if a.transcript:
        with lock, open(a.transcript, "a") as f:
            f.write(line + "\n")


class Session(socketserver.StreamRequestHandler):
    timeout = 30

    def reply(self, text):
        note("S: " + text)
        self.wfile.write(text.encode() + b"\r\n")
        self.wfile.flush()

    def line(self):
        raw = self.rfile.readline(4096)
        if not raw:
            return None
        if not raw.endswith(b"\r\n"):
            # RFC 5321 2.3.8: lines end CRLF; a bare LF is a client error
            note("C(bad line end): " + raw.decode("utf-8", "replace"))
        s = raw.rstrip(b"\r\n").decode("utf-8", "replace")
        note("C: " + s)
        return s

    def reset(self):
        self.sender, self.rcpts = None, []

    def auth(self, arg):
        parts = arg.split(" ", 1)
        mech = parts[0].upper()
        if mech == "PLAIN":
            resp = parts[1] if len(parts) > 1 else None
            if resp is None:
                self.reply("334 ")
                resp = self.line()
            try:
                _, user, pw = base64.b64decode(resp).decode().split("\0")
            except Exception:
                return self.reply("501 5.5.2 cannot decode the response")
        elif mech == "LOGIN":
            try:
                if len(parts) > 1:
                    user = base64.b64decode(parts[1]).decode()
                else:
                    self.reply("334 " + base64.b64encode(b"Username:").decode())
                    user = base64.b64decode(self.line()).decode()
                self.reply("334 " + base64.b64encode(b"Password:").decode())
                pw = base64.b64decode(self.line()).decode()
            except Exception:
                return self.reply("501 5.5.2 cannot decode the response")
        else:
            return self.reply("504 5.5.4 mechanism not supported")
        if user == a.user and pw == a.password:
            self.user = user
            self.reply("235 2.7.0 authenticated")
        else:
            self.reply("535 5.7.8 authentication credentials invalid")

    def data(self):
        self.reply("354 end data with <CR><LF>.<CR><LF>")
        lines, size = [], 0
        while True:
            raw = self.rfile.readline(1 << 16)
            if not raw:
                return False
            if raw == b".\r\n":
                break
            if raw.startswith(b"."):
                raw = raw[1:]      # dot-stuffing (RFC 5321 4.5.2)
            size += len(raw)
            lines.append(raw)
        msg = b"".join(lines)
        if size > a.max_size:
            self.reply("552 5.3.4 message too big")
            return True
        rec = {"from": self.sender, "to": self.rcpts, "user": self.user,
               "message": msg.decode("utf-8", "replace"),
               "crlf_only": b"\n" not in msg.replace(b"\r\n", b""),
               "eight_bit": any(b >= 0x80 for b in msg)}
        with lock, open(a.log, "a") as f:
            f.write(json.dumps(rec) + "\n")
        self.reply("250 2.0.0 ok: queued")
        return True

    def handle(self):
        self.user = None
        self.reset()
        if failing() and a.fail_mode == "421":
            self.reply("421 4.3.2 fake.smtp service not available, try later")
            return
        self.reply("220 fake.smtp ESMTP ready")
        greeted = False
        while True:
            s = self.line()
            if s is None:
                return
            verb, _, arg = s.partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                greeted = True
                self.reset()
                ext = ["250-fake.smtp greets " + arg, "250-8BITMIME", "250-SIZE %d" % a.max_size]
                if a.user:
                    ext.append("250-AUTH PLAIN LOGIN")
                ext.append("250 HELP")
                for e in ext:
                    self.reply(e)
            elif verb == "HELO":
                greeted = True
                self.reset()
                self.reply("250 fake.smtp")
            elif verb == "AUTH":
                if not a.user:
                    self.reply("502 5.5.1 no AUTH here")
                elif self.user:
                    self.reply("503 5.5.1 already authenticated")
                else:
                    self.auth(arg)
            elif verb == "MAIL":
                if not greeted:
                    self.reply("503 5.5.1 EHLO first")
                elif a.user and not self.user:
                    self.reply("530 5.7.0 authentication required")
                elif failing():
                    self.reply("451 4.3.0 temporary failure, try again later")
                elif not arg.upper().startswith("FROM:<"):
                    self.reply("501 5.5.4 syntax: MAIL FROM:<address>")
                else:
                    self.reset()
                    self.sender = arg[6:].split(">", 1)[0]
                    self.reply("250 2.1.0 ok")
            elif verb == "RCPT":
                if self.sender is None:
                    self.reply("503 5.5.1 MAIL first")
                elif not arg.upper().startswith("TO:<"):
                    self.reply("501 5.5.4 syntax: RCPT TO:<address>")
                else:
                    self.rcpts.append(arg[4:].split(">", 1)[0])
                    self.reply("250 2.1.5 ok")
            elif verb == "DATA":
                if not self.rcpts:
                    self.reply("503 5.5.1 RCPT first")
                elif not self.data():
                    return
                else:
                    self.reset()
            elif verb == "RSET":
                self.reset()
                self.reply("250 2.0.0 ok")
            elif verb == "NOOP":
                self.reply("250 2.0.0 ok")
            elif verb == "QUIT":
                self.reply("221 2.0.0 bye")
                return
            else:
                self.reply("500 5.5.2 command not recognized")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


srv = Server(("127.0.0.1", 0), Session)
with open(a.port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.replace(a.port_file + ".tmp", a.port_file)
srv.serve_forever()
