#!/usr/bin/env python3
"""check_media.py — checks the media engine's results against the truth that
gen_media.sh wrote, using only the ffmpeg/ffprobe programs (an independent
decoder).  Prints one line per failed check and exits 1 if any failed.

  check_media.py silences TRUTH.json ANALYSIS.json MIN_SILENCE_MS
      every true silence (gap between speech of at least MIN_SILENCE_MS, and
      the head and tail) found with both boundaries within 50 ms; no found
      silence overlaps speech.
  check_media.py cut SOURCE TRUTH.json OUT.mp4 TIME_MAP.json
      OUT decodes without a message; its duration equals the plan's within
      one frame; audio and video durations within 40 ms; no speech clipped;
      each sync mark (beep + white frame) lands where the time map says, in
      both streams (A/V sync at every cut).
  check_media.py frames SOURCE OUT.mp4 TIME_MAP.json COPIED_FRAMES
      frame by frame against the source (both decoded by ffmpeg): OUT has
      exactly the source frames shown inside the kept segments, in order
      (none lost or repeated at a splice); at least COPIED_FRAMES of them
      are bit-identical to the source's (the copied GOPs); every frame is
      within 35 dB PSNR (luma) of its source frame; the first and last frame
      of every kept segment are closer to their source frame than to its
      neighbours.
"""
import array, json, subprocess, sys

fails = []


def fail(msg):
    fails.append(msg)
    print("FAIL: " + msg)


def silences(truth_p, ana_p, min_sil):
    truth, ana = json.load(open(truth_p)), json.load(open(ana_p))
    sp, dur = truth["speech"], truth["duration_ms"]
    want = [(0, sp[0]["start_ms"])]
    for a, b in zip(sp, sp[1:]):
        if b["start_ms"] - a["end_ms"] >= min_sil:
            want.append((a["end_ms"], b["start_ms"]))
    want.append((sp[-1]["end_ms"], dur))
    got = [(s["start_ms"], s["end_ms"]) for s in ana["silences"]]
    for ws, we in want:
        if not any(abs(gs - ws) <= 50 and abs(ge - we) <= 50 for gs, ge in got):
            fail(f"true silence {ws}-{we} ms not found within 50 ms (found {got})")
    for gs, ge in got:
        for s in sp:
            if gs < s["end_ms"] - 50 and ge > s["start_ms"] + 50:
                fail(f"found silence {gs}-{ge} overlaps speech {s['start_ms']}-{s['end_ms']}")
    print(f"silences: {len(want)} true, {len(got)} found")


def probe(path, entries, stream=None):
    cmd = ["ffprobe", "-v", "error", "-show_entries", entries, "-of", "json", path]
    if stream:
        cmd[1:1] = ["-select_streams", stream]
    return json.loads(subprocess.check_output(cmd))


def to_output(tm, t):
    for g in tm["segments"]:
        if t < g["src_start_ms"]:
            return g["out_start_ms"]
        if t < g["src_end_ms"]:
            return g["out_start_ms"] + t - g["src_start_ms"]
    return tm["output_duration_ms"]


def kept(tm, t):
    return any(g["src_start_ms"] <= t < g["src_end_ms"] for g in tm["segments"])


def flashes(path):
    """Times (ms) where the picture turns white."""
    out = subprocess.check_output(["ffprobe", "-v", "error", "-f", "lavfi", "-i",
        f"movie={path},signalstats", "-show_entries",
        "frame=best_effort_timestamp_time:frame_tags=lavfi.signalstats.YAVG", "-of", "json"])
    res, white = [], False
    for fr in json.loads(out)["frames"]:
        y = float(fr.get("tags", {}).get("lavfi.signalstats.YAVG", 0))
        if y > 200 and not white:
            res.append(float(fr["best_effort_timestamp_time"]) * 1000)
        white = y > 200
    return res


def beeps(path, near):
    """Onset (ms) of the sound nearest each time in near (file timeline)."""
    st = probe(path, "stream=start_time", "a:0")["streams"][0].get("start_time", "0")
    first = float(st) * 1000 if st not in ("N/A",) else 0.0
    raw = subprocess.check_output(["ffmpeg", "-v", "error", "-i", path, "-vn", "-ac", "1",
                                   "-ar", "48000", "-f", "s16le", "-"])
    x = array.array('h'); x.frombytes(raw)
    thr = (32768 * 10 ** (-40 / 20)) ** 2 * 480
    res = []
    for t in near:
        lo = max(0, int((t - 300 - first) * 48)); hi = min(len(x), int((t + 300 - first) * 48))
        acc = sum(v * v for v in x[lo:lo + 480])
        found = None
        for k in range(lo, hi - 480):
            if acc >= thr:
                found = first + (k + 240) / 48
                break
            acc += x[k + 480] ** 2 - x[k] ** 2
        res.append(found)
    return res


