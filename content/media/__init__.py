"""The audio processing library: pure functions on local files (no database, HTTP or storage).

A transcode job runs: `validate(path, max_duration_ms, max_bytes)` -> `analyse_and_render(...)` (or
`measure_loudness` then `make_renditions`) -> `check_rendition` on each -> `fingerprint` + `index_terms`.
Every refusal is a `MediaRejected` whose `code` is the upload's error code.

- Threads: `make_renditions` runs its encoders in a thread pool (PyAV releases the GIL in FFmpeg);
  `progress` is called from the caller's thread, about every 100 ms.
- Renditions land in `out_dir` as `opus_160.opus`, `opus_96.opus`, `aac_256.m4a`, `mp3_320.mp3`,
  `original.flac` (lossless sources only), `preview.mp3`, `hls/master.m3u8` (+ `hls/256/`, `hls/128/`:
  `playlist.m3u8`, `init.mp4`, `seg_NNNN.m4s`; playlists use relative names) and `waveform.json`;
  every `Rendition.files` entry has its size and sha256, to key the stored objects by CID.
- Fingerprint index: see `content.media.fingerprint` (terms in an `int[]` column with a GIN index, or a
  `(term, recording)` side table; candidates by shared terms, confirmed by `same_recording`).
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
