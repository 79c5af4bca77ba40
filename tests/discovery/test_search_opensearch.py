"""The OpenSearch backend against the official client's request layer: no server runs here, so a Connection class
answers with recorded responses (shaped as OpenSearch 2.x/3.x answers them) and keeps every request it was sent.
The tests assert what the backend sends (mappings, analyzers, query DSL, bulk lines) and how it reads answers."""

from __future__ import annotations

import json
import uuid

import pytest
from opensearchpy import Connection, OpenSearch

from discovery.search.backend import FOLLOWED_BOOST, SearchQuery
from discovery.search.opensearch import EXACT_BOOST, MAPPINGS, SETTINGS, OpenSearchBackend
from tests.discovery.catalog import CATALOG, FOLLOWED

INDEX = "harmoni-search"
SEARCH_ANSWER = {
    "took": 3, "timed_out": False, "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
    "hits": {"max_score": None, "hits": [
        {"_index": INDEX, "_id": "recording:10", "_score": 10_842.7, "sort": [10_842.7, "recording", "10"],
         "_source": {"kind": "recording", "ref": "10", "title": "Blue Hour", "artists": ["Ada Moreau"],
                     "release": "", "tags": "jazz calm", "genres": ["jazz"], "moods": ["calm"], "year": 2026,
                     "has_edition": True, "plays": 200, "account_ids": [], "asset_id": 10}},
        {"_index": INDEX, "_id": "recording:11", "_score": 17.3, "sort": [17.3, "recording", "11"],
         "_source": {"kind": "recording", "ref": "11", "title": "Blue Hour Blues", "artists": ["Lee Quartet"],
                     "release": "", "tags": "blues", "genres": ["blues"], "moods": [], "year": 2020,
                     "has_edition": False, "plays": 50000, "account_ids": [], "asset_id": 11}}]},
    "aggregations": {
        "kind": {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0,
                 "buckets": [{"key": "recording", "doc_count": 2}]},
        "has_edition": {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0,
                        "buckets": [{"key": 0, "key_as_string": "false", "doc_count": 1},
                                    {"key": 1, "key_as_string": "true", "doc_count": 1}]},
        "year": {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0,
                 "buckets": [{"key": 2020, "doc_count": 1}, {"key": 2026, "doc_count": 1}]}}}
BULK_ANSWER = {"took": 5, "errors": True, "items": [
    {"index": {"_index": INDEX, "_id": "recording:1", "_version": 7, "result": "updated", "status": 200}},
    {"index": {"_index": INDEX, "_id": "recording:2", "status": 409, "error": {
        "type": "version_conflict_engine_exception",
        "reason": "[recording:2]: version conflict, current version [9] is higher than the one provided [7]"}}}]}


class RecordedConnection(Connection):
    """Answers from `RecordedConnection.answers` (by method and path); keeps each request in `sent`."""

    answers: dict[tuple[str, str], tuple[int, dict]] = {}
    sent: list[tuple[str, str, dict, object]] = []

    def perform_request(self, method, url, params=None, body=None, timeout=None, ignore=(), headers=None):
        path = url.split("?")[0]
        decoded = None
        if body:
            text = body.decode() if isinstance(body, bytes) else body
            lines = [json.loads(line) for line in text.splitlines() if line.strip()]
            decoded = lines if path.endswith("/_bulk") else lines[0]
        params = {k: v.decode() if isinstance(v, bytes) else v for k, v in (params or {}).items()}
        type(self).sent.append((method, path, params, decoded))
        status, answer = type(self).answers.get((method, path), (404, {"error": "no recording", "status": 404}))
        raw = json.dumps(answer)
        if not 200 <= status < 300 and status not in ignore:
            self._raise_error(status, raw, "application/json")
        return status, {"content-type": "application/json"}, raw


