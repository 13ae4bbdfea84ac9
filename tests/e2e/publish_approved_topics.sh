#!/usr/bin/env bash
# Topics approved after the transcribe stage (as the TUI's editor does) are
# what gets published: the description is rendered again from them.
. "$ZPUB_SRC/tests/lib/e2e.sh"

id=$("$ZPUB" import "$ZPUB_SRC/assets/sample/lecture.mp4")
"$ZPUB" run "$id" --until TRANSCRIBED >/dev/null
# The editor's save + approve, as rows in the store (what src/ui/topics.c writes).
python3 - "$ZPUB_HOME/zpub.db" "$id" <<'PY'
import sqlite3, sys, json, time
db = sqlite3.connect(sys.argv[1]); rec = int(sys.argv[2]); now = int(time.time() * 1000) + 1000
topics = {"topics": [{"start_ms": 0, "level": "main", "title": "Введение и план"},
                     {"start_ms": 12000, "level": "main", "title": "Insertion sort"},
                     {"start_ms": 24000, "level": "main", "title": "Merge sort explained"}],
          "breaks": [], "flags": []}
v = db.execute("SELECT coalesce(max(version),0)+1 FROM topic_versions WHERE recording_id=?", (rec,)).fetchone()[0]
db.execute("INSERT INTO topic_versions (recording_id, version, json, source, approved_by, approved_at,"
           " created_at) VALUES (?,?,?,?,?,?,?)", (rec, v, json.dumps(topics), "editor", "test", now, now))
db.commit()
PY
"$ZPUB" run "$id" >/dev/null
desc="$ZPUB_HOME/published/$id/description.txt"
[ -f "$desc" ] || fail "no published description"
grep -q "00:00 Введение и план" "$desc" || fail "approved topics not in the description: $(cat "$desc")"
grep -q "00:24 Merge sort explained" "$desc" || fail "chapter list: $(cat "$desc")"
ok "approved topics published"
echo "publish_approved_topics: all passed"