def cut(src, truth_p, out, tm_p):
    truth, tm = json.load(open(truth_p)), json.load(open(tm_p))
    r = subprocess.run(["ffmpeg", "-v", "error", "-i", out, "-f", "null", "-"],
                       capture_output=True, text=True)
    if r.stdout.strip() or r.stderr.strip():
        fail(f"{out} does not decode cleanly: {(r.stdout + r.stderr)[:300]}")
    info = probe(out, "stream=codec_type,duration:format=duration")
    fr = probe(src, "stream=r_frame_rate", "v:0")["streams"][0]["r_frame_rate"].split("/")
    frame_ms = 1000 * int(fr[1]) / int(fr[0])
    fdur = float(info["format"]["duration"]) * 1000
    sd = {s["codec_type"]: float(s["duration"]) * 1000 for s in info["streams"]}
    plan = tm["output_duration_ms"]
    if abs(fdur - plan) > frame_ms:
        fail(f"output lasts {fdur:.0f} ms, the plan {plan} ms (more than one frame apart)")
    if abs(sd.get("video", 0) - sd.get("audio", 0)) > 40:
        fail(f"video {sd.get('video')} ms and audio {sd.get('audio')} ms differ by more than 40 ms")
    for s in truth["speech"]:
        if not (kept(tm, s["start_ms"]) and kept(tm, s["end_ms"] - 1)):
            fail(f"speech {s['start_ms']}-{s['end_ms']} is clipped by the plan")
    marks = [m for m in truth.get("marks_ms", []) if kept(tm, m)]
    if not marks:
        print("cut: no sync marks kept")
        return
    sf, of = flashes(src), flashes(out)
    sb = beeps(src, marks)
    for m, b in zip(marks, sb):
        want_f = min(sf, key=lambda t: abs(t - m))
        exp_f = to_output(tm, want_f)
        got_f = min(of, key=lambda t: abs(t - exp_f)) if of else None
        exp_b = to_output(tm, b) if b is not None else None
        got_b = beeps(out, [exp_b])[0] if exp_b is not None else None
        if got_f is None or abs(got_f - exp_f) > 2:
            fail(f"mark at {m} ms: white frame at {got_f} ms in the output, expected {exp_f:.0f}")
        if got_b is None or abs(got_b - exp_b) > 20:
            fail(f"mark at {m} ms: beep at {got_b} ms in the output, expected {exp_b:.0f}")
        if got_f is not None and got_b is not None:
            # In the source the beep and its flash are d apart; the cut must keep d.
            d_src, d_out = b - want_f, got_b - got_f
            if abs(d_out - d_src) > 40:
                fail(f"mark at {m} ms: A/V offset {d_out:.0f} ms in the output, {d_src:.0f} ms in the source")
        print(f"mark {m}: flash {got_f} (want {exp_f:.0f}), beep {got_b} (want {exp_b})")
    print(f"cut: {fdur:.0f} ms (plan {plan}), video {sd.get('video'):.0f} audio {sd.get('audio'):.0f}")


def framelist(path):
    """[(pts_seconds, md5)] of every decoded video frame, in output order."""
    out = subprocess.check_output(["ffmpeg", "-v", "error", "-i", path, "-map", "0:v:0",
                                   "-fps_mode", "passthrough", "-f", "framemd5", "-"], text=True)
    tb, res = None, []
    for line in out.splitlines():
        if line.startswith("#tb 0:"):
            n, d = line.split(":")[1].strip().split("/")
            tb = int(n) / int(d)
        elif line and not line.startswith("#"):
            f = [x.strip() for x in line.split(",")]
            res.append((int(f[2]) * tb, f[5]))
    return res


def gray(path, idx, size):
    """Luma planes of the frames numbered idx (decode output order)."""
    terms = [f"eq(n\\,{i})" for i in sorted(idx)]
    # FFmpeg's expression parser takes about 100 terms in a row: group by ten.
    expr = "+".join("(" + "+".join(terms[k:k + 10]) + ")" for k in range(0, len(terms), 10))
    raw = subprocess.check_output(["ffmpeg", "-v", "error", "-i", path, "-map", "0:v:0",
                                   "-vf", f"select='{expr}'", "-fps_mode", "passthrough",
                                   "-pix_fmt", "gray", "-f", "rawvideo", "-"])
    return {i: raw[k * size:(k + 1) * size] for k, i in enumerate(sorted(idx))}


