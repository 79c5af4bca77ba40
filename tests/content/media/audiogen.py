"""Real audio files for the media tests, written with PyAV from numpy signals."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

# (container format, codec, sample format by bit depth)
FORMATS = {
    "wav": ("wav", {16: "pcm_s16le", 24: "pcm_s24le"}),
    "aiff": ("aiff", {16: "pcm_s16be", 24: "pcm_s24be"}),
    "flac": ("flac", {16: "flac", 24: "flac"}),
    "m4a": ("ipod", {16: "alac", 24: "alac"}),
    "mp3": ("mp3", {16: "libmp3lame"}),
    "opus": ("ogg", {16: "libopus"}),
    "vorbis": ("ogg", {16: "vorbis"}),
}
_SAMPLE_FMT = {"pcm_s16le": "s16", "pcm_s24le": "s32", "pcm_s16be": "s16", "pcm_s24be": "s32",
               "libmp3lame": "fltp", "libopus": "flt", "vorbis": "fltp"}


def tone(freq: float = 440.0, seconds: float = 2.0, rate: int = 44100, channels: int = 2,
         amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    wave = amplitude * np.sin(2 * np.pi * freq * t)
    return np.tile(wave, (channels, 1)).astype(np.float32)


def chord(freqs=(261.63, 329.63, 392.0), seconds: float = 2.0, rate: int = 44100, channels: int = 2) -> np.ndarray:
    return sum(tone(f, seconds, rate, channels, 0.25) for f in freqs).astype(np.float32)


def noise(seconds: float = 2.0, rate: int = 44100, channels: int = 2, amplitude: float = 0.3,
          seed: int = 1) -> np.ndarray:
    return (amplitude * np.random.default_rng(seed).uniform(-1, 1, (channels, int(seconds * rate)))).astype(np.float32)


def write(path: Path, samples: np.ndarray, rate: int, kind: str, bits: int = 16, bitrate: int | None = None) -> Path:
    """Encode planar float samples (channels, n) into `kind` (a key of FORMATS) at `path`, whatever its name."""
    container_format, codecs = FORMATS[kind]
    codec = codecs[bits]
    channels = samples.shape[0]
    layout = "mono" if channels == 1 else "stereo"
    with av.open(str(path), "w", format=container_format) as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        if codec in ("flac", "alac"):
            stream.codec_context.format = "s16p" if bits == 16 and codec == "alac" else ("s16" if bits == 16 else "s32")
            if codec == "alac":
                stream.codec_context.format = "s16p" if bits == 16 else "s32p"
        elif codec.startswith("pcm_"):
            stream.codec_context.format = _SAMPLE_FMT[codec]
        if bitrate:
            stream.codec_context.bit_rate = bitrate
        if codec == "vorbis":
            stream.codec_context.options = {"strict": "experimental"}
            stream.codec_context.flags  # noqa: B018  (touch so the context exists before opening)
        block = 4096
        for start in range(0, samples.shape[1], block):
            piece = np.ascontiguousarray(samples[:, start:start + block])
            frame = av.AudioFrame.from_ndarray(piece, format="fltp", layout=layout)
            frame.sample_rate = rate
            frame.pts = start
            frame.time_base = Fraction(1, rate)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def write_video_only(path: Path, seconds: float = 1.0) -> Path:
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for i in range(int(seconds * 25)):
            frame = av.VideoFrame.from_ndarray(np.full((64, 64, 3), i * 8 % 255, np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path
