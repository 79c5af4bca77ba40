"""Trending lists, related recordings and artists, personal recommendations: reads of what periodic jobs computed."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import ContextDep, SessionDep
from api.discovery.schemas import TrendingItem, TrendingList
from discovery.trending import repository, service
from ledger import catalog
from ledger.models import Asset

router = APIRouter(tags=["discovery"])


@router.get("/v1/trending", summary="Trending recordings, artists or editions over a window (public)")
def trending(
    session: SessionDep,
    context: ContextDep,
    kind: Annotated[Literal["recording", "artist", "edition"], Query()] = "recording",
    window: Annotated[Literal["24h", "7d", "30d"], Query(description="How far back plays count")] = "7d",
    genre: Annotated[str | None, Query(min_length=1, max_length=64, description="A genre slug; lists per genre "
                                       "exist for recordings")] = None,
    territory: Annotated[str | None, Query(pattern="^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code")] = None,
    version: Annotated[Literal[service.VERSIONS], Query(description="Formula version; `v0` is plain distinct "
                                                        "listeners, kept for comparison")] = service.CURRENT_VERSION,
    limit: Annotated[int, Query(ge=1, le=service.LIST_LENGTH)] = 50,
) -> TrendingList:
    run = repository.last_run(session, version)
    entries = repository.entries(session, version, kind, window, genre or "", territory or "", limit)
    assets = {}
    if kind in ("recording", "edition") and entries:
        ids = [int(e.entity) for e in entries] if kind == "recording" else []
        assets = {a.asset_id: a for a in session.query(Asset).filter(
            Asset.chain_id == context.settings.chain_id, Asset.asset_id.in_(ids))} if ids else {}
    titles = catalog.titles_of(session, [a.metadata_uri for a in assets.values()])
    items = []
    for e in entries:
        item = TrendingItem(rank=e.rank, score=round(e.score, 6), listeners=e.listeners)
        if kind == "recording":
            item.asset_id = int(e.entity)
            asset = assets.get(item.asset_id)
            item.title = titles.get(asset.metadata_uri) if asset else None
        elif kind == "artist":
            item.artist = e.entity
        else:
            item.edition_id = int(e.entity)
        items.append(item)
    return TrendingList(formula_version=version, kind=kind, window=window, genre=genre, territory=territory,
                        computed_at=run.computed_at if run else None, items=items)
