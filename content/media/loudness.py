"""Loudness per ITU-R BS.1770-4 / EBU R128 (numpy + scipy filters, no per-sample Python loops).

- integrated loudness: K-weighting, 400 ms blocks every 100 ms, absolute gate -70 LUFS, relative gate -10 LU;
- loudness range (EBU Tech 3342): 3 s short-term loudness every 100 ms, gates -70 LUFS and -20 LU, 10th-95th
  percentile spread;
- true peak: 4x oversampling with a 48-tap interpolation filter (BS.1770-4 Annex 2), max |sample| in dBTP.
Gains are never applied to samples: they are stored and written as tags (ReplayGain 2.0, Opus R128).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import signal

from content.media.decode import decode_float

TARGET_LUFS = -14.0  # the platform's playback level (Spotify's)
PEAK_CEILING_DBTP = -1.0
REPLAYGAIN_REF_LUFS = -18.0  # ReplayGain 2.0
R128_REF_LUFS = -23.0  # RFC 7845 R128_TRACK_GAIN
SILENCE_LUFS = -70.0


@dataclass(frozen=True)
class Loudness:
    integrated_lufs: float  # -70.0 for (near) silence
    true_peak_dbtp: float  # -inf would not serialise: silence reports -120.0
    lra_lu: float
    gain_db: float  # to TARGET_LUFS, lowered so the true peak stays <= PEAK_CEILING_DBTP
    replaygain_track_gain_db: float
    replaygain_track_peak: float  # linear, 1.0 = full scale (true peak)
    r128_track_gain: int  # Q7.8 dB relative to -23 LUFS, for Opus tags

    def as_dict(self) -> dict[str, float | int]:
        return dict(self.__dict__)


def _k_weighting(rate: int) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The two biquads of BS.1770 for any sample rate (the 48 kHz coefficients re-derived, as libebur128 does)."""
    f0, gain, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / rate)
    vh = 10 ** (gain / 20)
    vb = vh ** 0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf_b = np.array([(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0])
    shelf_a = np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / rate)
    a0 = 1 + k / q + k * k
    high_b = np.array([1.0, -2.0, 1.0])
    high_a = np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    return (shelf_b, shelf_a), (high_b, high_a)


def _channel_weights(channels: int) -> np.ndarray:
    # FFmpeg's 5.1 order is FL FR FC LFE BL BR: surrounds weigh 1.41, the LFE 0.
    if channels == 6:
        return np.array([1.0, 1.0, 1.0, 0.0, 1.41, 1.41])
    return np.ones(channels)


def _subblock_energy(samples: np.ndarray, rate: int) -> tuple[np.ndarray, int]:
    """Weighted mean-square sums per 100 ms step (shape: steps), and the step length in samples."""
    (sb, sa), (hb, ha) = _k_weighting(rate)
    sos = np.vstack([np.concatenate([sb, sa]), np.concatenate([hb, ha])])
    filtered = signal.sosfilt(sos, samples.astype(np.float64), axis=1)
    step = round(rate * 0.1)
    steps = filtered.shape[1] // step
    squares = np.square(filtered[:, : steps * step]).reshape(samples.shape[0], steps, step).sum(axis=2)
    return (_channel_weights(samples.shape[0])[:, None] * squares).sum(axis=0), step


def _windowed(energy: np.ndarray, width: int, step: int) -> np.ndarray:
    """Mean square over windows of `width` steps, one window per step."""
    if len(energy) < width:
        return np.array([])
    csum = np.concatenate([[0.0], np.cumsum(energy)])
    return (csum[width:] - csum[:-width]) / (width * step)


def _lufs(mean_square: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return -0.691 + 10 * np.log10(mean_square)


def integrated_and_range(samples: np.ndarray, rate: int) -> tuple[float, float]:
    energy, step = _subblock_energy(samples, rate)
    blocks = _windowed(energy, 4, step)
    loud = _lufs(blocks)
    gated = blocks[loud > SILENCE_LUFS]
    if not len(gated):
        return SILENCE_LUFS, 0.0
    relative = _lufs(np.array([gated.mean()]))[0] - 10
    gated = blocks[(loud > SILENCE_LUFS) & (loud > relative)]
    integrated = float(_lufs(np.array([gated.mean()]))[0])
    short = _windowed(energy, 30, step)
    short_lufs = _lufs(short)
    short_gated = short[short_lufs > SILENCE_LUFS]
    if not len(short_gated):
        return integrated, 0.0
    relative = _lufs(np.array([short_gated.mean()]))[0] - 20
    kept = short_lufs[(short_lufs > SILENCE_LUFS) & (short_lufs > relative)]
    lra = float(np.percentile(kept, 95) - np.percentile(kept, 10)) if len(kept) else 0.0
    return integrated, lra


_OVERSAMPLE = 4
_TAPS = 48
# A Kaiser-windowed sinc interpolator: 12 taps per phase, cut-off at the original Nyquist frequency.
_INTERPOLATOR = signal.firwin(_TAPS, 1.0 / _OVERSAMPLE, window=("kaiser", 5.0)) * _OVERSAMPLE


def true_peak(samples: np.ndarray, chunk: int = 1 << 20) -> float:
    """Linear true peak: the largest |sample| after 4x oversampling, processed in bounded chunks."""
    peak = float(np.abs(samples).max()) if samples.size else 0.0
    margin = _TAPS
    for start in range(0, samples.shape[1], chunk):
        piece = samples[:, max(0, start - margin): start + chunk + margin]
        up = signal.upfirdn(_INTERPOLATOR, piece, up=_OVERSAMPLE, axis=1)
        peak = max(peak, float(np.abs(up).max()))
    return peak


def _db(linear: float) -> float:
    return 20 * math.log10(linear) if linear > 1e-6 else -120.0


def loudness_of(samples: np.ndarray, rate: int) -> Loudness:
    integrated, lra = integrated_and_range(samples, rate)
    peak = true_peak(samples)
    peak_db = _db(peak)
    # Never boost silence; otherwise the gain to -14 LUFS, lowered until the true peak stays at -1 dBTP.
    gain = 0.0 if integrated <= SILENCE_LUFS else min(TARGET_LUFS - integrated, PEAK_CEILING_DBTP - peak_db)
    rg_gain = REPLAYGAIN_REF_LUFS - integrated if integrated > SILENCE_LUFS else 0.0
    r128 = round((R128_REF_LUFS - integrated) * 256) if integrated > SILENCE_LUFS else 0
    return Loudness(
        integrated_lufs=round(integrated, 2), true_peak_dbtp=round(peak_db, 2), lra_lu=round(lra, 2),
        gain_db=round(gain, 2), replaygain_track_gain_db=round(rg_gain, 2), replaygain_track_peak=round(peak, 6),
        r128_track_gain=max(-32768, min(32767, r128)),
    )


def measure_loudness(path: Path) -> Loudness:
    """Integrated loudness, true peak, loudness range and the playback gains of an audio file."""
    samples, rate = decode_float(Path(path))
    return loudness_of(samples, rate)
