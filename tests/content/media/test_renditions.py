"""Renditions: each decodes, has its codec/bitrate/duration, gapless info and gain tags; HLS plays through."""

import json

import av
import mutagen
import numpy as np
import pytest
from mutagen.id3 import ID3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus

from content.media import (
    MediaRejected,
    analyse_and_render,
    check_rendition,
    make_renditions,
    measure_loudness,
    validate,
)
from content.media.decode import decode_float
from content.media.loudness import loudness_of
from content.media.renditions import Rendition, RenditionFile, hls_segments
from tests.content.media.audiogen import chord, noise, tone, write

SECONDS = 36


def _music(seconds: float, rate: int, channels: int = 2) -> np.ndarray:
    x = chord(seconds=seconds, rate=rate, channels=channels) + noise(seconds=seconds, rate=rate, channels=channels,
                                                                       amplitude=0.05)
    x[:, : rate * 3] *= 0.2  # a quiet intro, so gating and LRA have work to do
    return x.astype(np.float32)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root = tmp_path_factory.mktemp("renditions")
    source = write(root / "master.wav", _music(SECONDS, 44100), 44100, "wav")
    probe = validate(source, 10 * 60_000)
    loudness = measure_loudness(source)
    seen: list[float] = []
    renditions = make_renditions(source, root / "out", probe, loudness, preview_start_ms=4000, progress=seen.append)
    return source, probe, loudness, {r.name: r for r in renditions}, seen


def _decode(path):
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        samples = sum(f.samples for f in container.decode(stream))
        return stream.codec_context.name, stream.codec_context.sample_rate, samples


def test_every_rendition_is_made_and_checked(rendered):
    _, probe, _, renditions, seen = rendered
    assert set(renditions) == {"opus_160", "opus_96", "aac_256", "mp3_320", "flac", "preview", "hls", "waveform"}
    for r in renditions.values():
        check_rendition(r, probe.duration_ms)
        assert r.size == sum(f.size for f in r.files) > 0
        assert all(len(f.sha256) == 64 for f in r.files)
    assert seen[-1] == 1.0 and seen == sorted(seen)


@pytest.mark.parametrize(("name", "codec", "rate", "bitrate"), [
    ("opus_160", "opus", 48000, 160_000), ("opus_96", "opus", 48000, 96_000), ("aac_256", "aac", 44100, 256_000),
    ("mp3_320", "mp3", 44100, 320_000), ("flac", "flac", 44100, None)])
def test_codec_rate_bitrate_and_duration(rendered, name, codec, rate, bitrate):
    _, probe, _, renditions, _ = rendered
    r = renditions[name]
    decoded_codec, decoded_rate, samples = _decode(r.path)
    assert decoded_codec.removesuffix("float") == codec and r.codec == codec and decoded_rate == rate
    assert abs(samples * 1000 / rate - probe.duration_ms) <= 50
    assert r.bitrate == bitrate
    if bitrate:
        actual = r.size * 8 / (probe.duration_ms / 1000)
        assert 0.75 * bitrate < actual < 1.15 * bitrate, actual


def test_mp3_is_cbr_with_a_lame_header_giving_delay_and_padding(rendered):
    _, probe, _, renditions, _ = rendered
    r = renditions["mp3_320"]
    assert r.gapless["delay"] > 0 and 0 < r.gapless["padding"] < 1152 * 2
    total = probe.duration_ms * 44100 // 1000
    frames = (total + r.gapless["delay"] + r.gapless["padding"]) / 1152
    assert frames == int(frames)  # delay + samples + padding is a whole number of MPEG frames
    data = r.path.read_bytes()
    at = data.index(b"Info") - 36  # the Info frame: CBR files say Info, VBR say Xing
    bitrates = set()
    for _ in range(200):  # walk MPEG-1 layer III frames: 144 * bitrate / rate bytes, plus the padding bit
        header = data[at: at + 4]
        assert header[:2] == b"\xff\xfb"
        bitrates.add(header[2] >> 4)
        at += 144 * 320_000 // 44100 + ((header[2] >> 1) & 1)
    assert bitrates == {0b1110}  # bitrate index 14: 320 kb/s in every frame


