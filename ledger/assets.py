"""Reading works and recordings from the mirror: lists with filters and cursors, details with history."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from harmoni.errors import NotFound, ValidationFailed
from ledger import catalog
from ledger.models import Asset as AssetRow
from ledger.models import AssetFreeze, ControllerChange, SplitVersion

MAX_PAGE = 200


class AssetNotFound(NotFound):
    slug = "asset-not-found"
    title = "Asset not found"


class InvalidCursor(ValidationFailed):
    slug = "invalid-cursor"
    title = "Invalid cursor"


@dataclass(frozen=True)
class AssetFilters:
    kind: str | None = None
    controller: str | None = None
    payee: str | None = None
    code: str | None = None  # ISRC or ISWC, compared without dashes or dots
    q: str | None = None  # title words, each matched as the start of a word (`ledger.catalog`)


@dataclass(frozen=True)
class Page:
    items: list[AssetRow]
    next_cursor: str | None
    titles: dict[int, str] = field(default_factory=dict)  # by asset id, where the metadata is known


def encode_cursor(asset_id: int) -> str:
    return base64.urlsafe_b64encode(f"a:{asset_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, value = raw.split(":", 1)
        if prefix != "a":
            raise ValueError(prefix)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError) as err:
        raise InvalidCursor("cursor is not one this API returned", field="cursor") from err


def normalize_code(code: str) -> str:
    """ISRCs and ISWCs are often written with separators (US-RC1-76-07839, T-034.524.680-1)."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def list_assets(session: Session, chain_id: int, filters: AssetFilters, cursor: str | None, limit: int) -> Page:
    """Assets in id order after `cursor`, `limit` at most."""
    query = select(AssetRow).where(AssetRow.chain_id == chain_id)
    if filters.kind:
        query = query.where(AssetRow.kind == filters.kind)
    if filters.controller:
        query = query.where(AssetRow.controller == filters.controller)
    if filters.payee:
        query = query.where(AssetRow.split_recipients.contains([filters.payee]))
    if filters.code:
        query = query.where(AssetRow.industry_code == normalize_code(filters.code))
    if filters.q is not None:
        words = catalog.query_words(filters.q)
        if not words:
            raise ValidationFailed("q has no word to search for (letters or digits)", field="q")
        query = query.where(AssetRow.metadata_uri.in_(
            select(catalog.AssetMetadata.metadata_uri).where(catalog.title_matches(words))))
    if cursor:
        query = query.where(AssetRow.asset_id > decode_cursor(cursor))
    rows = list(session.execute(query.order_by(AssetRow.asset_id).limit(limit + 1)).scalars())
    more = len(rows) > limit
    items = rows[:limit]
    titles = catalog.titles_of(session, [row.metadata_uri for row in items])
    return Page(items, encode_cursor(items[-1].asset_id) if more and items else None,
                {row.asset_id: titles[row.metadata_uri] for row in items if row.metadata_uri in titles})


@dataclass(frozen=True)
class AssetDetail:
    asset: AssetRow
    split_versions: list[SplitVersion]
    controller_changes: list[ControllerChange]
    freezes: list[AssetFreeze]
    title: str | None = None


def asset_detail(session: Session, chain_id: int, asset_id: int) -> AssetDetail:
    asset = session.get(AssetRow, (chain_id, asset_id))
    if asset is None:
        raise AssetNotFound(f"asset {asset_id} is not in the ledger (or not indexed yet)", asset_id=asset_id)

    def history(model: Any) -> list:
        return list(session.execute(
            select(model).where(model.chain_id == chain_id, model.asset_id == asset_id)
            .order_by(model.block_number, model.log_index)).scalars())

    return AssetDetail(asset, history(SplitVersion), history(ControllerChange), history(AssetFreeze),
                       catalog.titles_of(session, [asset.metadata_uri]).get(asset.metadata_uri))
