"""Renditions made ahead of time from the original, and the check that every one of them plays.

Each rendition is encoded from the source (never from another rendition). The encoders run in a thread
pool sized to the machine: PyAV releases the GIL inside FFmpeg's decode/encode calls, so the renditions
are made in parallel without copying the source between processes, and every thread decodes the source
itself (decoding PCM/FLAC costs little next to encoding).

Gapless: Ogg Opus carries pre-skip and the final granule position; the MP3 has a LAME/Info header with
encoder delay and padding; the M4A has FFmpeg's edit list plus an iTunSMPB tag. Loudness is written as
tags (ReplayGain 2.0; R128_TRACK_GAIN for Opus) and never applied to the samples.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from content.media import mp3
from content.media.errors import MediaRejected
from content.media.loudness import Loudness, measure_loudness
from content.media.probe import AudioProbe
from content.media.tags import write_gain_tags

PREVIEW_MS = 30_000
PREVIEW_FADE_MS = 1_000
HLS_SEGMENT_S = 6
WAVEFORM_POINTS = 1800
DURATION_TOLERANCE_MS = 50


@dataclass(frozen=True)
class RenditionFile:
    path: Path
    size: int
    sha256: str


@dataclass(frozen=True)
class Rendition:
    name: str  # opus_160, opus_96, aac_256, mp3_320, flac, preview, hls, waveform
    path: Path  # a file, or for hls the directory holding master.m3u8
    mime: str
    codec: str | None  # None for the waveform
    bitrate: int | None  # nominal bits per second
    duration_ms: int
    size: int  # bytes, all files together
    sha256: str  # of the file (hls: of master.m3u8)
    files: list[RenditionFile] = field(default_factory=list)
    sample_rate: int | None = None
    channels: int | None = None
    gapless: dict[str, int] = field(default_factory=dict)  # encoder delay / padding in samples, when known


@dataclass(frozen=True)
class _Spec:
    name: str
    format: str
    codec: str
    bitrate: int | None
    mime: str
    suffix: str
    weight: float  # relative encoding cost, for progress


def _hash(path: Path) -> RenditionFile:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return RenditionFile(path=path, size=path.stat().st_size, sha256=digest.hexdigest())


def _lossy_rate(source_rate: int) -> int:
    return source_rate if source_rate in (44100, 48000) else 48000


def _layout(channels: int) -> str:
    return "mono" if channels == 1 else "stereo"


class _Progress:
    """Per-task fractions written by the worker threads, read by the caller's thread."""

    def __init__(self, weights: dict[str, float]) -> None:
        self.weights = weights
        self.done = dict.fromkeys(weights, 0.0)

    def set(self, name: str, fraction: float) -> None:
        self.done[name] = min(1.0, fraction)

    def total(self) -> float:
        return sum(self.done[n] * w for n, w in self.weights.items()) / sum(self.weights.values())


def _source_frames(source: Path, rate: int, layout: str, fmt: str, frame_size: int | None, total_samples: int,
                   report: Callable[[float], None]):
    """The source's audio as frames for an encoder, with pts counted in samples at the output rate."""
    with av.open(str(source), "r") as container:
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format=fmt, layout=layout, rate=rate, frame_size=frame_size)
        produced = 0
        for frame in container.decode(stream):
            frame.pts = None
            for out in resampler.resample(frame):
                out.pts, out.time_base = produced, Fraction(1, rate)
                produced += out.samples
                yield out
            report(produced / max(1, total_samples))
        for out in resampler.resample(None):
            out.pts, out.time_base = produced, Fraction(1, rate)
            produced += out.samples
            yield out


BITEXACT = {"fflags": "+bitexact"}


