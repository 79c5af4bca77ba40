"""Discovery answers: trending lists, related recordings and artists, recommendations."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

_ARTIST = "0x7a3b9C2D4e5F60718293a4b5c6D7e8f901a2b3c4"
_OTHER_ARTIST = "0xc1D2e3f405162738495a6b7c8d9E0f1A2b3C4d5E"
_THIRD_ARTIST = "0x3E8F1a2b4C5d6E7f8091a2b3C4D5e6F708192a3B"
_RELATED = {"asset_id": 12, "artist": _OTHER_ARTIST, "title": "Night Swim", "score": 0.412733, "source": "sessions"}
_RECOMMENDED = {"asset_id": 12, "artist": _OTHER_ARTIST, "title": "Night Swim", "score": 0.873105}
_BECAUSE = {"seed_asset_id": 7, "seed_title": "Blue Hour",
            "items": [{"asset_id": 19, "artist": _THIRD_ARTIST, "title": "Low Tide", "score": 0.651284}]}
_RELATED_ARTIST = {"artist": _OTHER_ARTIST, "score": 0.358902, "listeners": 41}


class TrendingItem(BaseModel):
    rank: int
    score: float = Field(description="The formula's score (comparable within one list only)")
    listeners: int = Field(description="Distinct listeners (buyers, for editions) that counted")
    asset_id: int | None = Field(None, description="The recording (kind recording or edition)")
    artist: str | None = Field(None, description="The artist's address (kind artist; the recording's controller)")
    edition_id: int | None = Field(None, description="The edition (kind edition)")
    title: str | None = None


class TrendingList(BaseModel):
    formula_version: str
    kind: str
    window: str
    genre: str | None
    territory: str | None
    computed_at: datetime | None = Field(description="When the periodic job computed the list; null: not yet")
    items: list[TrendingItem]

    model_config = {"json_schema_extra": {"examples": [{
        "formula_version": "v1", "kind": "recording", "window": "7d", "genre": None, "territory": None,
        "computed_at": "2026-12-03T15:00:00Z",
        "items": [{"rank": 1, "score": 12.5, "listeners": 17, "asset_id": 7, "title": "Blue Hour"}]}]}}


class RelatedRecording(BaseModel):
    asset_id: int
    artist: str
    title: str | None
    score: float
    source: str = Field(description="`sessions`: played in the same listening sessions; `artist`: same artist")

    model_config = {"json_schema_extra": {"examples": [_RELATED]}}


class RelatedRecordings(BaseModel):
    asset_id: int
    items: list[RelatedRecording]

    model_config = {"json_schema_extra": {"examples": [{"asset_id": 7, "items": [_RELATED]}]}}


class RelatedArtist(BaseModel):
    artist: str
    score: float
    listeners: int

    model_config = {"json_schema_extra": {"examples": [_RELATED_ARTIST]}}


class RelatedArtists(BaseModel):
    artist: str
    items: list[RelatedArtist]

    model_config = {"json_schema_extra": {"examples": [{"artist": _ARTIST, "items": [_RELATED_ARTIST]}]}}


class RecommendedRecording(BaseModel):
    asset_id: int
    artist: str
    title: str | None
    score: float

    model_config = {"json_schema_extra": {"examples": [_RECOMMENDED]}}


class BecauseYouPlayed(BaseModel):
    seed_asset_id: int
    seed_title: str | None
    items: list[RecommendedRecording]

    model_config = {"json_schema_extra": {"examples": [_BECAUSE]}}


class Recommendations(BaseModel):
    model_version: int | None = Field(description="The trained model that ranked `for_you`; null: popular items")
    cold_start: bool = Field(description="The listener has too little history: `for_you` is what is popular")
    for_you: list[RecommendedRecording]
    new_from_followed: list[RecommendedRecording] = Field(
        description="New releases from followed artists (empty until follows exist)")
    because_you_played: list[BecauseYouPlayed]
    cold_start_genres: list[str] = Field(default_factory=list, description=(
        "Cold start: the genre slugs `for_you` is popular in (from the listener's likes, follows and plays, else "
        "the catalog's top genres)"))

    model_config = {"json_schema_extra": {"examples": [{
        "model_version": 3, "cold_start": False, "for_you": [_RECOMMENDED], "new_from_followed": [],
        "because_you_played": [_BECAUSE], "cold_start_genres": []}]}}


class ShareOut(BaseModel):
    value: str = Field(description="A country code (ISO 3166-1 alpha-2, `unknown` where none was known) or a play "
                                   "source")
    plays: int
    listener_days: int = Field(description="Distinct listeners of each day, added up over the days")

    model_config = {"json_schema_extra": {"examples": [{"value": "DE", "plays": 5120, "listener_days": 3310}]}}


class Breakdown(BaseModel):
    artist: str
    by: str
    data: list[ShareOut]

    model_config = {"json_schema_extra": {"examples": [{"artist": _ARTIST, "by": "country", "data": [
        {"value": "DE", "plays": 5120, "listener_days": 3310},
        {"value": "FR", "plays": 2210, "listener_days": 1480}]}]}}


class FollowerPointOut(BaseModel):
    day: date
    new: int = Field(description="Followers now who followed on that day")
    total: int = Field(description="Followers now who followed by the end of that day")

    model_config = {"json_schema_extra": {"examples": [{"day": "2026-03-14", "new": 12, "total": 1843}]}}


class FollowerSeries(BaseModel):
    points: list[FollowerPointOut]

    model_config = {"json_schema_extra": {"examples": [{"points": [{"day": "2026-03-14", "new": 12, "total": 1843},
                                                                   {"day": "2026-03-15", "new": 9, "total": 1852}]}]}}


class AssetRevenueOut(BaseModel):
    asset_id: int
    revenue: int = Field(description="Revenue recorded for the recording in the period (smallest unit)")
    currency: str
    plays: int = Field(description="Counted plays the period paid for")


class PeriodRevenueOut(BaseModel):
    period_id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    earned: int = Field(description="What your wallets are entitled to from the period's statement (smallest unit)")
    assets: list[AssetRevenueOut]


class RevenueList(BaseModel):
    periods: list[PeriodRevenueOut]

    model_config = {"json_schema_extra": {"examples": [{"periods": [{
        "period_id": 12, "starts_at": "2026-03-01T00:00:00Z", "ends_at": "2026-04-01T00:00:00Z", "status": "published",
        "earned": 184300, "assets": [{"asset_id": 7, "revenue": 250000, "currency": "USD", "plays": 5120}]}]}]}}


class EditionSalesOut(BaseModel):
    edition_id: int
    asset_id: int
    payment_token: str
    max_supply: int
    sold: int = Field(description="Tokens minted to others than the creator")
    buyers: int
    paid: int = Field(description="Paid by those buyers, in the payment token's smallest unit")
    fees: int = Field(description="The platform's fees out of `paid`")


class EditionSalesList(BaseModel):
    editions: list[EditionSalesOut]

    model_config = {"json_schema_extra": {"examples": [{"editions": [{
        "edition_id": 3, "asset_id": 7, "payment_token": _OTHER_ARTIST, "max_supply": 100, "sold": 42, "buyers": 39,
        "paid": 420000000, "fees": 21000000}]}]}}
