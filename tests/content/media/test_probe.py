"""Probe and validate: every accepted format answers right, every bad file is refused with its code."""

import shutil
import sys

import pytest

from content.media import MediaRejected, probe, validate
from tests.content.media.audiogen import chord, noise, tone, write, write_video_only

LOSSLESS = [("wav", 16), ("wav", 24), ("aiff", 16), ("aiff", 24), ("flac", 16), ("flac", 24), ("m4a", 16),
            ("m4a", 24)]
EXPECTED_CODEC = {"wav": {16: "pcm_s16le", 24: "pcm_s24le"}, "aiff": {16: "pcm_s16be", 24: "pcm_s24be"},
                  "flac": {16: "flac", 24: "flac"}, "m4a": {16: "alac", 24: "alac"}}


@pytest.mark.parametrize("rate", [44100, 48000, 96000])
@pytest.mark.parametrize(("kind", "bits"), LOSSLESS)
def test_lossless_formats_probe_right(tmp_path, kind, bits, rate):
    channels = 1 if rate == 48000 else 2
    path = write(tmp_path / f"a.{kind}", chord(seconds=1.5, rate=rate, channels=channels), rate, kind, bits)
    p = validate(path, max_duration_ms=60_000)
    assert (p.format, p.codec, p.sample_rate, p.channels, p.bit_depth) == \
        (kind, EXPECTED_CODEC[kind][bits], rate, channels, bits)
    assert p.lossless and p.decoded
    assert abs(p.duration_ms - 1500) <= 1
    assert p.bitrate and p.bitrate > 0


# FFmpeg's native Vorbis encoder (the only one PyAV has) writes stereo only.
@pytest.mark.parametrize(("kind", "codec", "rate", "channels"), [
    ("mp3", "mp3", 44100, 1), ("mp3", "mp3", 44100, 2), ("mp3", "mp3", 48000, 2),
    ("opus", "opus", 48000, 1), ("opus", "opus", 48000, 2), ("vorbis", "vorbis", 44100, 2)])
def test_lossy_formats_probe_right(tmp_path, kind, codec, rate, channels):
    signal = noise(seconds=2, rate=rate, channels=channels) if channels == 1 else tone(seconds=2, rate=rate)
    path = write(tmp_path / "clip", signal, rate, kind, 16, bitrate=128_000)
    p = validate(path, max_duration_ms=60_000)
    assert (p.format, p.codec, p.sample_rate, p.channels, p.bit_depth, p.lossless) == \
        ("ogg" if kind in ("opus", "vorbis") else kind, codec, rate, channels, None, False)
    assert abs(p.duration_ms - 2000) <= 30  # MP3 without gapless info on decode may keep a frame's padding
    assert (20_000 if kind == "vorbis" else 60_000) < p.bitrate < 260_000  # the Vorbis encoder ignores bit_rate


def test_silence_is_valid_audio(tmp_path):
    path = write(tmp_path / "s.flac", 0 * tone(seconds=1), 44100, "flac")
    assert validate(path, 10_000).duration_ms == 1000


def test_detected_by_content_not_extension(tmp_path):
    path = write(tmp_path / "really_flac.mp3", chord(seconds=1), 44100, "flac")
    assert probe(path).format == "flac"


def _refused(path, code, **limits):
    with pytest.raises(MediaRejected) as caught:
        validate(path, limits.get("max_duration_ms", 60_000), limits.get("max_bytes"))
    assert caught.value.code == code, caught.value.message
    assert caught.value.message


def test_zero_length_is_refused(tmp_path):
    (tmp_path / "empty.wav").write_bytes(b"")
    _refused(tmp_path / "empty.wav", "unsupported-format")


def test_renamed_executable_is_refused(tmp_path):
    fake = tmp_path / "song.wav"
    shutil.copyfile(sys.executable, fake)
    _refused(fake, "unsupported-format")


def test_text_named_mp3_is_refused(tmp_path):
    (tmp_path / "notes.mp3").write_text("hello, not audio\n" * 100)
    _refused(tmp_path / "notes.mp3", "unsupported-format")


@pytest.mark.parametrize("kind", ["wav", "flac", "mp3", "m4a", "opus"])
def test_truncated_file_is_refused(tmp_path, kind):
    rate = 48000 if kind == "opus" else 44100
    path = write(tmp_path / f"t.{kind}", noise(seconds=4, rate=rate), rate, kind, bitrate=128_000)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    _refused(path, "corrupt-audio")


def test_garbage_after_a_valid_header_is_refused(tmp_path):
    path = write(tmp_path / "g.flac", noise(seconds=2), 44100, "flac")
    data = bytearray(path.read_bytes())
    data[200:] = bytes(len(data) - 200)  # keep STREAMINFO, zero every frame
    path.write_bytes(bytes(data))
    _refused(path, "corrupt-audio")


def test_video_only_file_is_refused(tmp_path):
    _refused(write_video_only(tmp_path / "clip.m4a"), "no-audio-stream")


def test_too_long_is_refused(tmp_path):
    path = write(tmp_path / "long.flac", tone(seconds=3), 44100, "flac")
    _refused(path, "too-long", max_duration_ms=2_000)
    assert validate(path, max_duration_ms=3_100).duration_ms == 3000


def test_three_hour_silent_file_is_refused_without_decoding_it_all(tmp_path):
    """A 3 h header: refused from the header, before the decode (a WAV whose data is sparse zeros)."""
    path = write(tmp_path / "short.wav", 0 * tone(seconds=0.1, channels=1), 8000, "wav")
    data = bytearray(path.read_bytes())
    at = data.index(b"data")
    frames = 3 * 3600 * 8000
    data[at + 4: at + 8] = (frames * 2).to_bytes(4, "little")
    data[4:8] = (at + frames * 2).to_bytes(4, "little")
    with path.open("wb") as handle:
        handle.write(bytes(data[: at + 8]))
        handle.truncate(at + 8 + frames * 2)  # sparse: 172 MB of silence costs no disk
    _refused(path, "too-long", max_duration_ms=2 * 3600 * 1000)


def test_too_large_is_refused(tmp_path):
    path = write(tmp_path / "big.wav", noise(seconds=1), 44100, "wav")
    _refused(path, "too-large", max_bytes=1000)