@pytest.fixture
def backend() -> OpenSearchBackend:
    RecordedConnection.sent = []
    RecordedConnection.answers = {("HEAD", f"/{INDEX}"): (200, {})}
    client = OpenSearch(hosts=[{"host": "search.example", "port": 9200}], connection_class=RecordedConnection)
    return OpenSearchBackend(client, INDEX)


def test_the_index_is_created_with_folding_and_edge_ngram_analyzers(backend):
    RecordedConnection.answers = {("PUT", f"/{INDEX}"): (200, {"acknowledged": True, "index": INDEX}),
                                  ("POST", f"/{INDEX}/_search"): (200, {**SEARCH_ANSWER, "aggregations": {}})}
    backend.search(SearchQuery("blue"))  # HEAD answers 404: the index is made first
    (head, created, searched) = RecordedConnection.sent
    assert head[:2] == ("HEAD", f"/{INDEX}") and created[:2] == ("PUT", f"/{INDEX}")
    assert created[3] == {"settings": SETTINGS, "mappings": MAPPINGS}
    analysis = created[3]["settings"]["analysis"]
    assert analysis["analyzer"]["folded"]["filter"] == ["lowercase", "asciifolding"]
    assert analysis["filter"]["prefixes"] == {"type": "edge_ngram", "min_gram": 1, "max_gram": 20}
    assert created[3]["mappings"]["properties"]["title"]["fields"]["key"]["normalizer"] == "key"
    assert searched[:2] == ("POST", f"/{INDEX}/_search")
    backend.search(SearchQuery("blue"))
    assert [r[0] for r in RecordedConnection.sent].count("PUT") == 1  # created once per backend


def test_search_sends_prefix_fuzzy_exact_boosted_bounded_popularity_dsl(backend):
    RecordedConnection.answers[("POST", f"/{INDEX}/_search")] = (200, SEARCH_ANSWER)
    results = backend.search(SearchQuery("Blue Hour", kinds=("recording", "edition"), facets=("kind", "year",
                                         "has_edition"), genre="jazz", has_edition=True,
                                         followed=frozenset({FOLLOWED}), offset=20, limit=1))
    body = RecordedConnection.sent[-1][3]
    assert (body["from"], body["size"]) == (20, 2)  # one more than asked: is there a next page
    score = body["query"]["function_score"]
    query = score["query"]["bool"]
    assert query["must"] == [{"multi_match": {"query": "Blue Hour", "type": "bool_prefix", "operator": "and",
                                              "fuzziness": "AUTO",
                                              "fields": ["title^4", "artists^2", "release", "tags^0.5"]}}]
    assert query["should"] == [{"term": {"title.key": {"value": "Blue Hour", "boost": EXACT_BOOST}}},
                               {"term": {"artists.key": {"value": "Blue Hour", "boost": EXACT_BOOST}}}]
    assert query["filter"] == [{"terms": {"kind": ["recording", "edition"]}}, {"term": {"genres": "jazz"}},
                               {"term": {"has_edition": True}}]
    popularity, follows = score["functions"]
    assert popularity["script_score"]["script"]["params"] == {"boost": 0.5, "full": 100_000}
    assert follows == {"filter": {"terms": {"account_ids": [str(FOLLOWED)]}}, "weight": FOLLOWED_BOOST}
    assert (score["score_mode"], score["boost_mode"]) == ("multiply", "multiply")
    assert set(body["aggs"]) == {"kind", "year", "has_edition"} and body["aggs"]["year"]["terms"]["field"] == "year"
    assert [(h.ref, h.exact) for h in results.hits] == [("10", True)] and results.more
    assert results.hits[0].artists == ["Ada Moreau"] and results.hits[0].has_edition
    assert results.facets == {"kind": {"recording": 2}, "year": {"2020": 1, "2026": 1},
                              "has_edition": {"false": 1, "true": 1}}


