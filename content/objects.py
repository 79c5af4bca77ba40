"""Which stored objects an upload holds, and letting go of those no upload holds any more.

Objects are immutable and shared by reference (two uploads of the same bytes hold one master). An object is
deleted only after the transaction that dropped its last reference commits: a rollback keeps every byte.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from content.models import UploadObject
from content.storage import ObjectStore, StoredObject, put_file_content_addressed

log = logging.getLogger(__name__)
_PENDING = "harmoni_release_objects"
MIME_BY_SUFFIX = {".opus": "audio/ogg; codecs=opus", ".m4a": "audio/mp4", ".mp3": "audio/mpeg", ".flac": "audio/flac",
                  ".m3u8": "application/vnd.apple.mpegurl", ".mp4": "audio/mp4", ".m4s": "audio/mp4",
                  ".json": "application/json", ".jpg": "image/jpeg"}


def store_file(db: Session, store: ObjectStore, upload_id: uuid.UUID, rendition: str, path: str,
               local: Path) -> StoredObject:
    """Store one produced file under its CID (nothing written when it is there) and record that we hold it."""
    suffix = local.suffix
    mime = MIME_BY_SUFFIX.get(suffix, "application/octet-stream")
    stored = put_file_content_addressed(store, "audio", local, suffix, mime)
    db.merge(UploadObject(upload_id=upload_id, path=path, rendition=rendition, key=stored.key, cid=stored.cid,
                          sha256=stored.sha256_hex, size=stored.size, mime=mime))
    return stored


def unreferenced(db: Session, keys: Iterable[str]) -> list[str]:
    keys = sorted(set(keys))
    if not keys:
        return []
    held = set(db.scalars(select(UploadObject.key).where(UploadObject.key.in_(keys))))
    return [key for key in keys if key not in held]


def release(db: Session, store: ObjectStore, keys: Iterable[str]) -> None:
    """Delete, once `db` commits, the objects among `keys` that no upload holds any more."""
    db.flush()
    orphans = unreferenced(db, keys)
    if orphans:
        db.info.setdefault(_PENDING, []).append((store, orphans))


@event.listens_for(Session, "after_commit")
def _delete_released(session: Session) -> None:
    for store, keys in session.info.pop(_PENDING, []):
        for key in keys:
            try:
                store.delete(key)
            except Exception:  # the bytes stay; `harmoni content scrub` reports unreferenced objects
                log.exception("could not delete a released object", extra={"key": key})


@event.listens_for(Session, "after_rollback")
def _keep_released(session: Session) -> None:
    session.info.pop(_PENDING, None)
