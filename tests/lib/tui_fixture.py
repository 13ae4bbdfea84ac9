#!/usr/bin/env python3
"""tui_fixture.py — test data for the terminal app's tests and bench, written
straight into a zpub database (the store's own schema, no test-only CLI):

  tui_fixture.py DB bulk N             N recordings with mixed titles/statuses
  tui_fixture.py DB add TITLE DURATION_MS STATUS   one recording; prints its id
  tui_fixture.py DB topics ID DIR      topic version 1 + a transcript artefact
  tui_fixture.py DB subs ID DIR        ru.srt + ru.vtt subtitle artefacts
  tui_fixture.py DB cut ID DIR DURATION_MS   a cut_video artefact of that length
                                       (the process stage's output; the file is a stand-in)
  tui_fixture.py DB hold ID            held at TRANSCRIBED for review (what the
                                       runner's gate does with publish.review=required)
  tui_fixture.py DB progress ID STATUS FRACTION ETA_MS WHAT
                                       what a running stage writes (another process)
"""
import json, os, sqlite3, sys, time

def now_ms():
    return int(time.time() * 1000)

DATA_DIR = "."

def rel(path):
    """Artefact paths are kept relative to the data dir, as the store does."""
    return os.path.relpath(path, DATA_DIR)

def connect(path):
    global DATA_DIR
    DATA_DIR = os.path.dirname(os.path.abspath(path))
    db = sqlite3.connect(path, timeout=10)
    db.execute("PRAGMA busy_timeout = 10000")
    return db

