"""Evaluate the near-duplicate matcher on a generated set; prints one JSON line.

Each clip is a distinct synthetic piece (own tempo, key, scale, chord progression, melody, bass, drum
pattern and instrument timbres). Each is also rendered four ways: re-encoded as MP3 at 48 kb/s, 6 dB
quieter, with its first 2 s cut, and with 5 s fades at both ends. Every variant is looked up among the
originals through `index_terms` (the candidate query the database runs) and confirmed with
`same_recording`; precision and recall are over those decisions.

    python scripts/eval_fingerprints.py [--clips 200] [--seconds 20] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from content.media.fingerprint import candidates, fingerprints, index_terms, same_recording, similarity

RATE = 22050
VARIANTS = ("mp3_48k", "minus_6db", "trim_2s", "fade_5s")
SCALES = {
    "major": [0, 2, 4, 5, 7, 9, 11], "minor": [0, 2, 3, 5, 7, 8, 10], "dorian": [0, 2, 3, 5, 7, 9, 10],
    "pentatonic": [0, 2, 4, 7, 9], "blues": [0, 3, 5, 6, 7, 10], "phrygian": [0, 1, 3, 5, 7, 8, 10],
}


_TABLE = 2048


def _wavetable(harmonics: np.ndarray) -> np.ndarray:
    """One period of a timbre (its harmonic amplitudes), so each note is a table look-up, not a sum of sines."""
    phase = np.arange(_TABLE) / _TABLE
    return sum(amp * np.sin(2 * np.pi * (k + 1) * phase) for k, amp in enumerate(harmonics)).astype(np.float32)


def _note(freq: float, length: int, table: np.ndarray, attack: float, decay: float) -> np.ndarray:
    t = np.arange(length, dtype=np.float32) / RATE
    index = (np.arange(length) * (freq * _TABLE / RATE)).astype(np.int64) % _TABLE
    return table[index] * (np.minimum(1.0, t / attack) * np.exp(-t / decay))


def synth_clip(seed: int, seconds: float) -> np.ndarray:
    """A short piece of music, mono float32 (1, n) at RATE, different for every seed."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    left, right = np.zeros(n), np.zeros(n)
    beat = 60.0 / rng.uniform(70, 170)
    root = 110 * 2 ** (rng.integers(0, 12) / 12)
    scale = SCALES[list(SCALES)[rng.integers(len(SCALES))]]

    def pitch(degree: int, octave: int) -> float:
        octave += degree // len(scale)
        return root * 2 ** (octave + scale[degree % len(scale)] / 12)

    def place(signal: np.ndarray, at: int, pan: float) -> None:
        end = min(n, at + len(signal))
        if end > at:
            left[at:end] += signal[: end - at] * (1 - pan)
            right[at:end] += signal[: end - at] * pan

    timbres = [_wavetable(rng.uniform(0, 1, 8) ** rng.uniform(1, 4)) for _ in range(3)]
    progression = rng.integers(0, len(scale), size=rng.integers(3, 7))
    bar = 4 * beat
    for i, step in enumerate(range(int(seconds / bar) + 1)):
        degree = int(progression[i % len(progression)])
        at = int(step * bar * RATE)
        for voice in (0, 2, 4):
            place(0.12 * _note(pitch(degree + voice, 1), int(bar * RATE), timbres[0], 0.05, bar), at, 0.3)
        place(0.3 * _note(pitch(degree, 0), int(beat * 2 * RATE), timbres[1], 0.01, beat), at, 0.5)
    t = 0.0
    while t < seconds:
        length = beat * rng.choice([0.25, 0.5, 0.5, 1.0, 1.5, 2.0])
        if rng.uniform() > 0.15:
            place(0.25 * _note(pitch(int(rng.integers(0, 2 * len(scale))), 2), int(length * RATE), timbres[2],
                               0.01, length * rng.uniform(0.3, 1.5)), int(t * RATE), rng.uniform(0.2, 0.8))
        t += length
    pattern = rng.uniform(size=16) < rng.uniform(0.2, 0.6)
    kick_t = np.arange(int(0.15 * RATE)) / RATE
    kick = np.sin(2 * np.pi * (60 + 100 * np.exp(-kick_t * 30)) * kick_t) * np.exp(-kick_t * 20)
    hat = rng.uniform(-1, 1, int(0.05 * RATE)) * np.exp(-np.arange(int(0.05 * RATE)) / RATE * 80)
    for k in range(int(seconds / (beat / 4))):
        at = int(k * beat / 4 * RATE)
        if k % 4 == 0 and rng.uniform() < 0.9:
            place(0.5 * kick, at, 0.5)
        if pattern[k % 16]:
            place(0.15 * hat, at, 0.6)
    mono = (left + right)[None, :]  # fpcalc hears mono anyway; half the encoding work
    return (0.8 * mono / max(1e-9, np.abs(mono).max())).astype(np.float32)


