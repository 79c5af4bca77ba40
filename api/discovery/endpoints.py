"""Trending lists, related recordings and artists, personal recommendations: reads of what periodic jobs computed."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import AfterValidator
from web3 import Web3

from api.deps import ContextDep, CurrentUser, SessionDep
from api.discovery.schemas import (
    BecauseYouPlayed,
    Recommendations,
    RecommendedRecording,
    RelatedArtist,
    RelatedArtists,
    RelatedRecording,
    RelatedRecordings,
    TrendingItem,
    TrendingList,
)
from api.errors import problem_responses
from api.openapi import ETHEREUM_ADDRESS, MAX_SAFE_INTEGER
from discovery.recommendations import service as recommendations
from discovery.trending import repository, service
from harmoni.errors import ValidationFailed
from identity.errors import InvalidToken, Unauthenticated
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


def _address(value: str) -> str:
    if not Web3.is_address(value):
        raise ValueError("not an Ethereum address (0x and 40 hex digits)")
    return Web3.to_checksum_address(value)


AssetId = Annotated[int, Path(ge=0, le=MAX_SAFE_INTEGER, description="The recording's asset id")]
ArtistAddress = Annotated[str, Path(max_length=42, description="The artist's address (a recording's controller)",
                                    json_schema_extra=ETHEREUM_ADDRESS), AfterValidator(_address)]
Limit = Annotated[int, Query(ge=1, le=50)]


@router.get("/v1/recordings/{asset_id}/related", summary="Recordings listened to alongside this one (public)",
            responses=problem_responses(recommendations.RecordingNotFound, ValidationFailed))
def related_recordings(asset_id: AssetId, session: SessionDep, context: ContextDep, limit: Limit = 20
                       ) -> RelatedRecordings:
    items = recommendations.related_recordings(session, context.settings.chain_id, asset_id, limit)
    return RelatedRecordings(asset_id=asset_id, items=[
        RelatedRecording(asset_id=i.asset_id, artist=i.artist, title=i.title, score=round(i.score, 6),
                         source=i.source) for i in items])


@router.get("/v1/artists/{address}/related", summary="Artists whose recordings the same listeners play (public)",
            responses=problem_responses(recommendations.ArtistNotFound, ValidationFailed))
def related_artists(address: ArtistAddress, session: SessionDep, context: ContextDep, limit: Limit = 20
                    ) -> RelatedArtists:
    rows = recommendations.related_artists(session, context.settings.chain_id, address, limit)
    return RelatedArtists(artist=address, items=[RelatedArtist(artist=a, score=round(s, 6), listeners=n)
                                                 for a, s, n in rows])


def _recommended(item: recommendations.Item) -> RecommendedRecording:
    return RecommendedRecording(asset_id=item.asset_id, artist=item.artist, title=item.title,
                                score=round(item.score, 6))


@router.get("/v1/me/recommendations", summary="Recordings for the signed-in listener: for you, new from followed "
                                              "artists, because you played",
            responses=problem_responses(Unauthenticated, InvalidToken, ValidationFailed))
def my_recommendations(session: SessionDep, context: ContextDep, user: CurrentUser, limit: Limit = 20
                       ) -> Recommendations:
    result = recommendations.recommend(session, context.settings.chain_id, user.id, limit)
    return Recommendations(
        model_version=result.model_version, cold_start=result.cold_start,
        for_you=[_recommended(i) for i in result.for_you],
        new_from_followed=[_recommended(i) for i in result.new_from_followed],
        because_you_played=[BecauseYouPlayed(seed_asset_id=seed.asset_id, seed_title=seed.title,
                                             items=[_recommended(i) for i in items])
                            for seed, items in result.because],
        cold_start_genres=result.genres)
