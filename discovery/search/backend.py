"""The interface every search backend implements, and the plain values that cross it.

Ranking contract (both backends): an exact title or artist-name match comes first; then text relevance times a
bounded popularity boost (at most `MAX_POPULARITY_BOOST` times, from counted plays); documents of followed accounts
get a boost that is applied inside the same tier, so it never lifts anything above an exact match.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Protocol

KINDS = ("recording", "work", "edition", "artist", "user", "post")
FACETS = ("kind", "genre", "mood", "year", "has_edition")
MAX_POPULARITY_BOOST = 1.5  # the most plays can multiply relevance by
PLAYS_FOR_FULL_BOOST = 100_000
FOLLOWED_BOOST = 1.25
MAX_OFFSET = 1_000


@dataclass(frozen=True)
class Document:
    """One searchable thing, as read from the database (`ref`: an asset or edition id, an account id)."""

    kind: str
    ref: str
    title: str
    artists: list[str] = field(default_factory=list)
    release: str = ""
    genres: list[str] = field(default_factory=list)
    moods: list[str] = field(default_factory=list)
    year: int | None = None
    has_edition: bool = False
    plays: int = 0
    account_ids: list[uuid.UUID] = field(default_factory=list)
    asset_id: int | None = None


@dataclass(frozen=True)
class SearchQuery:
    text: str
    kinds: tuple[str, ...] = KINDS
    facets: tuple[str, ...] = ()
    genre: str | None = None
    mood: str | None = None
    year: int | None = None
    has_edition: bool | None = None
    followed: frozenset[uuid.UUID] = frozenset()  # accounts the searcher follows (from social, when built)
    offset: int = 0
    limit: int = 20


@dataclass(frozen=True)
class Hit:
    kind: str
    ref: str
    title: str
    artists: list[str]
    genres: list[str]
    moods: list[str]
    year: int | None
    has_edition: bool
    asset_id: int | None
    exact: bool
    score: float


@dataclass(frozen=True)
class SearchResults:
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    more: bool  # another page follows
    corrected: dict[str, str] = field(default_factory=dict)  # query word → the indexed word it was read as


@dataclass(frozen=True)
class Suggestion:
    kind: str
    ref: str
    title: str


class SearchBackend(Protocol):
    def upsert(self, documents: list[Document], version: int) -> None:
        """Write documents; one already indexed at a higher version is left as it is."""

    def delete(self, keys: list[tuple[str, str]], version: int) -> None:
        """Remove (kind, ref) documents (gone, hidden); removing an absent one is a no-op."""

    def prune_editions(self, asset_id: int, keep: list[str], version: int) -> None:
        """Remove the asset's edition documents other than `keep` (editions a reorg took away)."""

    def search(self, query: SearchQuery) -> SearchResults: ...

    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]: ...

    def counts(self) -> dict[str, int]:
        """Documents per kind."""

    def clear(self) -> None:
        """Drop every document (before a rebuild)."""


def popularity_boost(plays: int) -> float:
    """1 for no plays up to MAX_POPULARITY_BOOST at PLAYS_FOR_FULL_BOOST plays (log scale), never more."""
    import math

    share = min(1.0, math.log1p(max(plays, 0)) / math.log1p(PLAYS_FOR_FULL_BOOST))
    return 1.0 + (MAX_POPULARITY_BOOST - 1.0) * share
