#!/usr/bin/env python3
"""crash_harness.py — kill -9 zpub at random points of the pipeline, restart
it, and check after every kill that nothing is lost or corrupt.

    crash_harness.py --zpub BIN --work DIR [--seed S] [--kills N]
                     [--lectures K] [--until STATUS|auto] (--media FILE | --zoom-api URL)
                     [--budget-s SECONDS] [--min-kills N]

Rounds: a fresh data folder, K lectures imported (copies of one generated
lecture that differ in a metadata tag) or synced from a fake Zoom (then the
download stage is in the line of fire too), then `zpub run --all` is started and
SIGKILLed after a random delay (seeded), again and again until a run finishes
on its own; then the next round, until N kills have been made.  Every third
start runs two `zpub run --all` at once (only leases keep them apart) and
kills one or both.  After each kill, the next zpub start (`zpub status`)
and these invariants are checked:

  * every recording is in a status of the main flow, or FAILED with a reason;
  * every artefact the store lists exists with the recorded size and SHA-256;
  * a recording has at most one artefact of each single-file kind;
  * no temporary file sits in the folder of a recording whose stage is done
    (past the running status), and none at all once a round has finished;
  * no publication is duplicated (one per recording, platform and target)
    and a folder target holds one output per recording;
  * with --fake youtube=URL / vk=URL (tests/fakes/fake_google.py,
    fake_vk.py, whose accounts a --seed-home data folder is signed in to):
    the service itself never holds more finished videos from a round than
    the round has recordings, and exactly as many at its end, each with the
    bytes of the recording's cut video.

At the end of a round every recording must have reached STATUS (READY by
default, or the last status the wired stages reach).  Prints one line per
kill and a summary; exits 1 on the first broken invariant with the seed,
round and kill so it can be replayed exactly.
"""
import argparse
import fnmatch
import glob
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request

MAIN_FLOW = ["INITIALIZED", "DOWNLOADING", "DOWNLOADED", "PROCESSING", "PROCESSED",
             "PREPARING", "TRANSCRIBED", "UPLOADING", "READY"]
RUNNING = {"DOWNLOADING": "download", "PROCESSING": "process", "PREPARING": "transcribe",
           "UPLOADING": "publish"}
# artefact kinds that a recording has exactly one of
SINGLE = {"source", "cut_video", "time_map", "transcript", "description"}


