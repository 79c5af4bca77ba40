"""Cover art: JPEG, PNG or WebP detected by content, cropped to a centred square, resized to 150/480/1000 px."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from content.media.errors import MediaRejected

SIZES = (150, 480, 1000)
_ACCEPTED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_PIXELS = 50_000_000  # refuse decompression bombs long before Pillow's own limit


@dataclass(frozen=True)
class ImageProbe:
    format: str  # JPEG, PNG, WEBP
    mime: str
    width: int
    height: int


@dataclass(frozen=True)
class Artwork:
    size: int  # px, square
    path: Path
    mime: str
    bytes: int
    sha256: str


def sniff_image(head: bytes) -> str | None:
    if head[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def probe_image(path: Path) -> ImageProbe:
    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(16)
    kind = sniff_image(head)
    if kind is None:
        raise MediaRejected("unsupported-format", "cover art must be a JPEG, PNG or WebP image")
    try:
        with Image.open(path) as image:
            if image.format != kind:
                raise MediaRejected("unsupported-format", f"the image says {kind} but reads as {image.format}")
            if image.width * image.height > MAX_PIXELS:
                raise MediaRejected("too-large", f"{image.width}x{image.height} pixels is too large")
            image.verify()
            return ImageProbe(format=kind, mime=_ACCEPTED[kind], width=image.width, height=image.height)
    except (UnidentifiedImageError, OSError, SyntaxError) as err:
        raise MediaRejected("unsupported-format", f"the image does not decode: {err}") from err


def make_artwork(path: Path, out_dir: Path) -> list[Artwork]:
    """JPEG squares of 150, 480 and 1000 px, cropped from the centre (a smaller source is upscaled)."""
    probe_image(path)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    results = []
    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
        side = min(image.size)
        left, top = (image.width - side) // 2, (image.height - side) // 2
        square = image.crop((left, top, left + side, top + side))
        for size in SIZES:
            target = out_dir / f"cover_{size}.jpg"
            square.resize((size, size), Image.Resampling.LANCZOS).save(target, "JPEG", quality=88, optimize=True,
                                                                         progressive=True)
            data = target.read_bytes()
            results.append(Artwork(size=size, path=target, mime="image/jpeg", bytes=len(data),
                                   sha256=hashlib.sha256(data).hexdigest()))
    return results
