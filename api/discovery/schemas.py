"""Discovery answers: trending lists, related recordings and artists, recommendations."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


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


class RelatedRecordings(BaseModel):
    asset_id: int
    items: list[RelatedRecording]


class RelatedArtist(BaseModel):
    artist: str
    score: float
    listeners: int


class RelatedArtists(BaseModel):
    artist: str
    items: list[RelatedArtist]


class RecommendedRecording(BaseModel):
    asset_id: int
    artist: str
    title: str | None
    score: float


class BecauseYouPlayed(BaseModel):
    seed_asset_id: int
    seed_title: str | None
    items: list[RecommendedRecording]


class Recommendations(BaseModel):
    model_version: int | None = Field(description="The trained model that ranked `for_you`; null: popular items")
    cold_start: bool = Field(description="The listener has too little history: `for_you` is what is popular")
    for_you: list[RecommendedRecording]
    new_from_followed: list[RecommendedRecording] = Field(
        description="New releases from followed artists (empty until follows exist)")
    because_you_played: list[BecauseYouPlayed]
