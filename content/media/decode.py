"""Decoding a file to numpy (planar float32), the one shape the analysis code works on."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from content.media.errors import MediaRejected


def decode_float(path: Path, rate: int | None = None, layout: str | None = None) -> tuple[np.ndarray, int]:
    """All samples as a (channels, n) float32 array and its sample rate; optionally resampled/downmixed."""
    try:
        with av.open(str(path), "r") as container:
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="fltp", layout=layout or stream.codec_context.layout,
                                          rate=rate or stream.codec_context.sample_rate)
            chunks: list[np.ndarray] = []
            for frame in container.decode(stream):
                frame.pts = None
                chunks.extend(f.to_ndarray() for f in resampler.resample(frame))
            chunks.extend(f.to_ndarray() for f in resampler.resample(None))
            out_rate = rate or stream.codec_context.sample_rate
    except (av.error.FFmpegError, IndexError) as err:
        raise MediaRejected("corrupt-audio", f"the audio does not decode: {err}") from err
    if not chunks:
        raise MediaRejected("corrupt-audio", "no audio could be decoded")
    return np.concatenate(chunks, axis=1).astype(np.float32, copy=False), out_rate