def test_writes_are_bulk_lines_versioned_externally_and_late_versions_are_ignored(backend):
    RecordedConnection.answers[("POST", "/_bulk")] = (200, BULK_ANSWER)
    backend.upsert(CATALOG[:2], version=7)
    method, path, params, lines = RecordedConnection.sent[-1]
    assert (method, path, params) == ("POST", "/_bulk", {"refresh": "wait_for"})
    assert lines[0] == {"index": {"_index": INDEX, "_id": "recording:1", "version": 7,
                                  "version_type": "external_gte"}}
    assert lines[1]["title"] == "Café Noir" and lines[1]["artists"] == ["MØ"]
    assert lines[1]["tags"] == "electronic dark" and lines[1]["account_ids"] == [str(CATALOG[0].account_ids[0])]
    backend.delete([("artist", str(uuid.UUID(int=1)))], version=8)
    assert RecordedConnection.sent[-1][3] == [{"delete": {"_index": INDEX, "_id": f"artist:{uuid.UUID(int=1)}",
                                                          "version": 8, "version_type": "external_gte"}}]


def test_a_refused_document_other_than_a_version_conflict_is_an_error(backend):
    refused = {"took": 1, "errors": True, "items": [{"index": {"_index": INDEX, "_id": "recording:1", "status": 400,
                                                                "error": {"type": "mapper_parsing_exception"}}}]}
    RecordedConnection.answers[("POST", "/_bulk")] = (200, refused)
    with pytest.raises(RuntimeError, match="mapper_parsing_exception"):
        backend.upsert(CATALOG[:1], version=1)


def test_suggest_counts_prune_and_clear(backend):
    RecordedConnection.answers.update({
        ("POST", f"/{INDEX}/_search"): (200, {"hits": {"hits": [
            {"_id": "recording:1", "_score": 3.1, "_source": {"kind": "recording", "ref": "1", "title": "Café Noir"}}
        ]}, "aggregations": {"kind": {"buckets": [{"key": "recording", "doc_count": 33},
                                                  {"key": "artist", "doc_count": 4}]}}}),
        ("POST", f"/{INDEX}/_delete_by_query"): (200, {"deleted": 1, "failures": []}),
        ("DELETE", f"/{INDEX}"): (404, {"error": {"type": "index_not_found_exception"}, "status": 404}),
        ("PUT", f"/{INDEX}"): (200, {"acknowledged": True})})
    assert [s.title for s in backend.suggest("caf")] == ["Café Noir"]
    body = RecordedConnection.sent[-1][3]
    assert body["query"]["multi_match"]["fields"] == ["title.prefix^2", "artists.prefix"]
    assert backend.counts() == {"recording": 33, "artist": 4}
    backend.prune_editions(3, ["501"], version=9)
    _, path, params, body = RecordedConnection.sent[-1]
    assert path == f"/{INDEX}/_delete_by_query" and params["conflicts"] == "proceed"
    assert body["query"]["bool"]["must_not"] == [{"ids": {"values": ["edition:501"]}}]
    backend.clear()  # a missing index is fine; it is made again
    assert [r[:2] for r in RecordedConnection.sent[-2:]] == [("DELETE", f"/{INDEX}"), ("PUT", f"/{INDEX}")]


def test_settings_select_the_backend(tmp_path, db_session):
    from discovery.search import service
    from harmoni.errors import ConfigurationError
    from harmoni.settings import Settings

    base = {"_env_file": None, "env": "test", "data_dir": tmp_path}
    chosen = service.backend_for(db_session, Settings(**base, search_backend="opensearch",
                                                      opensearch_url="https://u:p@search.example:9243"))
    assert isinstance(chosen, OpenSearchBackend) and chosen.index == "harmoni-search"
    with pytest.raises(ConfigurationError, match="HARMONI_OPENSEARCH_URL"):
        service.backend_for(db_session, Settings(**base, search_backend="opensearch"))
    assert type(service.backend_for(db_session, Settings(**base))).__name__ == "PostgresBackend"