class Broken(Exception):
    pass


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Harness:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.zpub = a.zpub
        self.kills = 0
        self.per_stage = {}
        self.starts = 0
        self.rounds = 0
        self.full_s = None
        self.auto = a.until == "auto"
        if self.auto:
            a.until = "READY"
        self.t_start = time.monotonic()
        self.self_crashes = 0
        self.known_seen = set()
        self.fakes = dict(f.split("=", 1) for f in a.fake)
        self.baseline = {}
        self.fake_state = {}
        self.orphans = 0

    def env(self, home):
        e = dict(os.environ)
        e["ZPUB_HOME"] = home
        e["NO_COLOR"] = "1"
        return e

    def zp(self, home, *args, check=True):
        r = subprocess.run([self.zpub, *args], env=self.env(home), capture_output=True,
                           text=True, timeout=600)
        if check and r.returncode != 0:
            raise Broken(f"zpub {' '.join(args)} exited {r.returncode}: {r.stderr.strip()}")
        return r

    def populate(self, home, files):
        """Creates the round's recordings: imports, or a Zoom sync from a fake."""
        if self.a.seed_home:
            shutil.copytree(self.a.seed_home, home)
            os.chmod(home, 0o700)
        for kv in self.a.config:
            k, _, v = kv.partition("=")
            self.zp(home, "config", "set", k, v)
        if self.a.zoom_api:
            z = self.a.zoom_api
            for k, v in (("api_base", z + "/v2"), ("oauth_base", z), ("client_id", "zoom-client"),
                         ("account_id", "zoom-account"), ("retry_base_ms", "100")):
                self.zp(home, "config", "set", "providers.zoom." + k, v)
            r = subprocess.run([self.zpub, "secret", "set", "zoom.client_secret"], input="zoom-secret",
                               env=self.env(home), capture_output=True, text=True, timeout=60)
            if r.returncode != 0:
                raise Broken(f"secret set: {r.stderr}")
            self.zp(home, "sync", "zoom", "--from", "2026-10-01", "--to", "2026-10-31")
            return
        for f in files:
            self.zp(home, "import", f)

    def lectures(self):
        if self.a.zoom_api:
            return []
        base = self.a.media
        out = []
        for k in range(self.a.lectures):
            p = os.path.join(self.a.work, f"lecture{k}.mp4")
            if not os.path.exists(p):
                subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", base, "-c", "copy",
                                "-metadata", f"comment=crash lecture {k}", p], check=True)
            out.append(p)
        return out

    # ---- invariants -------------------------------------------------------
    def check(self, home, where, finished=False):
        st = json.loads(self.zp(home, "status", "--json").stdout)  # this start sweeps
        recs = json.loads(self.zp(home, "list", "--json").stdout)
        if isinstance(recs, dict):
            recs = recs.get("recordings", [])
        paths_seen = {}
        for r in recs:
            rid = r["id"]
            j = json.loads(self.zp(home, "show", str(rid), "--json").stdout)
            status = j["status"]
            if status == "FAILED":
                if not (j.get("error") or j.get("detail")):
                    raise Broken(f"{where}: recording {rid} FAILED without a reason")
            elif status not in MAIN_FLOW:
                raise Broken(f"{where}: recording {rid} in status {status}")
            kinds = {}
            for art in j["artifacts"]:
                p = art["path"]
                kinds[art["kind"]] = kinds.get(art["kind"], 0) + 1
                if not os.path.exists(p):
                    raise Broken(f"{where}: recording {rid}: artefact {art['kind']} {p} is missing")
                size = os.path.getsize(p)
                if size != art["bytes"]:
                    raise Broken(f"{where}: recording {rid}: {p} has {size} bytes, the store says {art['bytes']}")
                if sha256(p) != art["sha256"]:
                    raise Broken(f"{where}: recording {rid}: {p} does not match its recorded SHA-256")
                if p in paths_seen and paths_seen[p] != rid:
                    raise Broken(f"{where}: {p} belongs to recordings {paths_seen[p]} and {rid}")
                paths_seen[p] = rid
            for k in SINGLE:
                if kinds.get(k, 0) > 1:
                    raise Broken(f"{where}: recording {rid} has {kinds[k]} '{k}' artefacts")
            folder = os.path.dirname(next((x["path"] for x in j["artifacts"] if x["kind"] == "source"), ""))
            if folder:
                tmps = [f for f in glob.glob(os.path.join(folder, "**", "*"), recursive=True)
                        if ".tmp" in os.path.basename(f) or f.endswith(".part")]
                tmps = self.drop_known_tmp(tmps, where)
                # a stage that is done (or a round that is over) leaves none
                if tmps and (finished or status not in RUNNING):
                    raise Broken(f"{where}: recording {rid} ({status}) keeps temporary files: {tmps}")
            self.check_publications(j, where)
        if finished:
            left = [f for f in glob.glob(os.path.join(home, "**", "*"), recursive=True)
                    if ".tmp" in os.path.basename(f) or f.endswith(".part")]
            left = self.drop_known_tmp(left, where)
            if left:
                raise Broken(f"{where}: temporary files survive the round: {left}")
        self.check_db(home, where)
        self.check_fakes(home, where, recs, finished)
        return st, recs

    def drop_known_tmp(self, paths, where):
        """Leftovers matching --known-tmp (a known open bug) are reported, not fatal."""
        keep = []
        for f in paths:
            if any(fnmatch.fnmatch(os.path.basename(f), g) for g in self.a.known_tmp):
                if f not in self.known_seen:
                    self.known_seen.add(f)
                    print(f"KNOWN OPEN: {where}: temporary file left behind: {f}", flush=True)
            else:
                keep.append(f)
        return keep

    def check_publications(self, j, where):
        seen = set()
        cut = next((a for a in j["artifacts"] if a["kind"] == "cut_video"), None)
        for p in j.get("publications", []) or []:
            key = (p.get("platform"), p.get("target"))
            if key in seen:
                raise Broken(f"{where}: recording {j['id']} published twice to {key}: {j['publications']}")
            seen.add(key)
            # a finished folder publication holds the whole cut video
            if p.get("platform") == "folder" and p.get("state") == "done" and cut:
                d = p.get("remote_id") or ""
                video = os.path.join(d, "video.mp4")
                if not os.path.isdir(d):
                    raise Broken(f"{where}: recording {j['id']}: published folder {d} is missing")
                if os.path.exists(video) and sha256(video) != cut["sha256"]:
                    raise Broken(f"{where}: recording {j['id']}: {video} differs from the cut video")

    def fake_videos(self, name):
        """The finished videos a fake holds: {video key: sha256}, and how many
        it holds that never got their bytes (VK creates one per video.save)."""
        url = self.fakes[name] + "/_state"
        with urllib.request.urlopen(url, timeout=30) as r:
            j = json.load(r)
        self.fake_state[name] = j
        done, empty = {}, 0
        for v in j["videos"]:
            if name == "vk" and not v.get("uploaded"):
                empty += 1
                continue
            key = str(v.get("id") or f"{v.get('owner_id')}_{v.get('video_id')}")
            done[key] = v.get("sha256")
        return done, empty

    def check_fakes(self, home, where, recs, finished):
        """No service holds more videos from this round than it has recordings."""
        for name in self.fakes:
            done, empty = self.fake_videos(name)
            base, base_empty = self.baseline.get(name, ({}, 0))
            new = {k: h for k, h in done.items() if k not in base}
            if len(new) > len(recs):
                raise Broken(f"{where}: {name} holds {len(new)} videos from this round for "
                             f"{len(recs)} recordings (a publication was duplicated)")
            if name == "youtube":
                self.check_youtube_extras(where, new)
            if not finished or self.a.until != "READY":
                continue
            if len(new) != len(recs):
                raise Broken(f"{where}: {name} holds {len(new)} finished videos for {len(recs)} recordings")
            want = set()
            for r in recs:
                j = json.loads(self.zp(home, "show", str(r["id"]), "--json").stdout)
                want |= {a["sha256"] for a in j["artifacts"] if a["kind"] == "cut_video"}
            if set(new.values()) != want:
                raise Broken(f"{where}: the videos on {name} are not the recordings' cut videos")
            self.orphans += empty - base_empty

    def check_youtube_extras(self, where, new):
        """A video's caption tracks (one per language) and playlist entries
        are never added twice either."""
        j = self.fake_state["youtube"]
        for vid in new:
            langs = [c.get("language") for c in j.get("captions", []) if c.get("videoId") == vid]
            if len(langs) != len(set(langs)):
                raise Broken(f"{where}: YouTube video {vid} has caption tracks {langs} (one added twice)")
            pl = [p for p in j.get("playlist_items", []) if p.get("videoId") == vid]
            if len(pl) > 1:
                raise Broken(f"{where}: YouTube video {vid} is in the playlist {len(pl)} times")

    def check_db(self, home, where):
        """The database is readable and consistent (integrity_check, foreign keys)."""
        db = os.path.join(home, "zpub.db")
        if not os.path.exists(db):
            return
        c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        try:
            ok = c.execute("PRAGMA integrity_check").fetchone()[0]
            if ok != "ok":
                raise Broken(f"{where}: database integrity_check: {ok}")
            fk = c.execute("PRAGMA foreign_key_check").fetchall()
            if fk:
                raise Broken(f"{where}: foreign key violations: {fk[:5]}")
            tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "publications" in tables:
                cols = {r[1] for r in c.execute("PRAGMA table_info(publications)")}
                if {"recording_id", "platform", "target"} <= cols:
                    dup = c.execute("SELECT recording_id, platform, target, COUNT(*) FROM publications "
                                    "GROUP BY recording_id, platform, target HAVING COUNT(*) > 1").fetchall()
                    if dup:
                        raise Broken(f"{where}: duplicated publications: {dup}")
        finally:
            c.close()

    def check_folder_target(self, home, where, n_recs):
        """A folder publish target holds one output per recording."""
        for d in glob.glob(os.path.join(home, "**", "published*"), recursive=True):
            if os.path.isdir(d):
                outs = [x for x in os.listdir(d) if not x.startswith(".")]
                if len(outs) > n_recs:
                    raise Broken(f"{where}: the folder target {d} holds {len(outs)} outputs for {n_recs} recordings")

    # ---- one round ----------------------------------------------------------
    def start_run(self, home):
        self.starts += 1
        # stderr to a file: an unread pipe could fill and stall zpub
        err = open(os.path.join(self.a.work, f"run{self.starts % 4}.err"), "w+")
        p = subprocess.Popen([self.zpub, "run", "--all", "--until", self.a.until],
                             env=self.env(home), stdout=subprocess.DEVNULL, stderr=err, text=True)
        p.errfile = err
        return p

    @staticmethod
    def stderr_of(p):
        p.errfile.seek(0)
        return p.errfile.read()

    def check_exit(self, p, where):
        """A runner nobody killed must exit by itself: 0, or 1 with a reason."""
        if p.returncode is not None and p.returncode < 0:
            err = self.stderr_of(p)
            msg = (f"{where}: zpub died of signal {-p.returncode} without being killed "
                   f"(see dmesg); stderr: {err.strip()[-300:]}")
            if not self.a.allow_crashes:
                raise Broken(msg)
            # counted, and the invariants must still hold after it
            self.self_crashes += 1
            print(f"KNOWN OPEN: {msg}", flush=True)

    def calibrate(self, files):
        home = os.path.join(self.a.work, "calibrate")
        shutil.rmtree(home, ignore_errors=True)
        self.populate(home, files)
        self.baseline = {n: self.fake_videos(n) for n in self.fakes}
        t = time.monotonic()
        p = self.start_run(home)
        p.wait(timeout=900)
        err = self.stderr_of(p)
        self.check_exit(p, "calibration")
        self.full_s = time.monotonic() - t
        if p.returncode != 0 and self.auto and "no stage in this build takes it further" in err:
            # the goal is as far as the stages wired in this build go
            recs = json.loads(self.zp(home, "list", "--json").stdout)
            reached = {r["status"] for r in recs}
            if len(reached) != 1 or reached & {"FAILED"}:
                raise Broken(f"an uninterrupted run ends in {reached}: {err.strip()}")
            self.a.until = reached.pop()
        elif p.returncode != 0:
            raise Broken(f"an uninterrupted run fails: {err.strip()}")
        self.check(home, "calibration", finished=True)
        n = len(json.loads(self.zp(home, "list", "--json").stdout))
        print(f"an uninterrupted run of {n} recordings to {self.a.until} takes "
              f"{self.full_s:.2f} s", flush=True)
        shutil.rmtree(home, ignore_errors=True)

    def round(self, files):
        self.rounds += 1
        self.baseline = {n: self.fake_videos(n) for n in self.fakes}
        home = os.path.join(self.a.work, "home")
        shutil.rmtree(home, ignore_errors=True)
        self.populate(home, files)
        restarts = 0
        while True:
            where = f"seed {self.a.seed}, round {self.rounds}, kill {self.kills + 1}"
            pair = self.starts % 3 == 2
            procs = [self.start_run(home)]
            if pair:
                procs.append(self.start_run(home))
            delay = self.rng.uniform(0.02, self.full_s * 0.8)
            over = self.a.budget_s and time.monotonic() - self.t_start > self.a.budget_s
            if self.kills >= self.a.kills or restarts >= self.a.max_restarts or over:
                delay = None  # let it finish
            t0 = time.monotonic()
            try:
                procs[0].wait(timeout=delay)
            except subprocess.TimeoutExpired:
                pass
            if delay is not None and procs[0].poll() is None:
                victims = procs if (not pair or self.rng.random() < 0.5) else procs[:1]
                # what was running when we struck (best effort, for the figures)
                for v in victims:
                    v.send_signal(signal.SIGKILL)
                for v in victims:
                    v.wait()
                for p in procs:
                    if p not in victims:
                        p.wait(timeout=900)
                        self.check_exit(p, where + " (the runner that was not killed)")
                self.kills += 1
                restarts += 1
                st, recs = self.check(home, where)
                stages = sorted({RUNNING[r["status"]] for r in recs if r["status"] in RUNNING})
                for s in stages or ["between stages"]:
                    self.per_stage[s] = self.per_stage.get(s, 0) + 1
                print(f"kill {self.kills}: after {delay:.2f} s{' (one of two runners)' if len(victims) < len(procs) else ''}"
                      f"{' (two runners)' if pair and len(victims) == 2 else ''}; interrupted: "
                      f"{', '.join(stages) or 'between stages'}; invariants hold", flush=True)
                continue
            crashed = False
            for p in procs:
                p.wait(timeout=900)
                self.check_exit(p, f"seed {self.a.seed}, round {self.rounds}, last run")
                crashed |= p.returncode < 0
            if crashed:  # died by itself (allowed): check, then start again
                self.check(home, where)
                restarts += 1
                if restarts > 3 * self.a.max_restarts:
                    raise Broken(f"{where}: zpub keeps crashing by itself")
                continue
            if delay is None or procs[0].returncode == 0:
                # keep the kill window in step with how long a run takes now
                took = time.monotonic() - t0
                if restarts == 0 and took > 0.2:
                    self.full_s = took
            # finished on its own: everything must have reached the goal
            st, recs = self.check(home, f"seed {self.a.seed}, round {self.rounds}, end", finished=True)
            bad = [(r["id"], r["status"]) for r in recs if r["status"] != self.a.until]
            if bad:
                details = []
                for rid, s in bad:
                    j = json.loads(self.zp(home, "show", str(rid), "--json").stdout)
                    details.append(f"{rid}: {s} {j.get('error') or ''}")
                raise Broken(f"seed {self.a.seed}, round {self.rounds}: after the kills, recordings did not "
                             f"reach {self.a.until}: {'; '.join(details)}")
            self.check_folder_target(home, f"round {self.rounds}", len(recs))
            print(f"round {self.rounds}: all {len(recs)} recordings reached {self.a.until} "
                  f"after {restarts} kills", flush=True)
            return

    def run(self):
        os.makedirs(self.a.work, exist_ok=True)
        files = self.lectures()
        self.calibrate(files)
        while self.kills < self.a.kills:
            if self.a.budget_s and time.monotonic() - self.t_start > self.a.budget_s:
                print(f"time budget of {self.a.budget_s} s spent", flush=True)
                break
            self.round(files)
        if self.kills < self.a.min_kills:
            raise Broken(f"only {self.kills} kills in the time budget (wanted at least {self.a.min_kills})")
        stages = ", ".join(f"{k} {v}" for k, v in sorted(self.per_stage.items()))
        print(f"crash_harness: {self.kills} kills survived in {self.rounds} rounds "
              f"({self.starts} starts; interrupted: {stages}); seed {self.a.seed}")
        if self.known_seen:
            print(f"crash_harness: {len(self.known_seen)} temporary files left behind "
                  f"(allowed by --known-tmp)")
        if self.fakes:
            print(f"crash_harness: no video duplicated on {', '.join(sorted(self.fakes))}; "
                  f"{self.orphans} empty VK videos left by a video.save whose answer died with zpub")
        if self.self_crashes:
            print(f"crash_harness: zpub also crashed by itself {self.self_crashes} times "
                  f"(allowed by --allow-crashes; the invariants held after each)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zpub", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--media", help="a lecture to import (copies differ in a tag)")
    ap.add_argument("--zoom-api", help="instead of imports, sync from this fake_zoom (http://127.0.0.1:PORT)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--lectures", type=int, default=2)
    ap.add_argument("--max-restarts", type=int, default=12, help="kills per round at most")
    ap.add_argument("--until", default="auto",
                    help="goal status; auto = READY, or as far as the wired stages go")
    ap.add_argument("--budget-s", type=float, default=0, help="stop killing after this many seconds")
    ap.add_argument("--min-kills", type=int, default=1)
    ap.add_argument("--config", action="append", default=[], metavar="KEY=VALUE",
                    help="zpub config set KEY VALUE in every fresh data folder")
    ap.add_argument("--seed-home", help="a data folder (config, signed-in accounts) copied into every fresh one")
    ap.add_argument("--fake", action="append", default=[], metavar="youtube=URL|vk=URL",
                    help="a publishing fake whose videos are counted after every kill")
    ap.add_argument("--known-tmp", action="append", default=[],
                    help="basename glob of leftover temporary files to report, not fail (a known open bug)")
    ap.add_argument("--allow-crashes", action="store_true",
                    help="report, not fail, runs that die of a signal nobody sent (a known open bug)")
    a = ap.parse_args()
    if not a.media and not a.zoom_api:
        ap.error("give --media or --zoom-api")
    try:
        Harness(a).run()
    except Broken as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
