"""MP3 through LAME with our own Info frame: FFmpeg decodes exactly the samples put in (gapless), the tag checks."""

from __future__ import annotations

import av
import numpy as np
import pytest

from content.media import mp3


def _tone(rate: int, channels: int, seconds: float) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    wave = 0.4 * np.sin(2 * np.pi * 440 * t)
    return np.round(np.stack([wave] * channels, axis=1) * 32767).astype(np.int16)


@pytest.mark.parametrize(("rate", "channels", "kbps"), [(44100, 2, 320), (48000, 1, 192), (44100, 2, 128)])
def test_ffmpeg_decodes_exactly_the_samples_encoded(tmp_path, rate, channels, kbps):
    pcm = _tone(rate, channels, 2.345)
    target = tmp_path / "out.mp3"
    counts = mp3.encode(np.array_split(pcm, 17), target, rate, channels, kbps)
    assert counts["samples"] == len(pcm)
    with av.open(str(target)) as container:
        stream = container.streams.audio[0]
        decoded = sum(frame.samples for frame in container.decode(stream))
        assert (stream.codec_context.sample_rate, stream.codec_context.channels) == (rate, channels)
    assert decoded == len(pcm)  # encoder delay and padding trimmed from our LAME tag


def test_the_info_frame_carries_counts_and_a_valid_crc(tmp_path):
    pcm = _tone(44100, 2, 1.0)
    target = tmp_path / "out.mp3"
    counts = mp3.encode([pcm], target, 44100, 2, 320)
    data = target.read_bytes()
    info = data.index(b"Info")
    assert info == 4 + 32  # after the header and a stereo MPEG-1 side info
    frames = int.from_bytes(data[info + 8: info + 12], "big")
    assert frames == counts["packets"] == mp3._frame_count(data[1044:])
    lame = info + 120
    assert data[lame: lame + 9] == b"LAME3.100"
    delay_padding = int.from_bytes(data[lame + 21: lame + 24], "big")
    assert delay_padding >> 12 == mp3.ENCODER_DELAY
    assert frames * 1152 == mp3.ENCODER_DELAY + len(pcm) + (delay_padding & 0xFFF)
    assert int.from_bytes(data[lame + 34: lame + 36], "big") == mp3._crc16(data[: lame + 34])


def test_crc16_is_the_arc_variant():
    assert mp3._crc16(b"123456789") == 0xBB3D  # the catalogue check value of CRC-16/ARC


def test_a_rate_mp3_cannot_carry_is_refused(tmp_path):
    with pytest.raises(ValueError, match="MP3 needs"):
        mp3.encode([_tone(22050, 2, 0.1)], tmp_path / "x.mp3", 22050, 2, 320)
    assert not (tmp_path / "x.mp3").exists()
