"""Search across recordings, works, editions, artists, accounts and posts; suggestions as one types; genres, moods."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ContextDep, SessionDep
from api.search.schemas import SearchHitOut, SearchPage, SuggestionList, SuggestionOut, TermList, TermOut
from discovery import vocabulary
from discovery.search import service
from discovery.search.backend import FACETS, KINDS, MAX_OFFSET, SearchQuery
from harmoni.errors import ValidationFailed

router = APIRouter(prefix="/v1", tags=["search"])
_INVALID = {422: {"description": "A parameter is invalid; the problem names it (`field`) and how to fix it"}}
# The plural names and the singular kinds alike.
_KIND_NAMES = {**{k: k for k in KINDS}, **{f"{k}s": k for k in KINDS}}


class InvalidSearch(ValidationFailed):
    slug = "invalid-search"
    title = "Invalid search parameter"


def _listed(field: str, value: str | None, allowed: dict[str, str]) -> tuple[str, ...]:
    if value is None:
        return ()
    names = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise InvalidSearch(f"{field}: unknown {', '.join(map(repr, unknown))}; use a comma-separated list of "
                            f"{', '.join(sorted(set(allowed.values())))}", field=field)
    return tuple(dict.fromkeys(allowed[n] for n in names))


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        prefix, value = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split(":", 1)
        offset = int(value)
        if prefix != "s" or not 0 < offset <= MAX_OFFSET:
            raise ValueError(cursor)
    except (ValueError, binascii.Error, UnicodeDecodeError) as err:
        raise InvalidSearch("cursor: not one this API returned; pass `next_cursor` of the previous page",
                            field="cursor") from err
    return offset


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"s:{offset}".encode()).decode().rstrip("=")


@router.get("/search", response_model=SearchPage, responses=_INVALID, summary="Search the catalog",
            description="Exact title or artist-name matches come first, then relevance times a bounded popularity "
                        "boost. Accents are folded (`cafe` finds “Café”, `mo` finds “MØ”), every word matches as "
                        "a prefix, and a word of four letters or more may carry one typo (two from eight letters).")
def search(
    session: SessionDep,
    context: ContextDep,
    q: Annotated[str, Query(min_length=1, max_length=200, description="The words to find")],
    type: Annotated[str | None, Query(max_length=200, description=(
        "Comma-separated kinds: recordings, works, editions, artists, users, posts (default: all)"))] = None,
    facets: Annotated[str | None, Query(max_length=200, description=(
        f"Comma-separated facets to count over all matches: {', '.join(FACETS)}"))] = None,
    genre: Annotated[str | None, Query(max_length=40, description="Only this genre slug (`GET /v1/genres`)",
                                       json_schema_extra={"enum": sorted(vocabulary.GENRE_SLUGS)})] = None,
    mood: Annotated[str | None, Query(max_length=40, description="Only this mood slug (`GET /v1/moods`)",
                                      json_schema_extra={"enum": sorted(vocabulary.MOOD_SLUGS)})] = None,
    year: Annotated[int | None, Query(ge=1000, le=2999, description="Only this release year")] = None,
    has_edition: Annotated[bool | None, Query(description="Only things with (or without) an edition")] = None,
    cursor: Annotated[str | None, Query(max_length=64, description="`next_cursor` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> SearchPage:
    if genre is not None and genre not in vocabulary.GENRE_SLUGS:
        raise InvalidSearch(f"genre: unknown {genre!r}; use a slug listed by GET /v1/genres", field="genre")
    if mood is not None and mood not in vocabulary.MOOD_SLUGS:
        raise InvalidSearch(f"mood: unknown {mood!r}; use a slug listed by GET /v1/moods", field="mood")
    offset = _offset(cursor)
    query = SearchQuery(text=q, kinds=_listed("type", type, _KIND_NAMES) or KINDS,
                        facets=_listed("facets", facets, {f: f for f in FACETS}), genre=genre, mood=mood, year=year,
                        has_edition=has_edition, offset=offset, limit=limit)
    results = service.search(session, context.settings, query)
    more = results.more and offset + limit < MAX_OFFSET
    return SearchPage(
        data=[SearchHitOut(kind=h.kind, ref=h.ref, asset_id=h.asset_id, title=h.title, artists=h.artists,
                           genres=h.genres, moods=h.moods, year=h.year, has_edition=h.has_edition, exact=h.exact)
              for h in results.hits],
        facets=results.facets, corrected=results.corrected, next_cursor=_cursor(offset + limit) if more else None)


@router.get("/search/suggest", response_model=SuggestionList, responses=_INVALID,
            summary="Titles and names starting with what was typed so far")
def suggest(session: SessionDep, context: ContextDep,
            q: Annotated[str, Query(min_length=1, max_length=100, description="The start of a title or name")],
            limit: Annotated[int, Query(ge=1, le=20)] = 10) -> SuggestionList:
    return SuggestionList(data=[SuggestionOut(kind=s.kind, ref=s.ref, title=s.title)
                                for s in service.suggest(session, context.settings, q, limit)])


@router.get("/genres", response_model=TermList, summary="The genres registration accepts")
def genres() -> TermList:
    return TermList(data=[TermOut(slug=t.slug, name=t.name) for t in vocabulary.GENRES])


@router.get("/moods", response_model=TermList, summary="The moods registration accepts")
def moods() -> TermList:
    return TermList(data=[TermOut(slug=t.slug, name=t.name) for t in vocabulary.MOODS])
