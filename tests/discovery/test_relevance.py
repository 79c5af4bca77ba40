"""The relevance suite: queries with the result a listener expects first, run for real against the PostgreSQL
backend. Categories: exact matches first, accents, one-edit typos, prefixes, multi-word, artist-vs-title
collisions. (The OpenSearch backend's DSL carries the same rules; with no server here it is tested by contract.)"""

from __future__ import annotations

import pytest

from discovery.search.backend import SearchQuery
from discovery.search.postgres import PostgresBackend
from tests.discovery.catalog import BJORK, CATALOG, MADONNA, MO

R = "recording"
W = "work"
A = "artist"
CASES = [
    # exact matches first, over more popular partial ones
    ("exact", "blue hour", (R, "10")),
    ("exact", "stop", (R, "28")),
    ("exact", "beautiful", (R, "15")),
    ("exact", "beautiful day", (R, "14")),
    ("exact", "nevermind", (R, "23")),  # an obscure title beats the album of two huge hits
    ("exact", "daydream", (R, "17")),
    ("exact", "vogue", (R, "9")),
    ("exact", "hyperballad", (R, "5")),
    # accents and other marks, both ways
    ("accents", "cafe noir", (R, "1")),
    ("accents", "café", (R, "1")),
    ("accents", "mo", (A, str(MO))),
    ("accents", "bjork", (A, str(BJORK))),
    ("accents", "joga", (R, "4")),
    ("accents", "creme brulee", (R, "18")),
    ("accents", "naive melody", (R, "19")),
    ("accents", "uber alles", (R, "20")),
    ("accents", "nandu", (R, "31")),
    ("accents", "lodz", (R, "32")),
    ("accents", "gymnopedie", (W, "26")),
    # one edit (typos)
    ("typo", "nirvnaa", (R, "21")),
    ("typo", "madona", (A, str(MADONNA))),
    ("typo", "hyperbalad", (R, "5")),
    ("typo", "sabotgae", (R, "29")),
    ("typo", "vouge", (R, "9")),
    ("typo", "beethovn", (W, "24")),
    ("typo", "kraftwrek", (R, "20")),
    ("typo", "moonlihgt sonata", (W, "25")),  # two letters swapped: one edit
    # prefixes (as one types)
    ("prefix", "hyperb", (R, "5")),
    ("prefix", "smells like", (R, "21")),
    ("prefix", "gymno", (W, "26")),
    ("prefix", "sabo", (R, "29")),
    ("prefix", "kraft", (R, "20")),
    # several words, in any order, across fields
    ("multi-word", "nirvana teen spirit", (R, "21")),
    ("multi-word", "spirit teen", (R, "21")),
    ("multi-word", "army of me bjork", (R, "6")),
    ("multi-word", "bjork homogenic", (R, "4")),
    ("multi-word", "lean on major lazer", (R, "3")),
    ("multi-word", "talking heads melody", (R, "19")),
    ("multi-word", "beethoven sonata", (W, "25")),
    # artist vs title collisions
    ("collision", "madonna", (A, str(MADONNA))),  # the artist (exact name, far more played) over the punk song
    ("collision", "beethoven", (W, "24")),  # works by Beethoven before Chuck Berry's "Beethoven Blues"
    ("collision", "queen", (R, "27")),
]


@pytest.fixture(scope="module")
def catalog_backend(db_engine):
    """The catalog indexed once for the module, in a transaction rolled back at the end."""
    from sqlalchemy.orm import Session

    with db_engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection)
        backend = PostgresBackend(session)
        backend.upsert(CATALOG, version=1)
        yield backend
        session.close()
        transaction.rollback()


def test_the_suite_has_at_least_40_queries_in_every_category():
    assert len(CASES) >= 40
    assert {c[0] for c in CASES} == {"exact", "accents", "typo", "prefix", "multi-word", "collision"}


@pytest.mark.parametrize(("category", "query", "expected"), CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_expected_first_result(catalog_backend, category, query, expected):
    hits = catalog_backend.search(SearchQuery(query, limit=5)).hits
    assert hits, f"{query!r} found nothing"
    assert (hits[0].kind, hits[0].ref) == expected, [(h.kind, h.ref, h.title, round(h.score, 4)) for h in hits]


def test_madonna_the_song_still_ranks_with_the_exact_matches(catalog_backend):
    hits = catalog_backend.search(SearchQuery("madonna", limit=10)).hits
    exact = [(h.kind, h.ref) for h in hits if h.exact]
    assert (R, "7") in exact and all(h.exact for h in hits[:len(exact)])
