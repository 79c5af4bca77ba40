"""Bonus files of a recording: stems, a booklet, a lossless download — delivered as they were uploaded.

An artist attaches a ready upload of kind `bonus` to a recording they control. Who may download it: holders of
the bonus file's own edition when it names one; otherwise whoever may hear the recording in full (holders of
the recording's edition when it is exclusive, any signed-in listener when it is not). A download is a signed URL
like a stream's (HMAC over the recording, `bonus:<id>`, the listener and the expiry), so a link works in a
browser without the token, for its listener only, until it expires.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from content import gating
from content.errors import UploadNotReady
from content.models import BonusFile, Upload, UploadKind, UploadObject, UploadState
from content.uploads import upload_of
from harmoni.errors import NotFound


@dataclass(frozen=True)
class Listed:
    bonus: BonusFile
    upload: Upload
    mime: str
    exclusive_to: int | None  # the edition whose holders may download it, None: every listener


def rendition_name(bonus_id: uuid.UUID) -> str:
    """What a download URL's signature covers besides the recording and the listener."""
    return f"bonus:{bonus_id}"


def add(db: Session, chain_id: int, asset_id: int, *, upload_id: uuid.UUID, title: str, edition_id: int | None,
        user_id: uuid.UUID, wallets: Iterable[str]) -> tuple[BonusFile, bool]:
    """Attach the account's ready bonus upload to its recording; (the file, False) when it is attached already."""
    gating.controlled_recording(db, chain_id, asset_id, wallets)
    upload = upload_of(db, user_id, upload_id)
    if upload.kind != UploadKind.bonus or upload.state != UploadState.ready:
        raise UploadNotReady(f"upload {upload_id} is a {upload.kind} upload, {upload.state}: attach a ready upload "
                             "of kind bonus (POST /v1/uploads?kind=bonus)", field="upload_id", state=upload.state)
    if edition_id is not None:
        gating.check_edition(db, chain_id, edition_id)
    existing = db.scalar(select(BonusFile).where(BonusFile.chain_id == chain_id, BonusFile.asset_id == asset_id,
                                                 BonusFile.upload_id == upload_id))
    if existing is not None:
        return existing, False
    bonus = BonusFile(id=uuid.uuid4(), chain_id=chain_id, asset_id=asset_id, upload_id=upload_id, title=title,
                      edition_id=edition_id, added_by=user_id)
    db.add(bonus)
    db.flush()
    return bonus, True


def listed(db: Session, chain_id: int, asset_id: int) -> list[Listed]:
    """The recording's bonus files, oldest first, with who may download each."""
    gating.registered_recording(db, chain_id, asset_id)
    gate = gating.gate_of(db, chain_id, asset_id)
    rows = db.execute(select(BonusFile, Upload, UploadObject.mime)
                      .join(Upload, Upload.id == BonusFile.upload_id)
                      .join(UploadObject, (UploadObject.upload_id == Upload.id) & (UploadObject.rendition == "master"))
                      .where(BonusFile.chain_id == chain_id, BonusFile.asset_id == asset_id)
                      .order_by(BonusFile.created_at, BonusFile.id))
    return [Listed(bonus, upload, mime, bonus.edition_id if bonus.edition_id is not None
                   else (gate.edition_id if gate else None)) for bonus, upload, mime in rows]


def get(db: Session, chain_id: int, bonus_id: uuid.UUID) -> Listed:
    bonus = db.get(BonusFile, bonus_id)
    if bonus is None or bonus.chain_id != chain_id:
        raise NotFound(f"no bonus file {bonus_id}", field="bonus_id")
    return next(item for item in listed(db, chain_id, bonus.asset_id) if item.bonus.id == bonus_id)


def remove(db: Session, chain_id: int, bonus_id: uuid.UUID, wallets: Iterable[str]) -> None:
    """Detach a bonus file (its controller); the upload stays the artist's until they delete it."""
    bonus = db.get(BonusFile, bonus_id)
    if bonus is None or bonus.chain_id != chain_id:
        raise NotFound(f"no bonus file {bonus_id}", field="bonus_id")
    gating.controlled_recording(db, chain_id, bonus.asset_id, wallets)
    db.delete(bonus)
    db.flush()


def grant(db: Session, chain_id: int, item: Listed, wallets: list[str], expires_at: datetime,
          on_chain: gating.OnChainBalance | None) -> gating.Grant | None:
    """None: every listener may download it; the holder's grant; NotEditionHolder otherwise."""
    if item.exclusive_to is None:
        return None
    return gating.holder_grant(db, chain_id, item.exclusive_to, wallets, expires_at, on_chain,
                               f"bonus file {item.bonus.title!r}")
