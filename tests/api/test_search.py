"""GET /v1/search, /v1/search/suggest, /v1/genres, /v1/moods; genres and moods at registration."""

from __future__ import annotations

import pytest

from api.rights.endpoints import _recording, _work
from api.rights.schemas import RecordingIn, WorkIn
from discovery.search.postgres import PostgresBackend
from tests.discovery.catalog import CATALOG
from tests.identity.factories import make_user

PROBLEM = "application/problem+json"
SPLIT = [{"address": "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65", "share_percent": "100"}]


@pytest.fixture
def indexed(sessions):
    with sessions.begin() as session:
        PostgresBackend(session).upsert(CATALOG, version=1)


def test_genres_and_moods_list_the_vocabulary(api):
    genres = api.get("/v1/genres").json()["data"]
    moods = api.get("/v1/moods").json()["data"]
    assert len(genres) >= 60 and len(moods) >= 30
    assert {"slug": "hip-hop", "name": "Hip-Hop"} in genres and {"slug": "calm", "name": "Calm"} in moods
    assert len({g["slug"] for g in genres}) == len(genres)


def test_search_answers_hits_facets_and_pages(api, indexed):
    answer = api.get("/v1/search", params={"q": "cafe", "type": "recordings,artists", "facets": "genre,kind"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["data"][0] == {"kind": "recording", "ref": "1", "asset_id": 1, "title": "Café Noir",
                                    "artists": ["MØ"], "genres": ["electronic"], "moods": ["dark"], "year": 2019,
                                    "has_edition": False, "exact": False}
    assert body["facets"] == {"genre": {"electronic": 1}, "kind": {"recording": 1}}
    first = api.get("/v1/search", params={"q": "blue", "limit": 2}).json()
    second = api.get("/v1/search", params={"q": "blue", "limit": 2, "cursor": first["next_cursor"]}).json()
    assert first["next_cursor"] and {h["ref"] for h in first["data"]}.isdisjoint(h["ref"] for h in second["data"])
    assert api.get("/v1/search", params={"q": "nirvnaa"}).json()["corrected"] == {"nirvnaa": "nirvana"}
    filtered = api.get("/v1/search", params={"q": "madonna", "genre": "house", "has_edition": "false"}).json()
    assert [h["ref"] for h in filtered["data"]] == ["9"]


@pytest.mark.parametrize(("params", "field"), [
    ({"q": "x", "type": "songs"}, "type"),
    ({"q": "x", "facets": "colour"}, "facets"),
    ({"q": "x", "genre": "polka-metal"}, "genre"),
    ({"q": "x", "mood": "hungry"}, "mood"),
    ({"q": "x", "cursor": "bm90LWEtY3Vyc29y"}, "cursor"),
    ({"q": "x", "limit": 500}, "limit"),
    ({}, "q"),
])
def test_bad_parameters_are_422s_naming_the_field(api, params, field):
    answer = api.get("/v1/search", params=params)
    assert answer.status_code == 422 and answer.headers["content-type"] == PROBLEM
    assert answer.json()["field"] == field, answer.json()


def test_suggest_completes_titles_and_names(api, indexed):
    answer = api.get("/v1/search/suggest", params={"q": "hyperb"})
    assert answer.status_code == 200 and answer.json()["data"] == [{"kind": "recording", "ref": "5",
                                                                     "title": "Hyperballad"}]
    assert api.get("/v1/search/suggest", params={"q": ""}).status_code == 422


def test_registration_takes_genres_and_moods_from_the_vocabulary_into_the_metadata(api, api_settings, sessions):
    work = WorkIn(title="Blue Hour", iswc="T-034.524.680-1", split=SPLIT, genres=["jazz", "jazz", "blues"],
                  moods=["calm"])
    _code, _build, metadata = _work(work, 31337, lambda payees: None)
    assert metadata["genres"] == ["jazz", "blues"] and metadata["moods"] == ["calm"]
    recording = RecordingIn(title="Blue Hour", isrc="US-RC1-76-07839", content_hash="0x" + "ab" * 32, split=SPLIT,
                            release="Dawn", year=2026)
    _code, _build, metadata = _recording(recording, 31337, lambda payees: None, None, None)
    assert (metadata["release"], metadata["year"]) == ("Dawn", 2026) and "genres" not in metadata

    artist = make_user(sessions, api_settings, "artist")
    answer = api.post("/v1/recordings", headers=artist.headers, json={
        "title": "Blue Hour", "isrc": "US-RC1-76-07839", "content_hash": "0x" + "ab" * 32, "split": SPLIT,
        "genres": ["jazz", "bebop"], "moods": ["hungry"]})
    assert answer.status_code == 422 and answer.headers["content-type"] == PROBLEM
    fields = {e["field"] for e in answer.json()["errors"]}
    assert fields == {"genres[1]", "moods[0]"}  # the very entries outside the vocabulary
    assert "GET /v1/genres" in answer.text