def _encode(source: Path, target: Path, container_format: str, codec: str, bitrate: int | None, rate: int,
            layout: str, probe: AudioProbe, report: Callable[[float], None], *, sample_fmt: str | None = None,
            container_options: dict[str, str] | None = None, window: tuple[int, int] | None = None,
            tee: tuple[Path, str, dict[str, str]] | None = None) -> dict[str, int]:
    """Encode the source (or a faded window of it, in samples at `rate`) into one container; returns counts.

    `tee` (target, format, options) is a second container fed copies of the same packets: one encode
    serves both the M4A and the HLS variant at the same bitrate.
    """
    total = round(probe.duration_ms * rate / 1000)
    if codec == "libmp3lame":
        return _encode_mp3(source, target, bitrate or 0, rate, layout, total, report, window)
    with ExitStack() as stack:
        # bitexact: no random Ogg serials or timestamps, so the same source always renders to the same bytes (CIDs)
        out = stack.enter_context(av.open(str(target), "w", format=container_format,
                                          options={**BITEXACT, **(container_options or {})}))
        stream = out.add_stream(codec, rate=rate, layout=layout)
        if sample_fmt:
            stream.codec_context.format = sample_fmt
        if bitrate:
            stream.codec_context.bit_rate = bitrate
        ctx = stream.codec_context
        ctx.open()  # so frame_size, format and extradata are known
        copy = None
        if tee is not None:
            second = stack.enter_context(av.open(str(tee[0]), "w", format=tee[1], options={**BITEXACT, **tee[2]}))
            copy = second.add_stream_from_template(stream)

        def mux(packet) -> None:
            if copy is not None:
                twin = av.Packet(bytes(packet))
                twin.pts, twin.dts, twin.duration, twin.time_base = packet.pts, packet.dts, packet.duration, \
                    packet.time_base
                twin.stream = copy
                second.mux(twin)
            out.mux(packet)

        frame_size = None if ctx.frame_size == 0 else ctx.frame_size
        fmt = ctx.format.name
        packets = encoded = 0
        frames = _source_frames(source, rate, layout, fmt if window is None else "fltp",
                                frame_size if window is None else None, total, report)
        if window is not None:
            frames = _faded_window(frames, rate, layout, *window)
        for frame in frames:
            encoded += frame.samples
            for packet in stream.encode(frame):
                packets += 1
                mux(packet)
        for packet in stream.encode(None):
            packets += 1
            mux(packet)
    return {"samples": encoded, "packets": packets, "frame_size": frame_size or 0}


