"""What can be liked, reposted, commented on or reported, and whether it exists for this viewer."""

from __future__ import annotations

import uuid

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from harmoni.settings import Settings
from ledger.models import Asset, Edition
from social.errors import SubjectNotFound


def recording_exists(session: Session, chain_id: int, asset_id: int) -> bool:
    return session.scalar(select(exists().where(Asset.chain_id == chain_id, Asset.asset_id == asset_id,
                                                Asset.kind == "recording"))) or False


def edition_exists(session: Session, chain_id: int, edition_id: int) -> bool:
    return session.scalar(select(exists().where(Edition.chain_id == chain_id, Edition.edition_id == edition_id))
                          ) or False


def require_recording(session: Session, settings: Settings, asset_id: int, field: str = "asset_id") -> None:
    if not recording_exists(session, settings.chain_id, asset_id):
        raise SubjectNotFound(f"no recording {asset_id} is registered", field=field)


def require_edition(session: Session, settings: Settings, edition_id: int, field: str = "edition_id") -> None:
    if not edition_exists(session, settings.chain_id, edition_id):
        raise SubjectNotFound(f"no edition {edition_id} is on chain (yet)", field=field)


def parse_post_id(value: str, field: str = "post_id") -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as err:
        raise SubjectNotFound(f"{value!r} is not a post id", field=field) from err


def canonical_id(subject_type: str, subject_id: str, field: str = "subject_id") -> str:
    """The subject's id as stored (a number for recordings and editions, a UUID for posts and comments)."""
    if subject_type in ("recording", "edition"):
        if not subject_id.isascii() or not subject_id.isdigit() or int(subject_id) >= 2**63:
            raise SubjectNotFound(f"no {subject_type} {subject_id!r}: its id is a number", field=field)
        return str(int(subject_id))
    return str(parse_post_id(subject_id, field))
