"""Search answers, and the genre and mood vocabulary."""

from __future__ import annotations

from pydantic import BaseModel, Field

_HIT = {"kind": "recording", "ref": "7", "asset_id": 7, "title": "Café Noir", "artists": ["MØ"],
        "genres": ["electronic"], "moods": ["dark"], "year": 2026, "has_edition": True, "exact": True}


class TermOut(BaseModel):
    slug: str = Field(description="What registration takes in `genres` / `moods`")
    name: str = Field(description="The display name")


class TermList(BaseModel):
    data: list[TermOut]

    model_config = {"json_schema_extra": {"examples": [{"data": [{"slug": "hip-hop", "name": "Hip-Hop"},
                                                                 {"slug": "jazz", "name": "Jazz"}]}]}}


class SearchHitOut(BaseModel):
    kind: str = Field(description="recording, work, edition, artist or user")
    ref: str = Field(description="Its id: the asset id (recordings, works), edition id, or account id (artists)")
    asset_id: int | None = Field(description="The asset a recording, work or edition is, or is an edition of")
    title: str = Field(description="Title, or an artist's display name")
    artists: list[str]
    genres: list[str]
    moods: list[str]
    year: int | None
    has_edition: bool
    exact: bool = Field(description="The query is exactly the title or an artist's name (these rank first)")


class SearchPage(BaseModel):
    data: list[SearchHitOut]
    facets: dict[str, dict[str, int]] = Field(
        description="For each facet asked for in `facets`: value → number of matching documents (all pages)")
    corrected: dict[str, str] = Field(
        description="Query words the index does not hold, and the indexed word each was also read as (typos)")
    next_cursor: str | None

    model_config = {"json_schema_extra": {"examples": [{
        "data": [_HIT], "facets": {"kind": {"recording": 1}, "genre": {"electronic": 1}},
        "corrected": {}, "next_cursor": None}]}}


class SuggestionOut(BaseModel):
    kind: str
    ref: str
    title: str


class SuggestionList(BaseModel):
    data: list[SuggestionOut]

    model_config = {"json_schema_extra": {"examples": [{"data": [
        {"kind": "recording", "ref": "7", "title": "Café Noir"}, {"kind": "artist",
                                                               "ref": "5f0c6a9e-3d55-4c3b-9f1e-8a2b9c7d6e5f",
                                                               "title": "Café Tacvba"}]}]}}
