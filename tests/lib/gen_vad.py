#!/usr/bin/env python3
"""gen_vad.py -- lectures with known phrases and pauses under noise, for the
voice-activity tests.

    gen_vad.py OUTDIR VARIANT

VARIANT: clean (speech at -20 dBFS under -65 dBFS white noise), noisy (the
same speech under -30 dBFS pink noise), brown (under -30 dBFS brown noise),
quiet (a quiet speaker: speech at -45 dBFS under -65 dBFS white noise).
Speech levels are the RMS of the spoken part of each phrase, noise levels
the RMS of the noise.

Writes OUTDIR/VARIANT.m4a (16 kHz mono AAC) and OUTDIR/VARIANT.truth.json:
{"duration_ms", "phrases": [{start_ms, end_ms}], "pauses": [{start_ms,
end_ms}]}.  A phrase runs from the first to the last sample of its espeak-ng
clip, at espeak's own level before any gain, where the RMS over a sliding
10 ms window reaches -40 dBFS (as tests/lib/gen_media.sh measures a clean
lecture); the pauses are what lies between the phrases, head and tail
included.  Uses espeak-ng, sox and ffmpeg.
"""
import array
import json
import math
import os
import subprocess
import sys
import tempfile
import wave

RATE = 16000
PHRASES = [
    ("Good morning everyone. Today we talk about signals.", 2.0),
    ("First, what is a sample?", 0.5),
    ("A sample is a number that says how loud the air is.", 3.5),
    ("Second, the window.", 0.7),
    ("We measure the energy of each window and compare it.", 5.0),
    ("Third, the noise floor of the room.", 2.6),
    ("Speech rises above it.", 0.4),
    ("Thank you, and see you next week.", 4.2),
    ("Bye.", 2.5),        # the last pause is the tail
]
VARIANTS = {
    # name: (speech dBFS, noise kind, noise dBFS)
    "clean": (-20.0, "whitenoise", -65.0),
    "noisy": (-20.0, "pinknoise", -30.0),
    "brown": (-20.0, "brownnoise", -30.0),
    "quiet": (-45.0, "whitenoise", -65.0),
}


def read(path):
    w = wave.open(path)
    assert w.getnchannels() == 1 and w.getsampwidth() == 2
    x = array.array("h")
    x.frombytes(w.readframes(w.getnframes()))
    w.close()
    return x


def speech_bounds(x):
    """First and last sample where the 10 ms sliding RMS reaches -40 dBFS."""
    half = RATE // 200
    thr = (32768 * 10 ** (-40 / 20)) ** 2 * (2 * half)
    c = [0] * (len(x) + 1)
    acc = 0
    for k, v in enumerate(x):
        acc += v * v
        c[k + 1] = acc
    n = len(x)
    loud = [k for k in range(n) if c[min(n, k + half)] - c[max(0, k - half)] >= thr]
    return loud[0], loud[-1] + 1


def rms_db(x, a=0, b=None):
    b = len(x) if b is None else b
    s = sum(float(v) * v for v in x[a:b]) / max(1, b - a)
    return 10 * math.log10(s / 32768.0 ** 2) if s > 0 else -200.0


def main():
    out, variant = sys.argv[1], sys.argv[2]
    speech_db, noise_kind, noise_db = VARIANTS[variant]
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out) as tmp:
        clips = []
        for i, (text, _) in enumerate(PHRASES):
            raw, wav = f"{tmp}/raw{i}.wav", f"{tmp}/s{i}.wav"
            subprocess.run(["espeak-ng", "-s", "160", "-w", raw, text], check=True)
            subprocess.run(["sox", "-q", raw, "-r", str(RATE), "-c", "1", "-b", "16", wav],
                           check=True)
            x = read(wav)
            a, b = speech_bounds(x)
            clips.append((x, a, b))
        # One gain for the whole talk: its spoken parts at speech_db.
        num = sum(sum(float(v) * v for v in x[a:b]) for x, a, b in clips)
        den = sum(b - a for _, a, b in clips)
        talk_db = 10 * math.log10(num / den / 32768.0 ** 2)
        gain = 10 ** ((speech_db - talk_db) / 20)
        # Head: the first phrase's pause value is the head's length.
        head = int(PHRASES[0][1] * RATE)
        sig = [0.0] * head
        phrases = []
        for i, (x, a, b) in enumerate(clips):
            pos = len(sig)
            phrases.append((pos + a, pos + b))
            sig.extend(v * gain for v in x)
            if i + 1 < len(PHRASES):
                sig.extend([0.0] * int(PHRASES[i + 1][1] * RATE))
        sig.extend([0.0] * int(PHRASES[-1][1] * RATE))
        n = len(sig)
        nwav = f"{tmp}/noise.wav"
        subprocess.run(["sox", "-R", "-q", "-n", "-r", str(RATE), "-c", "1", "-b", "16", nwav,
                        "synth", f"{n / RATE + 0.1:.3f}", noise_kind, "vol", "0.5"],
                       check=True)
        nz = read(nwav)[:n]
        ng = 10 ** ((noise_db - rms_db(nz)) / 20)
        mix = array.array("h", (max(-32768, min(32767, int(round(s + v * ng))))
                                for s, v in zip(sig, nz)))
        mwav = f"{tmp}/mix.wav"
        w = wave.open(mwav, "wb")
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(mix.tobytes())
        w.close()
        dst = f"{out}/{variant}.m4a"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", mwav, "-c:a", "aac", "-b:a", "64k",
                        dst], check=True)
    ms = lambda s: round(s * 1000 / RATE)
    pauses, prev = [], 0
    for a, b in phrases:
        pauses.append({"start_ms": ms(prev), "end_ms": ms(a)})
        prev = b
    pauses.append({"start_ms": ms(prev), "end_ms": ms(n)})
    truth = {"duration_ms": ms(n), "speech_db": speech_db, "noise": noise_kind,
             "noise_db": noise_db,
             "phrases": [{"start_ms": ms(a), "end_ms": ms(b)} for a, b in phrases],
             "pauses": pauses}
    with open(f"{out}/{variant}.truth.json", "w") as f:
        json.dump(truth, f, indent=1)


if __name__ == "__main__":
    main()
