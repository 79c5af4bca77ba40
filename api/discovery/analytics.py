"""Artist analytics: daily series and territories, as JSON or CSV, for an artist or a label's partner key."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import AfterValidator, BaseModel
from web3 import Web3

from api.deps import ContextDep, SessionDep
from api.discovery.schemas import (
    AssetRevenueOut,
    Breakdown,
    EditionSalesList,
    EditionSalesOut,
    FollowerPointOut,
    FollowerSeries,
    PeriodRevenueOut,
    RevenueList,
    ShareOut,
)
from api.errors import problem_responses
from api.openapi import ETHEREUM_ADDRESS, MAX_SAFE_INTEGER
from api.partners.deps import ApiKeyHeaderDep, BearerDep, admit, presented_key
from discovery.analytics import service
from harmoni.errors import RateLimited, ValidationFailed
from identity import service as identity
from identity.errors import Forbidden, InvalidToken, Unauthenticated
from identity.models import Role
from partners.errors import InvalidApiKey, ScopeMissing
from partners.models import ApiScope

router = APIRouter(prefix="/v1/analytics", tags=["analytics"])
_READERS = frozenset({Role.artist.value, Role.partner.value, Role.admin.value})


def analytics_reader(context: ContextDep, response: Response, x_api_key: ApiKeyHeaderDep, bearer: BearerDep
                     ) -> uuid.UUID:
    """The account whose recordings are read: a key's owner (with `analytics:read`), or a signed-in artist or
    partner (admins too; they see what their own wallets hold)."""
    key = presented_key(x_api_key, bearer)
    if key is not None:
        return admit(context, response, key, (ApiScope.analytics_read,)).user_id
    if bearer is None:
        raise Unauthenticated("this endpoint needs a bearer access token or a partner API key with analytics:read")
    with context.sessions() as session:
        user = identity.user_for_access_token(session, context.settings, bearer.credentials)
        user_id, roles = user.id, set(user.roles)
    if _READERS.isdisjoint(roles):
        raise Forbidden("this needs the role artist, partner or admin")
    return user_id


Reader = Annotated[uuid.UUID, Depends(analytics_reader)]
_PROBLEMS = problem_responses(Unauthenticated, InvalidToken, Forbidden, InvalidApiKey, ScopeMissing, RateLimited,
                              service.AnalyticsNotYours, ValidationFailed)
Format = Annotated[Literal["json", "csv"], Query(description="`csv`: text/csv with a header line")]


def _address(value: str | None) -> str | None:
    if value is None:
        return None
    if not Web3.is_address(value):
        raise ValueError("not an Ethereum address (0x and 40 hex digits)")
    return Web3.to_checksum_address(value)


class DayOut(BaseModel):
    day: date
    plays: int
    listeners: int

    model_config = {"json_schema_extra": {"examples": [{"day": "2026-03-14", "plays": 128, "listeners": 93}]}}


class DailySeries(BaseModel):
    asset_id: int | None
    artist: str | None
    points: list[DayOut]

    model_config = {"json_schema_extra": {"examples": [{"asset_id": 7, "artist": None, "points": [
        {"day": "2026-03-14", "plays": 128, "listeners": 93}, {"day": "2026-03-15", "plays": 141, "listeners": 102}]}]}}


class TerritoryOut(BaseModel):
    territory: str
    usage: int
    net_revenue: int
    currency: str

    model_config = {"json_schema_extra": {"examples": [
        {"territory": "DE", "usage": 5120, "net_revenue": 1843, "currency": "EUR"}]}}


class Territories(BaseModel):
    asset_id: int
    period_id: int | None
    territories: list[TerritoryOut]

    model_config = {"json_schema_extra": {"examples": [{"asset_id": 7, "period_id": 12, "territories": [
        {"territory": "DE", "usage": 5120, "net_revenue": 1843, "currency": "EUR"},
        {"territory": "FR", "usage": 2210, "net_revenue": 796, "currency": "EUR"}]}]}}


@router.get("/plays", summary="Counted plays and unique listeners per day, of one recording or one artist address "
                              "(artists; partner keys with analytics:read)",
            response_model=DailySeries, responses={**_PROBLEMS, 200: {"content": {"text/csv": {
                "example": "day,plays,listeners\n2026-03-14,128,93\n2026-03-15,141,102\n"}}}})
def daily_plays(
    session: SessionDep, context: ContextDep, user_id: Reader,
    start: Annotated[date, Query(alias="from", description="First day (UTC), inclusive")],
    end: Annotated[date, Query(alias="to", description="Last day (UTC), inclusive")],
    asset_id: Annotated[int | None, Query(ge=0, le=MAX_SAFE_INTEGER)] = None,
    artist: Annotated[str | None, Query(max_length=42, description="One of your addresses (a controller)",
                                        json_schema_extra=ETHEREUM_ADDRESS), AfterValidator(_address)] = None,
    format: Format = "json",
):
    points = service.daily_plays(session, context.settings.chain_id, user_id, start, end, asset_id=asset_id,
                                 artist=artist)
    if format == "csv":
        return Response(service.to_csv(["day", "plays", "listeners"],
                                       [(p.day.isoformat(), p.plays, p.listeners) for p in points]),
                        media_type="text/csv")
    return DailySeries(asset_id=asset_id, artist=artist,
                       points=[DayOut(day=p.day, plays=p.plays, listeners=p.listeners) for p in points])


@router.get("/territories", summary="Partner-reported usage and net revenue of a recording per territory "
                                    "(artists; partner keys with analytics:read)",
            response_model=Territories, responses={**_PROBLEMS, 200: {"content": {"text/csv": {
                "example": "territory,usage,net_revenue,currency\nDE,5120,1843,EUR\nFR,2210,796,EUR\n"}}}})
def territories(
    session: SessionDep, context: ContextDep, user_id: Reader,
    asset_id: Annotated[int, Query(ge=0, le=MAX_SAFE_INTEGER)],
    period_id: Annotated[int | None, Query(ge=0, le=MAX_SAFE_INTEGER)] = None,
    format: Format = "json",
):
    rows = service.territories(session, context.settings.chain_id, user_id, asset_id, period_id)
    if format == "csv":
        return Response(service.to_csv(["territory", "usage", "net_revenue", "currency"],
                                       [(t.territory, t.usage, t.net_revenue, t.currency) for t in rows]),
                        media_type="text/csv")
    return Territories(asset_id=asset_id, period_id=period_id, territories=[
        TerritoryOut(territory=t.territory, usage=t.usage, net_revenue=t.net_revenue, currency=t.currency)
        for t in rows])


def _csv_example(text: str) -> dict:
    return {200: {"content": {"text/csv": {"example": text}}}}


Start = Annotated[date, Query(alias="from", description="First day (UTC), inclusive")]
End = Annotated[date, Query(alias="to", description="Last day (UTC), inclusive")]
ArtistQuery = Annotated[str, Query(max_length=42, description="One of your addresses (a controller)",
                                   json_schema_extra=ETHEREUM_ADDRESS), AfterValidator(_address)]


@router.get("/breakdown", summary="An artist address's counted plays by listener country or by where in the app "
                                  "they started, most played first (artists; partner keys with analytics:read)",
            response_model=Breakdown,
            responses={**_PROBLEMS, **_csv_example("value,plays,listener_days\nDE,5120,3310\nFR,2210,1480\n")})
def breakdown(
    session: SessionDep, context: ContextDep, user_id: Reader, artist: ArtistQuery, start: Start, end: End,
    by: Annotated[Literal[service.DIMENSIONS], Query(description="`country`: the listener's; `source`: the "
                                                     "player's")] = "country",
    limit: Annotated[int, Query(ge=1, le=250)] = 50,
    format: Format = "json",
):
    shares = service.breakdown(session, context.settings.chain_id, user_id, artist, by, start, end, limit)
    if format == "csv":
        return Response(service.to_csv(["value", "plays", "listener_days"],
                                       [(s.value, s.plays, s.listener_days) for s in shares]), media_type="text/csv")
    return Breakdown(artist=artist, by=by, data=[ShareOut(value=s.value, plays=s.plays, listener_days=s.listener_days)
                                                 for s in shares])


@router.get("/followers", summary="Your followers per day: how many followed that day and the total by its end "
                                  "(artists; partner keys with analytics:read)",
            response_model=FollowerSeries,
            responses={**_PROBLEMS, **_csv_example("day,new,total\n2026-03-14,12,1843\n2026-03-15,9,1852\n")})
def followers(session: SessionDep, user_id: Reader, start: Start, end: End, format: Format = "json"):
    points = service.followers(session, user_id, start, end)
    if format == "csv":
        return Response(service.to_csv(["day", "new", "total"], [(p.day.isoformat(), p.new, p.total) for p in points]),
                        media_type="text/csv")
    return FollowerSeries(points=[FollowerPointOut(day=p.day, new=p.new, total=p.total) for p in points])


@router.get("/revenue", summary="Revenue per royalty period, newest first: your entitlement and each of your "
                                "recordings' revenue and plays (artists; partner keys with analytics:read)",
            responses=_PROBLEMS)
def revenue(session: SessionDep, context: ContextDep, user_id: Reader,
            limit: Annotated[int, Query(ge=1, le=service.MAX_PERIODS)] = 24) -> RevenueList:
    periods = service.revenue(session, context.settings.chain_id, user_id, limit)
    return RevenueList(periods=[PeriodRevenueOut(
        period_id=p.period_id, starts_at=p.starts_at, ends_at=p.ends_at, status=p.status, earned=p.earned,
        assets=[AssetRevenueOut(asset_id=a.asset_id, revenue=a.revenue, currency=a.currency, plays=a.plays)
                for a in p.assets]) for p in periods])


@router.get("/editions", summary="Sales of the editions your wallets created (artists; partner keys with "
                                 "analytics:read)", responses=_PROBLEMS)
def editions(session: SessionDep, context: ContextDep, user_id: Reader) -> EditionSalesList:
    return EditionSalesList(editions=[EditionSalesOut(**vars(e)) for e in service.edition_sales(
        session, context.settings.chain_id, user_id)])
