"""Tags in and out (mutagen): what an upload says about itself, and the gain tags written into renditions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import mutagen
from mutagen.flac import FLAC, Picture
from mutagen.id3 import ID3, TXXX, ID3NoHeaderError
from mutagen.mp4 import MP4, MP4FreeForm
from mutagen.oggopus import OggOpus

from content.media.loudness import Loudness


@dataclass(frozen=True)
class Tags:
    title: str | None = None
    artists: list[str] = field(default_factory=list)
    album: str | None = None
    isrc: str | None = None
    track_number: int | None = None
    year: int | None = None
    cover: bytes | None = None
    cover_mime: str | None = None


def _first(values) -> str | None:
    if values is None:
        return None
    if isinstance(values, list | tuple):
        values = values[0] if values else None
    text = str(values).strip() if values is not None else ""
    return text or None


def _number(text: str | None) -> int | None:
    match = re.match(r"\s*(\d+)", text or "")
    return int(match.group(1)) if match else None


def _split_artists(values) -> list[str]:
    if values is None:
        return []
    items = values if isinstance(values, list | tuple) else [values]
    return [a.strip() for item in items for a in str(item).split("\x00") if a.strip()]


def read_tags(path: Path) -> Tags:
    """Title, artists, album, ISRC, track number, year and embedded cover, whatever the tag format."""
    try:
        audio = mutagen.File(Path(path))
    except mutagen.MutagenError:
        return Tags()
    if audio is None or audio.tags is None:
        return Tags()
    tags = audio.tags
    if isinstance(audio, MP4):
        cover = tags.get("covr")
        year = _number(_first(tags.get("\xa9day")))
        trkn = tags.get("trkn")
        isrc = tags.get("----:com.apple.iTunes:ISRC")
        return Tags(
            title=_first(tags.get("\xa9nam")), artists=_split_artists(tags.get("\xa9ART")),
            album=_first(tags.get("\xa9alb")), isrc=_first([bytes(v).decode() for v in isrc]) if isrc else None,
            track_number=trkn[0][0] if trkn else None, year=year,
            cover=bytes(cover[0]) if cover else None,
            cover_mime=("image/png" if cover and cover[0].imageformat == cover[0].FORMAT_PNG else "image/jpeg")
            if cover else None,
        )
    if isinstance(tags, ID3):
        pictures = tags.getall("APIC")
        return Tags(
            title=_first(tags.get("TIT2") and tags["TIT2"].text), artists=_split_artists(tags.get("TPE1") and
                                                                                        tags["TPE1"].text),
            album=_first(tags.get("TALB") and tags["TALB"].text), isrc=_first(tags.get("TSRC") and tags["TSRC"].text),
            track_number=_number(_first(tags.get("TRCK") and tags["TRCK"].text)),
            year=_number(_first(tags.get("TDRC") and [str(t) for t in tags["TDRC"].text])),
            cover=pictures[0].data if pictures else None, cover_mime=pictures[0].mime if pictures else None,
        )
    # Vorbis comments (FLAC, Ogg) and the like: case-insensitive keys.
    comments = {k.lower(): v for k, v in tags.items()} if hasattr(tags, "items") else {}
    cover = cover_mime = None
    if isinstance(audio, FLAC) and audio.pictures:
        cover, cover_mime = audio.pictures[0].data, audio.pictures[0].mime
    elif "metadata_block_picture" in comments:
        import base64

        picture = Picture(base64.b64decode(_first(comments["metadata_block_picture"]) or ""))
        cover, cover_mime = picture.data, picture.mime
    return Tags(
        title=_first(comments.get("title")), artists=_split_artists(comments.get("artist")),
        album=_first(comments.get("album")), isrc=_first(comments.get("isrc")),
        track_number=_number(_first(comments.get("tracknumber"))), year=_number(_first(comments.get("date"))),
        cover=cover, cover_mime=cover_mime,
    )


def _rg_strings(loudness: Loudness) -> dict[str, str]:
    return {
        "REPLAYGAIN_TRACK_GAIN": f"{loudness.replaygain_track_gain_db:+.2f} dB",
        "REPLAYGAIN_TRACK_PEAK": f"{loudness.replaygain_track_peak:.6f}",
        "REPLAYGAIN_REFERENCE_LOUDNESS": "-18.0 LUFS",
    }


def write_gain_tags(path: Path, kind: str, loudness: Loudness, extra_mp4: dict[str, str] | None = None) -> None:
    """ReplayGain 2.0 tags (R128_TRACK_GAIN for Opus): playback gain as metadata, never in the samples."""
    rg = _rg_strings(loudness)
    if kind == "opus":
        audio = OggOpus(path)
        # RFC 7845: R128 gains are Q7.8 relative to -23 LUFS; players must not apply REPLAYGAIN_* to Opus.
        audio["R128_TRACK_GAIN"] = str(loudness.r128_track_gain)
        audio.save()
    elif kind == "flac":
        audio = FLAC(path)
        for key, value in rg.items():
            audio[key] = value
        audio.save()
    elif kind == "mp3":
        try:
            tags = ID3(path)
        except ID3NoHeaderError:
            tags = ID3()
        for key, value in rg.items():
            tags.add(TXXX(encoding=3, desc=key, text=[value]))
        tags.save(path)
    elif kind == "m4a":
        audio = MP4(path)
        for key, value in {**rg, **(extra_mp4 or {})}.items():
            audio[f"----:com.apple.iTunes:{key}"] = [MP4FreeForm(value.encode())]
        audio.save()
    else:
        raise ValueError(f"no gain tags for {kind}")
