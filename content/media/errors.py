"""The one error the media library raises: a stable code for the upload's state, and a human message."""

from __future__ import annotations

CODES = frozenset(
    {"unsupported-format", "corrupt-audio", "corrupt-file", "no-audio-stream", "too-long", "too-large",
     "transcode-failed"}
)


class MediaRejected(Exception):
    """A file (or a rendition made from it) that the platform refuses; `code` is one of `CODES`."""

    def __init__(self, code: str, message: str) -> None:
        if code not in CODES:
            raise ValueError(f"unknown media error code {code!r}")
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