def _encode_mp3(source: Path, target: Path, bitrate: int, rate: int, layout: str, total: int,
                report: Callable[[float], None], window: tuple[int, int] | None) -> dict[str, int]:
    """MP3 through LAME itself (content/media/mp3.py says why): int16 interleaved blocks in."""
    channels = 1 if layout == "mono" else 2
    frames = _source_frames(source, rate, layout, "s16" if window is None else "fltp", None, total, report)
    if window is not None:
        frames = _faded_window(frames, rate, layout, *window)

    def blocks():
        for frame in frames:
            data = frame.to_ndarray()
            if frame.format.is_planar:  # the preview's faded window: float, a row per channel
                yield np.clip(np.round(data.T * 32767), -32768, 32767).astype(np.int16)
            else:
                yield data.reshape(-1, channels)

    return mp3.encode(blocks(), target, rate, channels, bitrate // 1000)


def _faded_window(frames, rate: int, layout: str, start: int, length: int):
    """Only samples [start, start + length), with linear fade-in and fade-out edges (numpy per frame)."""
    fade = min(round(PREVIEW_FADE_MS * rate / 1000), length // 4)
    pos = 0
    emitted = 0
    for frame in frames:
        data = frame.to_ndarray()
        n = data.shape[1]
        lo, hi = max(start, pos), min(start + length, pos + n)
        pos += n
        if hi <= lo:
            if pos >= start + length:
                break
            continue
        piece = data[:, lo - (pos - n): hi - (pos - n)].copy()
        index = np.arange(lo - start, hi - start)
        gain = np.minimum(1.0, np.minimum((index + 1) / max(1, fade), (length - index) / max(1, fade)))
        piece *= gain.astype(np.float32)
        out = av.AudioFrame.from_ndarray(np.ascontiguousarray(piece), format="fltp", layout=layout)
        out.sample_rate, out.pts, out.time_base = rate, emitted, Fraction(1, rate)
        emitted += piece.shape[1]
        yield out


def _aac_gapless(counts: dict[str, int]) -> dict[str, int]:
    delay = 1024  # FFmpeg's AAC encoder's initial padding (priming), also written as the edit list's media_time
    padding = counts["packets"] * 1024 - delay - counts["samples"]
    return {"delay": delay, "padding": max(0, padding), "samples": counts["samples"]}


def _itunsmpb(gapless: dict[str, int]) -> str:
    return (f" 00000000 {gapless['delay']:08X} {gapless['padding']:08X} {gapless['samples']:016X}"
            + " 00000000" * 8)


def _mp3_gapless(path: Path) -> dict[str, int]:
    """Encoder delay and padding from the LAME tag of the first (Info/Xing) frame; {} when absent."""
    data = path.read_bytes()[: 1 << 16]
    for marker in (b"Info", b"Xing"):
        at = data.find(marker)
        if at >= 0:
            lame = at + 120  # the LAME extension follows the 120-byte Xing block (all flags set by FFmpeg)
            if data[lame: lame + 4] in (b"LAME", b"Lavc", b"Lavf"):
                raw = data[lame + 21: lame + 24]
                return {"delay": (raw[0] << 4) | (raw[1] >> 4), "padding": ((raw[1] & 0x0F) << 8) | raw[2]}
    return {}


def _waveform(source: Path, target: Path, probe: AudioProbe, report: Callable[[float], None]) -> dict[str, int]:
    """BBC audiowaveform JSON (version 2, 8-bit min/max pairs, all channels merged), read by peaks.js/wavesurfer."""
    total = max(1, round(probe.duration_ms * probe.sample_rate / 1000))
    per_pixel = max(1, math.ceil(total / WAVEFORM_POINTS))
    mins: list[np.ndarray] = []
    maxs: list[np.ndarray] = []
    carry = np.zeros(0, np.float32)
    carry_min = carry
    for frame in _source_frames(source, probe.sample_rate, _layout(probe.channels), "fltp", None, total, report):
        data = frame.to_ndarray()
        hi, lo = np.concatenate([carry, data.max(axis=0)]), np.concatenate([carry_min, data.min(axis=0)])
        whole = len(hi) // per_pixel * per_pixel
        if whole:
            maxs.append(hi[:whole].reshape(-1, per_pixel).max(axis=1))
            mins.append(lo[:whole].reshape(-1, per_pixel).min(axis=1))
        carry, carry_min = hi[whole:], lo[whole:]
    if len(carry):
        maxs.append(carry.max(keepdims=True))
        mins.append(carry_min.min(keepdims=True))
    top = np.concatenate(maxs) if maxs else np.zeros(0)
    bottom = np.concatenate(mins) if mins else np.zeros(0)
    pairs = np.empty(2 * len(top), np.int64)
    pairs[0::2] = np.clip(np.round(bottom * 128), -128, 127)
    pairs[1::2] = np.clip(np.round(top * 128), -128, 127)
    document = {"version": 2, "channels": 1, "sample_rate": probe.sample_rate, "samples_per_pixel": per_pixel,
                "bits": 8, "length": len(top), "data": pairs.tolist()}
    target.write_text(json.dumps(document, separators=(",", ":")))
    return {"samples": total}


def _hls_options(directory: Path) -> dict[str, str]:
    directory.mkdir(parents=True, exist_ok=True)
    return {"hls_time": str(HLS_SEGMENT_S), "hls_segment_type": "fmp4", "hls_playlist_type": "vod",
            "hls_fmp4_init_filename": "init.mp4", "hls_segment_filename": str(directory / "seg_%04d.m4s"),
            "hls_flags": "independent_segments"}


def _hls_variant(source: Path, directory: Path, bitrate: int, rate: int, layout: str, probe: AudioProbe,
                 report: Callable[[float], None]) -> dict[str, int]:
    return _encode(source, directory / "playlist.m3u8", "hls", "aac", bitrate, rate, layout, probe, report,
                   container_options=_hls_options(directory))


def make_renditions(source: Path, out_dir: Path, probe: AudioProbe, loudness: Loudness, preview_start_ms: int,
                    progress: Callable[[float], None] | None = None, workers: int | None = None) -> list[Rendition]:
    """Every rendition of `source` into `out_dir`; `progress(0..1)` is called from the caller's thread."""
    return _render(source, out_dir, probe, loudness, preview_start_ms, progress, workers)[1]


def analyse_and_render(source: Path, out_dir: Path, probe: AudioProbe, preview_start_ms: int,
                       progress: Callable[[float], None] | None = None,
                       workers: int | None = None) -> tuple[Loudness, list[Rendition]]:
    """measure_loudness and make_renditions in one pool: the gain tags are written after the encodes, so the
    loudness measurement runs beside them instead of before them."""
    return _render(source, out_dir, probe, None, preview_start_ms, progress, workers)


def _render(source: Path, out_dir: Path, probe: AudioProbe, loudness: Loudness | None, preview_start_ms: int,
            progress: Callable[[float], None] | None, workers: int | None) -> tuple[Loudness, list[Rendition]]:
    source, out_dir = Path(source), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rate = _lossy_rate(probe.sample_rate)
    layout = _layout(probe.channels)
    preview_start_ms = max(0, min(preview_start_ms, max(0, probe.duration_ms - PREVIEW_MS)))
    preview_ms = min(PREVIEW_MS, probe.duration_ms - preview_start_ms)
    # Longest encodes first, so the pool's last task is a short one (weights: CPU seconds measured for a 4-minute
    # 44.1 kHz stereo track; the loudness measurement, ~1.9 s, is submitted after the third).
    specs = [
        _Spec("aac_256", "ipod", "aac", 256_000, "audio/mp4", ".m4a", 5.4),  # also feeds the 256 kb/s HLS variant
        _Spec("hls_128", "hls", "aac", 128_000, "application/vnd.apple.mpegurl", "", 4.5),
        _Spec("mp3_320", "mp3", "libmp3lame", 320_000, "audio/mpeg", ".mp3", 3.2),
        _Spec("opus_160", "ogg", "libopus", 160_000, "audio/ogg; codecs=opus", ".opus", 2.0),
        _Spec("opus_96", "ogg", "libopus", 96_000, "audio/ogg; codecs=opus", ".opus", 1.8),
    ]
    if probe.lossless:
        specs.append(_Spec("flac", "flac", "flac", None, "audio/flac", ".flac", 0.6))
    specs.append(_Spec("preview", "mp3", "libmp3lame", 192_000, "audio/mpeg", ".mp3",
                       3.2 * preview_ms / max(1, probe.duration_ms)))
    specs.append(_Spec("waveform", "json", "", None, "application/json", ".json", 0.2))
    tracker = _Progress({s.name: s.weight for s in specs})

    def run(spec: _Spec) -> tuple[_Spec, dict[str, int]]:
        report = lambda fraction: tracker.set(spec.name, fraction)  # noqa: E731
        try:
            if spec.name == "waveform":
                result = _waveform(source, out_dir / "waveform.json", probe, report)
            elif spec.format == "hls":
                result = _hls_variant(source, out_dir / "hls" / spec.name.split("_")[1], spec.bitrate or 0, rate,
                                      layout, probe, report)
            elif spec.name == "flac":
                fmt = "s16" if (probe.bit_depth or 16) <= 16 else "s32"
                result = _encode(source, out_dir / "original.flac", "flac", "flac", None, probe.sample_rate,
                                 _layout(probe.channels) if probe.channels <= 2 else "5.1", probe, report,
                                 sample_fmt=fmt)
            elif spec.name == "preview":
                start = round(preview_start_ms * rate / 1000)
                result = _encode(source, out_dir / "preview.mp3", "mp3", spec.codec, spec.bitrate, rate, layout,
                                 probe, report, window=(start, round(preview_ms * rate / 1000)))
            else:
                options = {"movflags": "+faststart"} if spec.format == "ipod" else None
                tee = None
                if spec.name == "aac_256":
                    variant = out_dir / "hls" / "256"
                    tee = (variant / "playlist.m3u8", "hls", _hls_options(variant))
                out_rate = 48000 if spec.codec == "libopus" else rate  # Opus runs at 48 kHz only
                result = _encode(source, out_dir / f"{spec.name}{spec.suffix}", spec.format, spec.codec, spec.bitrate,
                                 out_rate, layout, probe, report, container_options=options, tee=tee)
        except av.error.FFmpegError as err:
            raise MediaRejected("transcode-failed", f"{spec.name}: {err}") from err
        report(1.0)
        return spec, result

    pool = ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 2, thread_name_prefix="rendition")
    futures = [pool.submit(run, spec) for spec in specs[:3]]
    measured = pool.submit(measure_loudness, source) if loudness is None else None
    futures += [pool.submit(run, spec) for spec in specs[3:]]
    try:
        while not all(f.done() for f in [*futures, *([measured] if measured else [])]):
            if progress:
                progress(tracker.total() * 0.99)
            time.sleep(0.1)
        results = {spec.name: counts for spec, counts in (f.result() for f in futures)}
        if measured is not None:
            loudness = measured.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    assert loudness is not None
    renditions = _describe(out_dir, specs, results, probe, loudness, rate, preview_ms)
    if progress:
        progress(1.0)
    return loudness, renditions


def _file_rendition(name: str, path: Path, mime: str, codec: str | None, bitrate: int | None, duration_ms: int,
                    rate: int | None, channels: int | None, gapless: dict[str, int] | None = None) -> Rendition:
    info = _hash(path)
    return Rendition(name=name, path=path, mime=mime, codec=codec, bitrate=bitrate, duration_ms=duration_ms,
                     size=info.size, sha256=info.sha256, files=[info], sample_rate=rate, channels=channels,
                     gapless=gapless or {})


def _describe(out_dir: Path, specs: list[_Spec], results: dict[str, dict[str, int]], probe: AudioProbe,
              loudness: Loudness, rate: int, preview_ms: int) -> list[Rendition]:
    lossy_channels = min(2, probe.channels)
    codec_names = {"libopus": "opus", "libmp3lame": "mp3", "aac": "aac", "flac": "flac"}
    renditions: list[Rendition] = []
    for spec in specs:
        counts = results[spec.name]
        if spec.format == "hls" or spec.name == "waveform":
            continue
        path = out_dir / ("original.flac" if spec.name == "flac" else f"{spec.name}{spec.suffix}")
        kind = {"ogg": "opus", "ipod": "m4a", "mp3": "mp3", "flac": "flac"}[spec.format]
        gapless: dict[str, int] = {}
        extra = None
        if kind == "m4a":
            gapless = _aac_gapless(counts)
            extra = {"iTunSMPB": _itunsmpb(gapless)}
        write_gain_tags(path, kind, loudness, extra)
        if kind == "mp3":
            gapless = _mp3_gapless(path)
        if spec.name == "flac":
            out_rate, channels, duration = probe.sample_rate, probe.channels, probe.duration_ms
        else:
            out_rate, channels = (48000 if kind == "opus" else rate), lossy_channels
            duration = round(counts["samples"] * 1000 / out_rate)
        renditions.append(_file_rendition(spec.name, path, spec.mime, codec_names[spec.codec], spec.bitrate,
                                          duration, out_rate, channels, gapless))
    renditions.append(_hls_rendition(out_dir / "hls", probe, rate, HLS_VARIANTS))
    waveform = out_dir / "waveform.json"
    renditions.append(_file_rendition("waveform", waveform, "application/json", None, None, probe.duration_ms,
                                      None, None))
    return renditions


HLS_VARIANTS = [_Spec("hls_256", "hls", "aac", 256_000, "application/vnd.apple.mpegurl", "", 0.0),
                _Spec("hls_128", "hls", "aac", 128_000, "application/vnd.apple.mpegurl", "", 0.0)]


def _hls_rendition(directory: Path, probe: AudioProbe, rate: int, specs: list[_Spec]) -> Rendition:
    """The master playlist over the variants (written here: FFmpeg's needs every variant in one muxer)."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for spec in sorted(specs, key=lambda s: -(s.bitrate or 0)):
        variant = spec.name.split("_")[1]
        peak = max(_variant_peak_bps(directory / variant), spec.bitrate or 0)
        lines.append(f'#EXT-X-STREAM-INF:BANDWIDTH={peak},AVERAGE-BANDWIDTH={spec.bitrate},CODECS="mp4a.40.2"')
        lines.append(f"{variant}/playlist.m3u8")
    master = directory / "master.m3u8"
    master.write_text("\n".join(lines) + "\n")
    files = [_hash(p) for p in sorted(directory.rglob("*")) if p.is_file()]
    return Rendition(name="hls", path=directory, mime="application/vnd.apple.mpegurl", codec="aac",
                     bitrate=max(s.bitrate or 0 for s in specs), duration_ms=probe.duration_ms,
                     size=sum(f.size for f in files), sha256=_hash(master).sha256, files=files,
                     sample_rate=rate, channels=min(2, probe.channels))


def hls_segments(playlist: Path) -> tuple[Path | None, list[tuple[Path, float]]]:
    """The init section and (segment, EXTINF seconds) of a media playlist."""
    init = None
    segments: list[tuple[Path, float]] = []
    duration = 0.0
    for line in playlist.read_text().splitlines():
        if line.startswith("#EXT-X-MAP:"):
            init = playlist.parent / line.split('URI="')[1].split('"')[0]
        elif line.startswith("#EXTINF:"):
            duration = float(line[8:].split(",")[0])
        elif line and not line.startswith("#"):
            segments.append((playlist.parent / line, duration))
    return init, segments


def _variant_peak_bps(directory: Path) -> int:
    _, segments = hls_segments(directory / "playlist.m3u8")
    return max((round(p.stat().st_size * 8 / d) for p, d in segments if d > 0), default=0)


def _decoded_ms(path: Path) -> tuple[int, str]:
    with av.open(str(path), "r") as container:
        stream = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(stream))
        return round(samples * 1000 / stream.codec_context.sample_rate), stream.codec_context.name


def _hls_decoded_ms(directory: Path) -> int:
    """Each variant's init + segments joined as one fMP4 stream, decoded end to end."""
    lengths = []
    for line in (directory / "master.m3u8").read_text().splitlines():
        if line and not line.startswith("#"):
            playlist = directory / line
            init, segments = hls_segments(playlist)
            joined = playlist.parent / ".joined.mp4"
            with joined.open("wb") as out:
                for part in ([init] if init else []) + [p for p, _ in segments]:
                    out.write(part.read_bytes())
            try:
                lengths.append(_decoded_ms(joined)[0])
            finally:
                joined.unlink()
    if not lengths:
        raise MediaRejected("transcode-failed", "hls: the master playlist names no variant")
    return min(lengths)


def check_rendition(r: Rendition, source_duration_ms: int) -> None:
    """Decode the rendition fully and compare its length with the source's (a preview with its own)."""
    try:
        if r.name == "waveform":
            document = json.loads(Path(r.path).read_text())
            length = document.get("length")
            if document.get("version") != 2 or not length or len(document["data"]) != 2 * length:
                raise MediaRejected("transcode-failed", "waveform: malformed peaks")
            return
        for f in r.files:
            if not f.path.is_file() or _hash(f.path).sha256 != f.sha256:
                raise MediaRejected("transcode-failed", f"{r.name}: {f.path.name} is missing or changed")
        decoded = _hls_decoded_ms(Path(r.path)) if r.name == "hls" else _decoded_ms(Path(r.path))[0]
    except (av.error.FFmpegError, OSError, ValueError, KeyError, IndexError) as err:
        raise MediaRejected("transcode-failed", f"{r.name}: does not decode: {err}") from err
    expected = r.duration_ms if r.name == "preview" else source_duration_ms
    if abs(decoded - expected) > DURATION_TOLERANCE_MS:
        raise MediaRejected("transcode-failed", f"{r.name}: decodes to {decoded} ms, expected {expected} ms")
