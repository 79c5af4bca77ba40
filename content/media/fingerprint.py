"""Acoustic fingerprints (Chromaprint, Debian's `fpcalc -raw`) and how near-duplicates are found.

A fingerprint is Chromaprint's list of 32-bit sub-fingerprints, about 8 per second of audio, over the
first 120 s. Two fingerprints are compared by the share of equal bits at the best alignment within
±40 items (about ±5 s): re-encodes, level changes, trims and fades of one recording score ≥ 0.9,
different recordings about 0.5 (chance).

Candidate lookup in PostgreSQL (`index_terms`): a lossy re-encode flips a few bits of some
sub-fingerprints, but most keep their top 20 bits. `index_terms(fp)` is the set of distinct `item >> 12`
values (0 .. 2^20-1, int4-safe), skipping values so frequent they mean silence or a drone. Measured on
the generated set (20 s clips, ~124 terms each): a re-encode/-6 dB/trim/fade shares at least 59 terms
with its original (median 113), a different piece at most 4 (mean 0.06); two different 120 s pieces
(~900 terms each) share 2. Hence `MIN_SHARED_TERMS = 8`. Store it in an `int[]` column with a GIN index
(`CREATE INDEX ... USING gin (terms)`) and find candidates with the overlap operator, ranked by how many
terms they share, then confirm each candidate with `similarity()` / `same_recording()`:

    SELECT recording_id FROM fingerprints
    WHERE terms && :terms
    ORDER BY cardinality(ARRAY(SELECT unnest(terms) INTERSECT SELECT unnest(CAST(:terms AS int[])))) DESC
    LIMIT 20;

(or a side table `(term int, recording_id)` with a b-tree on `term`:
`SELECT recording_id FROM fingerprint_terms WHERE term = ANY(:terms) GROUP BY 1
 HAVING count(*) >= :min_shared ORDER BY count(*) DESC LIMIT 20`). `candidates()` below is that same
logic in Python; `MIN_SHARED_TERMS` is the minimum overlap.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from content.media.errors import MediaRejected

MAX_OFFSET = 40  # items, about 5 s
MIN_OVERLAP = 40  # items compared at least, about 5 s
SAME_THRESHOLD = 0.75  # AcoustID: 0.95 same fingerprint, 0.7 same track; different pieces score ~0.5
TERM_SHIFT = 12  # terms are the top 20 bits of each sub-fingerprint
MIN_SHARED_TERMS = 8
FPCALC_SECONDS = 120


@dataclass(frozen=True)
class Fingerprint:
    items: tuple[int, ...]  # unsigned 32-bit sub-fingerprints
    duration_s: float  # of the whole file, as fpcalc reports it

    def as_array(self) -> np.ndarray:
        return np.asarray(self.items, dtype=np.uint32)


def fpcalc_path() -> str:
    path = shutil.which("fpcalc")
    if path is None:
        raise RuntimeError("fpcalc not found: install Debian's libchromaprint-tools (make deps does)")
    return path


def _fpcalc(paths: list[Path]) -> tuple[int, str, str]:
    try:
        result = subprocess.run([fpcalc_path(), "-raw", "-ignore-errors", "-length", str(FPCALC_SECONDS),
                                 *map(str, paths)], capture_output=True, text=True, timeout=60 + 30 * len(paths),
                                check=False)
    except subprocess.TimeoutExpired as err:
        raise MediaRejected("corrupt-audio", "fingerprinting timed out") from err
    return result.returncode, result.stdout, result.stderr


def _parse(stdout: str) -> list[Fingerprint]:
    prints, duration = [], 0.0
    for line in stdout.splitlines():
        key, _, value = line.partition("=")
        if key == "DURATION":
            duration = float(value)
        elif key == "FINGERPRINT":
            items = tuple(int(v) & 0xFFFFFFFF for v in value.split(",") if v)
            prints.append(Fingerprint(items=items, duration_s=duration))
    return prints


def fingerprint(path: Path) -> Fingerprint:
    """Chromaprint's raw fingerprint of the first 120 s, and the file's duration."""
    code, stdout, stderr = _fpcalc([Path(path)])
    prints = _parse(stdout)
    if code != 0 or len(prints) != 1 or not prints[0].items:
        raise MediaRejected("corrupt-audio", f"cannot fingerprint the audio: {stderr.strip()[:200]}")
    return prints[0]


def fingerprints(paths: list[Path], batch: int = 64) -> list[Fingerprint]:
    """Many files, one fpcalc process per batch (its start-up costs more than a short clip's analysis).

    fpcalc's output does not name the files, so a batch where any file fails is redone file by file.
    """
    out: list[Fingerprint] = []
    for start in range(0, len(paths), batch):
        group = [Path(p) for p in paths[start:start + batch]]
        code, stdout, _ = _fpcalc(group)
        prints = _parse(stdout)
        if code == 0 and len(prints) == len(group) and all(fp.items for fp in prints):
            out.extend(prints)
        else:
            out.extend(fingerprint(p) for p in group)
    return out


def similarity(a: Fingerprint, b: Fingerprint, max_offset: int = MAX_OFFSET) -> float:
    """Share of equal bits between the two at the best offset within ±max_offset items (0.0 .. 1.0).

    All offsets at once: x[j] is compared with y[j - offset], over the items both have.
    """
    x, y = a.as_array(), b.as_array()
    m = len(x)
    if m == 0 or len(y) == 0:
        return 0.0
    width = max(m, len(y)) + 2 * max_offset
    padded = np.zeros(width, np.uint32)
    present = np.zeros(width, bool)
    padded[max_offset: max_offset + len(y)] = y
    present[max_offset: max_offset + len(y)] = True
    windows = np.lib.stride_tricks.sliding_window_view(padded, m)[: 2 * max_offset + 1]
    valid = np.lib.stride_tricks.sliding_window_view(present, m)[: 2 * max_offset + 1]
    differing = (np.bitwise_count(windows ^ x) * valid).sum(axis=1)
    overlap = valid.sum(axis=1)
    usable = overlap >= min(MIN_OVERLAP, m, len(y))
    if not usable.any():
        return 0.0
    scores = 1.0 - differing[usable] / (32.0 * overlap[usable])
    return float(scores.max())


def durations_match(a: Fingerprint, b: Fingerprint) -> bool:
    """Trims and fades change a length a little; a different edit (radio edit, extended mix) changes it a lot."""
    longer = max(a.duration_s, b.duration_s)
    return abs(a.duration_s - b.duration_s) <= max(7.0, 0.1 * longer)


def same_recording(a: Fingerprint, b: Fingerprint) -> bool:
    return durations_match(a, b) and similarity(a, b) >= SAME_THRESHOLD


def index_terms(fp: Fingerprint) -> list[int]:
    """Distinct top-20-bit values of the sub-fingerprints, as int4-safe ints, sorted (for an int[] column)."""
    items = fp.as_array()
    if not len(items):
        return []
    values, counts = np.unique(items >> TERM_SHIFT, return_counts=True)
    # A value repeated over a fifth of the clip is silence or a drone: it would match everything.
    common = counts > max(8, len(items) // 5)
    return sorted(int(v) for v in values[~common])


def candidates(query_terms: Iterable[int], index: dict[object, set[int]], limit: int = 20,
               min_shared: int = MIN_SHARED_TERMS) -> list[object]:
    """Keys of the indexed fingerprints sharing the most terms with the query (the SQL's logic, in Python)."""
    wanted = set(query_terms)
    scored = [(len(wanted & terms), key) for key, terms in index.items()]
    scored = [(n, key) for n, key in scored if n >= min_shared]
    scored.sort(key=lambda item: -item[0])
    return [key for _, key in scored[:limit]]
