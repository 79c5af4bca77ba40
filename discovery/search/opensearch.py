"""The OpenSearch backend (official `opensearch-py` client), chosen with HARMONI_SEARCH_BACKEND=opensearch.

The same contract as the PostgreSQL backend, in OpenSearch's terms: `asciifolding` folds accents ("cafe" finds
"Café", "mo" finds "MØ"); `bool_prefix` multi-match makes every word a prefix, with `fuzziness: AUTO` (one edit
from 3 letters, two from 6) for typos; an edge n-gram sub-field serves suggestions. Exact title/name matches
carry a boost far above any text score, and the bounded popularity and follow factors multiply inside that, so a
follow never lifts a partial match above an exact one. Documents are versioned externally (the outbox id), so an
older drain is refused by the server (409, ignored here) instead of overwriting a newer document.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from opensearchpy import OpenSearch

from discovery.search.backend import (
    FOLLOWED_BOOST,
    KINDS,
    MAX_POPULARITY_BOOST,
    PLAYS_FOR_FULL_BOOST,
    Document,
    Hit,
    SearchQuery,
    SearchResults,
    Suggestion,
)

EXACT_BOOST = 10_000.0  # far above any BM25 score of a short title: exact matches form their own tier
_FOLD = ["lowercase", "asciifolding"]
_KEY_CHARS = {"type": "pattern_replace", "pattern": "[^\\p{L}\\p{Nd}]+", "replacement": " "}
SETTINGS = {
    "analysis": {
        "char_filter": {"key_chars": _KEY_CHARS},
        "filter": {"prefixes": {"type": "edge_ngram", "min_gram": 1, "max_gram": 20}},
        "analyzer": {
            "folded": {"type": "custom", "tokenizer": "standard", "filter": _FOLD},
            "folded_prefixes": {"type": "custom", "tokenizer": "standard", "filter": [*_FOLD, "prefixes"]},
        },
        "normalizer": {"key": {"type": "custom", "char_filter": ["key_chars"], "filter": [*_FOLD, "trim"]}},
    },
}
_TEXT = {"type": "text", "analyzer": "folded",
         "fields": {"key": {"type": "keyword", "normalizer": "key"},
                    "prefix": {"type": "text", "analyzer": "folded_prefixes", "search_analyzer": "folded"}}}
MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "kind": {"type": "keyword"}, "ref": {"type": "keyword"}, "title": _TEXT, "artists": _TEXT,
        "release": {"type": "text", "analyzer": "folded"}, "tags": {"type": "text", "analyzer": "folded"},
        "genres": {"type": "keyword"}, "moods": {"type": "keyword"}, "year": {"type": "integer"},
        "has_edition": {"type": "boolean"}, "plays": {"type": "long"}, "account_ids": {"type": "keyword"},
        "asset_id": {"type": "long"},
    },
}
_POPULARITY = ("1 + params.boost * Math.min(1.0, Math.log1p(doc['plays'].value) / Math.log1p(params.full))")
_AGG_FIELDS = {"kind": "kind", "genre": "genres", "mood": "moods", "year": "year", "has_edition": "has_edition"}


def _doc_id(kind: str, ref: str) -> str:
    return f"{kind}:{ref}"


class OpenSearchBackend:
    def __init__(self, client: OpenSearch, index: str) -> None:
        self.client = client
        self.index = index
        self._ready = False

    @classmethod
    def from_url(cls, url: str, index: str) -> OpenSearchBackend:
        parts = urlsplit(url)
        auth = (parts.username, parts.password or "") if parts.username else None
        host = {"host": parts.hostname, "port": parts.port or (443 if parts.scheme == "https" else 9200)}
        return cls(OpenSearch(hosts=[host], http_auth=auth, use_ssl=parts.scheme == "https", timeout=10), index)

    def ensure_index(self) -> None:
        """Create the index with its analyzers and mappings once (an existing one is kept as it is)."""
        if self._ready:
            return
        if not self.client.indices.exists(index=self.index):
            self.client.indices.create(index=self.index, body={"settings": SETTINGS, "mappings": MAPPINGS})
        self._ready = True

    # writes

    def _bulk(self, lines: list[dict]) -> None:
        if not lines:
            return
        answer = self.client.bulk(body=lines, refresh="wait_for")
        if answer.get("errors"):
            for item in answer["items"]:
                result = next(iter(item.values()))
                # 409: the index holds a newer version (an older drain came late); 404: deleting an absent doc.
                if result.get("status", 200) >= 300 and result["status"] not in (404, 409):
                    raise RuntimeError(f"OpenSearch refused {result.get('_id')}: {result.get('error')}")

    def upsert(self, documents: list[Document], version: int) -> None:
        self.ensure_index()
        lines: list[dict] = []
        for d in documents:
            lines.append({"index": {"_index": self.index, "_id": _doc_id(d.kind, d.ref), "version": version,
                                    "version_type": "external_gte"}})
            lines.append({"kind": d.kind, "ref": d.ref, "title": d.title, "artists": d.artists,
                          "release": d.release or "", "tags": " ".join(t.replace("-", " ")
                                                                       for t in (*d.genres, *d.moods)),
                          "genres": d.genres, "moods": d.moods, "year": d.year, "has_edition": d.has_edition,
                          "plays": d.plays, "account_ids": [str(a) for a in d.account_ids], "asset_id": d.asset_id})
        self._bulk(lines)

    def delete(self, keys: list[tuple[str, str]], version: int) -> None:
        self.ensure_index()
        self._bulk([{"delete": {"_index": self.index, "_id": _doc_id(kind, ref), "version": version,
                                "version_type": "external_gte"}} for kind, ref in keys])

    def prune_editions(self, asset_id: int, keep: list[str], version: int) -> None:
        self.ensure_index()
        query = {"bool": {"filter": [{"term": {"kind": "edition"}}, {"term": {"asset_id": asset_id}}],
                          "must_not": [{"ids": {"values": [_doc_id("edition", r) for r in keep]}}]}}
        self.client.delete_by_query(index=self.index, body={"query": query}, refresh=True, conflicts="proceed")

    def clear(self) -> None:
        self.client.indices.delete(index=self.index, ignore=[404])
        self.client.indices.create(index=self.index, body={"settings": SETTINGS, "mappings": MAPPINGS})
        self._ready = True

    def counts(self) -> dict[str, int]:
        self.ensure_index()
        answer = self.client.search(index=self.index, body={
            "size": 0, "aggs": {"kind": {"terms": {"field": "kind", "size": len(KINDS)}}}})
        return {b["key"]: b["doc_count"] for b in answer["aggregations"]["kind"]["buckets"]}

    # reads

    def search_body(self, query: SearchQuery) -> dict:
        """The request body `search` sends (public: the contract tests assert it)."""
        filters: list[dict] = [{"terms": {"kind": list(query.kinds or KINDS)}}]
        for field, value in (("genres", query.genre), ("moods", query.mood), ("year", query.year),
                             ("has_edition", query.has_edition)):
            if value is not None:
                filters.append({"term": {field: value}})
        text = {"multi_match": {"query": query.text, "type": "bool_prefix", "operator": "and",
                                "fuzziness": "AUTO", "fields": ["title^4", "artists^2", "release", "tags^0.5"]}}
        exact = [{"term": {"title.key": {"value": query.text, "boost": EXACT_BOOST}}},
                 {"term": {"artists.key": {"value": query.text, "boost": EXACT_BOOST}}}]
        functions: list[dict] = [{"script_score": {"script": {"source": _POPULARITY, "params": {
            "boost": MAX_POPULARITY_BOOST - 1.0, "full": PLAYS_FOR_FULL_BOOST}}}}]
        if query.followed:
            functions.append({"filter": {"terms": {"account_ids": sorted(str(a) for a in query.followed)}},
                              "weight": FOLLOWED_BOOST})
        body: dict = {
            "from": query.offset, "size": query.limit + 1, "track_total_hits": False,
            "query": {"function_score": {"query": {"bool": {"must": [text], "should": exact, "filter": filters}},
                                         "functions": functions, "score_mode": "multiply",
                                         "boost_mode": "multiply"}},
            "sort": ["_score", {"kind": "asc"}, {"ref": "asc"}],
        }
        if query.facets:
            body["aggs"] = {f: {"terms": {"field": _AGG_FIELDS[f], "size": 50}} for f in query.facets}
        return body

    def search(self, query: SearchQuery) -> SearchResults:
        if not query.text.strip():
            return SearchResults([], {f: {} for f in query.facets}, False)
        self.ensure_index()
        answer = self.client.search(index=self.index, body=self.search_body(query))
        hits = []
        for raw in answer["hits"]["hits"][:query.limit]:
            s = raw["_source"]
            hits.append(Hit(kind=s["kind"], ref=s["ref"], title=s["title"], artists=s.get("artists", []),
                            genres=s.get("genres", []), moods=s.get("moods", []), year=s.get("year"),
                            has_edition=bool(s.get("has_edition")), asset_id=s.get("asset_id"),
                            exact=raw["_score"] >= EXACT_BOOST,
                            score=float(raw["_score"])))
        facets = {f: {_bucket_key(b): b["doc_count"] for b in answer.get("aggregations", {}).get(f, {}).get(
            "buckets", [])} for f in query.facets}
        return SearchResults(hits, facets, len(answer["hits"]["hits"]) > query.limit)

    def suggest_body(self, prefix: str, limit: int) -> dict:
        return {"size": limit, "_source": ["kind", "ref", "title"],
                "query": {"multi_match": {"query": prefix, "operator": "and",
                                          "fields": ["title.prefix^2", "artists.prefix"]}},
                "sort": ["_score", {"plays": "desc"}, {"ref": "asc"}]}

    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        if not prefix.strip():
            return []
        self.ensure_index()
        answer = self.client.search(index=self.index, body=self.suggest_body(prefix, limit))
        return [Suggestion(h["_source"]["kind"], h["_source"]["ref"], h["_source"]["title"])
                for h in answer["hits"]["hits"]]


def _bucket_key(bucket: dict) -> str:
    if "key_as_string" in bucket:  # booleans come back as 1/0 with key_as_string "true"/"false"
        return bucket["key_as_string"]
    return str(bucket["key"])

