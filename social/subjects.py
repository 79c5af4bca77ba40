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