def psnr(a, b):
    mse = sum((x - y) * (x - y) for x, y in zip(a, b)) / len(a)
    return 99.0 if mse == 0 else 10 * __import__("math").log10(255 * 255 / mse)


def frames(src, out, tm_p, copied):
    tm = json.load(open(tm_p))
    r = subprocess.run(["ffmpeg", "-v", "error", "-i", out, "-f", "null", "-"],
                       capture_output=True, text=True)
    if r.stdout.strip() or r.stderr.strip():
        fail(f"{out} does not decode cleanly: {(r.stdout + r.stderr)[:300]}")
    st = probe(src, "format=start_time")["format"].get("start_time", "0")
    origin = float(st) if st != "N/A" else 0.0
    sf, of = framelist(src), framelist(out)
    # The source frames the plan keeps, segment by segment (source frame
    # numbers in presentation order).
    want, bounds = [], []
    for g in tm["segments"]:
        idx = [i for i, (t, _) in enumerate(sf)
               if g["src_start_ms"] <= round((t - origin) * 1000) < g["src_end_ms"]]
        if idx:
            bounds.append((len(want), len(want) + len(idx) - 1))
            want += idx
    if len(of) != len(want):
        fail(f"{len(of)} frames in the output, the kept segments have {len(want)}")
    same = sum(1 for (_, m), i in zip(of, want) if m == sf[i][1])
    if same < copied:
        fail(f"only {same} output frames are bit-identical to the source, {copied} were copied")
    # Every frame against its source frame: ffmpeg's psnr filter on the
    # kept source frames, both renumbered.
    terms = [f"between(n\\,{want[a]}\\,{want[b]})" for a, b in bounds]
    sel = "+".join("(" + "+".join(terms[k:k + 10]) + ")" for k in range(0, len(terms), 10))
    r = subprocess.run(["ffmpeg", "-v", "error", "-i", out, "-i", src, "-filter_complex",
                        f"[1:v]select='{sel}',setpts=N/FRAME_RATE/TB[ref];"
                        f"[0:v]setpts=N/FRAME_RATE/TB[o];[o][ref]psnr=stats_file=-",
                        "-f", "null", "-"], capture_output=True, text=True)
    low, vals = [], []
    for line in r.stdout.splitlines():
        kv = dict(x.split(":", 1) for x in line.split() if ":" in x)
        if "psnr_y" in kv and kv["psnr_y"] != "inf":
            vals.append(float(kv["psnr_y"]))
            if vals[-1] < 35:
                low.append((int(kv["n"]), vals[-1]))
    if low:
        fail(f"{len(low)} frames below 35 dB PSNR, e.g. (frame, dB) {low[:5]}")
    # First and last frame of every segment: its own source frame, not a
    # neighbour (a frame lost or repeated at a splice).
    w, h = (probe(src, "stream=width,height", "v:0")["streams"][0][k] for k in ("width", "height"))
    ends = sorted({k for a, b in bounds for k in (a, b) if k < len(of)})
    near = {j for k in ends for j in (want[k] - 1, want[k], want[k] + 1) if 0 <= j < len(sf)}
    sg, og = gray(src, near, w * h), gray(out, set(ends), w * h)
    for k in ends:
        p = {j: psnr(og[k], sg[j]) for j in (want[k] - 1, want[k], want[k] + 1) if j in sg}
        if any(p[j] > p[want[k]] for j in p if sf[j][1] != sf[want[k]][1]):
            fail(f"output frame {k} looks like source frame {max(p, key=p.get)}, "
                 f"expected {want[k]} (PSNR {p})")
    print(f"frames: {len(of)} (want {len(want)}), {same} bit-identical (copied {copied}), "
          f"{len(bounds)} segments; the others' PSNR (luma) "
          + (f"{min(vals):.1f}-{max(vals):.1f} dB, mean {sum(vals) / len(vals):.1f}" if vals else "-"))


if __name__ == "__main__":
    if sys.argv[1] == "silences":
        silences(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif sys.argv[1] == "cut":
        cut(*sys.argv[2:6])
    elif sys.argv[1] == "frames":
        frames(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        sys.exit("usage: check_media.py silences|cut|frames ...")
    sys.exit(1 if fails else 0)
