"""Which stored objects an upload holds, and letting go of those no upload holds any more.

Objects are immutable and shared by reference (two uploads of the same bytes hold one master). An object is
deleted only after the transaction that dropped its last reference commits: a rollback keeps every byte.

Storing and deleting the same key race (an artist deletes an upload while someone uploads the same bytes): the
writer finds the object there, skips the copy and records its reference, and the deleter, which counted no
reference, removes the bytes under it. So each key has a PostgreSQL advisory lock: a writer holds it shared from
before it looks for the object until its transaction ends; the deleter takes it exclusively, without waiting,
and counts the committed references again under it. A deleter that finds the key busy leaves the bytes (a writer
is about to name them; if that writer rolls back, `harmoni content scrub` reports the object as unreferenced).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import event, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from content.models import UploadObject
from content.storage import ObjectStore, StoredObject, addressed

log = logging.getLogger(__name__)
_PENDING = "harmoni_release_objects"
MIME_BY_SUFFIX = {".opus": "audio/ogg; codecs=opus", ".m4a": "audio/mp4", ".mp3": "audio/mpeg", ".flac": "audio/flac",
                  ".m3u8": "application/vnd.apple.mpegurl", ".mp4": "audio/mp4", ".m4s": "audio/mp4",
                  ".json": "application/json", ".jpg": "image/jpeg"}


def _key_lock_id(key: str):
    return func.hashtextextended(f"harmoni-object:{key}", 0)


def hold(db: Session, key: str) -> None:
    """Keep `key` from being deleted until `db`'s transaction ends (call it before looking for the object)."""
    db.execute(select(func.pg_advisory_xact_lock_shared(_key_lock_id(key))))


def store_file(db: Session, store: ObjectStore, upload_id: uuid.UUID, rendition: str, path: str,
               local: Path) -> StoredObject:
    """Store one produced file under its CID (nothing written when it is there) and record that we hold it."""
    suffix = local.suffix
    mime = MIME_BY_SUFFIX.get(suffix, "application/octet-stream")
    stored = addressed("audio", local, suffix)
    hold(db, stored.key)
    if store.size(stored.key) != stored.size:
        store.put_file(stored.key, local, mime)
    db.merge(UploadObject(upload_id=upload_id, path=path, rendition=rendition, key=stored.key, cid=stored.cid,
                          sha256=stored.sha256_hex, size=stored.size, mime=mime))
    return stored


def unreferenced(db: Session | Connection, keys: Iterable[str]) -> list[str]:
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


def delete_if_unreferenced(connection: Connection, store: ObjectStore, key: str) -> bool:
    """Delete the object if no committed upload names it and no writer holds it; whether it was deleted."""
    # Inside an open transaction (a test's, which is rolled back at its end) the check runs in a savepoint of it.
    with connection.begin_nested() if connection.in_transaction() else connection.begin():
        if not connection.scalar(select(func.pg_try_advisory_xact_lock(_key_lock_id(key)))):
            return False
        if not unreferenced(connection, [key]):
            return False
        store.delete(key)
        return True


@event.listens_for(Session, "after_commit")
def _delete_released(session: Session) -> None:
    pending = session.info.pop(_PENDING, [])
    if not pending:
        return
    bind = session.get_bind()
    if isinstance(bind, Connection):  # a session bound to a caller's connection: check on that connection
        _delete_each(bind, pending)
        return
    with bind.connect() as connection:
        _delete_each(connection, pending)


def _delete_each(connection: Connection, pending: list[tuple[ObjectStore, list[str]]]) -> None:
    for store, keys in pending:
        for key in keys:
            try:
                delete_if_unreferenced(connection, store, key)
            except Exception:  # the bytes stay; `harmoni content scrub` reports unreferenced objects
                log.exception("could not delete a released object", extra={"key": key})


@event.listens_for(Session, "after_rollback")
def _keep_released(session: Session) -> None:
    session.info.pop(_PENDING, None)
