"""Probing and validating audio uploads by their content (magic bytes, then FFmpeg through PyAV).

The extension is never looked at: a FLAC named `.mp3` is a FLAC, an executable named `.wav` is refused.
`validate` decodes the whole file, so a truncated or corrupt upload is refused before any transcode.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import mutagen

from content.media.errors import MediaRejected

# Container (as FFmpeg names it) -> audio codecs we accept in it.
ACCEPTED = {
    "wav": {"pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_f32le", "pcm_f64le", "pcm_u8"},
    "aiff": {"pcm_s16be", "pcm_s24be", "pcm_s32be", "pcm_f32be", "pcm_f64be", "pcm_s8"},
    "flac": {"flac"},
    "mov,mp4,m4a,3gp,3g2,mj2": {"alac", "aac"},
    "mp3": {"mp3", "mp3float"},
    "ogg": {"vorbis", "opus", "flac"},
}
LOSSLESS_CODECS = {"flac", "alac"}
_PCM_DEPTH = {"u8": 8, "s8": 8, "s16": 16, "s24": 24, "s32": 32, "f32": 32, "f64": 64}


@dataclass(frozen=True)
class AudioProbe:
    container: str  # FFmpeg's demuxer name, e.g. "flac", "mov,mp4,m4a,3gp,3g2,mj2"
    format: str  # our short name: wav, aiff, flac, m4a, mp3, ogg
    codec: str
    duration_ms: int
    sample_rate: int
    channels: int
    bit_depth: int | None  # None for lossy codecs
    lossless: bool
    bitrate: int | None  # bits per second, as declared or computed from size and duration
    size: int
    decoded: bool = False  # True when duration_ms comes from a full decode (validate)


def sniff(head: bytes) -> str | None:
    """Our short format name from the first bytes, or None when nothing we accept starts like this."""
    if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    if head[:4] == b"fLaC":
        return "flac"
    if head[4:8] == b"ftyp":
        return "m4a"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:3] == b"ID3":
        return "mp3"  # ID3v2 may also precede FLAC; FFmpeg's probe below settles it
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE6) in (0xE2, 0xE4, 0xE6) and (head[1] & 0x18) != 0x08:
        return "mp3"  # MPEG audio frame sync, layer III/II, valid version
    return None


_SHORT = {"wav": "wav", "aiff": "aiff", "flac": "flac", "mov,mp4,m4a,3gp,3g2,mj2": "m4a", "mp3": "mp3", "ogg": "ogg"}


def _bit_depth(path: Path, stream, codec: str) -> int | None:
    if codec.startswith("pcm_"):
        return _PCM_DEPTH.get(codec.split("_")[1][:3].rstrip("lb"))
    if codec in LOSSLESS_CODECS:
        # PyAV does not expose bits_per_raw_sample: FLAC's STREAMINFO / ALAC's config say it (mutagen reads both).
        try:
            info = mutagen.File(path)
            depth = getattr(info.info, "bits_per_sample", 0) if info is not None else 0
        except mutagen.MutagenError:
            depth = 0
        return depth or _PCM_DEPTH.get(stream.codec_context.format.name.rstrip("p"))
    return None


def _open(path: Path):
    try:
        size = path.stat().st_size
    except OSError as err:
        raise MediaRejected("unsupported-format", f"cannot read the file: {err.strerror}") from err
    if size == 0:
        raise MediaRejected("unsupported-format", "the file is empty")
    with path.open("rb") as handle:
        head = handle.read(64)
    if sniff(head) is None:
        raise MediaRejected("unsupported-format", "not an audio file we accept (WAV, AIFF, FLAC, ALAC/M4A, MP3, Ogg)")
    try:
        container = av.open(str(path), "r")
    except (av.error.InvalidDataError, av.error.EOFError, ValueError) as err:
        raise MediaRejected("corrupt-audio", f"the file starts like audio but cannot be read: {err}") from err
    except av.error.FFmpegError as err:
        raise MediaRejected("corrupt-audio", f"the file cannot be read: {err}") from err
    return container, size


def _describe(container, path: Path, size: int) -> tuple[AudioProbe, object]:
    name = container.format.name
    if not container.streams.audio:
        raise MediaRejected("no-audio-stream", "the file has no audio stream")
    if name not in ACCEPTED:
        raise MediaRejected("unsupported-format", f"container {name} is not accepted")
    stream = container.streams.audio[0]
    codec = stream.codec_context.name
    if codec not in ACCEPTED[name]:
        raise MediaRejected("unsupported-format", f"codec {codec} in {name} is not accepted")
    if stream.duration is not None and stream.time_base is not None:
        duration_ms = round(stream.duration * stream.time_base * 1000)
    elif container.duration is not None:
        duration_ms = round(container.duration / 1000)
    else:
        duration_ms = 0
    lossless = codec.startswith("pcm_") or codec in LOSSLESS_CODECS
    bitrate = stream.bit_rate or container.bit_rate or (round(size * 8000 / duration_ms) if duration_ms else None)
    probe = AudioProbe(
        container=name, format=_SHORT[name], codec="mp3" if codec == "mp3float" else codec,
        duration_ms=duration_ms, sample_rate=stream.codec_context.sample_rate,
        channels=stream.codec_context.channels, bit_depth=_bit_depth(path, stream, codec),
        lossless=lossless, bitrate=bitrate, size=size,
    )
    return probe, stream


def _chunks_truncated(path: Path, fmt: str) -> bool:
    """A WAV/AIFF whose audio chunk claims more bytes than the file has, or an Ogg without its end page."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        if fmt in ("wav", "aiff"):
            order, audio_id = ("little", b"data") if fmt == "wav" else ("big", b"SSND")
            at = 12
            while at + 8 <= size:
                handle.seek(at)
                header = handle.read(8)
                length = int.from_bytes(header[4:8], order)
                if header[:4] == audio_id:
                    # 0xFFFFFFFF / 0: streamed or RF64 files that never had their size filled in
                    return length not in (0, 0xFFFFFFFF) and at + 8 + length > size
                at += 8 + length + (length & 1)
            return True  # no audio chunk at all
        if fmt == "ogg":
            handle.seek(max(0, size - 65_536))
            tail = handle.read()
            last = tail.rfind(b"OggS")
            if last < 0 or last + 27 > len(tail):
                return True
            segments = tail[last + 26]
            body = sum(tail[last + 27: last + 27 + segments])
            complete = last + 27 + segments + body <= len(tail)
            return not complete or not tail[last + 5] & 0x04  # the final page carries end-of-stream
    return False