def test_m4a_keeps_encoder_delay_and_padding(rendered):
    _, probe, _, renditions, _ = rendered
    r = renditions["aac_256"]
    data = r.path.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # faststart
    assert b"elst" in data
    smpb = bytes(MP4(r.path)["----:com.apple.iTunes:iTunSMPB"][0]).decode().split()
    delay, padding, samples = int(smpb[1], 16), int(smpb[2], 16), int(smpb[3], 16)
    assert (delay, samples) == (1024, probe.duration_ms * 44100 // 1000)
    assert (delay + samples + padding) % 1024 == 0


def test_gain_is_tagged_never_applied(rendered):
    _, _, loudness, renditions, _ = rendered
    assert loudness.gain_db != 0
    opus = OggOpus(renditions["opus_160"].path)
    assert opus["R128_TRACK_GAIN"] == [str(loudness.r128_track_gain)]
    mp3 = ID3(renditions["mp3_320"].path)
    assert mp3["TXXX:REPLAYGAIN_TRACK_GAIN"].text == [f"{loudness.replaygain_track_gain_db:+.2f} dB"]
    assert mutagen.File(renditions["flac"].path)["REPLAYGAIN_TRACK_PEAK"] == [f"{loudness.replaygain_track_peak:.6f}"]
    m4a = MP4(renditions["aac_256"].path)
    assert bytes(m4a["----:com.apple.iTunes:REPLAYGAIN_TRACK_GAIN"][0]).decode().endswith(" dB")
    for name in ("opus_96", "aac_256", "mp3_320", "flac"):
        samples, rate = decode_float(renditions[name].path)
        assert abs(loudness_of(samples, rate).integrated_lufs - loudness.integrated_lufs) < 0.5, name


def test_preview_is_thirty_seconds_from_the_chosen_start_with_fades(rendered):
    source, _, _, renditions, _ = rendered
    r = renditions["preview"]
    assert r.duration_ms == 30_000
    samples, rate = decode_float(r.path)
    assert abs(samples.shape[1] / rate - 30) < 0.05
    original, _ = decode_float(source)
    level = lambda x: float(np.sqrt(np.mean(np.square(x))))  # noqa: E731
    assert level(samples[:, :441]) < 0.2 * level(original[:, 4 * 44100: 4 * 44100 + 441 * 100])  # fade-in
    assert level(samples[:, -441:]) < 0.2 * level(samples[:, rate * 10: rate * 11])  # fade-out
    assert abs(level(samples[:, rate * 10: rate * 11]) - level(original[:, 14 * 44100: 15 * 44100])) < 0.02


def test_hls_every_segment_decodes_and_they_join_to_the_full_duration(rendered):
    _, probe, _, renditions, _ = rendered
    directory = renditions["hls"].path
    master = (directory / "master.m3u8").read_text()
    variants = [line for line in master.splitlines() if line and not line.startswith("#")]
    assert variants == ["256/playlist.m3u8", "128/playlist.m3u8"]
    assert master.count('CODECS="mp4a.40.2"') == 2
    for variant, bitrate in zip(variants, (256_000, 128_000), strict=True):
        playlist = directory / variant
        text = playlist.read_text()
        assert "#EXT-X-TARGETDURATION:6" in text and "#EXT-X-ENDLIST" in text
        init, segments = hls_segments(playlist)
        assert init is not None and -(-SECONDS // 6) <= len(segments) <= -(-SECONDS // 6) + 1
        total = 0
        for segment, seconds in segments:
            joined = playlist.parent / "one.mp4"
            joined.write_bytes(init.read_bytes() + segment.read_bytes())
            codec, rate, samples = _decode(joined)
            joined.unlink()
            assert codec == "aac" and abs(samples / rate - seconds) < 0.05
            assert seconds <= 6.1
            total += samples
        assert abs(total * 1000 / 44100 - probe.duration_ms) <= 50
        size = sum(s.stat().st_size for s, _ in segments)
        assert 0.75 * bitrate < size * 8 / SECONDS < 1.15 * bitrate


def test_waveform_is_audiowaveform_json(rendered):
    _, _, _, renditions, _ = rendered
    document = json.loads(renditions["waveform"].path.read_text())
    assert document["version"] == 2 and document["bits"] == 8
    data = np.array(document["data"])
    assert len(data) == 2 * document["length"] and 1500 < document["length"] <= 1800
    lows, highs = data[0::2], data[1::2]
    assert (lows <= highs).all()
    assert highs[: document["length"] // 20].max() < 0.5 * highs.max()  # the quiet intro shows


def test_lossy_source_has_no_flac_and_hires_source_keeps_its_depth(tmp_path):
    mp3 = write(tmp_path / "in.mp3", tone(seconds=4), 44100, "mp3", bitrate=192_000)
    probe = validate(mp3, 60_000)
    names = {r.name for r in make_renditions(mp3, tmp_path / "a", probe, measure_loudness(mp3), 0)}
    assert "flac" not in names and "preview" in names
    hires = write(tmp_path / "in.flac", _music(4, 96000), 96000, "flac", bits=24)
    probe = validate(hires, 60_000)
    out = {r.name: r for r in make_renditions(hires, tmp_path / "b", probe, measure_loudness(hires), 0)}
    assert mutagen.File(out["flac"].path).info.bits_per_sample == 24
    assert _decode(out["flac"].path)[1] == 96000 and _decode(out["mp3_320"].path)[1] == 48000
    for r in out.values():
        check_rendition(r, probe.duration_ms)
    assert out["preview"].duration_ms == 4000


def test_check_rendition_refuses_a_damaged_or_short_rendition(rendered, tmp_path):
    _, probe, _, renditions, _ = rendered
    with pytest.raises(MediaRejected) as caught:
        check_rendition(renditions["opus_96"], probe.duration_ms + 500)
    assert caught.value.code == "transcode-failed"
    original = renditions["mp3_320"]
    broken = tmp_path / "broken.mp3"
    broken.write_bytes(original.path.read_bytes()[: original.size // 2])
    from content.media.renditions import _hash

    cut = Rendition(**{**original.__dict__, "path": broken, "files": [_hash(broken)]})
    with pytest.raises(MediaRejected, match="transcode-failed"):
        check_rendition(cut, probe.duration_ms)
    changed = RenditionFile(path=original.path, size=original.size, sha256="0" * 64)
    tampered = Rendition(**{**original.__dict__, "files": [changed]})
    with pytest.raises(MediaRejected, match="transcode-failed"):
        check_rendition(tampered, probe.duration_ms)


def test_analyse_and_render_measures_loudness_beside_the_encodes(rendered, tmp_path):
    source, probe, loudness, _, _ = rendered
    measured, renditions = analyse_and_render(source, tmp_path / "both", probe, preview_start_ms=0)
    assert measured == loudness
    opus = next(r for r in renditions if r.name == "opus_96")
    assert OggOpus(opus.path)["R128_TRACK_GAIN"] == [str(loudness.r128_track_gain)]
    check_rendition(opus, probe.duration_ms)