def _write(path: Path, samples: np.ndarray, codec: str = "pcm_s16le", fmt: str = "wav",
           bitrate: int | None = None) -> Path:
    with av.open(str(path), "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=RATE, layout="mono")
        if bitrate:
            stream.codec_context.bit_rate = bitrate
            stream.codec_context.options = {"compression_level": "7"}  # LAME's fast mode: the test needs no polish
        block = 1152 if bitrate else samples.shape[1]  # PCM in one frame; LAME in its own frame size
        for start in range(0, samples.shape[1], block):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples[:, start:start + block]), format="fltp",
                                               layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = RATE, start, Fraction(1, RATE)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def make_set(workdir: Path, clips: int, seconds: float) -> list[tuple[int, str, Path]]:
    """(clip id, variant or 'original', path) for every file of the evaluation set."""
    def one(seed: int) -> list[tuple[int, str, Path]]:
        x = synth_clip(seed, seconds)
        fade = np.minimum(1.0, np.minimum(np.arange(x.shape[1]), x.shape[1] - np.arange(x.shape[1])) / (5 * RATE))
        base = workdir / f"clip{seed:04d}"
        return [
            (seed, "original", _write(base.with_suffix(".wav"), x)),
            (seed, "mp3_48k", _write(Path(f"{base}_mp3.mp3"), x, "libmp3lame", "mp3", 48_000)),
            (seed, "minus_6db", _write(Path(f"{base}_6db.wav"), x * 10 ** (-6 / 20))),
            (seed, "trim_2s", _write(Path(f"{base}_trim.wav"), np.ascontiguousarray(x[:, 2 * RATE:]))),
            (seed, "fade_5s", _write(Path(f"{base}_fade.wav"), (x * fade).astype(np.float32))),
        ]

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return [item for batch in pool.map(one, range(clips)) for item in batch]


def evaluate(files: list[tuple[int, str, Path]]) -> dict[str, object]:
    started = time.monotonic()
    paths = [path for _, _, path in files]
    workers = os.cpu_count() or 2
    share = -(-len(paths) // workers)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = pool.map(fingerprints, [paths[i:i + share] for i in range(0, len(paths), share)])
        prints = [fp for part in parts for fp in part]
    fingerprint_s = time.monotonic() - started
    originals = {clip: fp for (clip, kind, _), fp in zip(files, prints, strict=True) if kind == "original"}
    index = {clip: set(index_terms(fp)) for clip, fp in originals.items()}
    tp = fp_count = fn = 0
    missed_by_index = 0
    candidate_counts = []
    per_variant = {v: [0, 0] for v in VARIANTS}
    for (clip, kind, _), query in zip(files, prints, strict=True):
        if kind == "original":
            continue
        found = candidates(index_terms(query), index)
        candidate_counts.append(len(found))
        if clip not in found:
            missed_by_index += 1
        matches = {key for key in found if same_recording(query, originals[key])}
        tp += clip in matches
        fn += clip not in matches
        fp_count += len(matches - {clip})
        per_variant[kind][0] += clip in matches
        per_variant[kind][1] += 1
    # Without the index: the best score between any two different pieces (the first 50), and the worst
    # score of a variant against its own original, to show the margin around SAME_THRESHOLD.
    keys = sorted(originals)[:50]
    different = max((similarity(originals[a], originals[b]) for i, a in enumerate(keys) for b in keys[i + 1:]),
                    default=0.0)
    same = min((similarity(query, originals[clip]) for (clip, kind, _), query in zip(files, prints, strict=True)
                if kind != "original"), default=1.0)
    return {
        "max_similarity_different": round(different, 4), "min_similarity_same": round(same, 4),
        "precision": round(tp / max(1, tp + fp_count), 4), "recall": round(tp / max(1, tp + fn), 4),
        "true_positives": tp, "false_positives": fp_count, "false_negatives": fn,
        "missed_by_index": missed_by_index, "originals": len(originals), "queries": len(candidate_counts),
        "mean_candidates": round(float(np.mean(candidate_counts)), 2) if candidate_counts else 0.0,
        "fingerprint_s": round(fingerprint_s, 1),
        "recall_by_variant": {k: round(a / max(1, b), 4) for k, (a, b) in per_variant.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        files = make_set(workdir, args.clips, args.seconds)
        result = evaluate(files)
    result["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
