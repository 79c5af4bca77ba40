"""Tags read from real files (mutagen wrote them), and cover art resized from real images."""

import io

import pytest
from mutagen.flac import FLAC, Picture
from mutagen.id3 import APIC, ID3, TALB, TDRC, TIT2, TPE1, TRCK, TSRC
from mutagen.mp4 import MP4, MP4Cover, MP4FreeForm
from mutagen.oggopus import OggOpus
from PIL import Image

from content.media import MediaRejected, make_artwork, probe_image, read_tags
from tests.content.media.audiogen import tone, write


def _png(width=1200, height=800) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((20, 20, 220), (width // 2 - 50, height // 2 - 50, width // 2 + 50, height // 2 + 50))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_flac_vorbis_comments_and_picture(tmp_path):
    path = write(tmp_path / "a.flac", tone(seconds=0.5), 44100, "flac")
    audio = FLAC(path)
    audio.update({"title": "Night Drive", "artist": ["Ada", "Bo"], "album": "Roads", "isrc": "GBAYE2400001",
                  "tracknumber": "3/12", "date": "2024-05-01"})
    picture = Picture()
    picture.data, picture.mime, picture.type = _png(), "image/png", 3
    audio.add_picture(picture)
    audio.save()
    tags = read_tags(path)
    assert (tags.title, tags.artists, tags.album, tags.isrc, tags.track_number, tags.year) == \
        ("Night Drive", ["Ada", "Bo"], "Roads", "GBAYE2400001", 3, 2024)
    assert tags.cover == picture.data and tags.cover_mime == "image/png"


def test_mp3_id3(tmp_path):
    path = write(tmp_path / "a.mp3", tone(seconds=0.5), 44100, "mp3")
    tags = ID3()
    for frame in (TIT2(text=["Song"]), TPE1(text=["Ada", "Bo"]), TALB(text=["LP"]), TSRC(text=["USRC17607839"]),
                  TRCK(text=["7"]), TDRC(text=["2019"]), APIC(mime="image/png", type=3, data=_png())):
        tags.add(frame)
    tags.save(path)
    got = read_tags(path)
    assert (got.title, got.artists, got.album, got.isrc, got.track_number, got.year) == \
        ("Song", ["Ada", "Bo"], "LP", "USRC17607839", 7, 2019)
    assert got.cover.startswith(b"\x89PNG") and got.cover_mime == "image/png"


def test_m4a_atoms(tmp_path):
    path = write(tmp_path / "a.m4a", tone(seconds=0.5), 44100, "m4a")
    audio = MP4(path)
    audio["\xa9nam"], audio["\xa9ART"], audio["\xa9alb"] = ["T"], ["Ada"], ["A"]
    audio["\xa9day"], audio["trkn"] = ["2021"], [(2, 9)]
    audio["----:com.apple.iTunes:ISRC"] = [MP4FreeForm(b"FRZ039800212")]
    audio["covr"] = [MP4Cover(_png(), imageformat=MP4Cover.FORMAT_PNG)]
    audio.save()
    got = read_tags(path)
    assert (got.title, got.artists, got.album, got.isrc, got.track_number, got.year, got.cover_mime) == \
        ("T", ["Ada"], "A", "FRZ039800212", 2, 2021, "image/png")


def test_opus_comments_and_untagged_files(tmp_path):
    path = write(tmp_path / "a.opus", tone(seconds=0.5, rate=48000), 48000, "opus")
    assert read_tags(path).title is None and read_tags(path).artists == []
    audio = OggOpus(path)
    audio["TITLE"], audio["ARTIST"] = "Quiet", "Cy"
    audio.save()
    assert (read_tags(path).title, read_tags(path).artists) == ("Quiet", ["Cy"])


@pytest.mark.parametrize(("fmt", "name"), [("PNG", "cover.jpg"), ("JPEG", "cover.png"), ("WEBP", "cover.bin")])
def test_artwork_is_detected_by_content_and_made_square(tmp_path, fmt, name):
    source = tmp_path / name
    Image.open(io.BytesIO(_png(1200, 800))).save(source, fmt)
    assert probe_image(source).format == fmt and probe_image(source).width == 1200
    made = make_artwork(source, tmp_path / "out")
    assert [a.size for a in made] == [150, 480, 1000]
    for art in made:
        with Image.open(art.path) as image:
            assert image.format == "JPEG" and image.size == (art.size, art.size)
            centre = image.getpixel((art.size // 2, art.size // 2))
            assert centre[2] > 150 and centre[0] < 100  # the blue centre square survived the centred crop
        assert art.bytes == art.path.stat().st_size and len(art.sha256) == 64


def test_non_images_are_refused(tmp_path):
    (tmp_path / "x.png").write_bytes(b"GIF89a" + bytes(100))
    with pytest.raises(MediaRejected) as caught:
        probe_image(tmp_path / "x.png")
    assert caught.value.code == "unsupported-format"
    (tmp_path / "y.jpg").write_bytes(b"\xff\xd8\xff" + bytes(50))  # a JPEG start, then nothing
    with pytest.raises(MediaRejected):
        make_artwork(tmp_path / "y.jpg", tmp_path / "out")
