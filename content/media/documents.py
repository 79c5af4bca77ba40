"""Bonus files are delivered as they are; only their structure is checked, so a truncated file is refused."""

from __future__ import annotations

import zipfile
from pathlib import Path

from content.media.errors import MediaRejected

PDF_TAIL_BYTES = 2048


def check_document(path: Path) -> None:
    """A PDF must end with its `%%EOF` marker and a ZIP must have a readable directory; other kinds pass."""
    with path.open("rb") as handle:
        head = handle.read(8)
        if head[:5] == b"%PDF-":
            handle.seek(max(0, path.stat().st_size - PDF_TAIL_BYTES))
            if b"%%EOF" not in handle.read():
                raise MediaRejected("corrupt-file", "this PDF is cut short (no %%EOF at its end): upload it again")
            return
    if head[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(path) as archive:
                archive.infolist()
        except (zipfile.BadZipFile, OSError) as err:
            raise MediaRejected("corrupt-file", f"this ZIP archive cannot be read ({err}): upload it again") from err