def probe(path: Path) -> AudioProbe:
    """What the file is, from its content and headers (no full decode); raises MediaRejected."""
    path = Path(path)
    container, size = _open(path)
    with container:
        return _describe(container, path, size)[0]


def validate(path: Path, max_duration_ms: int, max_bytes: int | None = None) -> AudioProbe:
    """Probe, check the limits, then decode every packet: the answer's duration is the decoded one."""
    path = Path(path)
    if max_bytes is not None and path.exists() and path.stat().st_size > max_bytes:
        raise MediaRejected("too-large", f"the file is larger than {max_bytes} bytes")
    container, size = _open(path)
    with container:
        declared, stream = _describe(container, path, size)
        if declared.duration_ms > max_duration_ms:
            raise MediaRejected("too-long", f"{declared.duration_ms / 1000:.1f} s is over the limit of "
                                            f"{max_duration_ms / 1000:.0f} s")
        samples = 0
        try:
            for packet in container.demux(stream):
                for frame in packet.decode():
                    samples += frame.samples
                if samples > (max_duration_ms + 1000) * declared.sample_rate // 1000:
                    raise MediaRejected("too-long", f"the audio is longer than {max_duration_ms / 1000:.0f} s")
        except av.error.FFmpegError as err:
            raise MediaRejected("corrupt-audio", f"the audio does not decode: {err}") from err
    decoded_ms = round(samples * 1000 / declared.sample_rate)
    if _chunks_truncated(path, declared.format):
        raise MediaRejected("corrupt-audio", "the file is truncated: its audio ends before its header says")
    if decoded_ms == 0:
        raise MediaRejected("corrupt-audio", "no audio could be decoded")
    # A cut-off file decodes without error but shorter than its header says.
    if declared.duration_ms and decoded_ms < declared.duration_ms - max(100, declared.duration_ms // 100):
        raise MediaRejected("corrupt-audio", f"the file is truncated: {decoded_ms} ms decoded of "
                                             f"{declared.duration_ms} ms declared")
    if decoded_ms > max_duration_ms:
        raise MediaRejected("too-long",
                            f"{decoded_ms / 1000:.1f} s is over the limit of {max_duration_ms / 1000:.0f} s")
    bitrate = declared.bitrate if not declared.lossless else round(size * 8000 / decoded_ms)
    return AudioProbe(**{**declared.__dict__, "duration_ms": decoded_ms, "bitrate": bitrate, "decoded": True})
