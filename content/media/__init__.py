"""The audio processing library: pure functions on local files (no database, HTTP or storage).

probe/validate -> measure_loudness -> make_renditions -> check_rendition, plus tags, artwork and
fingerprints. Every refusal is a `MediaRejected` with a stable `code`.
"""

from content.media.artwork import Artwork, ImageProbe, make_artwork, probe_image
from content.media.errors import MediaRejected
from content.media.fingerprint import (
    Fingerprint,
    candidates,
    fingerprint,
    fingerprints,
    index_terms,
    same_recording,
    similarity,
)
from content.media.loudness import Loudness, measure_loudness
from content.media.probe import AudioProbe, probe, validate
from content.media.renditions import (
    Rendition,
    RenditionFile,
    analyse_and_render,
    check_rendition,
    make_renditions,
)
from content.media.tags import Tags, read_tags

__all__ = [
    "Artwork", "AudioProbe", "Fingerprint", "ImageProbe", "Loudness", "MediaRejected", "Rendition",
    "RenditionFile", "Tags", "analyse_and_render", "candidates", "check_rendition", "fingerprint",
    "fingerprints", "index_terms",
    "make_artwork", "make_renditions", "measure_loudness", "probe", "probe_image", "read_tags",
    "same_recording", "similarity", "validate",
]