def bulk(db, n):
    words = ["Лекция", "Семинар", "Lecture", "Seminar", "Введение", "Алгебра", "Physics",
             "Матанализ", "Databases", "Сети", "🎓 Финал", "Ёжики"]
    statuses = ["READY"] * 6 + ["DOWNLOADED", "PROCESSED", "TRANSCRIBED", "FAILED", "SKIPPED"]
    t0 = now_ms() - n * 3600_000
    rows = []
    for i in range(n):
        title = "%s %d: %s" % (words[i % len(words)], i + 1, words[(i * 7 + 3) % len(words)])
        st = statuses[(i * 13) % len(statuses)]
        rows.append((1, "local", "bulk-%d" % i, title, t0 + i * 3600_000,
                     (20 + (i * 37) % 100) * 60_000, st,
                     "decoding failed: not media" if st == "FAILED" else None,
                     now_ms(), now_ms()))
    db.executemany("INSERT INTO recordings (tenant_id, source, source_ref, title, started_at,"
                   " duration_ms, status, detail, created_at, updated_at)"
                   " VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    db.commit()

def add(db, title, dur, status):
    cur = db.execute("INSERT INTO recordings (tenant_id, source, source_ref, title, started_at,"
                     " duration_ms, status, created_at, updated_at) VALUES (1,'local',?,?,?,?,?,?,?)",
                     ("fixture-%d-%s" % (now_ms(), title), title, now_ms() + 1000, int(dur),
                      status, now_ms(), now_ms()))
    db.commit()
    print(cur.lastrowid)

def topics(db, rec, folder):
    dur = db.execute("SELECT duration_ms FROM recordings WHERE id=?", (rec,)).fetchone()[0]
    dur = dur or 600_000
    tl = [(0, "main", "Введение"), (int(dur * 0.25) // 1000 * 1000, "main", "Основная часть"),
          (int(dur * 0.5) // 1000 * 1000, "detail", "Пример"),
          (int(dur * 0.75) // 1000 * 1000, "main", "Итоги")]
    doc = {"topics": [{"start_ms": s, "level": l, "title": t} for s, l, t in tl]}
    db.execute("INSERT INTO topic_versions (recording_id, version, json, source, created_at)"
               " VALUES (?,?,?,?,?)", (rec, 1, json.dumps(doc, ensure_ascii=False), "extractive",
                                       now_ms()))
    segs, words = [], []
    step = max(dur // 40, 1000)
    for k in range(40):
        s = k * step
        text = "Фраза номер %d о предмете лекции" % (k + 1)
        segs.append({"start_ms": s, "end_ms": s + step - 100, "text": text})
        words.append({"w": "Фраза", "start_ms": s, "end_ms": s + 300})
    tr = {"engine": "fixture", "language": "ru", "timeline": "output", "duration_ms": dur,
          "words": words, "segments": segs}
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "transcript.json")
    with open(path, "w") as f:
        json.dump(tr, f, ensure_ascii=False)
    db.execute("INSERT INTO artifacts (recording_id, kind, path, bytes, created_at)"
               " VALUES (?,?,?,?,?)", (rec, "transcript", rel(path), os.path.getsize(path), now_ms()))
    db.commit()

def subs(db, rec, folder):
    cues = [(1000, 3500, "Добрый день, коллеги."), (4000, 7000, "Сегодня говорим\nо квантовой механике."),
            (7500, 10000, "Начнём с опыта.")]
    def ts(ms, sep):
        return "%02d:%02d:%02d%s%03d" % (ms // 3600000, ms // 60000 % 60, ms // 1000 % 60, sep, ms % 1000)
    srt = "".join("%d\n%s --> %s\n%s\n\n" % (i + 1, ts(a, ","), ts(b, ","), t)
                  for i, (a, b, t) in enumerate(cues))
    vtt = "WEBVTT\n\n" + "".join("%s --> %s\n%s\n\n" % (ts(a, "."), ts(b, "."), t) for a, b, t in cues)
    os.makedirs(folder, exist_ok=True)
    for ext, text in (("srt", srt), ("vtt", vtt)):
        path = os.path.join(folder, "ru." + ext)
        with open(path, "w") as f:
            f.write(text)
        db.execute("INSERT INTO artifacts (recording_id, kind, path, bytes, extra, created_at)"
                   " VALUES (?,?,?,?,?,?)", (rec, ext, rel(path), os.path.getsize(path),
                   json.dumps({"language": "ru", "format": ext, "cues": len(cues)}), now_ms()))
    db.commit()

def cut(db, rec, folder, dur):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "cut.mp4")
    with open(path, "wb") as f:
        f.write(b"\0" * 1024)
    db.execute("INSERT INTO artifacts (recording_id, kind, path, bytes, extra, created_at)"
               " VALUES (?,?,?,?,?,?)", (rec, "cut_video", rel(path), 1024,
               json.dumps({"duration_ms": int(dur), "source_duration_ms": None}), now_ms()))
    db.commit()

def hold(db, rec):
    db.execute("UPDATE recordings SET status='TRANSCRIBED', review_hold=1, updated_at=?"
               " WHERE id=?", (now_ms(), rec))
    db.commit()

def progress(db, rec, status, fraction, eta, what):
    db.execute("UPDATE recordings SET status=?, progress=?, progress_eta_ms=?, progress_what=?,"
               " lease_owner='fixture', lease_until=?, updated_at=? WHERE id=?",
               (status, None if fraction == "null" else float(fraction), int(eta), what,
                now_ms() + 60_000, now_ms(), rec))
    db.commit()

def main():
    db = connect(sys.argv[1])
    cmd = sys.argv[2]
    if cmd == "bulk":
        bulk(db, int(sys.argv[3]))
    elif cmd == "add":
        add(db, sys.argv[3], sys.argv[4], sys.argv[5])
    elif cmd == "topics":
        topics(db, int(sys.argv[3]), sys.argv[4])
    elif cmd == "subs":
        subs(db, int(sys.argv[3]), sys.argv[4])
    elif cmd == "cut":
        cut(db, int(sys.argv[3]), sys.argv[4], sys.argv[5])
    elif cmd == "hold":
        hold(db, int(sys.argv[3]))
    elif cmd == "progress":
        progress(db, int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7])
    else:
        sys.exit("unknown command " + cmd)

if __name__ == "__main__":
    main()
