"""The PostgreSQL backend for real: folding, prefixes, typos, ranking tiers, follows, facets, filters, suggest."""

from __future__ import annotations

import pytest

from discovery.search.backend import FOLLOWED_BOOST, SearchQuery, popularity_boost
from discovery.search.postgres import PostgresBackend, edit_distance
from tests.discovery.catalog import CATALOG, FOLLOWED, MADONNA


@pytest.fixture
def backend(db_session) -> PostgresBackend:
    backend = PostgresBackend(db_session)
    backend.upsert(CATALOG, version=1)
    return backend


def refs(results) -> list[tuple[str, str]]:
    return [(h.kind, h.ref) for h in results.hits]


def test_unaccent_folds_o_slash_and_accents(db_session):
    from sqlalchemy import text

    assert db_session.scalar(text("select harmoni_fold('MØ Café Łódź Straße')")) == "mo cafe lodz strasse"
    assert db_session.scalar(text("select harmoni_key('Don''t  Stop!')")) == "don t stop"


def test_an_exact_title_match_outranks_a_far_more_popular_partial_one(backend):
    hits = backend.search(SearchQuery("blue hour")).hits
    assert (hits[0].kind, hits[0].ref, hits[0].exact) == ("recording", "10", True)
    assert hits[1].ref == "11" and not hits[1].exact  # "Blue Hour Blues": 250 times the plays, still second


def test_a_followed_artist_is_boosted_but_never_above_an_exact_match(backend):
    followed = frozenset({FOLLOWED})
    plain = {h.ref: h.score for h in backend.search(SearchQuery("day", kinds=("recording",))).hits}
    boosted = {h.ref: h.score for h in backend.search(SearchQuery("day", kinds=("recording",), followed=followed)).hits}
    assert boosted["16"] == pytest.approx(plain["16"] * FOLLOWED_BOOST) and boosted["17"] == plain["17"]
    # Followed, and played 125 times as much, "Stop Right Now" still comes after the exact title "Stop".
    hits = backend.search(SearchQuery("stop", kinds=("recording",), followed=followed)).hits
    assert [h.ref for h in hits[:2]] == ["28", "34"] and hits[0].exact and not hits[1].exact


def test_popularity_boost_is_bounded():
    assert popularity_boost(0) == 1.0
    assert popularity_boost(10**12) == 1.5
    assert 1.0 < popularity_boost(1000) < 1.5


def test_edit_distance_counts_swaps_as_one():
    assert edit_distance("nirvnaa", "nirvana") == 1
    assert edit_distance("madona", "madonna") == 1
    assert edit_distance("kitten", "sitting", cap=2) == 3  # over the cap: cap + 1


def test_typos_are_corrected_and_reported(backend):
    results = backend.search(SearchQuery("nirvnaa"))
    assert results.corrected == {"nirvnaa": "nirvana"}
    assert {h.ref for h in results.hits[:3]} >= {"21", "22"}


def test_facets_count_every_match_and_filters_narrow(backend):
    results = backend.search(SearchQuery("bjork", facets=("kind", "genre", "year", "has_edition"), limit=1))
    assert results.facets["kind"] == {"recording": 3, "artist": 1}
    assert results.facets["year"] == {"1995": 2, "1997": 1}
    assert results.facets["genre"] == {"experimental": 1}
    assert results.more
    only = backend.search(SearchQuery("bjork", year=1995))
    assert sorted(h.ref for h in only.hits) == ["5", "6"]
    editions = backend.search(SearchQuery("madonna", has_edition=True))
    assert [h.ref for h in editions.hits] == ["8"]
    pop = backend.search(SearchQuery("madonna", genre="house"))
    assert [h.ref for h in pop.hits] == ["9"]


def test_pages_do_not_overlap(backend):
    first = backend.search(SearchQuery("blue", limit=2))
    second = backend.search(SearchQuery("blue", limit=2, offset=2))
    assert first.more and len(first.hits) == 2
    assert not set(refs(first)) & set(refs(second))


def test_types_restrict_kinds(backend):
    results = backend.search(SearchQuery("madonna", kinds=("artist",)))
    assert refs(results) == [("artist", str(MADONNA))]


def test_suggest_prefers_titles_that_start_with_the_prefix(backend):
    titles = [s.title for s in backend.suggest("beaut")]
    assert titles[:2] == ["Beautiful Day", "Beautiful"]  # both start with it; the more played first
    assert [s.title for s in backend.suggest("caf")] == ["Café Noir"]


def test_a_newer_version_is_not_replaced_by_an_older_one_and_deletes_are_versioned(backend, db_session):
    from dataclasses import replace

    backend.upsert([replace(CATALOG[0], title="Café Blanc")], version=5)
    backend.upsert([replace(CATALOG[0], title="Stale Title")], version=3)
    assert [h.title for h in backend.search(SearchQuery("cafe")).hits] == ["Café Blanc"]
    backend.delete([("recording", "1")], version=4)  # older than the document: kept
    assert backend.search(SearchQuery("blanc")).hits
    backend.delete([("recording", "1")], version=6)
    assert not backend.search(SearchQuery("blanc")).hits


def test_nothing_matches_an_empty_or_punctuation_query(backend):
    assert backend.search(SearchQuery("?!")).hits == []
    assert backend.suggest("--") == []


def test_a_common_word_ranks_from_each_tiers_most_played_candidates_and_pages_reach_the_rest(db_session):
    """More titles start with "echo" than one tier's candidate pool holds: the exact title, never played, still
    comes first; the far more played "Blue Echo" (no tier) comes only after every title starting with the word."""
    from discovery.search.backend import Document
    from discovery.search.postgres import POOL

    starting = [Document(kind="recording", ref=str(n), title=f"Echo {n}", plays=1_000 + n) for n in range(POOL + 50)]
    backend = PostgresBackend(db_session)
    backend.upsert([*starting, Document(kind="recording", ref="exact", title="Echo"),
                    Document(kind="recording", ref="inner", title="Blue Echo", plays=10**6)], version=1)
    first = backend.search(SearchQuery("echo", limit=5))
    assert first.hits[0].ref == "exact" and first.hits[0].exact and first.more
    assert "inner" not in {h.ref for h in first.hits}
    last = backend.search(SearchQuery("echo", limit=5, offset=POOL + 48))
    assert [h.ref for h in last.hits][-1] == "inner" and not last.more
    assert len(last.hits) == 4  # 152 matches in all
