"""Loudness against pyloudnorm (an independent BS.1770 implementation), true peak and the gain rules."""

import math

import numpy as np
import pyloudnorm
import pytest

from content.media import measure_loudness
from content.media.loudness import loudness_of
from tests.content.media.audiogen import chord, noise, tone, write


def _reference(samples: np.ndarray, rate: int) -> float:
    return pyloudnorm.Meter(rate).integrated_loudness(samples.T.astype(np.float64))


def _gated_music(rate: int, channels: int) -> np.ndarray:
    x = chord(seconds=6, rate=rate, channels=channels) + noise(seconds=6, rate=rate, channels=channels, amplitude=0.1)
    x[:, : 2 * rate] *= 0.05  # 26 dB quieter: dropped by the relative gate
    return x.astype(np.float32)


@pytest.mark.parametrize(("name", "rate", "channels"), [
    ("noise", 44100, 2), ("chord", 48000, 2), ("mono", 44100, 1), ("hires", 96000, 2), ("gated", 44100, 2),
    ("gated-mono", 48000, 1)])
def test_integrated_loudness_matches_pyloudnorm(tmp_path, name, rate, channels):
    signal = {
        "noise": lambda: noise(seconds=5, rate=rate, channels=channels, amplitude=0.4),
        "chord": lambda: chord(seconds=5, rate=rate, channels=channels),
        "mono": lambda: tone(300, seconds=5, rate=rate, channels=1, amplitude=0.3),
        "hires": lambda: noise(seconds=4, rate=rate, channels=channels, amplitude=0.2),
    }.get(name, lambda: _gated_music(rate, channels))()
    path = write(tmp_path / "a.wav", signal, rate, "wav", bits=24)
    measured = measure_loudness(path)
    assert abs(measured.integrated_lufs - _reference(signal, rate)) < 0.5
    assert measured.replaygain_track_gain_db == pytest.approx(-18 - measured.integrated_lufs, abs=0.011)
    assert measured.r128_track_gain == round((-23 - measured.integrated_lufs) * 256) or \
        abs(measured.r128_track_gain - (-23 - measured.integrated_lufs) * 256) < 3


def test_a_1khz_tone_at_minus_20_dbfs_reads_minus_20_lufs():
    """BS.1770's calibration: a 0 dBFS-peak 997 Hz sine in one channel reads -3.01 LUFS; at -20 dBFS, -23.01."""
    signal = tone(997, seconds=5, rate=48000, channels=1, amplitude=10 ** (-20 / 20))
    assert loudness_of(signal, 48000).integrated_lufs == pytest.approx(-23.01, abs=0.05)


def test_true_peak_sees_between_the_samples():
    rate = 48000
    n = np.arange(rate * 2)
    signal = np.sin(2 * np.pi * n / 4 + math.pi / 4).astype(np.float32)[None, :]  # samples at ±0.707 only
    assert 20 * math.log10(np.abs(signal).max()) == pytest.approx(-3.01, abs=0.01)
    assert loudness_of(signal, rate).true_peak_dbtp == pytest.approx(0.0, abs=0.3)


def test_gain_reaches_minus_14_when_the_peak_allows_it():
    signal = chord(seconds=4, rate=44100)
    quiet = (signal * 10 ** (-20 / 20)).astype(np.float32)
    result = loudness_of(quiet, 44100)
    assert result.gain_db == pytest.approx(-14 - result.integrated_lufs, abs=0.011)
    assert result.true_peak_dbtp + result.gain_db <= -1


def test_gain_is_capped_so_the_true_peak_stays_at_minus_1():
    rate = 44100
    signal = noise(seconds=6, rate=rate, amplitude=0.01)
    signal[:, ::rate // 2] = 0.95  # loud clicks: high peak, low loudness
    result = loudness_of(signal, rate)
    assert -14 - result.integrated_lufs > result.gain_db  # capped below what loudness alone asks for
    assert result.gain_db == pytest.approx(-1 - result.true_peak_dbtp, abs=0.011)


def test_loud_master_gets_a_negative_gain():
    signal = np.clip(noise(seconds=4, amplitude=1.0) * 1.5, -0.9, 0.9).astype(np.float32)
    result = loudness_of(signal, 44100)
    assert result.integrated_lufs > -14 and result.gain_db < 0


def test_silence_is_not_boosted():
    result = loudness_of(np.zeros((2, 44100 * 3), np.float32), 44100)
    assert (result.integrated_lufs, result.gain_db, result.replaygain_track_gain_db, result.r128_track_gain) == \
        (-70.0, 0.0, 0.0, 0)


def test_loudness_range_grows_with_dynamics():
    rate = 44100
    steady = noise(seconds=20, rate=rate, amplitude=0.2)
    dynamic = steady.copy()
    dynamic[:, : 10 * rate] *= 10 ** (-12 / 20)
    assert loudness_of(steady, rate).lra_lu < 1
    assert 9 < loudness_of(dynamic, rate).lra_lu < 13
